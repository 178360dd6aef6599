/**
 * Many JSON-RPC calls in flight on one raw WebSocket (for load and fuzz tests): requests are sent as
 * written (params as raw JSON text), replies are matched by id. A request nested deeper than the
 * daemon's `api.max_nesting` is refused before it is parsed, with `"id": null` (JSON-RPC 2.0 §5:
 * the id could not be read); such replies go to the deep requests in the order they were sent
 * (the daemon answers them synchronously, in order). Server notifications (events) are ignored.
 */
import WebSocket from 'ws';

/** A JSON-RPC reply as received. */
export interface PipelineReply {
  readonly id: unknown;
  readonly result?: unknown;
  readonly error?: {
    readonly code: number;
    readonly message: string;
    readonly data?: { error?: unknown; errname?: unknown; reason?: unknown; extra?: unknown; trace?: { class?: unknown } | null };
  };
}

/**
 * The nesting depth of JSON text (arrays and objects; a scalar is 0), read through JSON.parse and an
 * explicit stack: a test oracle independent of the daemon's pre-parse scan (daemon/rpc/wire.ts).
 * Throws SyntaxError when `text` is not JSON (every generated call is).
 */
export function jsonDepth(text: string): number {
  let max = 0;
  const todo: [value: unknown, depth: number][] = [[JSON.parse(text), 0]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(value)) todo.push([child, depth + 1]);
  }
  return max;
}

/** One connection with calls in flight. */
export class RpcPipeline {
  readonly #ws: WebSocket;
  readonly #maxNesting: number;
  readonly #pending = new Map<number, (r: PipelineReply | Error) => void>();
  readonly #deep: ((r: PipelineReply | Error) => void)[] = [];
  #nextId = 1;
  #closed: Error | null = null;

  private constructor(ws: WebSocket, maxNesting: number) {
    this.#ws = ws;
    this.#maxNesting = maxNesting;
    ws.on('message', (data: Buffer) => this.#onMessage(data.toString('utf8')));
    ws.on('close', (code) => this.#fail(new Error(`connection closed (${code})`)));
    ws.on('error', (err) => this.#fail(err));
  }

  /** Opens a connection to `url` (`ws://…/api/current`); `maxNesting` is the daemon's `api.max_nesting`. */
  static open(url: string, maxNesting: number): Promise<RpcPipeline> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RpcPipeline(ws, maxNesting)));
      ws.once('error', reject);
    });
  }

  /** Calls in flight now. */
  get inflight(): number {
    return this.#pending.size + this.#deep.length;
  }

  /**
   * Sends `{"jsonrpc":"2.0","id":…,"method":method,"params":<paramsText>}` and resolves with the reply;
   * rejects when none comes within `timeoutMs` or the connection closes.
   */
  call(method: string, paramsText: string, timeoutMs = 30_000): Promise<PipelineReply> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    const text = `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${paramsText}}`;
    const deep = jsonDepth(text) > this.#maxNesting;
    return new Promise<PipelineReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        const at = this.#deep.indexOf(done);
        if (at >= 0) this.#deep.splice(at, 1);
        reject(new Error(`no reply to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (r: PipelineReply | Error) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      if (deep) this.#deep.push(done);
      else this.#pending.set(id, done);
      this.#ws.send(text);
    });
  }

  /** Closes the connection (calls still in flight reject). */
  close(): void {
    this.#ws.close();
  }

  #onMessage(text: string): void {
    const parsed: unknown = JSON.parse(text);
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      const reply = m as PipelineReply;
      if (!('result' in reply) && !('error' in reply)) continue; // an event
      if (reply.id === null) this.#deep.shift()?.(reply);
      else if (typeof reply.id === 'number') {
        const done = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        done?.(reply);
      }
    }
  }

  #fail(err: Error): void {
    this.#closed ??= err;
    for (const done of [...this.#pending.values(), ...this.#deep]) done(err);
    this.#pending.clear();
    this.#deep.length = 0;
  }
}
