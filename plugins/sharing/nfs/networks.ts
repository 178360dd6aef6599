/**
 * The `networks` field of an NFS share: CIDR blocks (IPv4 and IPv6) that may mount the export.
 * Validated and normalised the way TrueNAS does it (`plugins/nfs_/validators.py` `sanitize_networks`
 * with `strict=False, convert=True`): a bare address becomes a host network (`/32`, `/128`), host bits
 * are cleared (`192.168.1.7/24` → `192.168.1.0/24`), and `0.0.0.0/0` / `::/0` are refused because
 * "everybody" is spelled as an empty list. Parsing uses ipaddr.js, but IPv4 must be four-part decimal
 * (ipaddr.js, like inet_aton, would also accept `10.1` or `0x0a.1`, which no admin means).
 */
import ipaddr from 'ipaddr.js';
import type { ValidationErrors } from '../../../daemon/errors.js';

/** A parsed CIDR block. `cidr` is the normalised text (`192.168.1.0/24`, `2001:db8::/32`). */
export interface Network {
  readonly kind: 'ipv4' | 'ipv6';
  readonly address: ipaddr.IPv4 | ipaddr.IPv6;
  /** Prefix length in bits (0–32 for IPv4, 0–128 for IPv6). */
  readonly prefix: number;
  readonly cidr: string;
}

/**
 * Formats an address canonically: dotted quad for IPv4, RFC 5952 for IPv6, with IPv4-mapped
 * addresses kept readable (`::ffff:192.0.2.1`, as Python's ipaddress prints them).
 */
export function formatAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv4') return address.toString();
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return `::ffff:${v6.toIPv4Address().toString()}`;
  return v6.toRFC5952String();
}

/**
 * Parses one IP address literal (no prefix). IPv4 must be four-part decimal; IPv6 zone ids
 * (`fe80::1%eth0`) are refused because exports(5) has no syntax for them. Returns null when invalid.
 */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (text.includes('%')) return null;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/**
 * Parses `address[/prefix]` into a {@link Network} with host bits cleared; null when it is not an
 * IPv4 or IPv6 network. A missing prefix means a single host (`/32` or `/128`).
 */
export function parseNetwork(text: string): Network | null {
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddress(addrText);
  if (!address) return null;
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > bits) return null;
  }
  const base = address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${(address as ipaddr.IPv6).toNormalizedString()}/${prefix}`);
  return { kind: address.kind(), address: base, prefix, cidr: `${formatAddress(base)}/${prefix}` };
}

/** True when two networks share at least one address (one contains the other). Mixed families never overlap. */
export function networksOverlap(a: Network, b: Network): boolean {
  if (a.kind !== b.kind) return false;
  const shorter = Math.min(a.prefix, b.prefix);
  return a.address.match(b.address, shorter);
}

/** True when the network's base address is all zeros (`0.0.0.0/0`, `::/0`, `0.0.0.0/8` …). */
function isAllNetworks(net: Network): boolean {
  return net.address.toByteArray().every((byte) => byte === 0);
}

/**
 * Returns the duplicates of a list (each once, in first-seen order). Used for TrueNAS's
 * "Entries must be unique" rule on `networks` and `hosts`.
 */
export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

/**
 * Validates and normalises a `networks` list. Errors are added under `attribute` with TrueNAS's
 * wording; the returned list holds the normalised CIDRs of the valid entries, in input order.
 * Checks: every entry parses; none is the all-networks block; entries are unique (before and after
 * normalisation); no two entries overlap (exports(5) would apply the first match only, so an
 * overlap silently hides the second entry's options).
 */
export function sanitizeNetworks(attribute: string, entries: readonly string[], verrors: ValidationErrors): string[] {
  const notUnique = duplicates(entries);
  if (notUnique.length) verrors.add(attribute, `Entries must be unique, the following are not: ${notUnique.join(', ')}`);

  const invalid: string[] = [];
  const parsed: Network[] = [];
  for (const entry of entries) {
    const net = parseNetwork(entry);
    if (net) parsed.push(net);
    else invalid.push(entry);
  }
  if (invalid.length) {
    verrors.add(attribute, `The following do not appear to be valid IPv4 or IPv6 networks: ${invalid.join(', ')}`);
    return parsed.map((n) => n.cidr);
  }
  const everybody = parsed.find(isAllNetworks);
  if (everybody) {
    verrors.add(
      attribute,
      `Please do not use ${everybody.cidr} to represent all-networks.  No entry is required to configure ` +
        `'allow everybody'.  Please remove ${everybody.cidr}.`,
    );
    return parsed.map((n) => n.cidr);
  }
  const overlaps: string[] = [];
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const a = parsed[i]!;
      const b = parsed[j]!;
      if (networksOverlap(a, b)) overlaps.push(`${a.cidr} and ${b.cidr}`);
    }
  }
  if (overlaps.length && !notUnique.length) verrors.add(attribute, `ERROR - Overlapped subnets: ${overlaps.join('; ')}`);
  return parsed.map((n) => n.cidr);
}
