/**
 * A bound on expensive work started by peers that have not logged in yet (the admin password's
 * scrypt: ~50 ms and 32 MiB each on libuv's thread pool, which file I/O and DNS share). At most
 * `concurrency` checks run at once and at most `capacity` are admitted in all (running plus
 * waiting); a check beyond that is refused at once with CallError EBUSY "Rate Limit Exceeded"
 * (TrueNAS's wording), so a flood from many addresses cannot queue unbounded work or starve the pool.
 */
import { CallError, Errno } from '../errors.js';

/** Limits of a {@link WorkGate}. */
export interface WorkGateOptions {
  /** Checks running at once (libuv's pool has 4 threads by default: leave it room). */
  readonly concurrency: number;
  /** Checks admitted in all, running plus waiting; more are refused. At least `concurrency`. */
  readonly capacity: number;
}

/** Admits at most `capacity` jobs and runs at most `concurrency` of them at once, in arrival order. */
export class WorkGate {
  readonly #opts: WorkGateOptions;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(opts: WorkGateOptions) {
    if (opts.concurrency < 1 || opts.capacity < opts.concurrency) throw new RangeError('WorkGate needs 1 <= concurrency <= capacity');
    this.#opts = opts;
  }

  /** Jobs admitted and not finished (running plus waiting). */
  get admitted(): number {
    return this.#running + this.#waiting.length;
  }

  /**
   * Runs `work` when a slot is free and resolves or rejects with it.
   * @throws CallError EBUSY (synchronously, before `work` starts) when `capacity` jobs are admitted already.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.admitted >= this.#opts.capacity) throw new CallError('Rate Limit Exceeded', Errno.EBUSY);
    let started: Promise<void>;
    if (this.#running < this.#opts.concurrency) {
      this.#running++;
      started = Promise.resolve();
    } else {
      started = new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    return started.then(work).finally(() => this.#release());
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the slot passes to the next job: #running stays
    else this.#running--;
  }
}
