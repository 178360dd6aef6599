/**
 * A raw WebSocket to the daemon for protocol tests: send any bytes, read replies one by one. Use
 * the typed Client (client/) for everything that is not about the wire format itself.
 */
import WebSocket from 'ws';

/** A raw connection. */
export interface RawSocket {
  /** Sends a text frame (string) or a binary frame (Buffer). */
  send(data: string | Buffer, binary?: boolean): void;
  /** Sends `value` as JSON text. */
  sendJson(value: unknown): void;
  /** The next message, parsed as JSON (rejects after `timeoutMs`, default 10 s). */
  next(timeoutMs?: number): Promise<unknown>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens `/api/current` at a ws:// URL or a Unix socket path; rejects on a refused handshake with the HTTP status. */
export async function openRaw(target: { url: string } | { socketPath: string }, headers?: Record<string, string>): Promise<RawSocket> {
  const address = 'url' in target ? target.url : `ws+unix:${target.socketPath}:/api/current`;
  const ws = new WebSocket(address, { headers, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  const queue: unknown[] = [];
  const waiters: ((v: unknown) => void)[] = [];
  ws.on('message', (d: Buffer) => {
    const v: unknown = JSON.parse(d.toString('utf8'));
    const w = waiters.shift();
    if (w) w(v);
    else queue.push(v);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode }));
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
  return {
    send: (data, binary = false) => ws.send(data, { binary }),
    sendJson: (value) => ws.send(JSON.stringify(value)),
    next: (timeoutMs = 10_000) =>
      queue.length > 0
        ? Promise.resolve(queue.shift())
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(done), 1);
              reject(new Error(`no message within ${timeoutMs} ms`));
            }, timeoutMs);
            const done = (v: unknown) => {
              clearTimeout(timer);
              resolve(v);
            };
            waiters.push(done);
          }),
    closed,
    close: () => ws.close(),
  };
}
