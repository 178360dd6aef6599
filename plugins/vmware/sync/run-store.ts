/**
 * The persisted record of a coordination run (SPEC §4 step 4; reference A.10, NAS-141124: "persist
 * the undo context before acting"). A run writes its record with every planned VM BEFORE the first
 * VMware snapshot is requested, adds snapshot morefs (and the task morefs of creates that did not
 * finish) as they become known, forces a write before the ZFS snapshot, and deletes the record when
 * every snapshot it made is gone. A record that outlives its run (daemon killed, vCenter down during
 * removal) is what the start-up recovery and `vmware.sweep` work from.
 *
 * Collection `vmware.sync.runs`; no secrets (the credentials are looked up from the vmware entries).
 */
import type { Collection, Datastore, Row } from '../../../daemon/plugin.js';

/** Collection name. */
export const RUN_COLLECTION = 'vmware.sync.runs';

/** Where a VM's snapshot stands. */
export type RunItemStatus = 'pending' | 'created' | 'failed' | 'removed';

/** One VM of a run. */
export interface RunItem {
  /** The entry the VM was selected for (the first one, when several entries share the VM). */
  entry_id: number;
  /** vCenter/ESXi of the entry (to find another entry with the same server if it was deleted). */
  hostname: string;
  port: number;
  username: string;
  /** VirtualMachine moref value (`vm-42`). */
  vm: string;
  vm_name: string;
  /** The create task moref value when the create did not finish (timeout): the snapshot may appear later. */
  task: string | null;
  /** VirtualMachineSnapshot moref value once known. */
  snapshot: string | null;
  status: RunItemStatus;
}

/** Run phases. */
export type RunState = 'creating' | 'snapshotting' | 'removing' | 'leftover';

/** One run. */
export interface RunRow extends Row {
  run_id: string;
  /** Full ZFS snapshot name, `tank/vm@auto-…`. */
  snapshot: string;
  state: RunState;
  /** Epoch ms. */
  started_at: number;
  /** The daemon process that ran it (diagnostics only). */
  pid: number;
  items: RunItem[];
}

/** Opens the collection. */
export function openRunStore(db: Datastore): Collection<RunRow> {
  return db.collection<RunRow>({ name: RUN_COLLECTION });
}

/** True for items whose VMware snapshot may still exist. */
export function mayHoldSnapshot(item: RunItem): boolean {
  return item.status === 'pending' || item.status === 'created' || (item.status === 'failed' && item.task !== null);
}

/**
 * A run's record, written through a coalescing writer: mutations are applied to an in-memory copy and
 * written at most one write at a time (the latest state wins), so 500 VMs finishing together cost a
 * handful of datastore commits. {@link flush} waits until the current state is on disk.
 */
export class RunRecorder {
  readonly #store: Collection<RunRow>;
  #row: RunRow;
  #dirty = false;
  #writing: Promise<void> | undefined;
  #deleted = false;

  private constructor(store: Collection<RunRow>, row: RunRow) {
    this.#store = store;
    this.#row = row;
  }

  /** Inserts the record (written before this resolves). */
  static async create(store: Collection<RunRow>, init: Omit<RunRow, 'id'>): Promise<RunRecorder> {
    return new RunRecorder(store, await store.insert(init));
  }

  /** A copy of the current state. */
  get row(): RunRow {
    return structuredClone(this.#row);
  }

  /** Applies `fn` to the record and schedules a write. */
  change(fn: (row: RunRow) => void): void {
    if (this.#deleted) return;
    fn(this.#row);
    this.#dirty = true;
    this.#writing ??= this.#drain();
  }

  /** Changes the item of `vm` (moref value); unknown VMs are ignored. */
  item(vm: string, patch: Partial<RunItem>): void {
    this.change((row) => {
      const it = row.items.find((i) => i.vm === vm);
      if (it) Object.assign(it, patch);
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty && !this.#deleted) {
        this.#dirty = false;
        const { id, ...rest } = structuredClone(this.#row);
        await this.#store.update(id, rest);
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Resolves when every change so far is on disk. @throws the datastore's write error */
  async flush(): Promise<void> {
    while (this.#writing || (this.#dirty && !this.#deleted)) {
      await (this.#writing ??= this.#drain());
    }
  }

  /** Deletes the record (after a clean removal). */
  async delete(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.#deleted = true;
    await this.#store.delete(this.#row.id);
  }
}
