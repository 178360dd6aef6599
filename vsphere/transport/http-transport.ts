/**
 * HTTPS transport to one vCenter/ESXi: an undici keep-alive {@link Pool} for that origin, whose
 * connector applies the connection's TLS policy ({@link evaluateCertificate}), the
 * `vmware_soap_session` cookie, connect and per-request timeouts. It knows nothing about SOAP.
 *
 * NOTE: several requests may be in flight at once (a WaitForUpdatesEx long poll next to snapshot
 * calls), hence a pool of a few connections rather than one.
 *
 * undici is loaded on the first request, not at start-up: its code and llhttp's WebAssembly cost
 * about 10 MB of resident memory that a daemon talking to no vCenter should not pay.
 */
import type { TLSSocket } from 'node:tls';
import type { Pool, buildConnector } from 'undici';
import { loadUndici } from './load-undici.js';
import { VsphereError, VsphereTimeoutError } from '../faults/errors.js';
import { mapNetworkError } from './net-errors.js';
import { checkCaPem, evaluateCertificate, parseThumbprint, type CertificateInfo, type TlsOptions } from './tls-policy.js';

/** Name of vSphere's session cookie (reference B.1). */
export const SESSION_COOKIE = 'vmware_soap_session';

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Host name or IP (IPv6 without brackets). */
  host: string;
  /** TCP port (default 443). */
  port?: number;
  tls?: TlsOptions;
  /** TCP + TLS set-up deadline in ms (default 10000). */
  connectTimeoutMs?: number;
  /** Keep-alive connections kept per origin (default 6). */
  connections?: number;
}

/** One HTTP response, body read as text. */
export interface HttpResponse {
  status: number;
  body: string;
}

/** Per-request options. */
export interface RequestOptions {
  /** Whole-request deadline in ms (connect + send + wait + body). */
  timeoutMs: number;
  /** Label for timeout messages (the vim25 method). */
  label?: string;
  /** Aborts the request (VsphereError `canceled`; at once when already aborted). */
  signal?: AbortSignal;
}

/** `<label>: aborted` (kind `canceled`), with the abort reason's message when it is an Error. */
function abortedError(label: string, signal: AbortSignal, cause?: unknown): VsphereError {
  const why = signal.reason instanceof Error && signal.reason.name !== 'AbortError' ? ` (${signal.reason.message})` : '';
  return new VsphereError(`${label}: aborted${why}`, 'canceled', 'network', cause === undefined ? undefined : { cause });
}

/** HTTPS keep-alive transport bound to one origin. */
export class HttpTransport {
  /** `https://host:port`. */
  readonly origin: string;
  /** `host:port` (IPv6 in brackets): how error messages name the server. */
  readonly server: string;
  /** The server certificate of the latest handshake, once one happened. */
  certificate: CertificateInfo | undefined;
  /** Created by the first request. */
  #pool: Promise<Pool> | undefined;
  #closed = false;
  readonly #connectTimeoutMs: number;
  readonly #tls: TlsOptions;
  readonly #policy: { verify: boolean; pin: ReturnType<typeof parseThumbprint> | undefined };
  readonly #connections: number;
  #cookie: string | undefined;

  /**
   * @throws VsphereError (`invalid-argument`) when `tls.thumbprint` or `tls.ca` is malformed.
   */
  constructor(opts: HttpTransportOptions) {
    const port = opts.port ?? 443;
    const host = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
    this.server = `${host}:${port}`;
    this.origin = `https://${this.server}`;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    const tls = opts.tls ?? {};
    const pin = tls.thumbprint ? parseThumbprint(tls.thumbprint) : undefined;
    if (tls.ca) checkCaPem(tls.ca);
    this.#tls = tls;
    this.#policy = { verify: tls.verify !== false, pin };
    this.#connections = opts.connections ?? 6;
  }

