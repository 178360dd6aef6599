/**
 * The typed vsnapd client (what `midclt` and the tests use): JSON-RPC 2.0 over a WebSocket to
 * `/api/current`, on TCP (`ws://host:port/api/current`, `wss://` with TLS) or the local Unix socket
 * (trusted as root).
 * Request/response matching and timeouts come from json-rpc-2.0's JSONRPCClient; server
 * notifications (`collection_update`) are routed to subscriptions here. Modelled on
 * truenas_api_client (`call`, `call(job=True)`, `subscribe`).
 */
import { JSONRPCClient, JSONRPCErrorException, createJSONRPCErrorResponse, type JSONRPCResponse } from 'json-rpc-2.0';
import WebSocket from 'ws';
import type { TLSSocket } from 'node:tls';
import { tlsServerEndPoint } from '../daemon/auth/channel-binding.js';
import { ClientCallError, ClientConnectionError, ClientTimeoutError, fromRpcError } from './errors.js';
import { scramLogin, type ScramSend } from './scram.js';
import { decode, encode } from './wire.js';

/** Where the daemon is: a WebSocket URL, or the path of its Unix socket. */
export type ConnectTarget = { readonly url: string } | { readonly socketPath: string };

/** Connection options. */
export interface ConnectOptions {
  /**
   * Log in with this API key (`<id>-<secret>`) right after connecting: with `username`, by
   * SCRAM-SHA-512 (the key never crosses the wire; channel-bound to the certificate over wss://),
   * as TrueNAS 26's client does; without, by auth.login_with_api_key (the key is sent).
   */
  readonly apiKey?: string;
  /** With `password`: the admin login (PASSWORD_PLAIN); with `apiKey`: the key's user for SCRAM. */
  readonly username?: string;
  readonly password?: string;
  /** Per-call timeout in ms (default 60000, TrueNAS's CALL_TIMEOUT); job waits never time out. Also bounds connecting. */
  readonly timeoutMs?: number;
  /** Turn `{"$date": ms}` into `Date` in results and events (default true; midclt prints the wire form). */
  readonly reviveDates?: boolean;
  /** Extra handshake headers (tests send `Origin`). */
  readonly headers?: Record<string, string>;
  /** wss://: PEM certificate(s) of the authority to trust besides the system's (a self-signed server certificate itself works). */
  readonly ca?: string | Buffer;
  /** wss://: do not verify the server certificate (TrueNAS midclt's --insecure; never in production). */
  readonly insecure?: boolean;
}

/** A job's progress as `core.get_jobs` reports it. */
export interface JobProgress {
  readonly percent: number | null;
  readonly description: string;
  readonly extra: unknown;
}

/** A `collection_update` notification body. */
export interface CollectionUpdate {
  readonly msg: 'added' | 'changed' | 'removed';
  readonly collection: string;
  readonly id: unknown;
  readonly fields?: Record<string, unknown>;
}

/** An active subscription. */
export interface Subscription {
  /** The id `core.subscribe` returned. */
  readonly id: string;
  /** Ends it (core.unsubscribe). */
  unsubscribe(): Promise<void>;
}

/** How the connection ended. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** Code of the synthetic response json-rpc-2.0 makes on timeout (outside JSON-RPC's reserved range; 0 = connection closed). */
const TIMEOUT_CODE = -1;
const DEFAULT_TIMEOUT_MS = 60_000;

/** A connected client. Create with {@link Client.connect}. */
export class Client {
  readonly #ws: WebSocket;
  readonly #rpc: JSONRPCClient<void>;
  readonly #timeoutMs: number;
  readonly #reviveDates: boolean;
  readonly #listeners = new Map<string, Set<(u: CollectionUpdate) => void>>();
  /** Settles when the connection is closed, with the close code and reason. */
  readonly closed: Promise<CloseInfo>;

