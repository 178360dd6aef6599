/**
 * A lock file next to the datastore (`<file>.lock`, holding the owner's pid), so two daemons started
 * on the same data folder cannot overwrite each other's writes. A lock left by a process that no
 * longer runs is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { processAlive } from '../process-alive.js';
import { DatastoreFileError } from './json-file.js';

/**
 * Takes the lock of `file`.
 * @returns a function that releases it.
 * @throws DatastoreFileError naming the lock file and the pid when a running process holds it.
 */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
  const lockFile = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lockFile, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      return async () => {
        await unlink(lockFile).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        throw new DatastoreFileError(`Cannot lock datastore ${file} (${lockFile}): ${(e as Error).message}`, { cause: e });
      }
    }
    const pid = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new DatastoreFileError(
        `Datastore ${file} is in use by process ${pid} (lock file ${lockFile}); stop that daemon first, ` +
          'or delete the lock file if no such process is a vsnapd',
      );
    }
    await unlink(lockFile).catch(() => undefined);
  }
}
