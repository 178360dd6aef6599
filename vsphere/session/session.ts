/**
 * A logged-in vim25 session (reference B.2, B.10 steps 1 and 8; govmomi `session/manager.go`,
 * `session/keepalive`): negotiates the API version, reads ServiceContent (never hard-coded morefs:
 * ESXi says `ha-sessionmgr`, vCenter `SessionManager`), logs in, keeps the session alive with
 * `CurrentTime` when idle, logs in again once and retries a call that failed with
 * `NotAuthenticated`, and logs out on close.
 *
 * It is a {@link RoundTripper}, so every typed method can run on it. NOTE: objects a session
 * created (ContainerViews, private PropertyCollectors) vanish when it is re-established; compare
 * {@link VimSession.generation} to notice.
 */
import { VsphereError, VsphereTransportError } from '../faults/errors.js';
import { isVimFault } from '../faults/vim-fault.js';
import { CurrentTime, RetrieveServiceContent, type AboutInfo, type ServiceContent } from '../methods/service-instance.js';
import { Login, Logout, type UserSession } from '../methods/session-manager.js';
import { SoapClient, type CallOptions, type RoundTripper, type VsphereLogger } from '../soap/soap-client.js';
import type { SoapObject } from '../soap/xml-writer.js';
import { HttpTransport } from '../transport/http-transport.js';
import type { CertificateInfo, TlsOptions } from '../transport/tls-policy.js';
import type { VimValue } from '../types/values.js';
import { FALLBACK_API_VERSION, MAX_API_VERSION, chooseVersion, finalVersion, parseServiceVersions } from './versions.js';

/** How to reach and log in to a vCenter or ESXi host. */
export interface SessionOptions {
  /** Host name or IP address. */
  host: string;
  /** HTTPS port (default 443). */
  port?: number;
  username: string;
  /** Never logged, never part of an error. */
  password: string;
  tls?: TlsOptions;
  /** TCP+TLS set-up deadline in ms (default 10000). */
  connectTimeoutMs?: number;
  /** Default deadline of one SOAP call in ms (default 60000). */
  callTimeoutMs?: number;
  /** Idle time in ms after which `CurrentTime` is sent to keep the session (default 300000; 0 = off). */
  keepaliveMs?: number;
  /** Highest vim25 version to negotiate (default {@link MAX_API_VERSION}). */
  maxApiVersion?: string;
  /**
   * Keep-alive HTTPS connections to the server (default 6). Each SOAP call in flight holds one, and
   * a server holds a snapshot call for its whole duration: give at least the operations run at once
   * plus one for the task waiter's WaitForUpdatesEx long poll, or calls queue in the client.
   */
  connections?: number;
  /**
   * Aborts connecting and logging in: the pending request ends at once and `connect` rejects with
   * a VsphereError of kind `canceled` (e.g. the daemon stops during a health check). Not used once
   * connected.
   */
  signal?: AbortSignal;
  log?: VsphereLogger;
}

