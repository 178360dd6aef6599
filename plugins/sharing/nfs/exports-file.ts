/**
 * Writes the generated exports file. The NFS server may read it at any moment (`exportfs -ra` from
 * another tool, a reboot), so it is replaced atomically: written to a temporary file in the same
 * folder, flushed to disk, then renamed over the old one. With no enabled share the file is removed
 * rather than left empty, as TrueNAS does (`FileShouldNotExist`), so a daemon without shares leaves
 * no trace in /etc/exports.d.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `content` atomically (temp file + fsync + rename), creating the folder
 * (mode 0755) when missing. The file gets `mode` (default 0644: exportfs and rpc.mountd read it as root,
 * but admins may read it too). Throws the file system's error (EACCES, ENOSPC …) with the temp file removed.
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // A dot-name without the `.exports` suffix, so exportfs never reads a half-written temp file.
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Reads a file, or null when it does not exist. */
async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Makes the exports file hold `content`, or removes it when `content` is null. Returns whether the
 * file changed, so the caller reloads the NFS server only when needed. Throws on file system errors.
 */
export async function syncExportsFile(path: string, content: string | null): Promise<{ changed: boolean }> {
  const current = await readIfExists(path);
  if (content === null) {
    if (current === null) return { changed: false };
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    return { changed: true };
  }
  if (current === content) return { changed: false };
  await writeFileAtomic(path, content);
  return { changed: true };
}
