// Integration: concurrent snapshot creation and removal for 50 VMs, every task waited for through
// ONE private PropertyCollector; CreateSnapshotEx_Task with its fallback; removal by moref.
import t from 'tap';
import { flattenSnapshots, type MoRef } from '../../../vsphere/index.js';
import { CreateSnapshot_Task } from '../../../vsphere/methods/snapshot.js';
import { NFS_DS, connectClient, startVcsimWithNfs } from '../../helpers/vsphere.js';

const N = 50;
const vc = await startVcsimWithNfs(t, { bulkVms: { count: N, datastore: NFS_DS, namePrefix: 'app-' }, delays: { CreateSnapshot_Task: 20, RemoveSnapshot_Task: 20 } });
const vms: MoRef[] = vc.inventory.vms.map((v) => ({ type: 'VirtualMachine', value: v.moref }));

t.test(`${N} VMs: concurrent create then remove, one PropertyCollector for all ${2 * N} tasks`, async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  const made = await c.createSnapshots(
    vms.map((vm) => ({ vm, name: 'vsnapd-run-1', description: 'vsnapd test run 1' })),
    { concurrency: 16, deadlineMs: 60_000 },
  );
  t.equal(made.length, N);
  t.same(made.filter((r) => !r.ok), [], 'every snapshot created');
  t.ok(made.every((r) => r.ok && r.method === 'CreateSnapshot_Task' && r.snapshot.type === 'VirtualMachineSnapshot'));
  t.same(made.map((r) => r.vm), vms, 'results in request order');

  const inv = await c.inventory();
  const snapped = inv.vms.filter((v) => flattenSnapshots(v.snapshots).some((s) => s.name === 'vsnapd-run-1'));
  t.equal(snapped.length, N, 'vcsim shows the snapshots');

  const removed = await c.removeSnapshots(
    made.flatMap((r) => (r.ok ? [{ snapshot: r.snapshot }] : [])),
    { concurrency: 16, deadlineMs: 60_000 },
  );
  t.same(removed.filter((r) => !r.ok), [], 'every snapshot removed');
  const after = await c.inventory();
  t.equal(after.vms.filter((v) => v.snapshots.length > 0).length, 0, 'no snapshot left');

  const calls = c.session.callsByMethod;
  t.comment(`calls: ${JSON.stringify(Object.fromEntries(calls))}`);
  t.equal(calls.get('CreatePropertyCollector'), 1, 'one private collector for every task');
  t.equal(calls.get('CreateSnapshot_Task'), N);
  t.equal(calls.get('RemoveSnapshot_Task'), N);
  t.ok((calls.get('CreateFilter') ?? 0) <= 2 * N, 'a filter per batch of tasks, never more than one per task');
  t.ok((calls.get('WaitForUpdatesEx') ?? 0) <= 4 * N, 'the wait loop stays bounded');
  await c.close();
  t.equal(c.session.callsByMethod.get('DestroyPropertyCollector'), 1, 'collector destroyed on close');
});

t.test('waitForTasks: tasks started elsewhere, all through the shared collector', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  const tasks = await Promise.all(vms.slice(0, 10).map((vm) => CreateSnapshot_Task(c.session, vm, { name: 'raw', memory: false, quiesce: false })));
  const results = await c.waitForTasks(tasks, { deadlineMs: 30_000 });
  t.equal(results.filter((r) => r.ok).length, 10);
  const snaps = results.flatMap((r) => (r.ok && r.result && typeof r.result === 'object' && 'value' in r.result ? [r.result] : []));
  t.equal(snaps.length, 10, 'TaskInfo.result holds the snapshot moref');
  const removed = await c.removeSnapshots(snaps.map((s) => ({ snapshot: { type: 'VirtualMachineSnapshot', value: String(s.value) } })));
  t.ok(removed.every((r) => r.ok));
  t.equal(c.session.callsByMethod.get('CreatePropertyCollector'), 1);
});

t.test('a task moref that does not exist fails alone; the other tasks are not affected', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  const real = await CreateSnapshot_Task(c.session, vms[1] as MoRef, { name: 'real', memory: false, quiesce: false });
  const [bogus, ok] = await c.waitForTasks([{ type: 'Task', value: 'task-999999' }, real], { deadlineMs: 3000 });
  t.equal(ok?.ok, true, 'the real task completes');
  t.equal(bogus?.ok, false, 'the bogus one is reported (missing, or at its deadline when the server skips it)');
  if (bogus && !bogus.ok) t.match(bogus.error, { kind: /^(not-found|timed-out)$/ });
  if (ok?.ok && ok.result && typeof ok.result === 'object' && 'value' in ok.result) {
    t.match(await c.removeSnapshot({ type: 'VirtualMachineSnapshot', value: String(ok.result.value) }), { ok: true });
  }
});

t.test('quiesce with a timeout: CreateSnapshotEx_Task; MethodNotFound → CreateSnapshot_Task, remembered', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  const vm = vms[0] as MoRef;
  const ex = await c.createSnapshot(vm, { name: 'q1', quiesce: true, quiesceTimeoutMinutes: 5 });
  t.match(ex, { ok: true, method: 'CreateSnapshotEx_Task', quiesced: true });
  if (ex.ok) await c.removeSnapshot(ex.snapshot);

  await vc.control({ action: 'setMethods', methods: { CreateSnapshotEx_Task: false } });
  t.teardown(() => vc.control({ action: 'setMethods', methods: { CreateSnapshotEx_Task: true } }));
  const fallback = await c.createSnapshot(vm, { name: 'q2', quiesce: true, quiesceTimeoutMinutes: 5 });
  t.match(fallback, { ok: true, method: 'CreateSnapshot_Task', quiesced: true });
  t.ok(c.session.unsupported.has('CreateSnapshotEx_Task'));
  const again = await c.createSnapshot(vm, { name: 'q3', quiesce: true, quiesceTimeoutMinutes: 5 });
  t.match(again, { ok: true, method: 'CreateSnapshot_Task' });
  t.equal(c.session.callsByMethod.get('CreateSnapshotEx_Task'), 2, 'not retried once known missing');
  for (const r of [fallback, again]) if (r.ok) await c.removeSnapshot(r.snapshot);
  t.equal((await c.inventory()).vms.find((v) => v.moref.value === vm.value)?.snapshots.length, 0);
});

t.test('bad spec: EINVAL result naming the field, no call made', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  const r = await c.createSnapshot(vms[0] as MoRef, { name: 'x', quiesce: true, quiesceTimeoutMinutes: 2 });
  t.match(r, { ok: false, error: { kind: 'invalid-argument', message: /^quiesceTimeoutMinutes: / } });
  const empty = await c.createSnapshot(vms[0] as MoRef, { name: ' ' });
  t.match(empty, { ok: false, error: { message: /^name: / } });
  t.equal(c.session.callsByMethod.get('CreateSnapshot_Task') ?? 0, 0);
});
