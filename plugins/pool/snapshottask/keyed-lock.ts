/**
 * Small in-process coordination helpers for task runs: a keyed mutex (one holder per key, FIFO) and
 * the memory of snapshots taken this minute, so two tasks that produce the same snapshot in the same
 * minute share it instead of failing (zettarepl: "already created in this tick by another task").
 */

/** One holder per key at a time; others wait in order. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier holder of `key` has finished. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

/** Snapshots created recently, by which tasks, keyed by `dataset@name`. */
export class RecentSnapshots {
  readonly #taken = new Map<string, { at: number; tasks: Set<number> }>();
  readonly #ttlMs: number;

  /** Entries older than `ttlMs` (default 2 minutes) are forgotten. */
  constructor(ttlMs = 120_000) {
    this.#ttlMs = ttlMs;
  }

  /** The tasks that took `snapshot` recently (empty set when none). */
  takenBy(snapshot: string, now: number): ReadonlySet<number> {
    this.#prune(now);
    return this.#taken.get(snapshot)?.tasks ?? new Set();
  }

  /** Records that task `taskId` took or shared `snapshot`. */
  add(snapshot: string, taskId: number, now: number): void {
    const entry = this.#taken.get(snapshot);
    if (entry) entry.tasks.add(taskId);
    else this.#taken.set(snapshot, { at: now, tasks: new Set([taskId]) });
  }

  /** Forgets `snapshot` (it was destroyed, e.g. as empty). */
  delete(snapshot: string): void {
    this.#taken.delete(snapshot);
  }

  #prune(now: number): void {
    for (const [k, v] of this.#taken) if (now - v.at > this.#ttlMs) this.#taken.delete(k);
  }
}
