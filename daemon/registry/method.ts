/**
 * Method declarations: a plugin describes each API method as data (name, positional argument
 * schemas, result schema, roles, job options, handler) and hands the list to the registry.
 * Shaped like TrueNAS's `@api_method(Args, Result, roles=…)` + `@job(lock=…)`.
 */
import type { z } from 'zod';
import type { Credentials, Role } from './credentials.js';
import type { CallSession } from './session.js';

export type { Credentials, Role } from './credentials.js';
export type { CallSession } from './session.js';

/**
 * One positional argument. `name` is the attribute prefix of its validation errors, as TrueNAS
 * uses the pydantic argument name: `{name: 'vmware_create', …}` → `vmware_create.hostname`.
 * Use `.optional()` / `.default()` on trailing arguments that may be omitted.
 */
export interface MethodArg<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
}

/** Handed to a job method's handler. */
export interface JobHandle {
  /** The job id, as listed by `core.get_jobs`. */
  readonly id: number;
  /** Aborted by `core.job_abort` or daemon shutdown; pass it to every long wait. */
  readonly signal: AbortSignal;
  /** Sets `progress = {percent, description, extra}`; percent 0–100 or null when unknown. */
  setProgress(percent: number | null, description?: string, extra?: unknown): void;
  /** Appends one line to the job's log (`logs_excerpt`). Never pass secrets. */
  log(line: string): void;
}

/** What a handler learns about its call. */
export interface CallContext {
  readonly credentials: Credentials;
  /** Present only for methods declared with `job`. */
  readonly job: JobHandle | null;
  /** Aborted when the caller goes away (non-job calls) or the job is aborted (job calls). */
  readonly signal: AbortSignal;
  /** The wire connection of the call (TrueNAS `pass_app`); null/absent for in-process calls. */
  readonly session?: CallSession | null;
}

/** The runtime values of an argument list. */
export type ArgsOf<A extends readonly MethodArg[]> = {
  -readonly [K in keyof A]: A[K] extends MethodArg<infer S> ? z.output<S> : never;
};

/** The values a caller may send for an argument list (before defaults are applied). */
export type ArgsIn<A extends readonly MethodArg[]> = {
  -readonly [K in keyof A]: A[K] extends MethodArg<infer S> ? z.input<S> : never;
};

/** Options of a job method. */
export interface JobSpec<A extends readonly MethodArg[]> {
  /**
   * Jobs with the same lock key run one at a time (the later ones wait). Declared as a method so a
   * typed spec stays assignable to {@link AnyMethodDef} (method parameters are bivariant).
   */
  lock?(args: ArgsOf<A>): string;
  /** Whether `core.job_abort` may abort it (default true). */
  abortable?: boolean;
}

/** A method as a plugin declares it. */
export interface MethodSpec<A extends readonly MethodArg[], R extends z.ZodType> {
  /** Wire name, `namespace.verb_noun`. */
  readonly name: string;
  /** Shown by `core.get_methods`. */
  readonly description: string;
  readonly args: A;
  readonly result: R;
  /** Any one of these roles allows the call; empty = any authenticated session. */
  readonly roles: readonly Role[];
  /** Callable before authentication (core.ping, auth.login_ex …). */
  readonly public?: boolean;
  /** Hidden from `core.get_methods` and refused over TCP; callable in-process and over the Unix socket. */
  readonly private?: boolean;
  /**
   * How the audit log treats wire calls of this method: `write` (the default when no role of
   * `roles` is a `*_READ` role or READONLY_ADMIN, i.e. read-only users cannot call it), `login`
   * (AUTHENTICATION events: success when the connection's identity changed, failure on an error,
   * `false` or `{response_type: "AUTH_ERR"}`; other replies are intermediate steps), or `none`.
   */
  readonly audit?: 'write' | 'login' | 'none';
  /**
   * Values in the arguments that are secrets although their field name does not say so (the audit
   * log redacts names such as `password` by itself): paths from the argument list, `.`-separated,
   * e.g. `0.attributes.url` (alert service webhook URLs carry their token).
   */
  readonly secretPaths?: readonly string[];
  /** Present for long-running methods: the call becomes a job (`core.get_jobs`). */
  readonly job?: JobSpec<A>;
  /** Runs the call. Declared as a method so that a typed def is assignable to {@link AnyMethodDef}. */
  handler(ctx: CallContext, ...args: ArgsOf<A>): Promise<z.input<R>> | z.input<R>;
}

/** A declared method with its types kept, so in-process calls are typed. */
export interface MethodDef<A extends readonly MethodArg[] = readonly MethodArg[], R extends z.ZodType = z.ZodType>
  extends MethodSpec<A, R> {
  readonly kind: 'method';
}

/** Any method, types erased: what the registry stores. */
export type AnyMethodDef = MethodDef<readonly MethodArg[], z.ZodType>;

/** Declares a method. `const` keeps the argument tuple's element types for the handler. */
export function defineMethod<const A extends readonly MethodArg[], R extends z.ZodType>(
  spec: MethodSpec<A, R>,
): MethodDef<A, R> {
  return { ...spec, kind: 'method' };
}
