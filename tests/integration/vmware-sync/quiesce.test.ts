/**
 * Guest and task trouble during the VMware phase: a quiesce failure is retried and then falls back
 * to a crash-consistent snapshot (recorded in the report, the run is `partial`) or, with policy
 * `fail`, leaves the VM without one (VMWareSnapshotCreateFailed); a hung snapshot task is cancelled
 * at its per-task deadline without holding up the other VMs.
 */
import t from 'tap';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';

interface Alert {
  klass: string;
  args: Record<string, unknown>;
}

t.test('a quiesce failure is retried, then falls back to crash-consistent, and is recorded', async (t) => {
  const w = await startSyncWorld(t, { vms: [{ name: 'db', datastore: VM_DS }, { name: 'web', datastore: VM_DS }], sync: { quiesce_retries: 1 } });
  await w.vc.control({ action: 'quiesceFault', vm: 'db', fault: 'FilesystemQuiesceFault', times: 2, message: 'guest could not be frozen' });
  const { report } = await w.snapshot('q1');
  const vms = Object.fromEntries((report?.entries ?? []).flatMap((e) => e.vms).map((v) => [v.name, v]));
  t.equal(vms.db?.action, 'snapshotted');
  t.equal(vms.db?.kind, 'crash_consistent', 'db got the fallback');
  t.equal(vms.db?.planned_kind, 'quiesced');
  t.equal(vms.db?.attempts, 3, 'one try, one retry, one crash-consistent');
  t.match(vms.db?.reason, /crash-consistent snapshot was taken instead/);
  t.ok(vms.db?.warnings.some((x) => /guest could not be frozen/.test(x)), 'the guest-side reason is kept');
  t.equal(vms.web?.kind, 'quiesced');
  t.equal(report?.vmsynced, 'partial', 'a fallback is not full VM consistency');
  const props = await w.zfsProps(`${w.dataset}@q1`);
  t.equal(props['vsnapd:vmsynced'], 'partial');
  t.notOk('freenas:vmsynced' in props, 'freenas:vmsynced=Y only when full');
  t.same(await w.markedSnapshots(), []);
});

t.test('quiesce_failure "fail" leaves the VM without a snapshot and alerts', async (t) => {
  const w = await startSyncWorld(t, { vms: [{ name: 'db', datastore: VM_DS }], sync: { quiesce_retries: 0, quiesce_failure: 'fail' } });
  await w.vc.control({ action: 'quiesceFault', vm: 'db', times: 5 });
  const { report } = await w.snapshot('q2');
  const db = report?.entries[0]?.vms.find((v) => v.name === 'db');
  t.equal(db?.action, 'failed');
  t.match(db?.reason, /ApplicationQuiesceFault|quiesce/i);
  t.equal(report?.vmsynced, 'none');
  t.equal((await w.zfsProps(`${w.dataset}@q2`))['vsnapd:vmsynced'], 'none');
  const alerts = await w.client.call<Alert[]>('alert.list');
  t.ok(alerts.some((a) => a.klass === 'VMWareSnapshotCreateFailed' && a.args.vm === 'db'), 'VMWareSnapshotCreateFailed raised');
});

t.test('a hung snapshot task is cancelled at its deadline; the other VMs are not held up', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [{ name: 'hung', datastore: VM_DS }, { name: 'fine', datastore: VM_DS }],
    sync: { task_timeout_seconds: 1, deadline_seconds: 30 },
  });
  await w.vc.control({ action: 'slowTasks', ms: 20_000, vms: ['hung'], methods: ['CreateSnapshot_Task', 'CreateSnapshotEx_Task'] });
  const { report } = await w.snapshot('hung1');
  const vms = Object.fromEntries((report?.entries ?? []).flatMap((e) => e.vms).map((v) => [v.name, v]));
  t.equal(vms.hung?.action, 'failed');
  t.match(vms.hung?.reason, /did not finish within \d+ ms; it was cancelled/);
  t.equal(vms.fine?.action, 'snapshotted');
  t.equal(report?.vmsynced, 'partial');
  t.equal(report?.deadline_hit, false, 'the task deadline, not the phase deadline, ended it');
  t.equal(report?.counts.leftover, 0, 'a confirmed cancellation leaves nothing to sweep');
  t.same(await w.markedSnapshots(), []);
});
