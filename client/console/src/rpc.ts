/**
 * The console's only line to the daemon: JSON-RPC 2.0 over the same-origin WebSocket
 * `/api/current`. Calls, `collection_update` subscriptions (core.subscribe), jobs followed through
 * the `core.get_jobs` event, and reconnection: when the socket drops (daemon restart) it reconnects
 * with back-off, logs in again with the credential kept in this object's memory only (never in
 * localStorage or sessionStorage; a reload asks again), and subscribes again.
 */

/** The wire's datetime (`{"$date": ms}`). */
export interface WireDate {
  $date: number;
}

/** A failed call: JSON-RPC code plus TrueNAS's `data` (errname, reason, extra). */
export class RpcError extends Error {
  /** JSON-RPC error code (-32602 invalid params, -32001 call error, …); 0 for a lost connection. */
  readonly code: number;
  /** TrueNAS errname (`ENOTAUTHENTICATED`, `EINVAL`, `ETIMEDOUT` …) or null. */
  readonly errname: string | null;
  /** `[attribute path, message, errno]` rows of a validation error. */
  readonly extra: readonly (readonly [string, string, number?])[];

  constructor(code: number, message: string, errname: string | null = null, extra: RpcError['extra'] = []) {
    super(message);
    this.code = code;
    this.errname = errname;
    this.extra = extra;
  }
}

/** A `collection_update` notification's body. */
export interface CollectionUpdate {
  msg: 'added' | 'changed' | 'removed';
  collection: string;
  id: unknown;
  fields?: Record<string, unknown>;
}

/** A job as `core.get_jobs` lists it (the fields the console reads). */
export interface Job {
  id: number;
  method: string;
  state: 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED';
  progress: { percent: number | null; description: string };
  result: unknown;
  error: string | null;
}

/** How the connection stands, for the header. */
export type LinkState = 'connecting' | 'open' | 'reconnecting';

/** What a login sends (`auth.login_ex` mechanisms). */
export type Credential =
  | { mechanism: 'API_KEY_PLAIN'; username: string; api_key: string }
  | { mechanism: 'PASSWORD_PLAIN'; username: string; password: string };

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

type Listener = (u: CollectionUpdate) => void;

/** Reviver for `{"$date": ms}` → kept as is (the console formats WireDate itself). */
function parse(text: string): unknown {
  return JSON.parse(text);
}

/** Milliseconds between reconnect attempts: 250, 500, 1000 … up to 4000. */
function backoff(attempt: number): number {
  return Math.min(4000, 250 * 2 ** attempt);
}

/** The connection. One per page. */
export class Rpc {
  readonly #url: string;
  #ws: WebSocket | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<Listener>>();
  #credential: Credential | null = null;
  #attempt = 0;
  #ready: Promise<void> | null = null;
  #closedByUser = false;
  /** Called when the link state changes. */
  onLink: (s: LinkState) => void = () => undefined;
  /** Called when the daemon no longer accepts the session (key removed, re-login refused). */
  onExpired: (message: string) => void = () => undefined;
  /** Called after a reconnect that logged in again, so pages reload what they show. */
  onResumed: () => void = () => undefined;

