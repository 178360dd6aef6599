/**
 * The monitoring endpoints, served on the API listeners by default or on a listener of their own
 * (`metrics.listen`): `GET /metrics` (Prometheus text format 0.0.4, prom-client), `GET /readyz`
 * (200 when the datastore is open, the listeners bound and the plugins started, else 503; JSON body
 * with each part) and `GET /healthz` (200 while the process answers). Access: {@link monitoringAccess}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CallError, Errno } from '../errors.js';
import type { HttpRoute } from './api-server.js';
import { monitoringAccess, type BearerCheck } from './peer-access.js';
import type { Readiness } from './readiness.js';
import type { TlsMaterial } from './tls.js';

/** What the monitoring routes read. */
export interface MonitoringDeps {
  readonly registry: Registry;
  readonly readiness: Readiness;
  /** The API key check (the auth plugin's `bearerAuth` service), or null when none is provided. */
  readonly bearer: () => BearerCheck | null;
  /** `metrics.require_auth`: every peer needs an API key, loopback and the Unix socket included (default false). */
  readonly requireAuth?: boolean;
  readonly log: Logger;
}

/** The paths served. */
export const MONITORING_PATHS = ['/metrics', '/readyz', '/healthz'] as const;

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/** The GET routes of {@link MONITORING_PATHS}, by path (for `ApiServerOptions.routes` or {@link listenMonitoring}). */
export function monitoringRoutes(deps: MonitoringDeps): ReadonlyMap<string, HttpRoute> {
  const guarded = (serve: (res: ServerResponse) => void): HttpRoute => (req, res, transport) => {
    const address = req.socket.remoteAddress ?? '';
    let access;
    try {
      access = monitoringAccess({ transport, address, authorization: req.headers.authorization }, deps.bearer(), deps.requireAuth);
    } catch (err) {
      const limited = err instanceof CallError && err.errno === Errno.EBUSY;
      return send(res, limited ? 429 : 500, 'text/plain', `${limited ? 'Rate Limit Exceeded' : 'Cannot check the API key'}\n`);
    }
    if (!access.ok) {
      deps.log.warn({ path: req.url, remote: address, status: access.status }, 'refused a monitoring request');
      return send(res, access.status, 'text/plain', `${access.reason}\n`, access.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="vsnapd"' } : {});
    }
    serve(res);
  };
  const metrics = (res: ServerResponse): void => {
    deps.registry.metrics().then(
      (text) => send(res, 200, deps.registry.contentType, text),
      (err: unknown) => {
        deps.log.error({ err }, 'cannot collect metrics');
        send(res, 500, 'text/plain', 'Cannot collect metrics\n');
      },
    );
  };
  const readyz = (res: ServerResponse): void => {
    const { ready } = deps.readiness;
    send(res, ready ? 200 : 503, 'application/json', `${JSON.stringify({ ready, ...deps.readiness.parts() })}\n`);
  };
  return new Map([
    ['/metrics', guarded(metrics)],
    ['/readyz', guarded(readyz)],
    ['/healthz', guarded((res) => send(res, 200, 'text/plain', 'ok\n'))],
  ]);
}

/**
 * The monitoring listener of its own (`metrics.listen`): GET/HEAD on the monitoring paths, 405 for
 * other methods there, 404 elsewhere. With `tls` (the API listener's `listen.tls` material) it speaks
 * HTTPS with the same certificate, so an API key sent as a Bearer token never crosses in clear where
 * the API itself is encrypted. Resolves with its `http(s)://host:port` once bound; throws with a
 * clear message when the address is taken.
 */
export async function listenMonitoring(
  host: string,
  port: number,
  routes: ReadonlyMap<string, HttpRoute>,
  tls: Pick<TlsMaterial, 'cert' | 'key'> | null = null,
): Promise<{ url: string; server: Server }> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const route = routes.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (route && (req.method === 'GET' || req.method === 'HEAD')) return route(req, res, 'tcp');
    send(res, route ? 405 : 404, 'text/plain', route ? 'Method Not Allowed\n' : `Not Found; this listener serves ${MONITORING_PATHS.join(', ')}\n`);
  };
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${host}:${port} (metrics.listen): ${err.code ?? err.message}`)));
    server.listen({ host, port }, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return { url: `${tls ? 'https' : 'http'}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`, server };
}
