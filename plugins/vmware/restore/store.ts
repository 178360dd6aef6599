/**
 * The persisted restore records (collection `vmware.restores`). A restore writes what it is about to
 * create BEFORE creating it (names first, `created: true` after), so a failure or a daemon killed
 * half-way leaves a record naming everything that may exist; `vmware.restore_cleanup` removes
 * exactly that and deletes the record when nothing is left.
 */
import type { Collection, Datastore, Row } from '../../../daemon/plugin.js';
import { isCurrentProcess, type ProcessIdentity } from '../../../daemon/process-identity.js';
import type { RestoreEntry } from './schemas.js';

/** Collection name. */
export const RESTORE_COLLECTION = 'vmware.restores';
/** The event of `vmware.restore.query`. */
export const RESTORE_EVENT = 'vmware.restore.query';

/** One stored record: the API entry (`id` is the restore id) plus the process that ran it. */
export interface RestoreRow extends Row {
  entry: RestoreEntry;
  /** The daemon process that last wrote it (kept for records of older versions, which have no `process`). */
  pid: number;
  /** That process's identity (pid, boot id, start time); absent in records of older versions. */
  process?: ProcessIdentity;
}

/** Opens the collection. */
export function openRestoreStore(db: Datastore): Collection<RestoreRow> {
  return db.collection<RestoreRow>({ name: RESTORE_COLLECTION });
}

/** Finds a record by restore id. */
export function findRestore(store: Collection<RestoreRow>, id: string): RestoreRow | undefined {
  return store.all().find((r) => r.entry.id === id);
}

/**
 * True when this very daemon process (same pid, boot id and start time, daemon/process-identity.ts)
 * last wrote `row`. A record of another process — or of an older version, which names its process by
 * pid only (after a reboot or in a restarted container the new daemon often has the same pid) — is
 * not this process's, so a RESTORING/CLEANING state on it was cut short.
 */
export function writtenByThisProcess(row: RestoreRow): boolean {
  return row.process !== undefined && isCurrentProcess(row.process);
}
