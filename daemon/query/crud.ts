/**
 * The read half of a CRUD namespace, shared by every collection: `<namespace>.query(filters, options)`
 * and `<namespace>.get_instance(id, options)`, as TrueNAS's CRUDService provides them, plus a helper
 * for the `collection_update` events create/update/delete send.
 */
import { z } from 'zod';
import { InstanceNotFound } from '../errors.js';
import type { CollectionUpdate, EventBus } from '../plugin.js';
import { defineMethod, type CallContext, type MethodDef, type Role } from '../registry/method.js';
import { QueryFilters } from './filters.js';
import { MatchNotFound, QueryOptions } from './options.js';
import { queryList } from './query-list.js';

/** What {@link queryMethods} needs to know about a collection. */
export interface QueryMethodsSpec<E extends z.ZodType> {
  /** API namespace, e.g. `vmware` or `pool.snapshottask`. */
  readonly namespace: string;
  /** Name in "not found" messages, e.g. `VMWare` → "VMWare 5 does not exist". */
  readonly verboseName: string;
  /** Roles allowed to read (any one of them). */
  readonly roles: readonly Role[];
  /** Schema of one entry as the API returns it. */
  readonly entry: E;
  /** Every entry as the caller may see it (secrets already redacted), in id order. */
  list(ctx: CallContext): readonly z.input<E>[] | Promise<readonly z.input<E>[]>;
  /** Shown by `core.get_methods` for `<namespace>.query`. */
  readonly description: string;
  /** Schema of the id (default: an integer, TrueNAS's primary key). */
  readonly id?: z.ZodType<string | number>;
}

/** An entry reduced by `options.select` (any shape: paths and aliases choose the keys). */
const SelectedEntry = z.record(z.string(), z.unknown()).describe('An entry reduced by options.select');

const queryArgs = [
  { name: 'filters', schema: QueryFilters.default([]) },
  { name: 'options', schema: QueryOptions.prefault({}) },
] as const;

function resultSchemas<E extends z.ZodType>(entry: E) {
  return {
    query: z
      .union([z.array(entry), entry, z.number().int().min(0), z.array(SelectedEntry), SelectedEntry])
      .describe('The matching entries; one entry with options.get; their number with options.count'),
    instance: z.union([entry, SelectedEntry]),
  };
}

type QueryDefs<E extends z.ZodType> = readonly [
  MethodDef<typeof queryArgs, ReturnType<typeof resultSchemas<E>>['query']>,
  MethodDef<readonly [{ name: 'id'; schema: z.ZodType<string | number> }, (typeof queryArgs)[1]], ReturnType<typeof resultSchemas<E>>['instance']>,
];

/**
 * Declares `<namespace>.query` and `<namespace>.get_instance` over `spec.list()` with the shared
 * query engine. `get_instance(id)` = query `[["id", "=", id]]` with `get`, and a missing id is
 * InstanceNotFound: -32602 `[null, "<Verbose> <id> does not exist", ENOENT]`.
 * @returns `[query, get_instance]`, ready for `ctx.registerMethods`.
 */
export function queryMethods<E extends z.ZodType>(spec: QueryMethodsSpec<E>): QueryDefs<E> {
  const results = resultSchemas(spec.entry);
  const query = defineMethod({
    name: `${spec.namespace}.query`,
    description: spec.description,
    args: queryArgs,
    result: results.query,
    roles: spec.roles,
    async handler(ctx, filters, options) {
      return queryList(await spec.list(ctx), filters, options) as z.input<typeof results.query>;
    },
  });
  const getInstance = defineMethod({
    name: `${spec.namespace}.get_instance`,
    description: `Returns the ${spec.verboseName} entry with this id; "${spec.verboseName} <id> does not exist" (ENOENT) when there is none.`,
    args: [{ name: 'id', schema: spec.id ?? z.number().int().describe(`${spec.verboseName} id`) }, queryArgs[1]] as const,
    result: results.instance,
    roles: spec.roles,
    async handler(ctx, id, options) {
      try {
        const one = queryList(await spec.list(ctx), [['id', '=', id]], { ...options, get: true, count: false, limit: 0, offset: 0 });
        return one as z.input<typeof results.instance>;
      } catch (e) {
        if (e instanceof MatchNotFound) throw new InstanceNotFound(spec.verboseName, id);
        throw e;
      }
    },
  });
  return [query, getInstance] as const;
}

/**
 * Publishes one CRUD `collection_update` (TrueNAS CRUD services send just the id; pass `fields` to
 * include changed values, as snapshot tasks do with `{state}`).
 * @param collection the event name, e.g. `vmware.query`.
 */
export function publishCrud(events: EventBus, collection: string, msg: CollectionUpdate['msg'], id: unknown, fields?: Record<string, unknown>): void {
  events.publish(fields === undefined ? { msg, collection, id } : { msg, collection, id, fields });
}

/**
 * The fields of an update `patch` that were given: keys whose value is `undefined` (omitted, or
 * optional fields zod left out) are dropped, so `{ ...old, ...definedOnly(patch) }` keeps the old
 * value of every omitted field, as TrueNAS's partial updates do. `null` is a value and is kept.
 */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
