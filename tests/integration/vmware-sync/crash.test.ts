/**
 * Crash safety: the daemon is killed with SIGKILL while the run's VMware snapshots exist (after the
 * ZFS snapshot, before their removal). The run record written before the ZFS snapshot lets the next
 * daemon remove them at start-up.
 *
 * Pause: the test hook VSNAPD_TEST_SYNC_HOLD_MS (honoured only with VSNAPD_TEST_METHODS=1, which the
 * test daemon sets) holds the run between the ZFS snapshot and the removal; a vcsim method delay would
 * not do, because vcsim would still run the held RemoveSnapshot_Task after the kill and hide a missing
 * recovery.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSyncWorld, VM_DS, type JobRecord } from '../../helpers/sync-world.js';

t.test('SIGKILL between the VMware snapshots and their removal: the restart removes them', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [{ name: 'web1', datastore: VM_DS }, { name: 'web2', datastore: VM_DS }, { name: 'keep', datastore: VM_DS, snapshots: [{ name: 'user' }] }],
    env: { VSNAPD_TEST_SYNC_HOLD_MS: '600000' },
    sync: { sweep_min_age_minutes: 60 }, // so only the run record (not the marker pass) can explain the removal
  });
  const pending = w.client.call('pool.snapshot.create', { dataset: w.dataset, name: 'crash1', vmware_sync: true }).catch((err: unknown) => err);

  // 1. Wait until the run holds: ZFS snapshot taken, VMware snapshots still there.
  let holding = false;
  for (let i = 0; i < 200 && !holding; i++) {
    await sleep(100);
    const jobs = await w.client.call<JobRecord[]>('core.get_jobs', [['method', '=', 'pool.snapshot.create_coordinated']]);
    holding = (jobs[0]?.logs_excerpt ?? '').includes('test hook: holding');
  }
  t.ok(holding, 'the run reached the hold');
  const marked = await w.markedSnapshots();
  t.same(marked.map((m) => m.vm).sort(), ['keep', 'web1', 'web2'], 'every VM holds a vsnapd snapshot');
  const props = await w.zfsProps(`${w.dataset}@crash1`);
  t.equal(props['vsnapd:vmsynced'], 'full');

  // 2. Kill.
  w.daemon.kill('SIGKILL');
  t.equal((await w.daemon.exited).signal, 'SIGKILL');
  t.ok((await pending) instanceof Error, 'the call died with the daemon');
  t.equal((await w.markedSnapshots()).length, 3, 'the snapshots outlive the daemon');

  // 3. Restart: the start-up recovery works from the run record.
  await w.restart();
  let left = await w.markedSnapshots();
  for (let i = 0; i < 200 && left.length > 0; i++) {
    await sleep(100);
    left = await w.markedSnapshots();
  }
  t.same(left, [], 'no vsnapd snapshot remains in vcsim');
  t.same(await w.allSnapshots(), ['keep/user'], "the user's own snapshot is untouched");
  t.equal((await w.zfsProps(`${w.dataset}@crash1`))['vsnapd:run'], marked[0]?.runId, 'the ZFS snapshot of the run is kept');
  const [sweepJob] = await w.client.call<{ id: number }[]>('core.get_jobs', [['method', '=', 'vmware.sweep']]);
  const result = await w.client.callWithTimeout<{ records: number }>('core.job_wait', [sweepJob?.id], 30_000);
  t.equal(result.records, 1, 'the start-up sweep processed the interrupted run record');
});
