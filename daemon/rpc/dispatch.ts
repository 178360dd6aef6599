/**
 * JSON-RPC 2.0 framing over WebSocket messages: UTF-8 and nesting checks, parse, batches,
 * notifications, envelope validation, the per-connection concurrency limit, and replies.
 *
 * Why not json-rpc-2.0's JSONRPCServer (it is used by the client): its batch handling returns a
 * bare object when a batch yields one reply (JSON-RPC 2.0 §6 wants an array), it answers envelope
 * errors with a fixed "Invalid Request" and no `data`, and it has no hook for a per-connection
 * concurrency limit or for TrueNAS's `data` shape. The dispatch is small enough to own.
 */
import type { Logger } from 'pino';
import { CallError, Errno, ValidationErrors } from '../errors.js';
import type { Caller, WireCall } from './caller.js';
import { ErrorCodes, RpcError } from './codes.js';
import { toRpcError } from './error-data.js';
import type { Session } from './session.js';
import { encode, nestingDepth } from './wire.js';

/** Limits applied to each message. */
export interface DispatchLimits {
  readonly maxConcurrentCalls: number;
  readonly maxNesting: number;
}

type Id = string | number | null;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Handles the messages of every connection. */
export class Dispatcher {
  readonly #caller: Caller;
  readonly #limits: DispatchLimits;
  readonly #log: Logger;

  constructor(caller: Caller, limits: DispatchLimits, log: Logger) {
    this.#caller = caller;
    this.#limits = limits;
    this.#log = log;
  }

  /** Handles one WebSocket message (text or binary, both read as UTF-8 JSON). Never throws. */
  async handleMessage(session: Session, data: Buffer): Promise<void> {
    let text: string;
    try {
      text = utf8.decode(data);
    } catch {
      return this.#reply(session, null, new RpcError(ErrorCodes.PARSE_ERROR, 'Message is not valid UTF-8'));
    }
    if (nestingDepth(text, this.#limits.maxNesting) > this.#limits.maxNesting) {
      return this.#reply(
        session,
        null,
        new RpcError(ErrorCodes.INVALID_REQUEST, `Request is nested deeper than ${this.#limits.maxNesting} levels`),
      );
    }
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      return this.#reply(session, null, new RpcError(ErrorCodes.PARSE_ERROR, `Parse error: ${(err as Error).message}`));
    }
    if (!Array.isArray(message)) {
      const reply = await this.#handleOne(session, message);
      if (reply !== null) session.send(reply);
      return;
    }
    if (message.length === 0) {
      return this.#reply(session, null, new RpcError(ErrorCodes.INVALID_REQUEST, 'Batch must not be empty'));
    }
    // Batch members run concurrently (JSON-RPC 2.0 §6 allows any order); replies go back as one array.
    const replies = (await Promise.all(message.map((m) => this.#handleOne(session, m)))).filter((r) => r !== null);
    if (replies.length > 0) session.send(`[${replies.join(',')}]`);
  }

  /** Handles one request object; returns the encoded reply, or null for a notification. */
  async #handleOne(session: Session, request: unknown): Promise<string | null> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return this.#encodeError(session, null, new RpcError(ErrorCodes.INVALID_REQUEST, 'Request must be a JSON object'));
    }
    const r = request as Record<string, unknown>;
    const idOk = !('id' in r) || r.id === null || typeof r.id === 'string' || (typeof r.id === 'number' && Number.isFinite(r.id));
    const id: Id = idOk && 'id' in r ? (r.id as Id) : null;
    const notification = !('id' in r);
    const invalid = (reason: string) =>
      this.#encodeError(session, id, new RpcError(ErrorCodes.INVALID_REQUEST, reason));
    if (!idOk) return invalid('"id" must be a string, a number or null');
    if (r.jsonrpc !== '2.0') return invalid('"jsonrpc" must be exactly "2.0"');
    if (typeof r.method !== 'string' || r.method === '') return invalid('"method" must be a non-empty string');
    // JSON-RPC 2.0 §4.2: params is an array or an object; a method's own answer to by-name params
    // (-32601 when it does not exist, -32602 when it does) comes from the caller.
    if (r.params !== undefined && (typeof r.params !== 'object' || r.params === null)) {
      return invalid('"params" must be an array (vsnapd methods take positional arguments) or an object');
    }
    if (session.inflight >= this.#limits.maxConcurrentCalls) {
      if (notification) return null;
      return this.#encodeError(
        session,
        id,
        new RpcError(
          ErrorCodes.TOO_MANY_CONCURRENT_CALLS,
          `Maximum number of concurrent calls (${this.#limits.maxConcurrentCalls}) has exceeded`,
          Errno.EBUSY,
        ),
      );
    }
    session.inflight++;
    const started = performance.now();
    try {
      const result = await this.#caller.fromWire({
        session,
        method: r.method,
        params: (r.params as WireCall['params'] | undefined) ?? [],
        messageId: notification ? undefined : id,
        signal: session.signal,
      });
      if (notification) return null;
      try {
        return encode({ jsonrpc: '2.0', id, result: result ?? null });
      } catch (err) {
        throw new RpcError(ErrorCodes.INTERNAL_ERROR, `${r.method} returned a result that is not JSON-serialisable: ${(err as Error).message}`, Errno.EFAULT);
      }
    } catch (err) {
      this.#logFailure(r.method, err);
      return notification ? null : this.#encodeError(session, id, err);
    } finally {
      session.inflight--;
      if (this.#log.isLevelEnabled('debug')) this.#log.debug({ method: r.method, ms: Math.round(performance.now() - started), session: session.id }, 'call');
    }
  }

  #logFailure(method: string, err: unknown): void {
    if (err instanceof CallError || err instanceof ValidationErrors || err instanceof RpcError) return;
    this.#log.error({ err, method }, 'method failed unexpectedly');
  }

  #encodeError(session: Session, id: Id, err: unknown): string {
    const error = toRpcError(err, session.credentials !== null);
    try {
      return encode({ jsonrpc: '2.0', id, error });
    } catch {
      // extra held something unserialisable: drop it rather than leave the caller without a reply.
      return encode({ jsonrpc: '2.0', id, error: { ...error, data: { ...error.data, extra: null } } });
    }
  }

  #reply(session: Session, id: Id, err: unknown): void {
    session.send(this.#encodeError(session, id, err));
  }
}
