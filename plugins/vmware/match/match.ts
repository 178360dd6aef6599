/**
 * `vmware.match_datastores_with_datasets`, the pure part (reference §2): remote datastores and local
 * datasets in, TrueNAS's `{datastores, filesystems}` out. Differences from TrueNAS, all fixes of
 * its known bugs (§2.3, §7 item 11):
 * - an NFS/NFS41 datastore matches when ANY of its remote hosts is this NAS (decided by the caller,
 *   see nas-identity.ts: address, configured name/VIP, or a name resolving to one of ours);
 * - its remote path is normalised and belongs to the DEEPEST dataset whose mountpoint contains it
 *   (sub-folders match, trailing slashes do not matter, `/mnt/tank/vm` never owns `/mnt/tank/vmware`);
 * - VMFS datastores match zvols by `naa.` extent name, as TrueNAS (iSCSI extents of device type).
 * Descriptions keep TrueNAS's wording (`NFS mount '<path>' on <h1> or <h2>`), but a dataset that is
 * NFS-exported is described by its exports ("NFS export /mnt/tank/vmware to 192.168.1.0/24").
 */
import type { Inventory } from '../../../vsphere/index.js';
import type { MatchResultOut } from '../schemas.js';
import { normalisePath, owningDataset } from './paths.js';

/** Datastore types that a ZFS dataset or zvol can back (TrueNAS ignores every other type). */
export const MATCHABLE_TYPES = new Set(['NFS', 'NFS41', 'VMFS']);

/** A remote datastore reduced to what matching needs. */
export interface RemoteDatastore {
  name: string;
  /** `summary.type`. */
  type: string;
  /** NFS/NFS41: `remoteHostNames ∪ {remoteHost}` and the path as reported. */
  nfs?: { hosts: string[]; path: string };
  /** VMFS: extent disk names (`naa.…`, `mpx.…`, `t10.…`). */
  extents?: string[];
}

/** A local dataset or zvol. */
export interface LocalFilesystem {
  name: string;
  type: 'FILESYSTEM' | 'VOLUME';
  /** Mount path; null for zvols and unmounted datasets. */
  mountpoint: string | null;
}

/** A device iSCSI extent (TrueNAS `iscsi.extent`: `path` = `zvol/<name>`, `naa` = `0x…`). */
export interface IscsiExtent {
  path: string;
  naa: string;
}

/** An NFS export as the nfsExports service describes it. */
export interface ExportDescription {
  path: string;
  description: string;
}

/** Everything {@link matchDatastores} needs. */
export interface MatchInput {
  datastores: readonly RemoteDatastore[];
  filesystems: readonly LocalFilesystem[];
  /** The remote host strings (as the datastores report them) that are this NAS. */
  ourHosts: ReadonlySet<string>;
  /** Device extents of zvols (none where the platform has no iSCSI target). */
  extents?: readonly IscsiExtent[];
  /** NFS exports, to describe datasets. */
  exports?: readonly ExportDescription[];
  /** This NAS's addresses, for TrueNAS's "NFS mount '<mountpoint>' on <ip> or <ip>" descriptions. */
  nasAddresses?: readonly string[];
}

/** Remote datastores of an inventory: from `Datastore.info`, else from a host's mount of that name. */
export function remoteDatastores(inv: Pick<Inventory, 'datastores' | 'hosts'>): RemoteDatastore[] {
  return inv.datastores.map((ds) => {
    const mount = inv.hosts.flatMap((h) => h.mounts).find((m) => m.name === ds.name);
    const type = ds.type || mount?.type || '';
    const out: RemoteDatastore = { name: ds.name, type };
    if (type === 'NFS' || type === 'NFS41') {
      const hosts = [...(ds.nas?.remoteHostNames ?? mount?.remoteHostNames ?? []), ds.nas?.remoteHost ?? mount?.remoteHost ?? ''];
      out.nfs = { hosts: [...new Set(hosts.filter((h) => h !== ''))], path: ds.nas?.remotePath ?? mount?.remotePath ?? '' };
    } else if (type === 'VMFS') {
      out.extents = ds.vmfs?.extents.map((e) => e.diskName).filter((n) => n !== '') ?? mount?.extents ?? [];
    }
    return out;
  });
}

