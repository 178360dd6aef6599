/**
 * Who may read the monitoring endpoints (`/metrics`, `/readyz`, `/healthz`): by default the local
 * socket and loopback peers without login (like a node exporter on the same host), other peers only
 * with an API key sent as `Authorization: Bearer <key>` (RFC 6750 §2.1); with
 * `metrics.require_auth` every peer needs the key, loopback and the Unix socket included (a host
 * where other local users must not read them). No proxy header is trusted: the peer is the TCP
 * connection's own address.
 */
import ipaddr from 'ipaddr.js';
import type { Credentials } from '../registry/method.js';

/** Checks an API key for a peer address: its credentials, or null when unknown/wrong. May throw (rate limit). */
export type BearerCheck = (key: string, address: string) => Credentials | null;

/** The decision: allowed, or the HTTP status and text of the refusal. */
export type Access = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (`::ffff:127.0.0.1`). */
export function isLoopback(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'loopback';
}

/**
 * Decides a monitoring request. Unless `requireAuth`, `transport` unix and loopback peers pass;
 * others (every peer with `requireAuth`) need a bearer key that `check` accepts (401 without one or
 * with a wrong one, 403 when `check` is missing: no plugin verifies keys). Errors `check` throws
 * (rate limit) propagate.
 */
export function monitoringAccess(
  peer: { transport: 'tcp' | 'unix'; address: string; authorization: string | undefined },
  check: BearerCheck | null,
  requireAuth = false,
): Access {
  if (!requireAuth && (peer.transport === 'unix' || isLoopback(peer.address))) return { ok: true };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(peer.authorization ?? '');
  if (!m) {
    const who = requireAuth ? 'Every peer needs an API key (metrics.require_auth)' : 'Peers other than loopback need an API key';
    return { ok: false, status: 401, reason: `${who}: Authorization: Bearer <key>` };
  }
  if (!check) return { ok: false, status: 403, reason: 'API keys cannot be checked (no auth plugin)' };
  return check(m[1]!, peer.transport === 'unix' ? 'unix' : peer.address) ? { ok: true } : { ok: false, status: 401, reason: 'Invalid API key' };
}
