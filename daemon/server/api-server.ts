/**
 * The API's listeners: one HTTP server on TCP and one on the Unix socket, both upgrading
 * `GET /api/current` to a WebSocket (ws). Other paths answer 404; cross-site browser origins not on
 * the allow list answer 403 (origin.ts). Messages larger than `maxFrameBytes` close the connection with 1009 and a reason.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { checkOrigin } from './origin.js';
import { prepareSocketPath, removeSocket, restrictSocket } from './unix-socket.js';

/** The WebSocket endpoint path (TrueNAS's current API). */
export const API_PATH = '/api/current';

/** Listener settings. */
export interface ApiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string;
  readonly maxFrameBytes: number;
  /** `api.allowed_origins`: cross-site browser origins allowed to connect. */
  readonly allowedOrigins: readonly string[];
  /** `api.server_names`: host names of this NAS (besides IP literals and localhost), the DNS-rebinding guard. */
  readonly serverNames: readonly string[];
  readonly log: Logger;
  /** Called for each new connection. */
  readonly onConnection: (ws: WebSocket, transport: 'tcp' | 'unix', remoteAddress: string) => void;
}

/** Where the server ended up listening. */
export interface ListenAddresses {
  /** `ws://127.0.0.1:6000/api/current` (IPv6 hosts in brackets). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly socketPath: string;
}

function reject(socket: Duplex, status: string, body: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The two listeners and their connections. */
export class ApiServer {
  readonly #opts: ApiServerOptions;
  readonly #wss: WebSocketServer;
  readonly #tcp: Server;
  readonly #unix: Server;
  readonly #clients = new Set<WebSocket>();
  /** Only a socket file this server bound is removed on stop (never another daemon's). */
  #ownsSocket = false;

  constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxFrameBytes,
      // UTF-8 is checked by the dispatcher so invalid text gets a JSON-RPC parse error, not a 1007 close.
      skipUTF8Validation: true,
      perMessageDeflate: false,
    });
    this.#tcp = this.#http('tcp');
    this.#unix = this.#http('unix');
  }

  #http(transport: 'tcp' | 'unix'): Server {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      res.statusCode = path === API_PATH ? 426 : 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(path === API_PATH ? 'This endpoint speaks JSON-RPC 2.0 over WebSocket\n' : 'Not Found\n');
    });
    server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head, transport));
    server.on('clientError', (_err, socket) => reject(socket, '400 Bad Request', 'Bad Request\n'));
    return server;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: 'tcp' | 'unix'): void {
    socket.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== API_PATH) return reject(socket, '404 Not Found', `No WebSocket endpoint at ${path}; use ${API_PATH}\n`);
    const origin = req.headers.origin;
    const verdict = checkOrigin(
      { origin, host: req.headers.host, secure: false, transport },
      { allowedOrigins: this.#opts.allowedOrigins, serverNames: this.#opts.serverNames },
    );
    if (!verdict.ok) {
      this.#opts.log.warn({ origin, host: req.headers.host, remote: req.socket.remoteAddress }, 'refused a cross-site browser handshake');
      return reject(socket, '403 Forbidden', `${verdict.reason}\n`);
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#withFrameLimitReason(ws);
      this.#clients.add(ws);
      ws.once('close', () => this.#clients.delete(ws));
      const remote = transport === 'unix' ? 'unix' : (req.socket.remoteAddress ?? 'unknown');
      this.#opts.onConnection(ws, transport, remote);
    });
  }

  /**
   * ws closes an oversized message's connection with 1009 but no reason text (its receiver calls
   * `close(1009)` on the instance). Fill in a reason that names the limit, so clients can say why.
   */
  #withFrameLimitReason(ws: WebSocket): void {
    const close = ws.close.bind(ws);
    const reason = `Message larger than ${this.#opts.maxFrameBytes} bytes (api.max_frame_bytes)`;
    ws.close = (code?: number, data?: string | Buffer) => close(code, code === 1009 && !data ? reason : data);
  }

  /** Starts both listeners. Throws with a clear message when an address is taken. */
  async listen(): Promise<ListenAddresses> {
    const { host, port, socketPath } = this.#opts;
    await new Promise<void>((resolve, rejectListen) => {
      this.#tcp.once('error', (err: NodeJS.ErrnoException) =>
        rejectListen(new Error(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
      );
      this.#tcp.listen({ host, port }, () => resolve());
    });
    await prepareSocketPath(socketPath);
    await new Promise<void>((resolve, rejectListen) => {
      this.#unix.once('error', (err: NodeJS.ErrnoException) =>
        rejectListen(new Error(`cannot listen on ${socketPath}: ${err.code ?? err.message}`)),
      );
      // The socket is created under umask 0177 (0600) so there is no window where others could connect.
      const umask = process.umask(0o177);
      try {
        this.#unix.listen(socketPath, () => resolve());
      } finally {
        process.umask(umask);
      }
    });
    this.#ownsSocket = true;
    restrictSocket(socketPath);
    const addr = this.#tcp.address() as AddressInfo;
    const urlHost = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    return { url: `ws://${urlHost}:${addr.port}${API_PATH}`, host: addr.address, port: addr.port, socketPath };
  }

  /** Stops accepting connections (existing ones stay open) and removes the socket file. */
  async stopAccepting(): Promise<void> {
    const close = (s: Server) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()));
    const done = Promise.all([close(this.#tcp), close(this.#unix)]);
    if (this.#ownsSocket) removeSocket(this.#opts.socketPath);
    this.#ownsSocket = false;
    // server.close waits for open connections; don't block on them here (closeAll ends them).
    void done;
  }

  /** Closes every connection with `code`/`reason` and waits (bounded) for them to go. */
  async closeAll(code = 1001, reason = 'Server shutting down'): Promise<void> {
    const open = [...this.#clients];
    await Promise.race([
      Promise.all(open.map((ws) => new Promise<void>((r) => (ws.once('close', () => r()), ws.close(code, reason))))),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
    for (const ws of this.#clients) ws.terminate();
    this.#tcp.closeAllConnections();
    this.#unix.closeAllConnections();
  }
}
