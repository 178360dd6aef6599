/**
 * Host-name resolution with a deadline (TrueNAS `validate_data`: `gethostbyname` within 5 s, else
 * "Couldn't resolve hostname"). Uses the system resolver (`dns.lookup`, i.e. getaddrinfo: /etc/hosts,
 * then DNS), as the vSphere connection itself does.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** TrueNAS's resolution deadline for create/update (ms). */
export const RESOLVE_TIMEOUT_MS = 5000;

/** Resolves a name to its addresses; rejects (or resolves `[]`) when it does not resolve. */
export type Resolver = (hostname: string) => Promise<string[]>;

/**
 * The system resolver, bounded by `timeoutMs`: every address of `hostname` (IPv4 and IPv6), or
 * `[hostname]` for an IP literal. Rejects with ETIMEDOUT after the deadline (the lookup itself cannot
 * be cancelled and finishes in the background), or with the resolver's ENOTFOUND/EAI_AGAIN error.
 */
export function systemResolver(timeoutMs = RESOLVE_TIMEOUT_MS): Resolver {
  return async (hostname) => {
    if (isIP(hostname)) return [hostname];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e: NodeJS.ErrnoException = new Error(`resolving ${hostname} took longer than ${timeoutMs} ms`);
        e.code = 'ETIMEDOUT';
        reject(e);
      }, timeoutMs);
      timer.unref();
    });
    try {
      const found = await Promise.race([lookup(hostname, { all: true, verbatim: true }), deadline]);
      return found.map((a) => a.address);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Checks that `hostname` is an IP literal or resolves in time.
 * @returns null when it does, else TrueNAS's message plus why ("Couldn't resolve hostname: …").
 */
export async function checkResolves(hostname: string, resolve: Resolver): Promise<string | null> {
  if (isIP(hostname)) return null;
  try {
    const addrs = await resolve(hostname);
    return addrs.length > 0 ? null : `Couldn't resolve hostname ${hostname}: no address`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ETIMEDOUT' ? `no answer within ${RESOLVE_TIMEOUT_MS / 1000} s` : e.code === 'ENOTFOUND' ? 'no such host' : (e.code ?? e.message);
    return `Couldn't resolve hostname ${hostname}: ${why}`;
  }
}
