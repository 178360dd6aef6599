/**
 * Turns Node.js socket errors and undici errors into the client's typed errors with the errno the
 * API layer reports (TrueNAS reports the socket errno for unreachable vCenters).
 */
import { Errno } from '../../daemon/errors.js';
import { VsphereError, VsphereTimeoutError, VsphereTransportError } from '../faults/errors.js';

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
  const fail = (what: string, errno: number, category: 'network' | 'tls' = 'network') =>
    new VsphereTransportError(`Cannot connect to ${server}: ${what}`, code === undefined ? { errno, category } : { errno, category, code }, cause);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return new VsphereTimeoutError(`Cannot connect to ${server}: no answer within ${connectTimeoutMs} ms`, {
        phase: 'connect',
        timeoutMs: connectTimeoutMs,
      }, cause);
    case 'ECONNREFUSED':
      return fail('connection refused (ECONNREFUSED)', Errno.ECONNREFUSED);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return fail(`host unreachable (${code})`, Errno.EHOSTUNREACH);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return fail(`cannot resolve the host name (${code})`, Errno.EHOSTUNREACH);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return fail(`connection closed by the server (${code}): ${text}`, Errno.ECONNRESET);
    default:
      break;
  }
  if (code?.startsWith('ERR_SSL') || code === 'EPROTO' || code?.startsWith('ERR_TLS')) {
    return fail(`TLS handshake failed (${code}): ${text}`, Errno.EFAULT, 'tls');
  }
  return fail(text, Errno.EFAULT);
}