  private constructor(ws: WebSocket, opts: ConnectOptions) {
    this.#ws = ws;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#reviveDates = opts.reviveDates ?? true;
    this.#rpc = new JSONRPCClient<void>((payload) => {
      if (ws.readyState !== WebSocket.OPEN) throw new ClientConnectionError('Connection is closed');
      ws.send(encode(payload));
    });
    ws.on('message', (data: Buffer) => this.#receive(data.toString('utf8')));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        const text = reason.toString();
        this.#rpc.rejectAllPendingRequests(`Connection closed (${code}${text ? `: ${text}` : ''})`);
        resolve({ code, reason: text });
      });
    });
    ws.on('error', () => undefined); // surfaced through `closed` and rejected calls
  }

  /**
   * Connects (and logs in when `apiKey` or `username`/`password` are given). Throws
   * ClientConnectionError when the daemon cannot be reached or refuses the handshake (403 origin,
   * 404 path), and ClientCallError EACCES when the login is refused.
   */
  static async connect(target: ConnectTarget, opts: ConnectOptions = {}): Promise<Client> {
    const where = 'url' in target ? target.url : `unix:${target.socketPath}`;
    const address = 'url' in target ? target.url : `ws+unix:${target.socketPath}:/api/current`;
    const ws = new WebSocket(address, {
      headers: opts.headers,
      handshakeTimeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      perMessageDeflate: false,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      rejectUnauthorized: opts.insecure !== true,
    });
    let channelBinding: Buffer | null = null;
    ws.once('upgrade', (res) => {
      const socket = res.socket as TLSSocket;
      const der = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate().raw : undefined;
      if (der) channelBinding = tlsServerEndPoint(der);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        reject(new ClientConnectionError(`${where}: the daemon refused the connection (HTTP ${res.statusCode} ${res.statusMessage ?? ''})`.trim()));
        res.resume();
        ws.terminate();
      });
      ws.once('error', (err: NodeJS.ErrnoException) =>
        reject(new ClientConnectionError(`${where}: cannot connect (${err.code ?? err.message})`)),
      );
    });
    const client = new Client(ws, opts);
    try {
      if (opts.apiKey !== undefined && opts.username !== undefined) {
        const send: ScramSend = (scram_type, rfc_str) => client.call('auth.login_ex', { mechanism: 'SCRAM', scram_type, rfc_str });
        if (!(await scramLogin(send, opts.username, opts.apiKey, channelBinding))) throw loginRefused('invalid API key (SCRAM)');
      } else if (opts.apiKey !== undefined) {
        if (!(await client.call<boolean>('auth.login_with_api_key', opts.apiKey))) throw loginRefused('invalid API key');
      } else if (opts.username !== undefined) {
        const r = await client.call<{ response_type: string }>('auth.login_ex', {
          mechanism: 'PASSWORD_PLAIN',
          username: opts.username,
          password: opts.password ?? '',
        });
        if (r.response_type !== 'SUCCESS') throw loginRefused(`wrong user name or password (${r.response_type})`);
      }
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = decode(text, this.#reviveDates);
    } catch {
      return; // not JSON: nothing we can match it to
    }
    for (const m of Array.isArray(message) ? message : [message]) {
      if (typeof m !== 'object' || m === null) continue;
      if ('method' in m && !('id' in m)) this.#notify(m as { method: string; params?: unknown });
      else this.#rpc.receive(m as JSONRPCResponse);
    }
  }

  #notify(n: { method: string; params?: unknown }): void {
    if (n.method !== 'collection_update' || typeof n.params !== 'object' || n.params === null) return;
    const update = n.params as CollectionUpdate;
    for (const key of [update.collection, '*']) for (const cb of this.#listeners.get(key) ?? []) cb(update);
  }

  /** Calls `method` with positional `params`; resolves with the result (for job methods: the job id). */
  call<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    return this.callWithTimeout<T>(method, params, this.#timeoutMs);
  }

  /** Like {@link call} with an explicit timeout in ms (`null` = wait forever). */
  async callWithTimeout<T = unknown>(method: string, params: readonly unknown[], timeoutMs: number | null): Promise<T> {
    const requester =
      timeoutMs === null
        ? this.#rpc
        : this.#rpc.timeout(timeoutMs, (id) => createJSONRPCErrorResponse(id, TIMEOUT_CODE, 'timeout'));
    try {
      return (await requester.request(method, [...params])) as T;
    } catch (err) {
      if (err instanceof JSONRPCErrorException) {
        if (err.code === TIMEOUT_CODE && timeoutMs !== null) throw new ClientTimeoutError(method, timeoutMs);
        // rejectAllPendingRequests (connection closed) answers with code 0.
        if (err.code === 0) throw new ClientConnectionError(`${method}: ${err.message}`);
        throw fromRpcError({ code: err.code, message: err.message, data: err.data });
      }
      if (err instanceof ClientConnectionError) throw err;
      throw new ClientConnectionError(`${method}: ${(err as Error).message}`);
    }
  }

  /**
   * Calls a job method and waits for the job: follows `core.get_jobs` events for progress (when
   * `onProgress` is given) and `core.job_wait` for the outcome (no timeout). Resolves with the job's
   * result; rejects with its error (ClientValidationError, ClientCallError; ECANCELED when aborted).
   * Assumes the connection's default `legacy_jobs: true` (the call replies with the job id).
   * `onStarted` gets the job id as soon as the daemon has accepted the job.
   */
  async callJob<T = unknown>(
    method: string,
    params: readonly unknown[] = [],
    onProgress?: (p: JobProgress, jobId: number) => void,
    onStarted?: (jobId: number) => void,
  ): Promise<T> {
    let jobId: number | null = null;
    const early: CollectionUpdate[] = [];
    const seen = (u: CollectionUpdate) => {
      if (jobId === null) early.push(u);
      else if (u.id === jobId && u.fields && typeof u.fields.progress === 'object') onProgress!(u.fields.progress as JobProgress, jobId);
    };
    const sub = onProgress ? await this.subscribe('core.get_jobs', seen) : null;
    try {
      const id = await this.call<unknown>(method, ...params);
      if (typeof id !== 'number') throw new ClientConnectionError(`${method} did not return a job id (is it a job method?)`);
      jobId = id;
      onStarted?.(id);
      for (const u of early.splice(0)) seen(u);
      return await this.callWithTimeout<T>('core.job_wait', [id], null);
    } finally {
      await sub?.unsubscribe().catch(() => undefined);
    }
  }

  /** Subscribes to an event (`*` for all); `cb` gets each `collection_update` body. */
  async subscribe(event: string, cb: (update: CollectionUpdate) => void): Promise<Subscription> {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(cb);
    let id: string;
    try {
      id = await this.call<string>('core.subscribe', event);
    } catch (err) {
      set.delete(cb);
      throw err;
    }
    return {
      id,
      unsubscribe: async () => {
        set.delete(cb);
        if (this.#ws.readyState === WebSocket.OPEN) await this.call('core.unsubscribe', id);
      },
    };
  }

  /** Closes the connection (pending calls reject with ClientConnectionError). */
  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    this.#ws.close(1000);
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.#ws.terminate();
  }
}

function loginRefused(why: string): ClientCallError {
  return new ClientCallError({ code: -32001, errno: 13, errname: 'EACCES', reason: `[EACCES] Login failed: ${why}`, extra: null, trace: null });
}