/** A logged-in session; create with {@link VimSession.connect}. */
export class VimSession implements RoundTripper {
  readonly serviceContent: ServiceContent;
  /** Negotiated vim25 version (sent as `SOAPAction: urn:vim25/<version>`). */
  readonly apiVersion: string;
  /** Current login; replaced on re-login. */
  userSession: UserSession;
  /** Increments on every (re-)login; session-scoped morefs from an older generation are gone. */
  generation = 1;
  /** Default deadline of one call in ms. */
  readonly callTimeoutMs: number;
  /**
   * Methods the server answered `MethodNotFound` to (e.g. `CreateSnapshotEx_Task` on Debian's vcsim),
   * so callers with a fallback skip them next time.
   */
  readonly unsupported = new Set<string>();
  readonly #soap: SoapClient;
  readonly #transport: HttpTransport;
  readonly #login: () => Promise<UserSession>;
  readonly #keepaliveMs: number;
  readonly #log: VsphereLogger | undefined;
  #relogin: Promise<void> | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(init: {
    soap: SoapClient;
    transport: HttpTransport;
    content: ServiceContent;
    apiVersion: string;
    userSession: UserSession;
    login: () => Promise<UserSession>;
    keepaliveMs: number;
    callTimeoutMs: number;
    log: VsphereLogger | undefined;
  }) {
    this.callTimeoutMs = init.callTimeoutMs;
    this.#soap = init.soap;
    this.#transport = init.transport;
    this.serviceContent = init.content;
    this.apiVersion = init.apiVersion;
    this.userSession = init.userSession;
    this.#login = init.login;
    this.#keepaliveMs = init.keepaliveMs;
    this.#log = init.log;
    this.#armKeepalive();
  }

  /**
   * Connects and logs in.
   * @throws TlsVerificationError (`untrusted-certificate`) for a refused certificate, SoapFaultError `InvalidLogin` (`denied`)
   *   for bad credentials, VsphereTransportError/VsphereTimeoutError when the server cannot be reached,
   *   VsphereError (`invalid-argument`) for a malformed `tls.thumbprint`/`tls.ca`, VsphereError (`canceled`) when
   *   `signal` aborted it.
   */
  static async connect(opts: SessionOptions): Promise<VimSession> {
    const transport = new HttpTransport({
      host: opts.host,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      ...(opts.connections !== undefined ? { connections: opts.connections } : {}),
    });
    const callTimeoutMs = opts.callTimeoutMs ?? 60_000;
    const max = opts.maxApiVersion ?? MAX_API_VERSION;
    const soap = new SoapClient(transport, { version: FALLBACK_API_VERSION, callTimeoutMs, ...(opts.log ? { log: opts.log } : {}) });
    const signal = opts.signal;
    const call = signal ? { signal } : {};
    try {
      const listed = await fetchListedVersion(transport, callTimeoutMs, max, signal);
      if (listed) soap.version = listed;
      const content = await RetrieveServiceContent(soap, call);
      soap.version = finalVersion(listed, content.about.apiVersion, max);
      const sessionManager = content.sessionManager;
      if (!sessionManager) {
        throw new VsphereTransportError(`${transport.origin} has no SessionManager in its ServiceContent`, {
          kind: 'failed',
          category: 'protocol',
        });
      }
      const { username, password } = opts;
      const login = () => Login(soap, sessionManager, username, password);
      const userSession = await Login(soap, sessionManager, username, password, call);
      if (signal?.aborted) {
        // Aborted while the Login answer was read: end the new session rather than leak it.
        await Logout(soap, sessionManager, { timeoutMs: 2000 }).catch(() => undefined);
        signal.throwIfAborted();
      }
      return new VimSession({
        soap,
        transport,
        content,
        apiVersion: soap.version,
        userSession,
        login,
        keepaliveMs: opts.keepaliveMs ?? 300_000,
        callTimeoutMs,
        log: opts.log,
      });
    } catch (err) {
      await transport.close(0);
      if (signal?.aborted) {
        const why = signal.reason instanceof Error && signal.reason.name !== 'AbortError' ? ` (${signal.reason.message})` : '';
        throw new VsphereError(`Connecting to ${transport.server}: aborted${why}`, 'canceled', 'network', { cause: err });
      }
      throw err;
    }
  }

  /** What the server is (`about.apiType` is `VirtualCenter` or `HostAgent`). */
  get about(): AboutInfo {
    return this.serviceContent.about;
  }

  /** SOAP round trips so far (including logins and keepalives). */
  get roundTrips(): number {
    return this.#soap.roundTrips;
  }

  /** SOAP round trips per vim25 method so far. */
  get callsByMethod(): ReadonlyMap<string, number> {
    return this.#soap.callsByMethod;
  }

  /** The server certificate as seen on the latest handshake. */
  get certificate(): CertificateInfo | undefined {
    return this.#transport.certificate;
  }

  /** `https://host:port`. */
  get origin(): string {
    return this.#transport.origin;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * {@inheritDoc RoundTripper.call}
   * On `NotAuthenticated` (expired session) it logs in again once and retries the call.
   * @throws VsphereError (`failed`, category network) when the session is closed
   */
  async call(method: string, params: SoapObject, opts?: CallOptions): Promise<VimValue[]> {
    if (this.#closed) throw new VsphereError(`${method}: the vSphere session to ${this.origin} is closed`, 'failed', 'network');
    this.#armKeepalive();
    const generation = this.generation;
    try {
      return await this.#soap.call(method, params, opts);
    } catch (err) {
      if (method === 'Logout' || !isVimFault(err, 'NotAuthenticated') || this.#closed) throw err;
      this.#log?.warn({ method, origin: this.origin }, 'vSphere session expired; logging in again');
      await this.#reestablish(generation);
      return await this.#soap.call(method, params, opts);
    }
  }

  /** Logs in again unless another call already did since `seen` (single flight). */
  async #reestablish(seen: number): Promise<void> {
    if (this.generation !== seen) return;
    this.#relogin ??= this.#login()
      .then((s) => {
        this.userSession = s;
        this.generation++;
      })
      .finally(() => {
        this.#relogin = undefined;
      });
    await this.#relogin;
  }

  #armKeepalive(): void {
    if (this.#keepaliveMs <= 0 || this.#closed) return;
    clearTimeout(this.#keepalive);
    this.#keepalive = setTimeout(() => {
      CurrentTime(this).catch((err: unknown) => this.#log?.warn({ err: String(err), origin: this.origin }, 'vSphere keepalive failed'));
    }, this.#keepaliveMs);
    this.#keepalive.unref();
  }

  /** Logs out (best effort, bounded by `timeoutMs`) and closes the connections. Idempotent. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#keepalive);
    const sm = this.serviceContent.sessionManager;
    try {
      if (sm) await Logout(this.#soap, sm, { timeoutMs });
    } catch (err) {
      this.#log?.debug({ err: String(err) }, 'vSphere Logout failed');
    } finally {
      this.#closed = true;
      this.#transport.clearSession();
      await this.#transport.close();
    }
  }
}

/**
 * Reads `/sdk/vimServiceVersions.xml` and picks a version. Network and TLS failures propagate (the
 * server is unusable); an unexpected answer falls back to undefined (then ServiceContent decides).
 */
async function fetchListedVersion(transport: HttpTransport, timeoutMs: number, max: string, signal?: AbortSignal): Promise<string | undefined> {
  const res = await transport.request('GET', '/sdk/vimServiceVersions.xml', { timeoutMs, label: 'vimServiceVersions.xml', ...(signal ? { signal } : {}) });
  if (res.status !== 200) return undefined;
  return chooseVersion(parseServiceVersions(res.body), max);
}
