/**
 * Serialises every write of the datastore through one queue, with group commit: the changes queued
 * while a write is on disk are applied together to a copy of the data and written once. Readers see
 * only committed data (what is on disk), so a row is visible once its insert has resolved.
 */
import type { Low } from 'lowdb';
import { CallError, Errno, errnoFromCode } from '../errors.js';
import type { DbFile } from './schema.js';

/** What one queued change did: its result, and whether the data changed (no write otherwise). */
export interface Change<R> {
  result: R;
  changed: boolean;
}

/**
 * A queued change. It must throw BEFORE mutating `draft` when it cannot apply (e.g. unknown id),
 * because the other changes of its batch share the draft.
 */
export type Apply<R> = (draft: DbFile) => Change<R>;

interface Op {
  apply: Apply<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** The single writer of one datastore file. */
export class WriteQueue {
  readonly #db: Low<DbFile>;
  #committed: DbFile;
  #pending: Op[] = [];
  /** Set and cleared synchronously by #drain, so a change queued right as it ends starts a new one. */
  #running = false;
  #idle: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(db: Low<DbFile>) {
    this.#db = db;
    this.#committed = db.data;
  }

  /** The committed data. Treat as read-only: copy before handing anything out. */
  get data(): DbFile {
    return this.#committed;
  }

  /**
   * Queues a change; resolves with its result once it is on disk.
   * @throws CallError (EIO-like errno of the failure) when the write fails, ECANCELED after close().
   */
  run<R>(apply: Apply<R>): Promise<R> {
    if (this.#closed) return Promise.reject(new CallError('Datastore is closed (the daemon is shutting down)', Errno.ECANCELED));
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ apply, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#running) {
        this.#running = true;
        this.#idle = this.#drain();
      }
    });
  }

  /** Resolves when every change queued so far is on disk (or failed). */
  async flush(): Promise<void> {
    while (this.#running) await this.#idle;
  }

  /** Refuses further changes and waits for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  async #drain(): Promise<void> {
    // The flag is cleared in this function's own finally, in the same tick as the last empty-queue
    // check: a caller resuming from a resolved change and queueing another then starts a new drain.
    try {
      while (this.#pending.length > 0) await this.#batch();
    } finally {
      this.#running = false;
    }
  }

  /** Applies every queued change to one draft and writes it once (group commit). */
  async #batch(): Promise<void> {
    const batch = this.#pending.splice(0);
    const draft = structuredClone(this.#committed);
    const applied: [Op, unknown][] = [];
    let changed = false;
    for (const op of batch) {
      try {
        const c = op.apply(draft);
        changed ||= c.changed;
        applied.push([op, c.result]);
      } catch (e) {
        op.reject(e);
      }
    }
    if (changed) {
      try {
        this.#db.data = draft;
        await this.#db.write();
        this.#committed = draft;
      } catch (e) {
        this.#db.data = this.#committed;
        const code = (e as NodeJS.ErrnoException).code;
        const err = new CallError(`Cannot write datastore: ${(e as Error).message}`, code ? errnoFromCode(code) : Errno.EIO, null, { cause: e });
        for (const [op] of applied) op.reject(err);
        return;
      }
    }
    for (const [op, result] of applied) op.resolve(result);
  }
}
