/**
 * What the jobs of coordinated snapshots show a client. Progress, as seen in `core.get_jobs` events:
 * the coordinator's 0–100 lands inside pool's own stage of the job, so the percent of a task run and
 * of a manual `pool.snapshot.create` with vmware_sync only ever grows, and ends at 100. Result: the
 * per-VM report is part of the job's result (and stays the final `progress.extra`).
 */
import t from 'tap';
import type { CollectionUpdate } from '../../../client/index.js';
import type { SyncReport } from '../../../plugins/vmware/sync/report.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';

interface Progress {
  percent: number | null;
  description: string;
  extra: unknown;
}

/** `pool.snapshottask.run`'s result for a task with vmware_sync. */
interface RunResult {
  snapshot: string | null;
  vmware_sync: { vmsynced: string | null; run_id: string | number | null; error: string | null; report: SyncReport | null } | null;
}

/** True when every percent is at least the one before. */
const monotonic = (ps: readonly number[]) => ps.every((p, i) => i === 0 || p >= (ps[i - 1] ?? 0));

t.test('coordinated jobs: the percent only grows, the per-VM report is in the result', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [
      { name: 'a', datastore: VM_DS },
      { name: 'b', datastore: VM_DS },
      { name: 'c', datastore: VM_DS, toolsRunning: false },
      { name: 'd', datastore: VM_DS },
    ],
    sync: { concurrency: { global: 1, per_host: 1 } }, // one VM after another: one progress step each
  });
  // Every job's progress as published on core.get_jobs, by job id.
  const seen = new Map<number, { method: string; steps: Progress[] }>();
  await w.client.subscribe('core.get_jobs', (u: CollectionUpdate) => {
    const f = u.fields as { method?: string; progress?: Progress } | undefined;
    if (typeof u.id !== 'number' || !f?.progress) return;
    const job = seen.get(u.id) ?? { method: f.method ?? '', steps: [] };
    job.steps.push(f.progress);
    seen.set(u.id, job);
  });

  await t.test('pool.snapshottask.run', async (t) => {
    const task = await w.client.call<{ id: number }>('pool.snapshottask.create', {
      dataset: w.dataset,
      naming_schema: 'prog-%Y-%m-%d_%H-%M-%S',
      lifetime_value: 1,
      lifetime_unit: 'DAY',
      vmware_sync: true,
      schedule: { minute: '0', hour: '0', dom: '1', month: '1' }, // never due during the test
    });
    const percents: number[] = [];
    const texts: string[] = [];
    const result = await w.client.callJob<RunResult>('pool.snapshottask.run', [task.id], (p) => {
      if (typeof p.percent === 'number') percents.push(p.percent);
      texts.push(p.description);
    });
    t.ok(monotonic(percents), `only grows: ${percents.join(' ')}`);
    t.equal(percents.at(-1), 100, 'ends at 100');
    const vmware = percents.filter((_, i) => /^VMware snapshots/.test(texts[i] ?? ''));
    t.ok(vmware.length >= 8, 'a step per VM created and per VM removed');
    t.ok(vmware.every((p) => p >= 20 && p <= 70), `the coordinator's steps stay within 20–70: ${vmware.join(' ')}`);
    const retention = texts.indexOf('Applying retention');
    t.ok(retention > texts.findLastIndex((d) => /^VMware snapshots/.test(d)), 'retention comes after the VMware phase');

    // The result: the snapshot and its coordination, with the per-VM report.
    const sync = result.vmware_sync;
    const report = sync?.report;
    t.match(result.snapshot, new RegExp(`^${w.dataset}@prog-`));
    t.match(sync, { vmsynced: 'full', error: null });
    t.equal(report?.snapshot, result.snapshot, 'the report of this run');
    t.equal(sync?.run_id, report?.run_id);
    t.equal((await w.zfsProps(result.snapshot ?? ''))['vsnapd:run'], report?.run_id, 'the run the snapshot names');
    t.same(report?.entries.flatMap((e) => e.vms.map((v) => `${v.name}:${v.action}:${v.removed}`)).sort(), [
      'a:snapshotted:true',
      'b:snapshotted:true',
      'c:snapshotted:true',
      'd:snapshotted:true',
    ]);
    const [job] = await w.client.call<Array<{ progress: Progress; result: unknown }>>('core.get_jobs', [['method', '=', 'pool.snapshottask.run']]);
    t.same(job?.progress.extra, report, 'the report is the final progress.extra too');
    t.same(job?.result, result, 'core.get_jobs lists the same result');
  });

  await t.test('pool.snapshot.create with vmware_sync', async (t) => {
    const { entry, report, job } = await w.snapshot('manual-progress');
    t.equal(entry.name, `${w.dataset}@manual-progress`, 'pool.snapshot.create still returns the snapshot entry');
    t.match(job.result, { snapshot: { name: entry.name }, vmware_sync: { vmsynced: 'full', run_id: report?.run_id, error: null } });
    t.equal(report?.snapshot, entry.name, "the job's result carries the report");
    t.same(job.progress.extra, report, 'and so does the final progress.extra');
    const jobs = [...seen.values()].filter((j) => j.method === 'pool.snapshot.create_coordinated');
    t.equal(jobs.length, 1);
    const percents = (jobs[0]?.steps ?? []).flatMap((p) => (typeof p.percent === 'number' ? [p.percent] : []));
    t.ok(monotonic(percents), `only grows: ${percents.join(' ')}`);
    t.equal(percents.at(-1), 100);
  });
});
