/**
 * Browser origin check. Browsers always send `Origin` on a WebSocket handshake and any web page may
 * try to open `ws://127.0.0.1:6000` (cross-site WebSocket hijacking). Non-browser clients (midclt,
 * scripts) send no Origin and are allowed; a browser origin must be on `api.allowed_origins`.
 */

/** Lower-cased scheme://host[:port] without a trailing slash. */
function normalise(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** True when a handshake with this Origin header (undefined = none) may connect. */
export function originAllowed(origin: string | undefined, allowList: readonly string[]): boolean {
  if (origin === undefined) return true;
  const o = normalise(origin);
  return allowList.some((a) => normalise(a) === o);
}
