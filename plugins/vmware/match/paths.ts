/**
 * Path rules of NFS datastore matching. TrueNAS compares `remotePath` with a dataset mountpoint
 * character for character, so `/mnt/tank/vms/` or a sub-folder never matches (reference §2.3, §7
 * item 11). Here paths are normalised first and a datastore mounted from a folder inside a dataset
 * belongs to the deepest dataset whose mountpoint contains it, compared by path components (so
 * `/mnt/tank/vm` never owns `/mnt/tank/vmware`).
 */
import { posix } from 'node:path';

/**
 * Normalises an absolute POSIX path: collapses `//`, resolves `.` and `..`, drops trailing slashes
 * (`/mnt/tank/vms/` → `/mnt/tank/vms`). A relative path (NFS servers sometimes report `tank/vms`)
 * is taken from the root. Returns null for an empty path.
 */
export function normalisePath(p: string): string | null {
  const trimmed = p.trim();
  if (trimmed === '') return null;
  const abs = posix.normalize(trimmed.startsWith('/') ? trimmed : `/${trimmed}`);
  return abs.length > 1 ? abs.replace(/\/+$/, '') : '/';
}

/** True when `path` is `dir` or inside it (component-wise; both normalised). */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  return path === dir || path.startsWith(`${dir}/`);
}

/** A dataset with a usable mountpoint. */
export interface MountedDataset {
  name: string;
  mountpoint: string;
}

/**
 * The dataset that holds `path`: the one whose (normalised) mountpoint contains it with the most
 * path components; undefined when none does.
 */
export function owningDataset<D extends MountedDataset>(path: string, datasets: readonly D[]): D | undefined {
  const p = normalisePath(path);
  if (p === null) return undefined;
  let best: D | undefined;
  let bestLen = -1;
  for (const d of datasets) {
    const m = normalisePath(d.mountpoint);
    if (m === null || !isWithin(p, m)) continue;
    const len = m === '/' ? 0 : m.split('/').length;
    if (len > bestLen) {
      best = d;
      bestLen = len;
    }
  }
  return best;
}
