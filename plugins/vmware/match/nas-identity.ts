/**
 * "Is this NFS server name/address us?" TrueNAS only accepts an IP address currently on one of its
 * interfaces (reference §2.2–2.3), so a datastore mounted by DNS name, FQDN or a VIP never matches
 * (§7 item 11). Here a remote host is ours when it is (a) one of the local interface addresses, (b)
 * one of the configured extra names/addresses (`vmware.nas_addresses`: VIPs, DNS names), or (c) a
 * name that resolves to any of those addresses.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import type { Resolver } from '../resolve.js';

/**
 * Canonical text of an IP address (IPv6 compressed lower case, zone dropped, IPv4-mapped IPv6 as
 * IPv4), or null when `s` is not an IP literal.
 */
export function canonicalIp(s: string): string | null {
  const bare = s.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIP(bare) === 0) return null; // net.isIP: strict literals only ("1.2.3" is a name, not 1.2.0.3)
  try {
    return ipaddr.process(bare).toString();
  } catch {
    return null;
  }
}

/** Canonical form of a host name: lower case, without a trailing dot. */
export function canonicalName(s: string): string {
  return s.trim().toLowerCase().replace(/\.$/, '');
}

/** Every address of every local interface (loopback included: ESXi-in-a-VM setups use it too). */
export function localAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const ip = canonicalIp(a.address);
      if (ip) out.add(ip);
    }
  }
  return [...out];
}

/** The NAS as NFS clients may name it. */
export interface NasIdentity {
  /** Canonical addresses (interfaces, configured addresses, addresses of configured names). */
  readonly addresses: ReadonlySet<string>;
  /** Canonical configured names. */
  readonly names: ReadonlySet<string>;
}

/**
 * Builds the identity from interface addresses and the configured extras. Configured names are also
 * resolved, so a VIP given by name contributes its address; a name that does not resolve still
 * matches by name.
 */
export async function buildNasIdentity(interfaceAddresses: readonly string[], extras: readonly string[], resolve: Resolver): Promise<NasIdentity> {
  const addresses = new Set<string>();
  const names = new Set<string>();
  for (const a of interfaceAddresses) {
    const ip = canonicalIp(a);
    if (ip) addresses.add(ip);
  }
  await Promise.all(
    extras.map(async (e) => {
      const ip = canonicalIp(e);
      if (ip) {
        addresses.add(ip);
        return;
      }
      names.add(canonicalName(e));
      for (const a of await resolve(e).catch(() => [] as string[])) {
        const r = canonicalIp(a);
        if (r) addresses.add(r);
      }
    }),
  );
  return { addresses, names };
}

/**
 * Decides for each remote host whether it is this NAS (each distinct name is resolved once).
 * @returns the set of remote host strings (as given) that are ours.
 */
export async function nasHosts(remoteHosts: Iterable<string>, identity: NasIdentity, resolve: Resolver): Promise<Set<string>> {
  const ours = new Set<string>();
  await Promise.all(
    [...new Set(remoteHosts)].map(async (host) => {
      const ip = canonicalIp(host);
      if (ip) {
        if (identity.addresses.has(ip)) ours.add(host);
        return;
      }
      if (host.trim() === '') return;
      if (identity.names.has(canonicalName(host))) {
        ours.add(host);
        return;
      }
      const addrs = await resolve(host.trim()).catch(() => [] as string[]);
      if (addrs.some((a) => identity.addresses.has(canonicalIp(a) ?? ''))) ours.add(host);
    }),
  );
  return ours;
}
