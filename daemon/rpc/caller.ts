/**
 * The call pipeline shared by wire calls and in-process calls: look up → access check (login,
 * private, roles) → validate params → run the handler or submit a job → check the result (tests).
 */
import { CallError, Errno } from '../errors.js';
import type { JobManager } from '../jobs/job-manager.js';
import type { AnyMethodDef, CallSession } from '../registry/method.js';
import type { MethodRegistry } from '../registry/registry.js';
import { ANONYMOUS, INTERNAL_ROOT, allowed } from '../registry/roles.js';
import type { CallObserver } from './call-observer.js';
import { ErrorCodes, RpcError } from './codes.js';

/** What the pipeline needs. */
export interface CallerDeps {
  readonly registry: MethodRegistry;
  readonly jobs: JobManager;
  /** Check results against result schemas (`api.validate_results`; on in tests). */
  readonly validateResults: boolean;
  /** Told about every finished wire call (metrics, audit); must not throw. */
  readonly observers?: readonly CallObserver[];
}

/** One call from a connection. */
export interface WireCall {
  readonly session: CallSession;
  readonly method: string;
  /** Positional arguments; an object (by-name params, valid JSON-RPC) is refused with -32602. */
  readonly params: readonly unknown[] | Readonly<Record<string, unknown>>;
  /** The JSON-RPC id (undefined for notifications). */
  readonly messageId: unknown;
  /** Aborted when the connection closes. */
  readonly signal: AbortSignal;
}

/** Runs calls. */
export class Caller {
  readonly #deps: CallerDeps;
  constructor(deps: CallerDeps) {
    this.#deps = deps;
  }

  /**
   * Runs a call from a connection. Throws RpcError -32601 (unknown or, over TCP, private method),
   * RpcError -32602 (params given as an object),
   * CallError ENOTAUTHENTICATED (207) / EACCES "Not authorized", ValidationErrors, or the method's error.
   */
  async fromWire(call: WireCall): Promise<unknown> {
    const observers = this.#deps.observers ?? [];
    if (observers.length === 0) return this.#fromWire(call);
    const started = performance.now();
    const credentials = call.session.credentials;
    let error: unknown;
    let result: unknown;
    try {
      result = await this.#fromWire(call);
      return result;
    } catch (err) {
      error = err;
      throw err;
    } finally {
      const found = this.#deps.registry.get(call.method);
      const def = found && this.#hidden(found, call.session) ? undefined : found;
      const seen = { session: call.session, method: call.method, def, params: call.params, credentials, result, error, ms: performance.now() - started };
      // Awaited before the reply goes out, so what an observer records (audit) is readable once the
      // caller sees the reply. Most calls are observed synchronously (metrics; audit skips reads):
      // only the promises observers return are awaited, so those calls add no microtask turns.
      const pending: Promise<void>[] = [];
      for (const observe of observers) {
        const p = observe(seen);
        if (p) pending.push(p);
      }
      if (pending.length > 0) await Promise.all(pending);
    }
  }

  /** A private method over TCP (without `private_methods`) does not exist for the caller. */
  #hidden(def: AnyMethodDef, session: CallSession): boolean {
    return def.private === true && session.transport === 'tcp' && !session.options.private_methods;
  }

  async #fromWire(call: WireCall): Promise<unknown> {
    const { registry, jobs } = this.#deps;
    const { session } = call;
    const def = registry.get(call.method);
    if (!def || this.#hidden(def, session)) {
      throw new RpcError(ErrorCodes.METHOD_NOT_FOUND, `Method ${JSON.stringify(call.method)} does not exist`, Errno.ENOMETHOD);
    }
    if (!Array.isArray(call.params)) {
      throw new RpcError(
        ErrorCodes.INVALID_PARAMS,
        `${call.method} takes positional arguments: "params" must be an array, not an object`,
        Errno.EINVAL,
      );
    }
    const credentials = session.credentials ?? ANONYMOUS;
    if (!def.public) {
      if (!session.credentials) throw new CallError('Not authenticated', Errno.ENOTAUTHENTICATED);
      if (!allowed(credentials, def.roles)) throw new CallError('Not authorized', Errno.EACCES);
    }
    const args = registry.validateArgs(def, call.params);
    if (def.job) {
      const legacy = session.options.legacy_jobs;
      const job = jobs.submit(def, args, { credentials, session, messageId: legacy ? undefined : call.messageId });
      return legacy ? job.record.id : await job.done;
    }
    const result = await def.handler({ credentials, job: null, signal: call.signal, session }, ...(args as never[]));
    this.#check(def, result);
    return result;
  }

  /**
   * Runs `def` in-process as root (`INTERNAL`), validating `params` like a wire call; a job method
   * runs as a job (listed by core.get_jobs) and is awaited.
   */
  async inProcess(def: AnyMethodDef, params: readonly unknown[], signal: AbortSignal = new AbortController().signal): Promise<unknown> {
    const args = this.#deps.registry.validateArgs(def, params);
    if (def.job) return this.#deps.jobs.submit(def, args, { credentials: INTERNAL_ROOT }).done;
    const result = await def.handler({ credentials: INTERNAL_ROOT, job: null, signal, session: null }, ...(args as never[]));
    this.#check(def, result);
    return result;
  }

  #check(def: AnyMethodDef, result: unknown): void {
    if (this.#deps.validateResults) this.#deps.registry.checkResult(def, result);
  }
}
