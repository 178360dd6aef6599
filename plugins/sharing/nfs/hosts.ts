/**
 * The `hosts` field of an NFS share: client names as exports(5) reads them: a host name or IP
 * address, a wildcard name (`*.lab.example`, `esx?.example`), a netgroup (`@esxi`), or `*` for everybody.
 *
 * Every entry is written verbatim into the exports file in front of `(options)`, so anything that
 * could change the meaning of the line is refused: whitespace and quotes (TrueNAS's rule, "Cannot
 * contain spaces or quotes"), and, stricter than TrueNAS, any character outside a name/address/
 * wildcard/netgroup alphabet (no `(`, `,`, `=`, `#`, `\`, `/`) and a leading `-` (exportfs reads
 * `-opts` as default options for the rest of the line). CIDR blocks belong in `networks`.
 * Names are not resolved here; exportfs resolves them when it loads the file (TrueNAS raises
 * `NFSHostnameLookupFail` at that point too).
 */
import type { ValidationErrors } from '../../../daemon/errors.js';
import { duplicates, formatAddress, parseAddress } from './networks.js';

/** Longest host entry accepted: a DNS name is at most 253 characters. */
export const MAX_HOST_LENGTH = 253;

/** Characters a host entry may contain: name, IPv4/IPv6 literal, wildcard (`* ? [ ]`), netgroup `@`. */
const HOST_CHARS = /^[A-Za-z0-9.\-_*?[\]:@]+$/;

/** Whitespace or quotes: TrueNAS's own refusal, kept with its wording. */
const SPACE_OR_QUOTE = /[\s"']/;

/**
 * Normalises one host entry: IP literals get their canonical form (`2001:DB8::1` → `2001:db8::1`),
 * names are kept as written (netgroup names are case-sensitive). Assumes the entry passed validation.
 */
export function normalizeHost(entry: string): string {
  const address = parseAddress(entry);
  return address ? formatAddress(address) : entry;
}

/**
 * Validates and normalises a `hosts` list, adding errors under `attribute`. Returns the normalised
 * entries (invalid ones are returned unchanged; the caller stops on errors anyway).
 */
export function sanitizeHosts(attribute: string, entries: readonly string[], verrors: ValidationErrors): string[] {
  const spaced: string[] = [];
  const badChars: string[] = [];
  const tooLong: string[] = [];
  let everybody: string | null = null;

  for (const entry of entries) {
    if (SPACE_OR_QUOTE.test(entry)) spaced.push(JSON.stringify(entry));
    else if (!HOST_CHARS.test(entry) || entry.startsWith('-')) badChars.push(JSON.stringify(entry));
    else if (entry.length > MAX_HOST_LENGTH) tooLong.push(`${entry.slice(0, 20)}…`);
    else {
      const address = parseAddress(entry);
      if (address && address.toByteArray().every((byte) => byte === 0)) everybody = entry;
    }
  }

  if (spaced.length) verrors.add(attribute, `Cannot contain spaces or quotes: ${spaced.join(', ')}`);
  if (badChars.length) {
    verrors.add(
      attribute,
      `Invalid host entries: ${badChars.join(', ')}. A host is a name, an IP address, a wildcard name ` +
        `(*.example.com), a netgroup (@group) or *, made of letters, digits and . - _ * ? [ ] : @ and not ` +
        `starting with "-"; put CIDR blocks in networks`,
    );
  }
  if (tooLong.length) verrors.add(attribute, `Host entries must be at most ${MAX_HOST_LENGTH} characters: ${tooLong.join(', ')}`);
  if (everybody !== null) {
    verrors.add(
      attribute,
      `Please do not use ${everybody} to represent all-hosts.  No entry is required to configure ` +
        `'allow everybody'.  Please remove ${everybody} or replace with '*'.`,
    );
  }

  const normalized = entries.map((e) => (SPACE_OR_QUOTE.test(e) || !HOST_CHARS.test(e) ? e : normalizeHost(e)));
  const notUnique = duplicates(normalized);
  if (notUnique.length) verrors.add(attribute, `Entries must be unique, the following are not: ${notUnique.join(', ')}`);
  return normalized;
}
