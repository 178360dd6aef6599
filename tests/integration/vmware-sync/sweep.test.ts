/**
 * `vmware.sweep` removes only snapshots carrying the full vsnapd marker (name AND description with
 * the same run id) and only when older than the minimum age; everything else is never touched.
 */
import t from 'tap';
import { startTestDaemon } from '../../helpers/daemon.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { snapshotDescription, snapshotName } from '../../../plugins/vmware/sync/marker.js';
import type { SweepResult } from '../../../plugins/vmware/sync/report.js';

t.test('the sweep removes marked leftovers only, and only old enough ones', async (t) => {
  const ours = 'aaaaaa111111';
  const w = await startSyncWorld(t, {
    vms: [
      {
        name: 'web',
        datastore: VM_DS,
        snapshots: [
          { name: 'nightly', description: 'backup tool', children: [{ name: snapshotName(ours), description: snapshotDescription(ours, 'tank/vm@x') }] },
        ],
      },
      { name: 'db', datastore: VM_DS, snapshots: [{ name: snapshotName('bbbbbb222222'), description: 'hand-made, not vsnapd' }] },
      { name: 'app', datastore: VM_DS, snapshots: [{ name: 'vsnapd-look-alike', description: snapshotDescription('cccccc333333', 'tank/vm@x') }] },
    ],
  });
  const before = await w.allSnapshots();
  t.same(before, ['app/vsnapd-look-alike', `db/${snapshotName('bbbbbb222222')}`, 'web/nightly', `web/${snapshotName(ours)}`].sort());

  // 1. Default minimum age (15 min): the leftover is too young.
  const young = await w.client.callJob<SweepResult>('vmware.sweep', [{}]);
  t.same(young.removed, []);
  t.same(young.servers.map((s) => s.ok), [true]);

  // 2. Minimum age 0: exactly the marked one goes; the tree below `nightly` is consolidated, the rest stays.
  const swept = await w.client.callJob<SweepResult>('vmware.sweep', [{ min_age_minutes: 0 }]);
  t.same(swept.removed.map((r) => [r.vm, r.run_id]), [['web', ours]]);
  t.same(swept.failed, []);
  t.same(await w.allSnapshots(), before.filter((s) => !s.includes(ours)));
  t.same(await w.markedSnapshots(), []);
});

t.test('bad sweep options are refused with the field named', async (t) => {
  const d = await startTestDaemon(t);
  const c = await d.root();
  await t.rejects(c.callJob('vmware.sweep', [{ min_age_minutes: -1 }]), /options\.min_age_minutes/);
  await t.rejects(c.callJob('vmware.sweep', [{ run_id: '../x' }]), /options\.run_id/);
  await t.rejects(c.callJob('vmware.sweep', [{ olds: 1 }]), /olds/);
  await t.rejects(c.call('vmware.plan', '-rf', false), /dataset/);
  await t.rejects(c.call('vmware.plan', 'tank/none', true), { name: 'ClientCallError', errno: 2, message: 'Dataset tank/none does not exist' }, 'a missing dataset is ENOENT, not an empty plan');
});
