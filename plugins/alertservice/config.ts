/**
 * The `alertservice` section of the config file: how alert deliveries behave.
 *
 * ```json
 * { "alertservice": { "timeout_seconds": 10, "retries": 3, "retry_delay_ms": 2000 } }
 * ```
 */
import { z } from 'zod';

/** Schema of `alertservice`. */
export const AlertServiceConfig = z
  .strictObject({
    timeout_seconds: z.number().min(1).max(300).default(10).describe('Deadline of one delivery attempt (SMTP session or HTTP POST)'),
    retries: z.number().int().min(0).max(10).default(3).describe('Retries after a failed attempt'),
    retry_delay_ms: z.number().int().min(0).max(600_000).default(2000).describe('Pause before the first retry, in ms; doubles for each further one'),
  })
  .describe('Alert delivery to alert services');

/** Parsed `alertservice`. */
export type AlertServiceConfig = z.output<typeof AlertServiceConfig>;
