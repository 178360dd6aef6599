/**
 * The `alertservice` section of the config file: how alert deliveries behave.
 *
 * ```json
 * { "alertservice": { "timeout_seconds": 10, "retries": 3, "retry_delay_ms": 2000, "max_retry_delay_ms": 60000, "max_pending": 100 } }
 * ```
 */
import { z } from 'zod';

/** Schema of `alertservice`. */
export const AlertServiceConfig = z
  .strictObject({
    timeout_seconds: z.number().min(1).max(300).default(10).describe('Deadline of one delivery attempt (SMTP session or HTTP POST)'),
    retries: z.number().int().min(0).max(10).default(3).describe('Retries after a failed attempt'),
    retry_delay_ms: z.number().int().min(0).max(600_000).default(2000).describe('Pause before the first retry, in ms; doubles for each further one'),
    max_retry_delay_ms: z.number().int().min(0).max(3_600_000).default(60_000).describe('Ceiling of the doubling pause between retries, in ms'),
    max_pending: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe('Deliveries under way at most (attempts and waits between retries); a delivery beyond is dropped, logged and counted in vsnapd_alert_deliveries_dropped_total'),
  })
  .superRefine((c, ctx) => {
    if (c.retry_delay_ms > c.max_retry_delay_ms) {
      ctx.addIssue({ code: 'custom', path: ['retry_delay_ms'], message: `is ${c.retry_delay_ms}, above max_retry_delay_ms (${c.max_retry_delay_ms}): lower it or raise max_retry_delay_ms` });
    }
  })
  .describe('Alert delivery to alert services');

/** Parsed `alertservice`. */
export type AlertServiceConfig = z.output<typeof AlertServiceConfig>;
