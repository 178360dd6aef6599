/**
 * Plain words for what the file system refused (Node's `err.code`, POSIX errno names), so that an
 * operator reads `cannot read the backup /srv: it is a folder, not a file [EISDIR]` instead of
 * `EISDIR: illegal operation on a directory, read`. The code stays in brackets, for searching.
 */

/** What each errno means for the path that was used, as the end of a sentence. */
const MEANINGS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist, or a folder on its way does not',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'something with that name is already there',
  EACCES: 'permission denied (check the owner and mode of the file and of the folders on its way)',
  EPERM: 'the operation is not permitted (check the owner, mode and attributes)',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'the path is too long (at most 4095 bytes, and 255 bytes per name)',
  ELOOP: 'too many symbolic links on the way (a link loop?)',
  EMFILE: 'too many open files in vsnapd (raise LimitNOFILE)',
  ENFILE: 'too many open files on the system',
  EBUSY: 'it is in use',
  EIO: 'an input/output error (check the disk)',
};

/** The errno name of `err` (`ENOENT` …), or undefined when it has none. */
export function errnoName(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * `"<action> <path>: <meaning> [CODE]"`, e.g. `cannot write the backup /x/b.age: it does not exist,
 * or a folder on its way does not [ENOENT]`. An error without a known code keeps its own message.
 * @param action what was tried, e.g. `cannot read the config file`
 */
export function describeFsError(err: unknown, action: string, path: string): string {
  const code = errnoName(err);
  const meaning = code !== undefined ? MEANINGS[code] : undefined;
  if (meaning) return `${action} ${path}: ${meaning} [${code}]`;
  return `${action} ${path}: ${err instanceof Error ? err.message : String(err)}`;
}
