/**
 * The `pool.snapshottask` collection: rows, their wire entries, state changes, and the
 * `pool.snapshottask.query` events (added/changed/removed with the entry; state changes as
 * `changed` with `fields: {state}`, as TrueNAS streams zettarepl state).
 */
import { InstanceNotFound } from '../../../daemon/errors.js';
import type { Collection, EventBus } from '../../../daemon/plugin.js';
import { publishCrud } from '../../../daemon/query/index.js';
import { toWireDate } from '../../../daemon/wire/date.js';
import type { StoredTaskState, TaskData, TaskEntryT, TaskRow } from './schemas.js';

/** The event name. */
export const TASK_EVENT = 'pool.snapshottask.query';
/** Name in "not found" messages. */
export const TASK_VERBOSE_NAME = 'Periodic Snapshot Task';

/** The wire form of a stored state. */
export function wireState(s: StoredTaskState): TaskEntryT['state'] {
  const out: TaskEntryT['state'] = { state: s.state };
  if (s.datetime !== undefined) out.datetime = toWireDate(s.datetime);
  if (s.error !== undefined) out.error = s.error;
  if (s.reason !== undefined) out.reason = s.reason;
  if (s.warnings !== undefined && s.warnings.length > 0) out.warnings = s.warnings;
  if (s.last_snapshot !== undefined) out.last_snapshot = s.last_snapshot;
  if (s.vmware_sync !== undefined) out.vmware_sync = { ...s.vmware_sync };
  return out;
}

/** Rows, entries and events of the snapshot tasks. */
export class TaskStore {
  readonly #rows: Collection<TaskRow>;
  readonly #events: EventBus;

  constructor(rows: Collection<TaskRow>, events: EventBus) {
    this.#rows = rows;
    this.#events = events;
  }

  /** Every task, in id order. */
  all(): TaskRow[] {
    return this.#rows.all();
  }

  /** Task `id`; throws InstanceNotFound ("Periodic Snapshot Task <id> does not exist"). */
  get(id: number): TaskRow {
    const row = this.#rows.get(id);
    if (!row) throw new InstanceNotFound(TASK_VERBOSE_NAME, id);
    return row;
  }

  /** The API entry of a row. */
  entry(row: TaskRow): TaskEntryT {
    return {
      ...row,
      exclude: [...row.exclude],
      schedule: { ...row.schedule },
      vmware_rules: row.vmware_rules ?? null,
      vmware_scripts: row.vmware_scripts ?? null,
      state: wireState(row.state),
    };
  }

  /** Stores a new task (state PENDING) and announces it (`added`). */
  async insert(data: TaskData): Promise<TaskRow> {
    const row = await this.#rows.insert({ ...data, state: { state: 'PENDING' } });
    publishCrud(this.#events, TASK_EVENT, 'added', row.id, this.entry(row));
    return row;
  }

  /** Replaces task `id`'s fields (state kept) and announces it (`changed`). */
  async update(id: number, data: TaskData): Promise<TaskRow> {
    const row = await this.#rows.update(id, data);
    publishCrud(this.#events, TASK_EVENT, 'changed', row.id, this.entry(row));
    return row;
  }

  /** Deletes task `id` and announces it (`removed`). */
  async remove(id: number): Promise<void> {
    if (await this.#rows.delete(id)) publishCrud(this.#events, TASK_EVENT, 'removed', id);
  }

  /** Records a new state (persisted: FINISHED/ERROR/last_snapshot survive restarts) and streams it. */
  async setState(id: number, state: StoredTaskState): Promise<void> {
    if (!this.#rows.get(id)) return; // deleted while it ran
    const row = await this.#rows.update(id, { state });
    publishCrud(this.#events, TASK_EVENT, 'changed', id, { state: wireState(row.state) });
  }

  /** At start-up: a run the daemon died in cannot finish any more. */
  async recoverInterrupted(now: number): Promise<void> {
    for (const row of this.all()) {
      if (row.state.state !== 'RUNNING') continue;
      await this.setState(row.id, {
        state: 'ERROR',
        datetime: now,
        error: 'The daemon stopped while this task was running',
        last_snapshot: row.state.last_snapshot ?? null,
      });
    }
  }
}
