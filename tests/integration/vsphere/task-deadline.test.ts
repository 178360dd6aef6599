// Integration: per-task deadlines. A task that stays running (launcher slowTasks) is cancelled at its
// deadline; a server without CancelTask is reported as "cannot cancel"; a delayed SOAP call times out
// as a call, and its snapshot appears later (the leftover the sweeper must find).
import t from 'tap';
import { VsphereTimeoutError, flattenSnapshots, isVimFault, type MoRef } from '../../../vsphere/index.js';
import { CreateSnapshot_Task } from '../../../vsphere/methods/snapshot.js';
import { NFS_DS, connectClient, eventually, startVcsimWithNfs } from '../../helpers/vsphere.js';

const vc = await startVcsimWithNfs(t, { bulkVms: { count: 6, datastore: NFS_DS, namePrefix: 'slow-' } });
const vm = (i: number): MoRef => ({ type: 'VirtualMachine', value: vc.inventory.vms[i]?.moref ?? '' });
const name = (i: number): string => vc.inventory.vms[i]?.name ?? '';
const client = await connectClient(t, vc, { keepaliveMs: 0 });
t.teardown(() => vc.control({ action: 'slowTasks', ms: 0 }));

async function snapshotNames(i: number): Promise<string[]> {
  const inv = await client.inventory();
  return flattenSnapshots(inv.vms.find((v) => v.moref.value === vm(i).value)?.snapshots ?? []).map((s) => s.name);
}

t.test('a slow task is cancelled at its deadline and rejects with a typed timeout', async (t) => {
  await vc.control({ action: 'slowTasks', ms: 60_000, vms: [name(0)] });
  const r = await client.createSnapshot(vm(0), { name: 'too-slow' }, { deadlineMs: 1500 });
  t.equal(r.ok, false);
  if (r.ok) return;
  t.ok(r.error instanceof VsphereTimeoutError);
  t.match(r.error, { phase: 'task', kind: 'timed-out', category: 'timeout', cancel: { requested: true, ok: true } });
  t.match(r.error.message, /did not finish within \d+ ms; it was cancelled/);
  t.ok(r.task, 'the task moref is reported');
  // The cancelled task ends in error (RequestCanceled) and leaves no snapshot.
  const [after] = await client.waitForTasks([r.task as MoRef], { deadlineMs: 10_000 });
  t.equal(after?.ok, false);
  if (after && !after.ok) t.ok(isVimFault(after.error, 'RequestCanceled'), String(after.error));
  t.same(await snapshotNames(0), []);
});

t.test('several slow tasks, one deadline each, one collector', async (t) => {
  await vc.control({ action: 'slowTasks', ms: 60_000, vms: [name(1), name(2)] });
  const pcs = client.session.callsByMethod.get('CreatePropertyCollector');
  // Generous deadline: the fast VM must finish within it even on a loaded machine.
  const results = await client.createSnapshots([1, 2, 3].map((i) => ({ vm: vm(i), name: 'mixed' })), { deadlineMs: 5000 });
  t.same(results.map((r) => r.ok), [false, false, true], 'the fast VM is not held up by the slow ones');
  t.ok(results.slice(0, 2).every((r) => !r.ok && r.error instanceof VsphereTimeoutError && r.error.phase === 'task'));
  t.equal(client.session.callsByMethod.get('CreatePropertyCollector'), pcs);
  const ok = results[2];
  if (ok?.ok) await client.removeSnapshot(ok.snapshot);
});

t.test('no CancelTask on the server: "cannot cancel" in the timeout, no crash', async (t) => {
  await vc.control({ action: 'setMethods', methods: { CancelTask: false } });
  t.teardown(() => vc.control({ action: 'setMethods', methods: { CancelTask: true } }));
  await vc.control({ action: 'slowTasks', ms: 5000, vms: [name(4)] });
  const r = await client.createSnapshot(vm(4), { name: 'uncancellable' }, { deadlineMs: 2500 });
  t.equal(r.ok, false);
  if (r.ok) return;
  t.match(r.error, { phase: 'task', cancel: { requested: true, ok: false, reason: /server does not implement CancelTask/ } });
  // The task finishes by itself later; the snapshot it makes is a leftover.
  t.ok(await eventually(async () => (await snapshotNames(4)).includes('uncancellable'), 15_000));
});

t.test('a delayed SOAP call times out as a call; the snapshot still appears later', async (t) => {
  await vc.control({ action: 'setDelays', delays: { CreateSnapshot_Task: 2000 } });
  t.teardown(() => vc.control({ action: 'setDelays', delays: {} }));
  const r = await client.createSnapshot(vm(5), { name: 'late' }, { deadlineMs: 500 });
  t.equal(r.ok, false);
  if (r.ok) return;
  t.match(r.error, { name: 'VsphereTimeoutError', phase: 'call', method: 'CreateSnapshot_Task', timeoutMs: 500 });
  t.equal(r.task, undefined, 'no task moref: the call never answered');
  t.ok(await eventually(async () => (await snapshotNames(5)).includes('late'), 10_000), 'leftover snapshot appeared');
});

t.test('cancelOnDeadline:false leaves the task alone', async (t) => {
  await vc.control({ action: 'slowTasks', ms: 3000, vms: [name(3)] });
  const task = await CreateSnapshot_Task(client.session, vm(3), { name: 'left-alone', memory: false, quiesce: false });
  const [r] = await client.waitForTasks([task], { deadlineMs: 300, cancelOnDeadline: false });
  t.match(r, { ok: false, error: { phase: 'task', cancel: { requested: false, ok: false } } });
  const [later] = await client.waitForTasks([task], { deadlineMs: 15_000 });
  t.equal(later?.ok, true, 'it still completes');
});
