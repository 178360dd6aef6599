/**
 * lowdb adapter for the datastore file. lowdb's own `JSONFile` (steno) already writes a temp file and
 * renames it, but never fsyncs and leaves the file world-readable (0644 under the usual umask); this
 * one writes `<file>.tmp` with mode 0600, fsyncs it, renames it over the file and fsyncs the folder,
 * so after a crash the file is either the old or the new version, complete.
 */
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';

/** Raised when the file exists but cannot be used; `message` names the file and the problem. */
export class DatastoreFileError extends Error {
  override readonly name = 'DatastoreFileError';
}

/** Reads/writes one JSON document atomically. Reading returns null when the file does not exist. */
export class AtomicJsonFile<T> implements Adapter<T> {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** @throws DatastoreFileError when the file is unreadable or not JSON (the file is not touched). */
  async read(): Promise<T | null> {
    let text: string;
    try {
      const fh = await open(this.file, 'r');
      try {
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new DatastoreFileError(`Cannot read datastore ${this.file}: ${(e as Error).message}`, { cause: e });
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new DatastoreFileError(
        `Datastore ${this.file} is not valid JSON (${(e as Error).message}); it was left untouched. ` +
          'Restore it from a backup (or a <file>.v<N>.bak copy), or move it away to start with an empty datastore.',
        { cause: e },
      );
    }
    // lowdb's Low.read() treats a falsy document as "no file" and would then overwrite it.
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new DatastoreFileError(`Datastore ${this.file} does not hold a JSON object (found ${JSON.stringify(data)?.slice(0, 40)}); it was left untouched`);
    }
    return data as T;
  }

  /** Writes `data` as pretty JSON, atomically and durably. */
  async write(data: T): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.chmod(0o600);
      await fh.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    const dir = await open(dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
