/**
 * The `path` of an NFS share: it must be a mounted ZFS dataset's mountpoint or a folder inside one
 * (TrueNAS: "The path must reside within a pool mount point"), exist, be a directory, not be a
 * symbolic link, and not be in the `.zfs` control directory. Exporting anything else would let the
 * NFS server hand out a folder of the root file system, or an empty folder under an unmounted dataset.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { Errno, type ValidationErrors } from '../../../daemon/errors.js';

/** A ZFS filesystem dataset and where it is mounted, as the ZFS adapter reports it. */
export interface DatasetMount {
  /** Dataset name, e.g. `tank/vmware`. */
  name: string;
  /** Absolute mountpoint, e.g. `/mnt/tank/vmware`. */
  mountpoint: string;
  /** The `mounted` property when known; otherwise the file system is asked (see {@link isMountpoint}). */
  mounted?: boolean;
}

/** What a valid share path resolved to. */
export interface SharePathInfo {
  /** The path with symbolic links in its parents resolved. */
  realpath: string;
  /** The dataset the path is in (the deepest one whose mountpoint contains it). */
  dataset: string;
  /** True when the path is the dataset's mountpoint itself (see render.ts on subtree_check). */
  mountpoint: boolean;
}

/**
 * Syntax problems of a share path, or null: it must be absolute and normalised (so that equal paths
 * compare equal and exports(5) sees what the admin wrote) and free of characters an exports line
 * cannot carry inside double quotes (`"`, `\`, control characters).
 */
export function pathSyntaxProblem(path: string): string | null {
  if (!path.startsWith('/')) return `The path must be absolute, e.g. /mnt/tank/vmware (got ${JSON.stringify(path)})`;
  if (/["\\\p{Cc}]/u.test(path)) return 'The path must not contain double quotes, backslashes or control characters';
  const normal = posix.normalize(path).replace(/(.)\/$/, '$1');
  if (normal !== path) return `The path must be normalised (no ".", "..", "//" or trailing "/"): use ${normal}`;
  if (path.split('/').includes('.zfs')) {
    return 'The ZFS control directory (.zfs) and snapshot directory (.zfs/snapshot) are not permitted paths.';
  }
  return null;
}

/**
 * True when `path` is a mount point: it is `/` or lives on another device than its parent folder.
 * Used when the ZFS adapter does not report `mounted`. Throws the file system's error (ENOENT …).
 */
export async function isMountpoint(path: string): Promise<boolean> {
  if (path === '/') return true;
  const [self, parent] = await Promise.all([stat(path), stat(dirname(path))]);
  return self.dev !== parent.dev;
}

/** `child` equals `parent` or is below it (path-component-wise: /mnt/tank2 is not in /mnt/tank). */
export function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent === '/' ? '/' : `${parent}/`);
}

/** realpath, or the path itself when it cannot be resolved (an unmounted dataset's missing mountpoint). */
async function realpathOr(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** What to say when the file system refuses to look at a share path (other codes propagate). */
const FS_PROBLEMS: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'A folder name in the path is longer than 255 bytes (NAME_MAX); no such folder can exist',
  EACCES: 'Permission denied while looking up the path: vsnapd cannot examine a folder on the way',
  ELOOP: 'The path runs through a loop of symbolic links',
};

/**
 * Checks a share path against the datasets, adding errors under `attribute`. Returns the resolved
 * path and dataset, or null when an error was added. Never throws for a bad path; throws only when
 * a dataset's mountpoint cannot be examined for reasons other than absence.
 */
export async function checkSharePath(
  attribute: string,
  path: string,
  datasets: readonly DatasetMount[],
  verrors: ValidationErrors,
): Promise<SharePathInfo | null> {
  const syntax = pathSyntaxProblem(path);
  if (syntax) {
    verrors.add(attribute, syntax);
    return null;
  }
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      verrors.add(attribute, `Path ${path} does not exist: create the dataset or folder first`, Errno.ENOENT);
      return null;
    }
    const problem = FS_PROBLEMS[code ?? ''];
    if (problem) {
      // The path is not repeated: it may be thousands of characters.
      verrors.add(attribute, problem, Errno.EINVAL);
      return null;
    }
    throw err;
  }
  if (st.isSymbolicLink()) {
    verrors.add(attribute, `Symbolic links are not allowed: ${path}.`);
    return null;
  }
  if (!st.isDirectory()) {
    verrors.add(attribute, 'The path must be a directory', Errno.ENOTDIR);
    return null;
  }
  const real = await realpath(path);
  const candidates = await Promise.all(
    datasets.map(async (d) => ({ ...d, real: await realpathOr(d.mountpoint) })),
  );
  const owner = candidates
    .filter((d) => d.mountpoint.startsWith('/') && isWithin(real, d.real))
    .sort((a, b) => b.real.length - a.real.length)[0];
  if (!owner) {
    const known = candidates.map((d) => d.mountpoint).filter((m) => m.startsWith('/')).slice(0, 8);
    verrors.add(
      attribute,
      'The path must reside within a pool mount point (a mounted ZFS dataset or a folder inside one); ' +
        (known.length ? `dataset mountpoints: ${known.join(', ')}` : 'no ZFS dataset is mounted'),
    );
    return null;
  }
  const mounted = owner.mounted ?? (await isMountpoint(owner.real));
  if (!mounted) {
    verrors.add(attribute, `Dataset ${owner.name} is not mounted at ${owner.mountpoint}: mount it before sharing ${path}`);
    return null;
  }
  return { realpath: real, dataset: owner.name, mountpoint: real === owner.real };
}
