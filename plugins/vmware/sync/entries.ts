/**
 * Which vmware entries a ZFS snapshot coordinates with (SPEC §4 step 1; TrueNAS §3.1): entries whose
 * `filesystem` is the dataset, and for a recursive snapshot also those under it (`tank/vm` covers
 * `tank/vm/a`, never `tank/vmx`). A non-recursive snapshot of a parent does not coordinate.
 */

/** The fields of a vmware entry that selection needs (the full entry has more). */
export interface SyncEntryRef {
  id: number;
  /** ZFS dataset the entry's datastores live on, e.g. `tank/vms`. */
  filesystem: string;
  /** Datastore names as vSphere shows them (exact). */
  datastores: readonly string[];
  /** Disabled entries are not coordinated. */
  enabled?: boolean;
}

/** True when `filesystem` is `dataset` or (recursive) a descendant of it. */
export function datasetCovers(dataset: string, recursive: boolean, filesystem: string): boolean {
  const ds = dataset.replace(/\/+$/, '');
  const fs = filesystem.replace(/\/+$/, '');
  return fs === ds || (recursive && fs.startsWith(`${ds}/`));
}

/** The enabled entries a snapshot of `dataset` coordinates with, in id order. */
export function entriesForDataset<E extends SyncEntryRef>(entries: readonly E[], dataset: string, recursive: boolean): E[] {
  return entries
    .filter((e) => e.enabled !== false && datasetCovers(dataset, recursive, e.filesystem))
    .sort((a, b) => a.id - b.id);
}
