/**
 * A coordinated snapshot end to end: real daemon, vcsim whose NFS datastore is the dataset's
 * mountpoint, zfs-fuse. Exactly the right VMs get a VMware snapshot, the ZFS snapshot carries the
 * run's properties, nothing is left in vSphere, and the dry run touches nothing.
 */
import t from 'tap';
import { OTHER_DS, startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import type { PlanResult, SweepResult } from '../../../plugins/vmware/sync/report.js';

t.test('a vmware_sync snapshot snapshots exactly the right VMs and leaves nothing behind', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [
      { name: 'web1', datastore: VM_DS },
      { name: 'notools', datastore: VM_DS, toolsRunning: false },
      { name: 'off1', datastore: VM_DS, powerState: 'off' },
      { name: 'tmpl', datastore: VM_DS, powerState: 'off', template: true },
      { name: 'elsewhere', datastore: OTHER_DS },
      { name: 'gpu', datastore: VM_DS, passthrough: true },
      { name: 'user-snap', datastore: VM_DS, snapshots: [{ name: 'keep-me' }] },
    ],
  });

  // 1. The dry run: same selection, nothing touched.
  const zfsBefore = await w.client.call<unknown[]>('pool.snapshot.query', [['dataset', '=', w.dataset]]);
  const plan = await w.client.call<PlanResult>('vmware.plan', w.dataset, false);
  const planned = Object.fromEntries(plan.entries.flatMap((e) => e.vms).map((v) => [v.name, `${v.action}:${v.kind ?? v.code}`]));
  t.same(planned, {
    web1: 'snapshot:quiesced',
    notools: 'snapshot:crash_consistent',
    off1: 'skip:powered_off',
    tmpl: 'skip:template',
    elsewhere: 'skip:other_datastore',
    gpu: 'skip:cannot_snapshot',
    'user-snap': 'snapshot:quiesced',
  });
  t.same(plan.summary, { snapshot: 3, skip: 4, quiesced: 2 });
  t.same(await w.client.call('pool.snapshot.query', [['dataset', '=', w.dataset]]), zfsBefore, 'plan took no ZFS snapshot');
  t.same(await w.allSnapshots(), ['user-snap/keep-me'], 'plan took no VMware snapshot');
  const [entry] = await w.client.call<{ state: { state: string } }[]>('vmware.query', [['id', '=', w.entryId]]);
  t.equal(entry?.state.state, 'PENDING', 'plan changes no entry state');

  // 2. The run.
  const { entry: snap, report } = await w.snapshot('manual-1');
  t.equal(snap.name, `${w.dataset}@manual-1`);
  t.ok(report, 'the job carries the per-VM report');
  const props = await w.zfsProps(`${w.dataset}@manual-1`);
  t.equal(props['vsnapd:vmsynced'], 'full');
  t.equal(props['freenas:vmsynced'], 'Y');
  t.equal(props['vsnapd:run'], report?.run_id);
  t.equal(snap.properties['vsnapd:run']?.value, report?.run_id, 'pool.snapshot.create returns the properties too');

  const vms = Object.fromEntries((report?.entries ?? []).flatMap((e) => e.vms).map((v) => [v.name, v]));
  t.same(
    Object.fromEntries(Object.entries(vms).map(([n, v]) => [n, `${v.action}:${v.kind ?? v.code}`])),
    {
      web1: 'snapshotted:quiesced',
      notools: 'snapshotted:crash_consistent',
      off1: 'skipped:powered_off',
      tmpl: 'skipped:template',
      elsewhere: 'skipped:other_datastore',
      gpu: 'skipped:cannot_snapshot',
      'user-snap': 'snapshotted:quiesced',
    },
  );
  for (const n of ['off1', 'tmpl', 'elsewhere', 'gpu']) t.ok(vms[n]?.reason, `${n} has a reason: ${vms[n]?.reason}`);
  for (const n of ['web1', 'notools', 'user-snap']) {
    t.equal(vms[n]?.removed, true, `${n}: its VMware snapshot was removed`);
    t.match(vms[n]?.snapshot, /\S/, `${n}: the snapshot moref is reported`);
  }
  t.equal(report?.counts.leftover, 0);
  t.equal(report?.deadline_hit, false);
  t.type(report?.timings.window_ms, 'number');

  // 3. Nothing left: no vsnapd snapshot, the user's snapshot kept, no run record.
  t.same(await w.markedSnapshots(), []);
  t.same(await w.allSnapshots(), ['user-snap/keep-me']);
  const sweep = await w.client.callJob<SweepResult>('vmware.sweep', [{ min_age_minutes: 0 }]);
  t.equal(sweep.records, 0, 'the run record was cleared');
  t.same(sweep.removed, []);
  const [after] = await w.client.call<{ state: { state: string } }[]>('vmware.query', [['id', '=', w.entryId]]);
  t.equal(after?.state.state, 'SUCCESS', 'a run that logged in sets SUCCESS (TrueNAS end phase)');
});
