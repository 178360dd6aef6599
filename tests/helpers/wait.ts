/** Polling for conditions that follow a call asynchronously in integration tests. */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every `intervalMs` (default 50) until it returns a truthy value and returns that
 * value; throws `timed out waiting for <what>` once `timeoutMs` (default 10 000) has passed. For
 * state that changes after a call (events, job records, background checks); not a timing assertion.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
