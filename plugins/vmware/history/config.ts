/**
 * The `vmware.history` part of the config file: how long run records are kept. Both bounds apply
 * (whichever removes more); pruning runs after each run's record is written and hourly, never
 * inside a run.
 *
 * ```json
 * { "vmware": { "history": { "max_runs": 1000, "max_age_days": 90 } } }
 * ```
 */
import { z } from 'zod';

/** Schema of `vmware.history`. */
export const HistoryConfig = z.strictObject({
  max_runs: z.number().int().min(1).max(100_000).default(1000).describe('Most run records kept (the oldest go first)'),
  max_age_days: z.number().min(1).max(3650).default(90).describe('Run records older than this (by end time, days) are removed'),
});

/** Parsed `vmware.history`. */
export type HistoryConfig = z.output<typeof HistoryConfig>;

/** The defaults (an absent `vmware.history`). */
export function defaultHistoryConfig(): HistoryConfig {
  return HistoryConfig.parse({});
}
