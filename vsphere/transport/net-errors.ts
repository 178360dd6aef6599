/**
 * Turns Node.js socket errors and undici errors into the client's typed errors, with the kind of
 * the socket failure (`refused`, `unreachable`, `reset`…; TrueNAS reports the socket errno for
 * unreachable vCenters, which the vmware plugin derives from the kind).
 */
import { VsphereError, VsphereTimeoutError, VsphereTransportError, type VsphereErrorKind } from '../faults/errors.js';

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/**
 * Maps a failed HTTP exchange to a {@link VsphereError}. Already-typed errors pass through.
 * Messages name the server, not the URL path of the request that happened to fail first (a
 * refused connection is about `vc.example.com:443`, not about `/sdk/vimServiceVersions.xml`).
 * @param err what undici or the socket threw
 * @param server the server as `host:port` (IPv6 in brackets), for the message
 * @param connectTimeoutMs the connect deadline, for connect timeouts
 */
export function mapNetworkError(err: unknown, server: string, connectTimeoutMs: number): VsphereError {
  if (err instanceof VsphereError) return err;
  // undici wraps some socket errors; look one level down for the system code too.
  const code = errorCode(err) ?? (err instanceof Error ? errorCode(err.cause) : undefined);
  const text = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error ? { cause: err } : undefined;
  const fail = (what: string, kind: VsphereErrorKind, category: 'network' | 'tls' = 'network') =>
    new VsphereTransportError(`Cannot connect to ${server}: ${what}`, code === undefined ? { kind, category } : { kind, category, code }, cause);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return new VsphereTimeoutError(`Cannot connect to ${server}: no answer within ${connectTimeoutMs} ms`, {
        phase: 'connect',
        timeoutMs: connectTimeoutMs,
      }, cause);
    case 'ECONNREFUSED':
      return fail('connection refused (ECONNREFUSED)', 'refused');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return fail(`host unreachable (${code})`, 'unreachable');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return fail(`cannot resolve the host name (${code})`, 'unreachable');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return fail(`connection closed by the server (${code}): ${text}`, 'reset');
    default:
      break;
  }
  if (code?.startsWith('ERR_SSL') || code === 'EPROTO' || code?.startsWith('ERR_TLS')) {
    return fail(`TLS handshake failed (${code}): ${text}`, 'failed', 'tls');
  }
  return fail(text, 'failed');
}