  /** The keep-alive pool, created (and undici loaded) on first use; closed at once after {@link close}. */
  #getPool(): Promise<Pool> {
    return (this.#pool ??= (async () => {
      const { Pool, buildConnector } = await loadUndici();
      const tls = this.#tls;
      const policy = this.#policy;
      // rejectUnauthorized:false only so the certificate can be inspected; evaluateCertificate decides.
      const base = buildConnector({
        rejectUnauthorized: false,
        ...(tls.ca ? { ca: tls.ca } : {}),
        timeout: this.#connectTimeoutMs,
        maxCachedSessions: 0,
      });
      const origin = this.origin;
      const connect: buildConnector.connector = (options, callback) => {
        base(options, (err, socket) => {
          if (err || !socket) return callback(err ?? new Error('no socket'), null);
          const verdict = evaluateCertificate(socket as TLSSocket, policy, origin);
          if (verdict.info) this.certificate = verdict.info;
          if (verdict.error) {
            socket.destroy();
            return callback(verdict.error, null);
          }
          callback(null, socket);
        });
      };
      const pool = new Pool(this.origin, {
        connect,
        connections: this.#connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        // Our own per-request timer (RequestOptions.timeoutMs) bounds every request.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      // A request after close() fails as undici fails requests on a closed pool.
      if (this.#closed) await pool.close();
      return pool;
    })());
  }

  /** True once a session cookie has been received. */
  get hasSession(): boolean {
    return this.#cookie !== undefined;
  }

  /** Forgets the session cookie (after Logout). */
  clearSession(): void {
    this.#cookie = undefined;
  }

  /**
   * Sends one request. Resolves for every HTTP status (the caller interprets it).
   * @throws VsphereTimeoutError on `timeoutMs` (phase `call`) or connect timeout (phase `connect`);
   *   TlsVerificationError when the TLS policy refuses the certificate; VsphereTransportError otherwise.
   */
  async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: RequestOptions,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpResponse> {
    const label = opts.label ?? `${method} ${path}`;
    if (opts.signal?.aborted) throw abortedError(label, opts.signal);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, opts.timeoutMs);
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const all: Record<string, string> = { 'user-agent': 'vsnapd', ...headers };
      if (this.#cookie !== undefined) all.cookie = `${SESSION_COOKIE}=${this.#cookie}`;
      const pool = await this.#getPool();
      const pending = pool.request({ method, path, headers: all, body: body ?? null, signal: controller.signal });
      // undici 7 does not end a request whose connection is still being set up (TCP/TLS) when its
      // signal aborts: stop waiting for it ourselves. It is settled later (close() destroys the
      // socket); a response that still arrives is discarded.
      const stopped = new Promise<never>((_resolve, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      stopped.catch(() => undefined);
      const res = await Promise.race([pending, stopped]).catch((err: unknown) => {
        if (controller.signal.aborted) pending.then((late) => late.body.destroy(), () => undefined);
        throw err;
      });
      this.#storeCookie(res.headers['set-cookie']);
      const text = await res.body.text();
      return { status: res.statusCode, body: text };
    } catch (err) {
      if (timedOut) {
        throw new VsphereTimeoutError(`${label}: no answer from ${this.origin} within ${opts.timeoutMs} ms`, {
          phase: 'call',
          timeoutMs: opts.timeoutMs,
          ...(opts.label ? { method: opts.label } : {}),
        });
      }
      if (opts.signal?.aborted) throw abortedError(label, opts.signal, err);
      throw mapNetworkError(err, this.server, this.#connectTimeoutMs);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  #storeCookie(header: string | string[] | undefined): void {
    for (const line of Array.isArray(header) ? header : header ? [header] : []) {
      const m = /^\s*vmware_soap_session=([^;]*)/.exec(line);
      // Keep the value exactly as received, quotes included (vCenter sends "…").
      if (m && m[1] !== undefined) this.#cookie = m[1];
    }
  }

  /** Closes the pool: waits up to `graceMs` for in-flight requests, then destroys the sockets. */
  async close(graceMs = 1000): Promise<void> {
    this.#closed = true;
    if (!this.#pool) return;
    const pool = await this.#pool;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const outcome = await Promise.race([pool.close().then(() => 'closed' as const, () => 'late' as const), grace]);
    clearTimeout(timer);
    if (outcome === 'late') await pool.destroy().catch(() => undefined);
  }
}
