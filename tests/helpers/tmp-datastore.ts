/**
 * Temp folders and datastores for tests: each test gets its own folder, removed (with any
 * datastore closed) at teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { openDatastore, type DatastoreImpl, type Migration } from '../../daemon/datastore/index.js';
import type { Teardown } from './daemon.js';

/** A silent logger. */
export const silentLog: Logger = pino({ level: 'silent' });

/** A fresh temp folder, removed at teardown. */
export function tempDir(t: Teardown, prefix = 'vsnapd-ds-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Paths of a datastore in `dir`. */
export function dbPaths(dir: string): { file: string; keyFile: string } {
  return { file: join(dir, 'vsnapd.db.json'), keyFile: join(dir, 'secret.key') };
}

/** Opens the datastore of `dir` (closed at teardown). */
export async function openTemp(t: Teardown, dir: string, migrations?: readonly Migration[], log: Logger = silentLog): Promise<DatastoreImpl> {
  const ds = await openDatastore({ ...dbPaths(dir), log, ...(migrations ? { migrations } : {}) });
  t.teardown(() => ds.close());
  return ds;
}
