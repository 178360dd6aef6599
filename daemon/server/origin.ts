/**
 * Browser origin check for WebSocket handshakes. Any web page may try to open a socket to the NAS
 * (cross-site WebSocket hijacking); browsers always send `Origin`, and so do non-browser clients
 * built on websocket-client (TrueNAS's midclt sends `http://host:port`, or `http://localhost` over a
 * Unix socket). The rule:
 * - over the Unix socket no browser can connect: any Origin is accepted;
 * - no Origin (a script) is accepted;
 * - an Origin listed in `api.allowed_origins` is accepted;
 * - a same-origin request (Origin's scheme/host/port equal the request's scheme and `Host`) is
 *   accepted when `Host` names this NAS: an IP literal, `localhost`, or a name in `api.server_names`.
 *   The last condition is the DNS-rebinding guard: a page at `http://evil.example:6080` whose name
 *   was re-pointed at the NAS is same-origin with itself, but `evil.example` is not the NAS's name.
 */
import { isIP } from 'node:net';

/** What the handshake says about itself. */
export interface Handshake {
  /** The `Origin` header, undefined when absent. */
  readonly origin: string | undefined;
  /** The `Host` header, undefined when absent. */
  readonly host: string | undefined;
  /** True when the connection is TLS (origin scheme `https`), false for plain (`http`). */
  readonly secure: boolean;
  readonly transport: 'tcp' | 'unix';
}

/** The configured exceptions. */
export interface OriginPolicy {
  /** `api.allowed_origins`: `scheme://host[:port]` strings, compared case-insensitively. */
  readonly allowedOrigins: readonly string[];
  /** `api.server_names`: host names (no port) this NAS answers to besides IP literals and localhost. */
  readonly serverNames: readonly string[];
}

/** The verdict: accepted, or refused with a reason for the 403 body (names the setting to change). */
export type OriginVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Lower-cased scheme://host[:port] without a trailing slash. */
function normalise(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** `host[:port]` → lower-cased host (no IPv6 brackets, no trailing dot) and port (default for the scheme). */
function hostPort(value: string, defaultPort: number): { host: string; port: number } | null {
  try {
    const u = new URL(`http://${value}`);
    if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '')) return null;
    return { host: u.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase(), port: u.port ? Number(u.port) : defaultPort };
  } catch {
    return null;
  }
}

/** True when `host` (no port) is an IP literal, localhost, or a configured server name. */
function namesThisServer(host: string, serverNames: readonly string[]): boolean {
  if (isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost')) return true;
  return serverNames.some((n) => n.toLowerCase().replace(/\.$/, '') === host);
}

/** Decides whether a WebSocket handshake may connect (see the module comment for the rule). */
export function checkOrigin(hs: Handshake, policy: OriginPolicy): OriginVerdict {
  if (hs.transport === 'unix' || hs.origin === undefined) return { ok: true };
  const origin = normalise(hs.origin);
  if (policy.allowedOrigins.some((a) => normalise(a) === origin)) return { ok: true };
  const refused = { ok: false, reason: `Origin ${hs.origin} is not allowed: it is not this server's origin and not in api.allowed_origins` } as const;
  const scheme = hs.secure ? 'https' : 'http';
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/.exec(origin);
  if (!m || m[1] !== scheme || hs.host === undefined) return refused;
  const defaultPort = hs.secure ? 443 : 80;
  const o = hostPort(m[2]!, defaultPort);
  const h = hostPort(hs.host, defaultPort);
  if (!o || !h || o.host !== h.host || o.port !== h.port) return refused;
  if (!namesThisServer(h.host, policy.serverNames)) {
    return { ok: false, reason: `Host ${hs.host} is not a name of this server (add it to api.server_names)` };
  }
  return { ok: true };
}