  /** @param url ws(s)://host/api/current; default: this page's origin */
  constructor(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/current`) {
    this.#url = url;
  }

  /** Opens the socket (resolves when open; rejects when it cannot be opened). */
  #open(): Promise<void> {
    this.onLink(this.#attempt === 0 ? 'connecting' : 'reconnecting');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.#url);
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.#ws = ws;
        resolve();
      };
      ws.onmessage = (ev) => this.#receive(String(ev.data));
      ws.onclose = () => {
        if (this.#ws === ws) this.#ws = null;
        for (const p of this.#pending.values()) p.reject(new RpcError(0, 'The connection to vsnapd was lost'));
        this.#pending.clear();
        if (!opened) reject(new RpcError(0, 'Cannot reach vsnapd'));
        else if (!this.#closedByUser) this.#reconnect();
      };
    });
  }

  /** Connects (once); later callers share the same attempt. */
  connect(): Promise<void> {
    this.#closedByUser = false;
    this.#ready ??= this.#open().catch((err: unknown) => {
      this.#ready = null;
      throw err;
    });
    return this.#ready;
  }

  #reconnect(): void {
    this.#ready = null;
    this.onLink('reconnecting');
    const delay = backoff(this.#attempt++);
    setTimeout(() => {
      if (this.#closedByUser) return;
      this.connect()
        .then(() => this.#resume())
        .catch(() => this.#reconnect());
    }, delay);
  }

  /** After a reconnect: log in again and subscribe again. */
  async #resume(): Promise<void> {
    this.#attempt = 0;
    if (this.#credential) {
      try {
        await this.#loginCall(this.#credential);
      } catch (err) {
        this.#credential = null;
        this.onExpired(`Your session has ended: vsnapd did not accept the login again after reconnecting (${(err as Error).message}). Log in again.`);
        return;
      }
      for (const event of this.#listeners.keys()) await this.call('core.subscribe', [event]).catch(() => undefined);
    }
    this.onLink('open');
    this.onResumed();
  }

  #receive(text: string): void {
    let msg: { id?: number; result?: unknown; error?: { code: number; message: string; data?: { errname?: string; reason?: string; extra?: RpcError['extra'] } }; method?: string; params?: unknown };
    try {
      msg = parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.method === 'collection_update') {
      const u = msg.params as CollectionUpdate;
      for (const l of this.#listeners.get(u.collection) ?? []) l(u);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.error) {
      const d = msg.error.data;
      const err = new RpcError(msg.error.code, d?.reason ?? msg.error.message, d?.errname ?? null, d?.extra ?? []);
      if (err.errname === 'ENOTAUTHENTICATED' && this.#credential) {
        this.#credential = null;
        this.onExpired('Your session has ended: vsnapd no longer accepts it (was the API key deleted?). Log in again.');
      }
      p.reject(err);
    } else p.resolve(msg.result);
  }

  /** Calls `method` with positional `params`. Rejects with {@link RpcError}. */
  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    await this.connect();
    const ws = this.#ws;
    if (!ws) throw new RpcError(0, 'The connection to vsnapd was lost');
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async #loginCall(c: Credential): Promise<void> {
    const r = await this.call<{ response_type: string }>('auth.login_ex', [{ ...c, login_options: { user_info: false } }]);
    if (r.response_type !== 'SUCCESS') {
      throw new RpcError(-32001, c.mechanism === 'API_KEY_PLAIN' ? 'Wrong user name or API key' : 'Wrong user name or password');
    }
  }

  /** Logs in; the credential is kept in memory for re-login after a reconnect. */
  async login(c: Credential): Promise<void> {
    await this.#loginCall(c);
    this.#credential = c;
    this.#attempt = 0;
    this.onLink('open');
  }

  /** Logs out and forgets the credential and subscriptions. */
  async logout(): Promise<void> {
    this.#credential = null;
    this.#listeners.clear();
    await this.call('auth.logout').catch(() => undefined);
  }

  /**
   * Listens to `event`'s `collection_update`s (subscribing on the daemon for the first listener).
   * Returns the function that stops listening.
   */
  subscribe(event: string, listener: Listener): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
      this.call('core.subscribe', [event]).catch(() => undefined);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /**
   * Calls a job method, reports each progress change, and resolves with the job's result
   * (rejects with the job's error when it fails).
   */
  async job<T>(method: string, params: unknown[], onProgress: (j: Job) => void): Promise<T> {
    let jobId: number | null = null;
    const early: CollectionUpdate[] = [];
    let settle: ((j: Job) => void) | null = null;
    const stop = this.subscribe('core.get_jobs', (u) => (jobId === null ? early.push(u) : u.id === jobId && settle?.(u.fields as unknown as Job)));
    try {
      jobId = await this.call<number>(method, params);
      const done = new Promise<Job>((resolve) => {
        settle = (fields) => {
          if (!fields) return;
          onProgress({ ...fields, id: jobId! });
          if (['SUCCESS', 'FAILED', 'ABORTED'].includes(fields.state)) resolve(fields);
        };
      });
      for (const u of early) if (u.id === jobId) settle!(u.fields as unknown as Job);
      // The job may have ended before the subscription delivered anything: read it once.
      const [now] = await this.call<Job[]>('core.get_jobs', [[['id', '=', jobId]]]);
      if (now) settle!(now);
      const j = await done;
      if (j.state !== 'SUCCESS') throw new RpcError(-32001, j.error ?? `Job ${j.state.toLowerCase()}`);
      return j.result as T;
    } finally {
      stop();
    }
  }
}
