/**
 * vCenter trouble never holds up or prevents the ZFS snapshot: a vCenter that is down yields `none`
 * with a VMWareLoginFailed alert and the entry in ERROR, and a slow vCenter cannot hold the snapshot
 * past the VMware phase deadline (the late VMware snapshot is then found and removed by the sweep).
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import type { SweepResult } from '../../../plugins/vmware/sync/report.js';

interface Alert {
  klass: string;
  args: Record<string, unknown>;
}

t.test('vCenter down: the ZFS snapshot is still taken, marked none, login alert, state ERROR', async (t) => {
  const w = await startSyncWorld(t, { vms: [{ name: 'web', datastore: VM_DS }], sync: { deadline_seconds: 20 } });
  await w.vc.stop();
  const { entry, report } = await w.snapshot('down1');
  t.equal(entry.name, `${w.dataset}@down1`, 'the snapshot exists');
  t.equal(report?.vmsynced, 'none');
  t.equal(report?.entries[0]?.status, 'login_failed');
  t.ok(report && report.timings.vmware_phase_ms < 20_000, 'it did not wait for the deadline');
  const props = await w.zfsProps(`${w.dataset}@down1`);
  t.equal(props['vsnapd:vmsynced'], 'none');
  t.equal(props['vsnapd:run'], report?.run_id);
  const alerts = await w.client.call<Alert[]>('alert.list');
  t.ok(alerts.some((a) => a.klass === 'VMWareLoginFailed' && a.args.hostname === w.vc.host), 'VMWareLoginFailed raised');
  const [e] = await w.client.call<{ state: { state: string; error?: string } }[]>('vmware.query', [['id', '=', w.entryId]]);
  t.equal(e?.state.state, 'ERROR');
  t.ok(e?.state.error, `state carries the error: ${e?.state.error}`);
});

t.test('slow vCenter: the deadline is honoured and the late snapshot is swept', async (t) => {
  const hold = 6000;
  const w = await startSyncWorld(t, {
    vms: [{ name: 'web', datastore: VM_DS }],
    sync: { deadline_seconds: 1.5, task_timeout_seconds: 60 },
    vcsim: { delays: { CreateSnapshot_Task: hold, CreateSnapshotEx_Task: hold } },
  });
  const { report } = await w.snapshot('slow1');
  t.equal(report?.deadline_hit, true);
  t.equal(report?.vmsynced, 'none');
  t.ok(report && report.timings.vmware_phase_ms < hold, `the ZFS snapshot did not wait for vCenter (${report?.timings.vmware_phase_ms} ms < ${hold} ms)`);
  t.equal((await w.zfsProps(`${w.dataset}@slow1`))['vsnapd:vmsynced'], 'none');
  const web = report?.entries[0]?.vms.find((v) => v.name === 'web');
  t.equal(web?.action, 'failed');
  t.equal(report?.counts.leftover, 1, 'the run keeps its record: the held call may still make the snapshot');
  // vcsim still runs the held CreateSnapshot call: the snapshot appears after the run gave up on it.
  let late: Awaited<ReturnType<typeof w.markedSnapshots>> = [];
  for (let i = 0; i < 100 && late.length === 0; i++) {
    await sleep(100);
    late = await w.markedSnapshots();
  }
  t.equal(late[0]?.runId, report?.run_id, 'the late snapshot carries the run marker');
  const swept = await w.client.callJob<SweepResult>('vmware.sweep', [{}]);
  t.same(swept.removed.map((r) => r.run_id), [report?.run_id], 'the sweep removed it from the run record (no age needed)');
  t.same(await w.markedSnapshots(), []);
  t.equal((await w.client.callJob<SweepResult>('vmware.sweep', [{}])).records, 0, 'and cleared the record');
});
