/**
 * TrueNAS's legacy DDP-style WebSocket protocol at `/websocket` (TrueNAS 24.10 and older clients,
 * many third-party tools). Reference: truenas_api_client TS-24.10.2.4 (`Client._recv`, `on_open`,
 * `call`, `subscribe`, `ping`). Messages are JSON objects with a `msg`:
 *
 * - `{msg: "connect", version: "1", support: ["1"]}` → `{msg: "connected", session}`; another
 *   version → `{msg: "failed", version: "1"}`; anything before connect → `failed` too.
 * - `{msg: "method", id, method, params}` → `{msg: "result", id, result}` or `{msg: "result", id,
 *   error: {error: errno, errname, type, reason, trace, extra}}`; validation errors carry errno EAGAIN
 *   (11) and type `VALIDATION` with `extra = [[attribute, message, errno], …]`. Job methods answer
 *   their job id (legacy jobs); progress comes as `core.get_jobs` events.
 * - `{msg: "sub", id, name}` → `{msg: "ready", subs: [id]}`, then `{msg: "added"|"changed"|"removed",
 *   collection, id, fields}`; refused → `{msg: "nosub", id, collection, error}`.
 * - `{msg: "unsub", id}` → `{msg: "nosub", id, collection}`.
 * - `{msg: "ping", id}` → `{msg: "pong", id}`.
 * - An unknown `msg` or a malformed message → `{msg: "result", id, error}` (EINVAL, naming the
 *   problem); the connection stays open.
 *
 * Calls go through the same Caller as JSON-RPC: the same methods, login and roles.
 */
import type { Logger } from 'pino';
import { CallError, Errno, ValidationErrors, errnoName } from '../errors.js';
import type { Caller } from './caller.js';
import { ErrorCodes, RpcError } from './codes.js';
import { toRpcError } from './error-data.js';
import type { Session } from './session.js';
import { encode, nestingDepth } from './wire.js';

/** The only protocol version (TrueNAS's). */
export const LEGACY_VERSION = '1';

/** Legacy error object (`result.error`). */
export interface LegacyError {
  error: number;
  errname: string;
  /** `VALIDATION` for validation errors, else null. */
  type: 'VALIDATION' | null;
  reason: string;
  trace: { class: string; formatted: string; frames: unknown[] } | null;
  extra: unknown;
}

/** Limits applied to each message (as for JSON-RPC). */
export interface LegacyLimits {
  readonly maxConcurrentCalls: number;
  readonly maxNesting: number;
}

/** Per-connection protocol state. */
interface LegacyState {
  connected: boolean;
  /** Client subscription id → [event name, session subscription id]. */
  readonly subs: Map<string, [string, string]>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Maps an error to the legacy shape. Validation errors always carry a trace (the 24.10 client only
 * raises ValidationErrors when `trace` is set); its `formatted` text is the reason, not a stack,
 * unless the caller is logged in (as for JSON-RPC, anonymous peers see no server paths).
 */
export function toLegacyError(err: unknown, authenticated: boolean): LegacyError {
  const data = toRpcError(err, authenticated).data;
  const trace = data.trace ? { class: data.trace.class, formatted: data.trace.formatted, frames: [] } : null;
  if (err instanceof ValidationErrors) {
    return {
      error: Errno.EAGAIN,
      errname: errnoName(Errno.EAGAIN),
      type: 'VALIDATION',
      reason: data.reason,
      trace: trace ?? { class: 'ValidationErrors', formatted: data.reason, frames: [] },
      extra: data.extra,
    };
  }
  return { error: data.error, errname: data.errname, type: null, reason: data.reason, trace, extra: data.extra };
}

/** Runs the legacy protocol of every `/websocket` connection. */
export class LegacyProtocol {
  readonly #states = new WeakMap<Session, LegacyState>();

  constructor(
    private readonly caller: Caller,
    private readonly limits: LegacyLimits,
    private readonly log: Logger,
  ) {}

  #state(session: Session): LegacyState {
    let s = this.#states.get(session);
    if (!s) this.#states.set(session, (s = { connected: false, subs: new Map() }));
    return s;
  }

