/**
 * Whether a pre/post script path may run as root: the file and every folder above it must be owned
 * by root, the file must be a regular, owner-executable file that neither group nor others can
 * write, its own folder must not be writable by others, and no folder above it may be writable by
 * others unless it has the sticky bit (as /tmp: others cannot replace what root owns there).
 * Both the path as given and its symlink-resolved target are checked.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeFsError, errnoName } from '../../../daemon/fs-error.js';

function folders(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); ; d = dirname(d)) {
    out.push(d);
    if (d === dirname(d)) return out;
  }
}

async function checkFolders(path: string): Promise<string | null> {
  for (const [i, dir] of folders(path).entries()) {
    const st = await stat(dir);
    if (st.uid !== 0) return `folder ${dir} is owned by uid ${st.uid}, not root`;
    const worldWritable = (st.mode & 0o002) !== 0;
    const sticky = (st.mode & 0o1000) !== 0;
    if (worldWritable && (i === 0 || !sticky)) return `folder ${dir} is writable by everyone (mode ${(st.mode & 0o7777).toString(8)})`;
  }
  return null;
}

/**
 * Checks `path` (absolute). Resolves the reason it may not run, or null when it may.
 * Never rejects: a missing file or folder is a reason too.
 */
export async function untrustedReason(path: string): Promise<string | null> {
  try {
    const real = await realpath(path);
    const st = await stat(real);
    if (!st.isFile()) return `${path} is not a regular file`;
    if (st.uid !== 0) return `${path} is owned by uid ${st.uid}, not root`;
    if ((st.mode & 0o022) !== 0) return `${path} is writable by group or others (mode ${(st.mode & 0o7777).toString(8)}); chmod go-w it`;
    if ((st.mode & 0o100) === 0) return `${path} is not executable (mode ${(st.mode & 0o7777).toString(8)}); chmod u+x it`;
    return (await checkFolders(path)) ?? (real === path ? null : await checkFolders(real));
  } catch (err) {
    return errnoName(err) === 'ENOENT' ? `${path} does not exist` : describeFsError(err, 'cannot check', path);
  }
}
