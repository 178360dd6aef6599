/**
 * Follow-up sweeps of one run (issue: late snapshots). A create whose call or task timed out may
 * still take effect on the server (a held SOAP call, a task vSphere finishes after all): its VMware
 * snapshot then appears after the run removed everything it knew of. Instead of waiting for the
 * hourly sweep, the run's record is swept again after each delay of `vmware.sync.late_sweep_seconds`
 * (short, growing: by default 10 s, 20 s, 40 s … 320 s, 10.5 min in all), until the record is closed
 * (every VM resolved) or the delays are used up (then the scheduled sweep takes over).
 *
 * The timer functions are injectable so tests drive the clock; one chain per run id.
 */

/** Timer functions (default: the global setTimeout/clearTimeout, unref'd). */
export interface FollowUpTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** What the follow-ups need. */
export interface FollowUpOptions {
  /** Delays between the run's end and the first sweep, then between sweeps (ms). */
  delaysMs: readonly number[];
  /** Sweeps the run's record; resolves true while something of the run may still exist. */
  sweep(runId: string): Promise<boolean>;
  /** Reports a sweep that threw (the chain goes on). */
  onError(runId: string, err: unknown): void;
  timers?: FollowUpTimers;
}

const realTimers: FollowUpTimers = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** The follow-up chains of every run that left something open. */
export class FollowUps {
  readonly #o: FollowUpOptions;
  readonly #timers: FollowUpTimers;
  readonly #pending = new Map<string, unknown>();
  #stopped = false;

  constructor(o: FollowUpOptions) {
    this.#o = o;
    this.#timers = o.timers ?? realTimers;
  }

  /** Run ids with a follow-up sweep scheduled. */
  scheduled(): string[] {
    return [...this.#pending.keys()];
  }

  /** Starts the chain of `runId` (no-op when it already runs or after {@link stop}). */
  start(runId: string): void {
    if (this.#stopped || this.#pending.has(runId)) return;
    this.#next(runId, 0);
  }

  #next(runId: string, step: number): void {
    const delay = this.#o.delaysMs[step];
    if (delay === undefined || this.#stopped) {
      this.#pending.delete(runId);
      return;
    }
    this.#pending.set(
      runId,
      this.#timers.set(() => {
        void this.#o
          .sweep(runId)
          .catch((err: unknown) => {
            this.#o.onError(runId, err);
            return true;
          })
          .then((open) => {
            if (open) this.#next(runId, step + 1);
            else this.#pending.delete(runId);
          });
      }, delay),
    );
  }

  /** Cancels every chain. */
  stop(): void {
    this.#stopped = true;
    for (const h of this.#pending.values()) this.#timers.clear(h);
    this.#pending.clear();
  }
}