  /** Handles one WebSocket message. Never throws. */
  async handleMessage(session: Session, data: Buffer): Promise<void> {
    const send = (message: object) => session.send(encode(message));
    const problem = (id: unknown, reason: string) =>
      send({ msg: 'result', id: id ?? null, error: toLegacyError(new RpcError(ErrorCodes.INVALID_REQUEST, reason), false) });
    let text: string;
    try {
      text = utf8.decode(data);
    } catch {
      return problem(null, 'Message is not valid UTF-8');
    }
    if (nestingDepth(text, this.limits.maxNesting) > this.limits.maxNesting) {
      return problem(null, `Message is nested deeper than ${this.limits.maxNesting} levels`);
    }
    let m: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return problem(null, 'Message must be a JSON object with a "msg"');
      m = parsed as Record<string, unknown>;
    } catch (err) {
      return problem(null, `Message is not JSON: ${(err as Error).message}`);
    }
    const state = this.#state(session);
    if (m.msg === 'connect') {
      const ok = m.version === LEGACY_VERSION && (m.support === undefined || (Array.isArray(m.support) && m.support.includes(LEGACY_VERSION)));
      state.connected ||= ok;
      return send(ok ? { msg: 'connected', session: session.id } : { msg: 'failed', version: LEGACY_VERSION });
    }
    if (!state.connected) return send({ msg: 'failed', version: LEGACY_VERSION });
    const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null;
    switch (m.msg) {
      case 'ping':
        return send(id === null ? { msg: 'pong' } : { msg: 'pong', id });
      case 'method':
        return this.#method(session, id, m, send);
      case 'sub':
        return this.#sub(session, state, id, m.name, send);
      case 'unsub': {
        const sub = id === null ? undefined : state.subs.get(String(id));
        if (sub) {
          session.unsubscribe(sub[1]);
          state.subs.delete(String(id));
        }
        return send({ msg: 'nosub', id, collection: sub?.[0] ?? null });
      }
      default:
        return problem(id, `Unknown message type ${JSON.stringify(m.msg ?? null)}; expected connect, method, sub, unsub or ping`);
    }
  }

  async #method(session: Session, id: string | number | null, m: Record<string, unknown>, send: (message: object) => void): Promise<void> {
    const fail = (err: unknown) => send({ msg: 'result', id, error: toLegacyError(err, session.credentials !== null) });
    if (id === null) return fail(new RpcError(ErrorCodes.INVALID_REQUEST, '"id" must be a string or a number'));
    if (typeof m.method !== 'string' || m.method === '') return fail(new RpcError(ErrorCodes.INVALID_REQUEST, '"method" must be a non-empty string'));
    if (m.params !== undefined && !Array.isArray(m.params)) return fail(new RpcError(ErrorCodes.INVALID_REQUEST, '"params" must be an array of positional arguments'));
    if (session.inflight >= this.limits.maxConcurrentCalls) {
      return fail(new RpcError(ErrorCodes.TOO_MANY_CONCURRENT_CALLS, `Maximum number of concurrent calls (${this.limits.maxConcurrentCalls}) has exceeded`, Errno.EBUSY));
    }
    session.inflight++;
    try {
      const result = await this.caller.fromWire({ session, method: m.method, params: (m.params as unknown[] | undefined) ?? [], messageId: id, signal: session.signal });
      send({ msg: 'result', id, result: result ?? null });
    } catch (err) {
      if (!(err instanceof RpcError || err instanceof ValidationErrors || err instanceof CallError)) {
        this.log.error({ err, method: m.method }, 'method failed unexpectedly');
      }
      fail(err);
    } finally {
      session.inflight--;
    }
  }

  #sub(session: Session, state: LegacyState, id: string | number | null, name: unknown, send: (message: object) => void): void {
    const nosub = (reason: string, errno: number) =>
      send({ msg: 'nosub', id, collection: typeof name === 'string' ? name : null, error: { error: errno, errname: errnoName(errno), reason } });
    if (id === null) return nosub('"id" must be a string or a number', Errno.EINVAL);
    if (typeof name !== 'string' || name === '') return nosub('"name" must be an event name', Errno.EINVAL);
    try {
      const subId = session.subscribe(name);
      state.subs.set(String(id), [name, subId]);
      send({ msg: 'ready', subs: [id] });
    } catch (err) {
      const e = toLegacyError(err, session.credentials !== null);
      nosub(e.reason, e.error);
    }
  }
}
