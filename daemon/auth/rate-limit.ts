/**
 * Failed-login rate limit per peer address: after `maxFailures` failures within `windowMs`, every
 * login attempt from that address is refused (CallError EBUSY "Rate Limit Exceeded", TrueNAS's
 * wording) until the oldest failure leaves the window.
 */
import { CallError, Errno } from '../errors.js';

/** Limit settings. */
export interface RateLimitOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Clock (ms), injectable for unit tests. */
  readonly now?: () => number;
}

/**
 * Addresses tracked at most. Past this, expired entries are swept, then the oldest dropped, so a
 * flood of distinct (e.g. IPv6) sources cannot grow memory without bound.
 */
export const MAX_TRACKED_ADDRESSES = 10_000;

/** Tracks failures per address. */
export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #opts: Required<RateLimitOptions>;

  constructor(opts: RateLimitOptions) {
    this.#opts = { now: Date.now, ...opts };
  }

  #recent(address: string): number[] {
    const cutoff = this.#opts.now() - this.#opts.windowMs;
    const list = (this.#failures.get(address) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, list);
    return list;
  }

  /** Throws CallError EBUSY when `address` is over the limit. Unix-socket peers are never limited. */
  check(address: string): void {
    if (address === 'unix') return;
    if (this.#recent(address).length >= this.#opts.maxFailures) {
      throw new CallError('Rate Limit Exceeded', Errno.EBUSY);
    }
  }

  /** Records a failed attempt. */
  fail(address: string): void {
    if (address === 'unix') return;
    const list = [...this.#recent(address), this.#opts.now()];
    this.#failures.delete(address); // re-insert: Map order is then least recently failed first
    this.#failures.set(address, list);
    if (this.#failures.size > MAX_TRACKED_ADDRESSES) this.#shrink();
  }

  /** Number of addresses with failures on record (for tests and diagnostics). */
  get tracked(): number {
    return this.#failures.size;
  }

  #shrink(): void {
    for (const address of [...this.#failures.keys()]) this.#recent(address);
    for (const address of this.#failures.keys()) {
      if (this.#failures.size <= MAX_TRACKED_ADDRESSES) break;
      this.#failures.delete(address);
    }
  }

  /** Forgets the address's failures (after a successful login). */
  succeed(address: string): void {
    this.#failures.delete(address);
  }
}