/** zvol name → its `naa.` keys, from device extents (`0x6589…` → `naa.6589…`; file extents ignored). */
export function zvolNaaKeys(extents: readonly IscsiExtent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of extents) {
    if (!e.path.startsWith('zvol/') || !e.naa) continue;
    const zvol = e.path.slice('zvol/'.length);
    const key = `naa.${e.naa.replace(/^0x/i, '').toLowerCase()}`;
    out.set(zvol, [...(out.get(zvol) ?? []), key]);
  }
  return out;
}

/** TrueNAS's description of a remote datastore. */
export function describeDatastore(ds: RemoteDatastore): string {
  if (ds.nfs) return `NFS mount '${ds.nfs.path}' on ${ds.nfs.hosts.join(' or ')}`;
  const ext = ds.extents ?? [];
  if (ds.type === 'VMFS') return ext.some((e) => e.startsWith('naa.')) ? `iSCSI extent ${ext.join(', ')}` : ext.join(', ');
  return `${ds.type || 'unknown'} datastore`;
}

/** The local datasets that back `ds` (local enumeration order). */
function backing(ds: RemoteDatastore, input: MatchInput, mounted: { name: string; mountpoint: string }[], naa: Map<string, string[]>): string[] {
  if (ds.nfs) {
    if (!ds.nfs.hosts.some((h) => input.ourHosts.has(h))) return [];
    const owner = owningDataset(ds.nfs.path, mounted);
    return owner ? [owner.name] : [];
  }
  if (ds.type === 'VMFS') {
    const ext = new Set((ds.extents ?? []).map((e) => e.toLowerCase()));
    return input.filesystems.filter((f) => f.type === 'VOLUME' && (naa.get(f.name) ?? []).some((k) => ext.has(k))).map((f) => f.name);
  }
  return [];
}

/** Matches datastores with datasets; both lists sorted by name (TrueNAS shape). */
export function matchDatastores(input: MatchInput): MatchResultOut {
  const naa = zvolNaaKeys(input.extents ?? []);
  const mounted = input.filesystems.flatMap((f) =>
    f.type === 'FILESYSTEM' && f.mountpoint && normalisePath(f.mountpoint) !== null && f.mountpoint.startsWith('/') ? [{ name: f.name, mountpoint: f.mountpoint }] : [],
  );
  const datastores = input.datastores
    .filter((ds) => MATCHABLE_TYPES.has(ds.type))
    .map((ds) => ({ name: ds.name, description: describeDatastore(ds), filesystems: backing(ds, input, mounted, naa) }));
  const exportsOf = new Map<string, string[]>();
  for (const e of input.exports ?? []) {
    const owner = owningDataset(e.path, mounted);
    if (owner) exportsOf.set(owner.name, [...(exportsOf.get(owner.name) ?? []), e.description]);
  }
  const on = (input.nasAddresses ?? []).join(' or ');
  const filesystems = input.filesystems.map((f) => {
    let description: string;
    if (f.type === 'VOLUME') {
      const keys = naa.get(f.name) ?? [];
      description = keys.length ? `iSCSI extent ${keys.join(', ')}` : 'Not shared via iSCSI';
    } else if (exportsOf.has(f.name)) {
      description = (exportsOf.get(f.name) ?? []).join('; ');
    } else if (f.mountpoint && f.mountpoint.startsWith('/')) {
      description = on ? `NFS mount '${f.mountpoint}' on ${on}` : `NFS mount '${f.mountpoint}'`;
    } else {
      description = 'Not mounted';
    }
    return { type: f.type, name: f.name, description };
  });
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { datastores: datastores.sort(byName), filesystems: filesystems.sort(byName) };
}

/**
 * One line per datastore of the server and what backs it, for the "no datastore matches" error:
 * `vmstore (NFS mount '/mnt/tank/vm' on 10.0.0.5, backed by tank/vm)`, `LocalDS_0 (OTHER datastore,
 * cannot be backed by a dataset)`.
 */
export function describeServerDatastores(remote: readonly RemoteDatastore[], match: MatchResultOut): string[] {
  const backed = new Map(match.datastores.map((d) => [d.name, d.filesystems]));
  return [...remote]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((ds) => {
      if (!MATCHABLE_TYPES.has(ds.type)) return `${ds.name} (${ds.type || 'unknown'} datastore, cannot be backed by a dataset)`;
      const fs = backed.get(ds.name) ?? [];
      const by = fs.length ? `backed by ${fs.join(', ')}` : 'not backed by a dataset of this NAS';
      return `${ds.name} (${describeDatastore(ds)}, ${by})`;
    });
}
