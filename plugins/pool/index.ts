/**
 * The `pool` plugin: ZFS datasets and snapshots (`pool.dataset.*`, `pool.filesystem_choices`,
 * `pool.snapshot.*`) and periodic snapshot tasks (`pool.snapshottask.*`) with their scheduler and
 * retention. It provides the `zfs` adapter and the `snapshotHooks` registry (services.ts) that the
 * VMware coordinator plugs into (snapshot-hook.ts), so it must come before sharing and vmware in
 * plugins/index.ts.
 *
 * Config sections: `zfs` (`zfs_path`, `zpool_path`, `timeout_ms`, see zfs/index.ts) and `pool`
 * (`timezone`: the IANA zone snapshot names and schedules use; default the host's).
 */
import { z } from 'zod';
import type { Plugin } from '../../daemon/plugin.js';
import { defineMethod } from '../../daemon/registry/method.js';
import { datasetMethods } from './dataset/methods.js';
import './services.js';
import { createSnapshotHooks } from './snapshot-hook.js';
import { snapshotMethods } from './snapshot/methods.js';
import { SNAPSHOT_TASK_FAILED } from './snapshottask/alerts.js';
import { KeyedLock, RecentSnapshots } from './snapshottask/keyed-lock.js';
import { snapshotTaskMethods } from './snapshottask/methods.js';
import type { RunDeps } from './snapshottask/run.js';
import { nodeCronFactory, TaskScheduler } from './snapshottask/scheduler.js';
import type { TaskRow } from './snapshottask/schemas.js';
import { TASK_EVENT, TaskStore } from './snapshottask/store.js';
import { systemTimeZone, timeZoneProblem } from './snapshottask/wall-time.js';
import { createZfsAdapter, resolveMountVia, ZfsConfigSchema } from './zfs/index.js';

/** The `pool` config section. */
export const PoolConfig = z
  .strictObject({
    timezone: z
      .string()
      .refine((tz) => timeZoneProblem(tz) === null, { message: 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"' })
      .nullable()
      .default(null)
      .describe('Time zone of snapshot names and task schedules; null (the default) = the host time zone'),
  })
  .describe('Snapshots and periodic snapshot tasks');

/** The pool plugin. */
export const poolPlugin: Plugin = {
  name: 'pool',
  configSections: { zfs: ZfsConfigSchema, pool: PoolConfig },
  async setup(ctx) {
    const zfsConfig = ctx.config('zfs', ZfsConfigSchema);
    const timeZone = ctx.config('pool', PoolConfig).timezone ?? systemTimeZone();
    const mountVia = resolveMountVia(zfsConfig.mount_via, zfsConfig.timeout_ms);
    if (mountVia.length > 0) ctx.log.info({ mount_via: mountVia.join(' ') }, 'zfs commands that mount or unmount run through a command prefix (zfs.mount_via)');
    ctx.services.provide('zfs', createZfsAdapter(zfsConfig, mountVia));
    ctx.services.provide('snapshotHooks', createSnapshotHooks());
    ctx.alerts.defineClass(SNAPSHOT_TASK_FAILED);
    ctx.events.define(TASK_EVENT, { description: 'Periodic snapshot tasks added, changed (incl. state) or removed', roles: ['SNAPSHOT_TASK_READ'] });

    const store = new TaskStore(ctx.db.collection<TaskRow>({ name: 'pool.snapshottask' }), ctx.events);
    ctx.services.provide('snapshotTasks', { all: () => store.all() });
    const active = new Set<number>();
    const runDeps: RunDeps = {
      zfs: ctx.services.get('zfs'),
      hooks: ctx.services.get('snapshotHooks'),
      store,
      alerts: ctx.alerts,
      log: ctx.log,
      timeZone,
      now: () => Date.now(),
      locks: new KeyedLock(),
      recent: new RecentSnapshots(),
      active,
      ticks: new Map(),
    };
    let scheduler: TaskScheduler | null = null;
    const tasks = snapshotTaskMethods(ctx, store, () => runDeps, () => scheduler?.sync(store.all()));

    ctx.registerMethods([
      ...datasetMethods(ctx),
      ...snapshotMethods(ctx, timeZone),
      tasks.query,
      tasks.getInstance,
      tasks.create,
      tasks.update,
      tasks.delete,
      tasks.run,
    ]);

    if (process.env.VSNAPD_TEST_METHODS === '1') {
      // Integration tests fire a cron tick by hand instead of waiting for the wall clock (which then never fires, see start()).
      ctx.registerMethods([
        defineMethod({
          name: 'pool.snapshottask.test_tick',
          description: 'Test only: delivers a cron tick for task `id` at instant `at` (ISO 8601) to the scheduler.',
          args: [
            { name: 'id', schema: z.number().int() },
            { name: 'at', schema: z.iso.datetime() },
          ] as const,
          result: z.null(),
          roles: ['FULL_ADMIN'],
          private: true,
          handler(_call, id, at) {
            scheduler?.tick(id, new Date(at));
            return null;
          },
        }),
      ]);
    }

    return {
      async start() {
        await store.recoverInterrupted(Date.now());
        scheduler = new TaskScheduler({
          // With the test methods on, ticks come only from pool.snapshottask.test_tick: a task with
          // `minute: '*'` must not also fire when a test happens to cross a wall-clock minute.
          cron: process.env.VSNAPD_TEST_METHODS === '1' ? () => ({ stop: () => undefined }) : nodeCronFactory(ctx.log),
          timeZone,
          log: ctx.log,
          isRunning: (id) => active.has(id),
          trigger: async (id, scheduledAt) => {
            runDeps.ticks.set(id, scheduledAt);
            const job = await ctx.jobs.start(tasks.run, id);
            job.result.catch((err: unknown) => ctx.log.warn({ task: id, job: job.id, err: (err as Error).message }, 'scheduled snapshot task run failed'));
          },
        });
        scheduler.sync(store.all());
        ctx.log.info({ timeZone, tasks: scheduler.scheduledIds().length }, 'snapshot task scheduler started');
      },
      async stop() {
        scheduler?.stop();
        scheduler = null;
      },
    };
  },
};
