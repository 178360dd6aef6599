/**
 * Failed-login rate limit per peer address: after `maxFailures` failures within `windowMs`, every
 * login attempt from that address is refused (CallError EBUSY "Rate Limit Exceeded", TrueNAS's
 * wording) until the oldest failure leaves the window. A check that awaits (the admin password's
 * scrypt) holds an {@link LoginAttempt} from {@link LoginRateLimiter.begin}: attempts under way
 * count like failures, so parallel guesses cannot all pass the check before the first one fails.
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

/** A login attempt under way, from {@link LoginRateLimiter.begin}; ended once by `fail`, `succeed` or `abandon`. */
export interface LoginAttempt {
  /** Ends the attempt as a failed login (counts for the limit). */
  fail(): void;
  /** Ends the attempt as a successful login (forgets the address's failures). */
  succeed(): void;
  /** Ends the attempt without a verdict (it was refused before any secret was checked). */
  abandon(): void;
}

/** Tracks failures (and attempts under way) per address. */
export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>();
  /** Attempts begun and not yet ended, per address. */
  readonly #inFlight = new Map<string, number>();
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

  /**
   * Throws CallError EBUSY when `address`'s recent failures plus its attempts under way reach
   * `maxFailures`. Unix-socket peers are never limited.
   */
  check(address: string): void {
    if (address === 'unix') return;
    if (this.#recent(address).length + (this.#inFlight.get(address) ?? 0) >= this.#opts.maxFailures) {
      throw new CallError('Rate Limit Exceeded', Errno.EBUSY);
    }
  }

  /**
   * Checks `address` like {@link check} and reserves a place for an attempt whose verdict comes
   * later; end it once with `fail`, `succeed` or `abandon` (later calls do nothing).
   * @throws CallError EBUSY when the address is over the limit.
   */
  begin(address: string): LoginAttempt {
    this.check(address);
    if (address !== 'unix') this.#inFlight.set(address, (this.#inFlight.get(address) ?? 0) + 1);
    let open = true;
    const end = (then: (a: string) => void) => () => {
      if (!open) return;
      open = false;
      if (address !== 'unix') {
        const n = (this.#inFlight.get(address) ?? 1) - 1;
        if (n > 0) this.#inFlight.set(address, n);
        else this.#inFlight.delete(address);
      }
      then(address);
    };
    return { fail: end((a) => this.fail(a)), succeed: end((a) => this.succeed(a)), abandon: end(() => undefined) };
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
