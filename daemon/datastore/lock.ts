/**
 * A lock file next to the datastore (`<file>.lock`), so two daemons started on the same data folder
 * cannot overwrite each other's writes. The lock dies with its process: it names its owner by pid AND
 * by the owner's identity (the kernel's boot id and the process's start time), so a pid that a reboot
 * or the kernel's pid reuse gave to another process does not hold it. A lock whose owner no longer
 * runs is taken over.
 *
 * File format: one line `<pid> <boot_id> <start_ticks>` (boot_id from /proc/sys/kernel/random/boot_id,
 * start_ticks = field 22 of /proc/<pid>/stat, clock ticks since boot). Files of older versions hold
 * only `<pid>`: such a lock counts as held only when it was written during the current boot (its mtime
 * is after the boot time, /proc/stat `btime`) and its pid runs.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { processAlive } from '../process-alive.js';
import { currentProcess, isRunning } from '../process-identity.js';
import { DatastoreFileError } from './json-file.js';

/** Boot time (ms since the epoch), from /proc/stat `btime`. */
function bootTimeMs(): number {
  return Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0) * 1000;
}

/**
 * The live process holding the lock whose file says `text` (modified at `mtimeMs`), or undefined when
 * the lock is stale: no such process, another boot, or another process under a reused pid.
 */
function liveOwner(text: string, mtimeMs: number): number | undefined {
  const [pidText, boot, ticks] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  if (boot === undefined || ticks === undefined) return mtimeMs > bootTimeMs() ? pid : undefined;
  return isRunning({ pid, bootId: boot, startTicks: ticks }) ? pid : undefined;
}

/**
 * Takes the lock of `file`.
 * @returns a function that releases it.
 * @throws DatastoreFileError naming the lock file and the pid when a running process holds it.
 */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
  const lockFile = `${file}.lock`;
  const me = currentProcess();
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lockFile, 'wx', 0o600);
      try {
        await fh.writeFile(`${me.pid} ${me.bootId} ${me.startTicks}\n`);
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
    const [text, info] = await Promise.all([readFile(lockFile, 'utf8').catch(() => ''), stat(lockFile).catch(() => undefined)]);
    const pid = liveOwner(text, info?.mtimeMs ?? 0);
    if (pid !== undefined) {
      throw new DatastoreFileError(
        `Datastore ${file} is in use by process ${pid} (lock file ${lockFile}); stop that daemon first, ` +
          'or delete the lock file if no such process is a vsnapd',
      );
    }
    await unlink(lockFile).catch(() => undefined);
  }
}
