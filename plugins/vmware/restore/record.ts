/**
 * A restore record being worked on: every change is written to the datastore before the next step
 * (the record must name what may exist at any moment) and published on `vmware.restore.query`.
 */
import type { Collection, EventBus } from '../../../daemon/plugin.js';
import { currentProcess, type ProcessIdentity } from '../../../daemon/process-identity.js';
import { publishCrud } from '../../../daemon/query/index.js';
import { RESTORE_EVENT, type RestoreRow } from './store.js';
import type { RestoreEntry, RestoreStep } from './schemas.js';

/** This daemon process, as records name it (read once: it does not change while the process runs). */
let me: ProcessIdentity | undefined;
function owner(): { pid: number; process: ProcessIdentity } {
  me ??= currentProcess();
  return { pid: me.pid, process: me };
}

/** Writes and publishes one record's changes, one at a time. */
export class RestoreRecord {
  #row: RestoreRow;

  constructor(
    private readonly store: Collection<RestoreRow>,
    private readonly events: EventBus,
    row: RestoreRow,
  ) {
    this.#row = row;
  }

  /** Inserts a new record (on disk before this resolves). */
  static async create(store: Collection<RestoreRow>, events: EventBus, entry: RestoreEntry): Promise<RestoreRecord> {
    const row = await store.insert({ entry, ...owner() });
    publishCrud(events, RESTORE_EVENT, 'added', entry.id, entry);
    return new RestoreRecord(store, events, row);
  }

  /** A copy of the entry. */
  get entry(): RestoreEntry {
    return structuredClone(this.#row.entry);
  }

  /** Applies `fn` to the entry and writes it (resolves once on disk). */
  async change(fn: (e: RestoreEntry) => void): Promise<void> {
    fn(this.#row.entry);
    this.#row = await this.store.update(this.#row.id, { entry: this.#row.entry, ...owner() });
    publishCrud(this.events, RESTORE_EVENT, 'changed', this.#row.entry.id, this.#row.entry);
  }

  /** Deletes the record (after a complete cleanup). */
  async delete(): Promise<void> {
    await this.store.delete(this.#row.id);
    publishCrud(this.events, RESTORE_EVENT, 'removed', this.#row.entry.id);
  }
}

/** Runs one step, timing it; returns the step and, on failure, the error's message. */
export async function timed(step: RestoreStep['step'], fn: () => Promise<void>): Promise<RestoreStep> {
  const started = Date.now();
  try {
    await fn();
    return { step, ok: true, error: null, ms: Date.now() - started };
  } catch (err) {
    return { step, ok: false, error: err instanceof Error ? err.message : String(err), ms: Date.now() - started };
  }
}
