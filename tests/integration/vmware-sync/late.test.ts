/**
 * A late snapshot from a held call: vcsim holds CreateSnapshot(Ex)_Task for 3 s, the run's create
 * times out after 1 s (task_timeout_seconds), the ZFS snapshot is taken and the run ends with the VM
 * unresolved. The snapshot appears when vcsim releases the call; a follow-up sweep of the run
 * (late_sweep_seconds 1, 2, 4, 8) removes it, well within the promised 15 s, and the run record says
 * when it appeared, when it went and how long the VM held it.
 */
import t from 'tap';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { waitFor } from '../../helpers/wait.js';

interface LateVm {
  name: string;
  action: string;
  removed: boolean | null;
  held_ms: number | null;
  late: { created_at: Date | null; removed_at: Date } | null;
}

const DELAYS_S = [1, 2, 4, 8];

t.test('a snapshot that appears after its create timed out is removed by a follow-up sweep', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [{ name: 'held', datastore: VM_DS }],
    sync: { task_timeout_seconds: 1, deadline_seconds: 30, late_sweep_seconds: DELAYS_S },
    vcsim: { delays: { CreateSnapshot_Task: 3000, CreateSnapshotEx_Task: 3000 } },
  });
  const { report } = await w.snapshot('late1');
  const runId = report?.run_id as string;
  t.match(report?.entries[0]?.vms[0], { name: 'held', action: 'failed', removed: false }, 'the run could not know the snapshot');
  t.equal(report?.counts.leftover, 1, 'left open for the follow-up sweeps');

  const run = await waitFor(
    'the follow-up sweep to remove the late snapshot',
    async () => {
      const r = await w.client.call<{ ended_at: Date; counts: { leftover: number }; entries: { vms: LateVm[] }[] }>('vmware.run.get_instance', runId);
      return r.entries[0]?.vms[0]?.late ? r : null;
    },
    40_000,
    200,
  );
  t.same(await w.probeSnapshots(), [], 'nothing of the run is left in vcsim: every VM\'s whole snapshot tree is empty (SOAP probe)');
  const vm = run.entries[0]?.vms[0] as LateVm;
  const late = vm.late as { created_at: Date; removed_at: Date };
  t.equal(vm.removed, true);
  t.ok(late.created_at instanceof Date, 'vSphere createTime of the late snapshot is recorded');
  t.equal(vm.held_ms, late.removed_at.getTime() - late.created_at.getTime(), 'held_ms = createTime to removal');
  t.ok((vm.held_ms ?? 0) > 0);
  t.equal(run.counts.leftover, 0);
  const promisedMs = DELAYS_S.reduce((a, b) => a + b, 0) * 1000;
  t.ok(late.removed_at.getTime() - run.ended_at.getTime() < promisedMs, `removed within the promised ${promisedMs} ms after the run`);
  t.equal(await w.client.call('vmware.run.query', [['id', '=', runId]], { count: true }), 1);
});
