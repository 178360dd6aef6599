/**
 * The write half of a CRUD namespace, as TrueNAS's CRUDService shapes it: `<namespace>.create(data)`
 * and `<namespace>.update(id, data)` return the entry, `<namespace>.delete(id[, options])` returns
 * true. {@link crudWrites} takes what a namespace's writes share (namespace, roles, entry, id) once;
 * each builder then takes what differs (argument name and schema, description, handler) and
 * declares the method with {@link defineMethod}. Other one-argument writes of the namespace
 * (`alertservice.test(data)`, `pool.snapshottask.run(id)`) are its actions, with their own result.
 * The read half is `queryMethods` (./crud.ts).
 */
import { z } from 'zod';
import { defineMethod, type CallContext, type JobSpec, type MethodDef, type Role } from '../registry/method.js';

/** What every write method declares. */
interface WriteSpec {
  /** API namespace, e.g. `sharing.nfs` → `sharing.nfs.create`. */
  readonly namespace: string;
  /** Roles allowed to call it (any one of them). */
  readonly roles: readonly Role[];
  /** Shown by `core.get_methods`. */
  readonly description: string;
  /** Argument paths holding secrets the audit log must redact (see MethodSpec.secretPaths). */
  readonly secretPaths?: readonly string[];
}

/** The data argument: `name` is the prefix of its validation errors (`sharingnfs_create.path`). */
type DataArg<N extends string, S extends z.ZodType> = { readonly name: N; readonly schema: S };
/** The `id` argument. */
type IdArg<I extends z.ZodType> = { readonly name: 'id'; readonly schema: I };
/** The `options` argument of a delete. */
type OptionsArg<O extends z.ZodType> = { readonly name: 'options'; readonly schema: O };

/** `true`, what a delete returns. */
const DELETED = z.literal(true);

/** The optional fields of {@link WriteSpec} that pass through to the method unchanged. */
function common(spec: WriteSpec) {
  return { roles: spec.roles, description: spec.description, ...(spec.secretPaths ? { secretPaths: spec.secretPaths } : {}) };
}

/** What {@link createMethod} needs. */
export interface CreateSpec<N extends string, S extends z.ZodType, E extends z.ZodType> extends WriteSpec {
  /** Name of the data argument, e.g. `sharingnfs_create`. */
  readonly arg: N;
  readonly schema: S;
  /** Schema of the entry returned. */
  readonly entry: E;
  handler(call: CallContext, data: z.output<S>): Promise<z.input<E>> | z.input<E>;
}

/** Declares `<namespace>.create(data)`, returning the new entry. */
function createMethod<const N extends string, S extends z.ZodType, E extends z.ZodType>(
  spec: CreateSpec<N, S, E>,
): MethodDef<readonly [DataArg<N, S>], E> {
  return defineMethod({
    name: `${spec.namespace}.create`,
    ...common(spec),
    args: [{ name: spec.arg, schema: spec.schema }] as const,
    result: spec.entry,
    handler: (call, data) => spec.handler(call, data),
  });
}

/** What {@link updateMethod} needs. */
export interface UpdateSpec<I extends z.ZodType, N extends string, S extends z.ZodType, E extends z.ZodType> extends WriteSpec {
  /** Schema of the id, e.g. `z.number().int().describe('Task id')`. */
  readonly id: I;
  /** Name of the data argument, e.g. `sharingnfs_update`. */
  readonly arg: N;
  readonly schema: S;
  /** Schema of the entry returned. */
  readonly entry: E;
  handler(call: CallContext, id: z.output<I>, patch: z.output<S>): Promise<z.input<E>> | z.input<E>;
}

/** Declares `<namespace>.update(id, patch)`, returning the changed entry. */
function updateMethod<I extends z.ZodType, const N extends string, S extends z.ZodType, E extends z.ZodType>(
  spec: UpdateSpec<I, N, S, E>,
): MethodDef<readonly [IdArg<I>, DataArg<N, S>], E> {
  return defineMethod({
    name: `${spec.namespace}.update`,
    ...common(spec),
    args: [
      { name: 'id', schema: spec.id },
      { name: spec.arg, schema: spec.schema },
    ] as const,
    result: spec.entry,
    handler: (call, id, patch) => spec.handler(call, id, patch),
  });
}

/** What {@link deleteMethod} needs; `options` adds a second argument named `options`. */
export interface DeleteSpec<I extends z.ZodType, O extends z.ZodType> extends WriteSpec {
  /** Schema of the id. */
  readonly id: I;
  /** Schema of the `options` argument, when the method takes one. */
  readonly options?: O;
  /** Deletes the entry; the method then returns true. Throws InstanceNotFound for an unknown id. */
  handler(call: CallContext, id: z.output<I>, options: z.output<O>): Promise<unknown> | unknown;
}

