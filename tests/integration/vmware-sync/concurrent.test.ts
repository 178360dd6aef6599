/**
 * Two periodic tasks coordinate the same VMs at the same time (one on the dataset, one recursive on
 * the pool root): each run snapshots, records and removes only its own VMware snapshots (by moref;
 * names carry distinct run ids), both ZFS snapshots carry their own run, and nothing is left.
 */
import t from 'tap';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import type { SyncReport } from '../../../plugins/vmware/sync/report.js';

interface Job {
  state: string;
  /** `pool.snapshottask.run` of a task with vmware_sync. */
  result: { vmware_sync: { report: SyncReport | null } | null } | null;
}

const reportOf = (job: Job | undefined): SyncReport | undefined => job?.result?.vmware_sync?.report ?? undefined;

t.test('two tasks on the same dataset at once never corrupt each other', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [{ name: 'a', datastore: VM_DS }, { name: 'b', datastore: VM_DS }, { name: 'c', datastore: VM_DS, toolsRunning: false }],
    // Slow enough that the two runs overlap.
    vcsim: { delays: { CreateSnapshot_Task: 300, CreateSnapshotEx_Task: 300, RemoveSnapshot_Task: 300 } },
    sync: { concurrency: { global: 2, per_host: 2 } },
  });
  const task = (dataset: string, prefix: string, recursive: boolean) =>
    w.client.call<{ id: number }>('pool.snapshottask.create', {
      dataset,
      recursive,
      naming_schema: `${prefix}-%Y-%m-%d_%H-%M`,
      lifetime_value: 1,
      lifetime_unit: 'DAY',
      vmware_sync: true,
      schedule: { minute: '0', hour: '0', dom: '1', month: '1' }, // never due during the test
    });
  const ta = await task(w.dataset, 'taska', false);
  const tb = await task(w.pool.pool, 'taskb', true);
  await Promise.all([w.client.callJob('pool.snapshottask.run', [ta.id]), w.client.callJob('pool.snapshottask.run', [tb.id])]);

  const jobs = await w.client.call<Job[]>('core.get_jobs', [['method', '=', 'pool.snapshottask.run']]);
  t.same(jobs.map((j) => j.state), ['SUCCESS', 'SUCCESS']);
  const reports = jobs.map(reportOf);
  t.equal(reports.length, 2);
  const [ra, rb] = reports;
  t.ok(ra && rb, 'both runs reported');
  t.not(ra?.run_id, rb?.run_id, 'distinct runs');
  for (const r of reports) {
    t.equal(r?.vmsynced, 'full', `${r?.snapshot}: full`);
    t.same(r?.entries[0]?.vms.map((v) => `${v.name}:${v.action}:${v.removed}`).sort(), ['a:snapshotted:true', 'b:snapshotted:true', 'c:snapshotted:true']);
    const props = await w.zfsProps(r?.snapshot ?? '');
    t.equal(props['vsnapd:run'], r?.run_id, `${r?.snapshot} carries its own run id`);
  }
  const recursiveChild = rb?.snapshot.replace(`${w.pool.pool}@`, `${w.dataset}@`) ?? '';
  t.equal((await w.zfsProps(recursiveChild))['vsnapd:run'], rb?.run_id, 'the recursive snapshot of the child carries the run too');
  t.same(await w.markedSnapshots(), [], 'no vsnapd snapshot remains');
  t.same(await w.allSnapshots(), []);
});
