/**
 * The API's listeners: one HTTP server on TCP (HTTPS when TLS is configured) and one on the Unix
 * socket. WebSocket upgrades are accepted at `GET /api/current` (JSON-RPC 2.0) and `GET /websocket`
 * (TrueNAS's legacy DDP-style protocol); TCP serves the web console under `/ui/` (console-files.ts);
 * other GETs go through a small route table (`/api/versions` and whatever else the daemon registers).
 * Cross-site browser origins not on the allow list answer 403 (origin.ts). Messages larger than
 * `maxFrameBytes` close the connection with 1009 and a reason.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConfigError } from '../config/errors.js';
import { ConsoleFiles } from './console-files.js';
import { checkOrigin } from './origin.js';
import type { TlsMaterial } from './tls.js';
import { prepareSocketPath, removeSocket, restrictSocket } from './unix-socket.js';

/** The WebSocket endpoint path (TrueNAS's current API). */
export const API_PATH = '/api/current';
/** TrueNAS's legacy WebSocket endpoint (24.10 and older clients). */
export const LEGACY_PATH = '/websocket';
/** The TrueNAS API version `/api/current` follows; also served at `/api/<version>` and listed by `GET /api/versions`. */
export const API_VERSION = 'v25.10.0';

/** Which protocol a WebSocket connection speaks. */
export type Endpoint = 'jsonrpc' | 'legacy';

/** Facts about a new WebSocket connection. */
export interface ConnectionInfo {
  readonly transport: 'tcp' | 'unix';
  /** Peer IP address, `unix` for the local socket. */
  readonly remoteAddress: string;
  readonly endpoint: Endpoint;
  /** tls-server-end-point data on a TLS connection (SCRAM-PLUS), else null. */
  readonly channelBinding: Buffer | null;
}

/** An HTTP GET handler of the route table. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse, transport: 'tcp' | 'unix') => void;

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
  /** TLS on the TCP listener (wss://), null for plain ws://. */
  readonly tls: TlsMaterial | null;
  /** More GET routes by path (`/api/versions` is built in); WebSocket endpoints are not listed here. */
  readonly routes?: ReadonlyMap<string, HttpRoute>;
  readonly log: Logger;
  /** Called for each new connection. */
  readonly onConnection: (ws: WebSocket, info: ConnectionInfo) => void;
}

/** Where the server ended up listening. */
export interface ListenAddresses {
  /** `ws://127.0.0.1:6080/api/current` (`wss://` with TLS; IPv6 hosts in brackets). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly socketPath: string;
}

const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map([
  [API_PATH, 'jsonrpc'],
  [`/api/${API_VERSION}`, 'jsonrpc'],
  [LEGACY_PATH, 'legacy'],
]);

/** `GET /api/versions`: the JSON list of API versions (TrueNAS's route). */
const versionsRoute: HttpRoute = (_req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify([API_VERSION]));
};

function reject(socket: Duplex, status: string, body: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

/** The two listeners and their connections. */
export class ApiServer {
  readonly #opts: ApiServerOptions;
  readonly #wss: WebSocketServer;
  readonly #tcp: Server;
  readonly #unix: Server;
  readonly #clients = new Set<WebSocket>();
  readonly #routes: ReadonlyMap<string, HttpRoute>;
  /** The web console under /ui/ (TCP only: a browser cannot reach the Unix socket). */
  readonly #console = new ConsoleFiles();
  /** Only a socket file this server bound is removed on stop (never another daemon's). */
  #ownsSocket = false;

  constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    this.#routes = new Map([['/api/versions', versionsRoute], ...(opts.routes ?? [])]);
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
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const path = pathOf(req);
      if (transport === 'tcp' && this.#console.handles(path)) return this.#console.serve(req, res, path);
      const route = this.#routes.get(path);
      if (route && (req.method === 'GET' || req.method === 'HEAD')) return route(req, res, transport);
      res.setHeader('Content-Type', 'text/plain');
      const endpoint = ENDPOINTS.get(path);
      if (endpoint) {
        res.statusCode = 426;
        return res.end(`This endpoint speaks ${endpoint === 'jsonrpc' ? 'JSON-RPC 2.0' : "TrueNAS's legacy protocol"} over WebSocket\n`);
      }
      res.statusCode = route ? 405 : 404;
      res.end(route ? 'Method Not Allowed\n' : 'Not Found\n');
    };
    const tls = transport === 'tcp' ? this.#opts.tls : null;
    const server: Server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, onRequest) : createServer(onRequest);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(req, socket, head, transport));
    server.on('clientError', (_err, socket: Duplex) => reject(socket, '400 Bad Request', 'Bad Request\n'));
    // A failed TLS handshake (plain text to the TLS port, an untrusted client) is the peer's problem.
    server.on('tlsClientError', () => undefined);
    return server;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: 'tcp' | 'unix'): void {
    socket.on('error', () => undefined);
    const path = pathOf(req);
    const endpoint = ENDPOINTS.get(path);
    if (!endpoint) return reject(socket, '404 Not Found', `No WebSocket endpoint at ${path}; use ${API_PATH} (or ${LEGACY_PATH} for TrueNAS's legacy protocol)\n`);
    const tls = transport === 'tcp' ? this.#opts.tls : null;
    const origin = req.headers.origin;
    const verdict = checkOrigin(
      { origin, host: req.headers.host, secure: tls !== null, transport },
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
      const remoteAddress = transport === 'unix' ? 'unix' : (req.socket.remoteAddress ?? 'unknown');
      this.#opts.onConnection(ws, { transport, remoteAddress, endpoint, channelBinding: tls?.channelBinding ?? null });
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

  /**
   * Starts both listeners. A TCP port that is taken or not allowed is a ConfigError (exit 2: retrying
   * will not help); other failures throw Error with the address.
   */
  async listen(): Promise<ListenAddresses> {
    const { host, port, socketPath } = this.#opts;
    await new Promise<void>((resolve, rejectListen) => {
      this.#tcp.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
          const why = err.code === 'EADDRINUSE' ? 'is in use by another program' : err.code === 'EACCES' ? 'may not be used by this user' : 'is not an address of this host';
          rejectListen(new ConfigError(`cannot listen on ${host}:${port}: ${why} (${err.code}); set listen.port / listen.host (or --port / --host)`));
        } else rejectListen(new Error(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
      });
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
    const scheme = this.#opts.tls ? 'wss' : 'ws';
    return { url: `${scheme}://${urlHost}:${addr.port}${API_PATH}`, host: addr.address, port: addr.port, socketPath };
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