/** Declares `<namespace>.delete(id)`, returning true once `handler` has deleted the entry. */
function deleteMethod<I extends z.ZodType>(spec: DeleteSpec<I, z.ZodUndefined>): MethodDef<readonly [IdArg<I>], typeof DELETED>;
/** Declares `<namespace>.delete(id, options)`, returning true once `handler` has deleted the entry. */
function deleteMethod<I extends z.ZodType, O extends z.ZodType>(
  spec: DeleteSpec<I, O> & { readonly options: O },
): MethodDef<readonly [IdArg<I>, OptionsArg<O>], typeof DELETED>;
function deleteMethod<I extends z.ZodType, O extends z.ZodType>(
  spec: DeleteSpec<I, O>,
): MethodDef<readonly [IdArg<I>], typeof DELETED> | MethodDef<readonly [IdArg<I>, OptionsArg<O>], typeof DELETED> {
  const id = { name: 'id', schema: spec.id } as const;
  // Without `options` the method has one argument: the handler then receives undefined for it.
  const args = (spec.options ? [id, { name: 'options', schema: spec.options }] : [id]) as readonly [IdArg<I>, OptionsArg<O>];
  return defineMethod({
    name: `${spec.namespace}.delete`,
    ...common(spec),
    args,
    result: DELETED,
    async handler(call, key, options) {
      await spec.handler(call, key, options);
      return true as const;
    },
  });
}

/** What {@link actionMethod} needs. */
export interface ActionSpec<N extends string, S extends z.ZodType, R extends z.ZodType> extends WriteSpec {
  /** The verb after the namespace: `run` → `pool.snapshottask.run`. */
  readonly verb: string;
  /** Name of the one argument, e.g. `id` or `snapshot_create`. */
  readonly arg: N;
  readonly schema: S;
  /** Schema of what the action returns. */
  readonly result: R;
  /** Hidden from `core.get_methods` and refused over TCP (see MethodSpec.private). */
  readonly private?: boolean;
  /** Present when the call runs as a job (see MethodSpec.job). */
  readonly job?: JobSpec<readonly [DataArg<N, S>]>;
  handler(call: CallContext, data: z.output<S>): Promise<z.input<R>> | z.input<R>;
}

/** Declares `<namespace>.<verb>(arg)`, a write with one argument that returns `result`. */
function actionMethod<const N extends string, S extends z.ZodType, R extends z.ZodType>(
  spec: ActionSpec<N, S, R>,
): MethodDef<readonly [DataArg<N, S>], R> {
  return defineMethod({
    name: `${spec.namespace}.${spec.verb}`,
    ...common(spec),
    args: [{ name: spec.arg, schema: spec.schema }] as const,
    result: spec.result,
    ...(spec.private ? { private: spec.private } : {}),
    ...(spec.job ? { job: spec.job } : {}),
    handler: (call, data) => spec.handler(call, data),
  });
}

/** What the writes of one namespace share: see {@link crudWrites}. */
export interface CrudBase<E extends z.ZodType, I extends z.ZodType> {
  readonly namespace: string;
  /** Roles allowed to write (any one of them). */
  readonly roles: readonly Role[];
  /** Schema of the entry create and update return. */
  readonly entry: E;
  /** Schema of the id update and delete take. */
  readonly id: I;
}

/** A spec of {@link createMethod}, {@link updateMethod} or {@link deleteMethod} without what {@link CrudBase} holds. */
type Own<T> = Omit<T, keyof CrudBase<z.ZodType, z.ZodType>>;

/**
 * The create, update and delete builders of one namespace, with its namespace, roles, entry and id
 * given once: `const writes = crudWrites({namespace: 'sharing.nfs', roles, entry, id});` then
 * `writes.create({description, arg, schema, handler})`, `writes.update({…})`, `writes.delete({…})`
 * (one argument, `id`) or `writes.deleteWithOptions({options, …})` (`id, options`); any other
 * write of the namespace with one argument is `writes.action({verb, arg, schema, result, …})`.
 */
export function crudWrites<E extends z.ZodType, I extends z.ZodType>(base: CrudBase<E, I>) {
  return {
    create: <const N extends string, S extends z.ZodType>(spec: Own<CreateSpec<N, S, E>>) => createMethod<N, S, E>({ ...base, ...spec }),
    update: <const N extends string, S extends z.ZodType>(spec: Own<UpdateSpec<I, N, S, E>>) => updateMethod<I, N, S, E>({ ...base, ...spec }),
    delete: (spec: Own<DeleteSpec<I, z.ZodUndefined>>) => deleteMethod<I>({ ...base, ...spec }),
    deleteWithOptions: <O extends z.ZodType>(spec: Own<DeleteSpec<I, O>> & { readonly options: O }) => deleteMethod<I, O>({ ...base, ...spec }),
    action: <const N extends string, S extends z.ZodType, R extends z.ZodType>(spec: Omit<ActionSpec<N, S, R>, 'namespace' | 'roles'>) =>
      actionMethod<N, S, R>({ ...spec, namespace: base.namespace, roles: base.roles }),
  };
}
