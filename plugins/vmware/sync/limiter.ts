/**
 * A concurrency limiter with two bounds: at most `global` operations in flight overall and at most
 * `perHost` on any one ESXi host. The per-host bound limits the stun load a host takes at once
 * (snapshot create/remove briefly stuns the VM and loads the host's storage path); the global bound
 * protects vCenter (reference B.7: one task per VM, SCV runs 30 per datastore).
 *
 * Waiting operations are served first come, first served among those whose host has room, so a busy
 * host never blocks the others (no head-of-line blocking).
 */

/** Bounds; both ≥ 1. */
export interface LimiterBounds {
  global: number;
  perHost: number;
}

interface Waiter {
  host: string;
  start: () => void;
}

/** See the module comment. One limiter per run, shared by every vCenter of the run. */
export class HostLimiter {
  readonly #bounds: LimiterBounds;
  readonly #perHost = new Map<string, number>();
  readonly #queue: Waiter[] = [];
  #running = 0;
  #peak = 0;

  /** @throws RangeError when a bound is not a whole number ≥ 1 */
  constructor(bounds: LimiterBounds) {
    for (const [k, v] of Object.entries(bounds)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`limiter ${k}: must be a whole number ≥ 1, got ${v}`);
    }
    this.#bounds = { ...bounds };
  }

  /** Operations in flight now. */
  get running(): number {
    return this.#running;
  }

  /** Operations waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Most operations ever in flight at once (for tests and the run report). */
  get peak(): number {
    return this.#peak;
  }

  /** In flight on `host` now. */
  runningOn(host: string): number {
    return this.#perHost.get(host) ?? 0;
  }

  #fits(host: string): boolean {
    return this.#running < this.#bounds.global && this.runningOn(host) < this.#bounds.perHost;
  }

  #take(host: string): void {
    this.#running++;
    this.#peak = Math.max(this.#peak, this.#running);
    this.#perHost.set(host, this.runningOn(host) + 1);
  }

  #release(host: string): void {
    this.#running--;
    const n = this.runningOn(host) - 1;
    if (n <= 0) this.#perHost.delete(host);
    else this.#perHost.set(host, n);
    this.#drain();
  }

  #drain(): void {
    for (let i = 0; i < this.#queue.length && this.#running < this.#bounds.global; ) {
      const w = this.#queue[i] as Waiter;
      if (this.#fits(w.host)) {
        this.#queue.splice(i, 1);
        this.#take(w.host);
        w.start();
      } else i++;
    }
  }

  /**
   * Runs `fn` once a slot on `host` is free and returns its result. `host` is an opaque key (the ESXi
   * host moref, scoped by vCenter); VMs with an unknown host share the key `''`.
   * A rejected `signal` (aborted while waiting) rejects with its reason without running `fn`.
   */
  run<T>(host: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const go = async (): Promise<T> => {
      try {
        return await fn();
      } finally {
        this.#release(host);
      }
    };
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        host,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          go().then(resolve, reject);
        },
      };
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#drain();
    });
  }
}
