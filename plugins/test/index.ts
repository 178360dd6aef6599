/**
 * Test-only methods (`test.*`) for the daemon's own integration tests: a job with progress, locks and
 * failures, a slow call, an echo, a date, broken results. Registered ONLY when the daemon runs with
 * `VSNAPD_TEST_METHODS=1` (set by tests/helpers/daemon.ts); otherwise this plugin does nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { CallError, Errno, ValidationErrors } from '../../daemon/errors.js';
import type { Plugin } from '../../daemon/plugin.js';
import { defineMethod, type JobHandle } from '../../daemon/registry/method.js';
import { boundedString, MAX_NAME, MAX_TEXT } from '../../daemon/registry/bounds.js';

const JobOptions = z.strictObject({
  steps: z.number().int().min(0).max(1000).default(3),
  step_ms: z.number().int().min(0).max(60_000).default(50),
  fail: boundedString(MAX_TEXT).optional().describe('Fail with CallError(fail, fail_errno) after the steps'),
  fail_errno: z.number().int().default(Errno.EFAULT),
  validation_error: boundedString(MAX_NAME).optional().describe('Fail with a validation error on test_job.<this attribute>'),
  result: z.unknown().optional(),
  lock: boundedString(MAX_NAME).optional(),
  password: boundedString(MAX_TEXT).optional().describe('Ignored; shows that job arguments are redacted'),
  ignore_abort: z.boolean().default(false).describe('Keep running after an abort (for the shutdown grace test)'),
});

async function runSteps(job: JobHandle, o: z.output<typeof JobOptions>): Promise<unknown> {
  for (let i = 1; i <= o.steps; i++) {
    if (o.ignore_abort) await sleep(o.step_ms);
    else await sleep(o.step_ms, undefined, { signal: job.signal });
    job.setProgress((i * 100) / o.steps, `step ${i}/${o.steps}`, { step: i });
    job.log(`step ${i}`);
  }
  if (o.validation_error) throw new ValidationErrors().add(`test_job.${o.validation_error}`, 'Invalid value');
  if (o.fail) throw new CallError(o.fail, o.fail_errno);
  return o.result ?? { steps: o.steps };
}

/** The test plugin (no-op unless VSNAPD_TEST_METHODS=1). */
export const testPlugin: Plugin = {
  name: 'test',
  async setup(ctx) {
    if (process.env.VSNAPD_TEST_METHODS !== '1') return;
    ctx.log.warn('VSNAPD_TEST_METHODS=1: test.* methods are registered');
    ctx.events.define('test.query', { description: 'Test events (test.publish)', roles: ['TEST_READ'] });
    const args = [{ name: 'test_job', schema: JobOptions.prefault({}) }] as const;
    ctx.registerMethods([
      defineMethod({
        name: 'test.job',
        description: 'A job that reports progress per step.',
        args,
        result: z.unknown(),
        roles: ['TEST_WRITE'],
        job: { lock: ([o]) => o.lock ?? `test.job:${Math.random()}` },
        handler: (c, o) => runSteps(c.job!, o),
      }),
      defineMethod({
        name: 'test.unabortable_job',
        description: 'A job that cannot be aborted.',
        args,
        result: z.unknown(),
        roles: ['TEST_WRITE'],
        job: { abortable: false },
        handler: (c, o) => runSteps(c.job!, o),
      }),
      defineMethod({
        name: 'test.sleep',
        description: 'Waits `ms` milliseconds (stops when the connection closes).',
        args: [{ name: 'ms', schema: z.number().int().min(0).max(600_000) }],
        result: z.null(),
        roles: [],
        async handler(c, ms) {
          await sleep(ms, undefined, { signal: c.signal });
          return null;
        },
      }),
      defineMethod({
        name: 'test.echo',
        description: 'Returns its argument.',
        args: [{ name: 'value', schema: z.unknown() }],
        result: z.unknown(),
        roles: [],
        handler: (_c, v) => v,
      }),
      defineMethod({
        name: 'test.now',
        description: 'The current time as a Date (sent as {"$date": ms}).',
        args: [],
        result: z.object({ now: z.date() }),
        roles: [],
        handler: () => ({ now: new Date() }),
      }),
      defineMethod({
        name: 'test.bad_result',
        description: 'Returns a number although its result schema says string.',
        args: [],
        result: z.string(),
        roles: [],
        handler: () => 42 as unknown as string,
      }),
      defineMethod({
        name: 'test.unserialisable',
        description: 'Returns a BigInt, which JSON cannot hold.',
        args: [],
        result: z.unknown(),
        roles: [],
        handler: () => 10n,
      }),
      defineMethod({
        name: 'test.throw',
        description: 'Throws a plain Error (a bug, as far as the API is concerned).',
        args: [],
        result: z.null(),
        roles: [],
        handler: () => {
          throw new Error('boom');
        },
      }),
      defineMethod({
        name: 'test.private_ping',
        description: 'A private method.',
        args: [],
        result: z.literal('pong'),
        roles: [],
        private: true,
        handler: () => 'pong' as const,
      }),
      defineMethod({
        name: 'test.publish',
        description: 'Publishes a collection_update on test.query.',
        args: [{ name: 'update', schema: z.strictObject({ msg: z.enum(['added', 'changed', 'removed']), id: z.unknown(), fields: z.record(z.string(), z.unknown()).optional() }) }],
        result: z.null(),
        roles: [],
        handler(_c, u) {
          ctx.events.publish({ collection: 'test.query', ...u });
          return null;
        },
      }),
    ]);
  },
};
