/**
 * Semantic validation of an NFS share, in TrueNAS's order (`SharingNFSService.validate`): client
 * lists first, then the path, then conflicts with other shares of the same path, then the account
 * mappings. Each stage stops the call when it found errors, so an admin fixes one layer at a time.
 * Attributes are `<schema>.<field>` with schema `sharingnfs_create` or `sharingnfs_update`.
 */
import { realpath } from 'node:fs/promises';
import { Errno, ValidationErrors } from '../../../daemon/errors.js';
import { accountNameProblem, type AccountDb } from './accounts.js';
import { sanitizeHosts } from './hosts.js';
import { duplicates, networksOverlap, parseNetwork, sanitizeNetworks, type Network } from './networks.js';
import type { NfsShare, NfsShareData } from './schemas.js';
import { checkSharePath, type DatasetMount, type SharePathInfo } from './share-path.js';

/** What validation needs from the outside world. */
export interface ValidateDeps {
  accounts: AccountDb;
  /** ZFS filesystems and their mountpoints (the ZFS adapter's view). */
  datasets(): Promise<DatasetMount[]>;
  /** Every other share (the one being updated excluded). */
  otherShares: readonly NfsShare[];
}

/** A validated share: normalised data plus what its path resolved to. */
export interface ValidShare {
  data: NfsShareData;
  path: SharePathInfo;
}

/** Both client lists empty: exports(5) `*`, everybody. */
const isEverybody = (s: Pick<NfsShareData, 'hosts' | 'networks'>): boolean => s.hosts.length === 0 && s.networks.length === 0;

/** Networks a share grants: its own, or all of IPv4 and IPv6 when it is for everybody. */
function grantedNetworks(s: Pick<NfsShareData, 'hosts' | 'networks'>): Network[] {
  const list = isEverybody(s) ? ['0.0.0.0/0', '::/0'] : s.networks;
  return list.map(parseNetwork).filter((n): n is Network => n !== null);
}

/**
 * Refuses a second export of the same directory to the same clients (exports(5) would apply only
 * one of the two lines' options, silently). Same directory = same realpath.
 */
async function checkConflicts(schema: string, data: NfsShareData, real: string, others: readonly NfsShare[], verrors: ValidationErrors): Promise<void> {
  for (const other of others) {
    const otherReal = await realpath(other.path).catch(() => other.path);
    if (otherReal !== real) continue;
    if (isEverybody(data) || isEverybody(other)) {
      const who = isEverybody(other) ? "'everybody', i.e. '*'" : [...other.hosts, ...other.networks].join(', ');
      verrors.add(`${schema}.path`, `ERROR - Export conflict. Another share with the same path exports ${other.path} for ${who}`, Errno.EEXIST);
      continue;
    }
    const theirs = grantedNetworks(other);
    for (const cidr of data.networks) {
      const mine = parseNetwork(cidr);
      const hit = mine && theirs.find((n) => networksOverlap(mine, n));
      if (!hit) continue;
      verrors.add(
        `${schema}.networks`,
        hit.cidr === mine.cidr
          ? `ERROR - Another NFS share already exports ${data.path} for network ${cidr}`
          : `ERROR - This or another NFS share exports ${data.path} to ${hit.cidr} and overlaps network ${cidr}`,
        Errno.EEXIST,
      );
    }
    for (const host of data.hosts) {
      if (host !== '*' && other.hosts.includes(host)) {
        verrors.add(`${schema}.hosts`, `ERROR - Another NFS share already exports ${data.path} for host ${host}`, Errno.EEXIST);
      }
    }
  }
}

/** Checks maproot/mapall: a group needs its user, accounts must exist, maproot excludes mapall. */
async function checkMappings(schema: string, data: NfsShareData, accounts: AccountDb, verrors: ValidationErrors): Promise<void> {
  for (const kind of ['maproot', 'mapall'] as const) {
    const user = data[`${kind}_user`];
    const group = data[`${kind}_group`];
    if (user === null && group !== null) {
      verrors.add(`${schema}.${kind}_user`, 'This field is required when map group is specified');
    }
    if (user !== null) {
      const problem = accountNameProblem(user);
      if (problem) verrors.add(`${schema}.${kind}_user`, `Invalid user name ${JSON.stringify(user)}: ${problem}`);
      else if (!(await accounts.user(user))) verrors.add(`${schema}.${kind}_user`, `User not found: ${user}`, Errno.ENOENT);
    }
    if (group !== null) {
      const problem = accountNameProblem(group);
      if (problem) verrors.add(`${schema}.${kind}_group`, `Invalid group name ${JSON.stringify(group)}: ${problem}`);
      else if (!(await accounts.group(group))) verrors.add(`${schema}.${kind}_group`, `Group not found: ${group}`, Errno.ENOENT);
    }
  }
  if (data.maproot_user !== null && data.mapall_user !== null) {
    verrors.add(`${schema}.mapall_user`, 'maproot_user disqualifies mapall_user');
  }
}

/** Empty strings in the mapping fields mean "unset", as TrueNAS stores them. */
function blankToNull(v: string | null): string | null {
  return v === null || v === '' ? null : v;
}

/**
 * Validates and normalises a complete share (create input, or the old entry merged with an update).
 * Throws {@link ValidationErrors}; returns the data to store (normalised CIDRs and host literals,
 * blank mappings as null) and the resolved path.
 */
export async function validateShare(schema: string, input: NfsShareData, deps: ValidateDeps): Promise<ValidShare> {
  const verrors = new ValidationErrors();
  const data: NfsShareData = {
    ...input,
    maproot_user: blankToNull(input.maproot_user),
    maproot_group: blankToNull(input.maproot_group),
    mapall_user: blankToNull(input.mapall_user),
    mapall_group: blankToNull(input.mapall_group),
  };

  if (data.aliases.length) verrors.add(`${schema}.aliases`, 'Aliases are not supported; leave this list empty');
  const dupSec = duplicates(data.security);
  if (dupSec.length) verrors.add(`${schema}.security`, `Entries must be unique, the following are not: ${dupSec.join(', ')}`);
  data.networks = sanitizeNetworks(`${schema}.networks`, data.networks, verrors);
  data.hosts = sanitizeHosts(`${schema}.hosts`, data.hosts, verrors);
  verrors.check();

  const path = await checkSharePath(`${schema}.path`, data.path, await deps.datasets(), verrors);
  verrors.check();

  await checkConflicts(schema, data, path!.realpath, deps.otherShares, verrors);
  verrors.check();

  await checkMappings(schema, data, deps.accounts, verrors);
  verrors.check();
  return { data, path: path! };
}
