/**
 * Turns a failed `zfs`/`zpool` run into a {@link CallError} with an errno the API can act on.
 * The CLI only reports failures as English text on stderr (both OpenZFS 2.x and zfs-fuse; we run
 * them with `LC_ALL=C`), so this matches the libzfs message texts (`libzfs_util.c`, `zfs_main.c`).
 */
import { CallError, Errno } from '../../../daemon/errors.js';

/** What we know about a finished (or failed-to-start) process. */
export interface ProcessFailure {
  /** `zfs` or `zpool` plus the subcommand, e.g. `zfs snapshot` (for the message). */
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stderr: string;
  /** Node's spawn error code (`ENOENT` when the binary is missing). */
  readonly spawnCode?: string;
  /** The binary path, for "not found" messages. */
  readonly binary: string;
  readonly timedOut?: boolean;
  readonly canceled?: boolean;
}

/** stderr fragment → errno, first match wins. Lower-cased comparisons. */
const PATTERNS: ReadonlyArray<readonly [RegExp, number]> = [
  [/failed to initialize zfs library|zfs-fuse daemon is running|\/dev\/zfs/, Errno.EIO],
  [/pool i\/o is currently suspended|is currently unavailable|pool is (offline|unavailable|faulted)|no valid replicas|one or more devices (is|are) currently unavailable/, Errno.EIO],
  [/dataset already exists|already exists|snapshot exists/, Errno.EEXIST],
  [/dataset does not exist|no such pool|no such dataset|could not find any snapshots|does not exist/, Errno.ENOENT],
  [/dataset is busy|pool is busy|is busy|has dependent clones|snapshot is held|device busy/, Errno.EBUSY],
  [/permission denied|operation not permitted|insufficient privileges/, Errno.EPERM],
  [/out of space|no space left|quota exceeded/, Errno.ENOSPC],
  [/invalid character|invalid property|bad property|invalid option|invalid name|name is too long|can not be modified|cannot be set|missing|usage:/, Errno.EINVAL],
];

/** Picks the most useful line of stderr: the first `cannot …` line, else the first non-empty one. */
export function stderrSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const cannot = lines.find((l) => /^cannot |^internal error|^connect:/.test(l));
  return cannot ?? lines[0] ?? '';
}

/** Maps a process failure to a CallError naming the command, the reason and, where useful, the fix. */
export function mapZfsFailure(f: ProcessFailure): CallError {
  if (f.canceled) return new CallError(`${f.command} was cancelled`, Errno.ECANCELED);
  if (f.timedOut) return new CallError(`${f.command} timed out`, Errno.ETIMEDOUT);
  if (f.spawnCode === 'ENOENT') {
    return new CallError(
      `${f.binary} not found: install ZFS or set the binary path in the config (zfs.zfs_path / zfs.zpool_path)`,
      Errno.ENOENT,
    );
  }
  if (f.spawnCode === 'EACCES') return new CallError(`${f.binary} is not executable`, Errno.EACCES);
  const summary = stderrSummary(f.stderr);
  const text = f.stderr.toLowerCase();
  let errno: number = Errno.EFAULT;
  for (const [pattern, code] of PATTERNS) {
    if (pattern.test(text)) {
      errno = code;
      break;
    }
  }
  if (/failed to initialize zfs library|zfs-fuse daemon is running/.test(text)) {
    return new CallError(`ZFS is not available (${f.command}): ${summary}; is the ZFS module or zfs-fuse daemon running?`, errno);
  }
  const detail = summary || `exited with code ${String(f.exitCode)}`;
  return new CallError(`${f.command}: ${detail}`, errno);
}
