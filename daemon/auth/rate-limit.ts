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
    this.#failures.set(address, [...this.#recent(address), this.#opts.now()]);
  }

  /** Forgets the address's failures (after a successful login). */
  succeed(address: string): void {
    this.#failures.delete(address);
  }
}
