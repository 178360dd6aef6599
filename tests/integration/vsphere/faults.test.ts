// Integration: vim25 faults from a real server decode into typed errors. SOAP faults (NoPermission,
// RestrictedVersion, ManagedObjectNotFound, MethodNotFound) vs task faults (quiesce failures, busy VM,
// incompatible device), with their kinds, classes and messages; MethodNotFound fallbacks.
import t from 'tap';
import { SoapFaultError, TaskFaultError, isVimFault, type MoRef } from '../../../vsphere/index.js';
import { NFS_DS, connectClient, startVcsimWithNfs } from '../../helpers/vsphere.js';

const vc = await startVcsimWithNfs(t, {
  vms: [
    { name: 'web01', datastore: NFS_DS },
    { name: 'db01', datastore: NFS_DS, consolidationNeeded: true },
    { name: 'clone-a', datastore: NFS_DS, uuid: '42000000-0000-0000-0000-0000000000aa' },
    { name: 'clone-b', datastore: NFS_DS, uuid: '42000000-0000-0000-0000-0000000000aa' },
  ],
});
const ref = (name: string): MoRef => ({ type: 'VirtualMachine', value: vc.inventory.vms.find((v) => v.name === name)?.moref ?? '' });
const client = await connectClient(t, vc, { keepaliveMs: 0 });

t.beforeEach(() => vc.control({ action: 'clearFaults' }).then(() => undefined));

t.test('SOAP fault NoPermission: EPERM, permission, message with the fault messages', async (t) => {
  await vc.control({ action: 'injectFault', fault: 'NoPermission', methods: ['CreateSnapshot_Task'], as: 'soap', target: 'web01', message: 'Required privilege VirtualMachine.State.CreateSnapshot' });
  const r = await client.createSnapshot(ref('web01'), { name: 'x' });
  t.equal(r.ok, false);
  if (r.ok) return;
  t.ok(r.error instanceof SoapFaultError);
  t.match(r.error, { faultType: 'NoPermission', kind: 'denied', category: 'permission', method: 'CreateSnapshot_Task' });
  t.match(r.error.message, /Required privilege VirtualMachine\.State\.CreateSnapshot/);
});

t.test('SOAP fault RestrictedVersion (free ESXi licence): EPERM, licence', async (t) => {
  await vc.control({ action: 'injectFault', fault: 'RestrictedVersion', methods: ['CreateSnapshot_Task'], as: 'soap' });
  const r = await client.createSnapshot(ref('web01'), { name: 'x' });
  t.match(r, { ok: false, error: { faultType: 'RestrictedVersion', kind: 'denied', category: 'licence' } });
});

t.test('task faults: quiesce failures keep localizedMessage and fault messages', async (t) => {
  await vc.control({ action: 'quiesceFault', vm: 'web01', fault: 'ApplicationQuiesceFault', message: 'pre-freeze script returned 1', times: 1 });
  const app = await client.createSnapshot(ref('web01'), { name: 'q', quiesce: true });
  t.equal(app.ok, false);
  if (!app.ok) {
    t.ok(app.error instanceof TaskFaultError);
    t.match(app.error, { faultType: 'ApplicationQuiesceFault', category: 'task', kind: 'failed' });
    t.match(app.error.message, /pre-freeze script returned 1/);
    t.ok(isVimFault(app.error, 'SnapshotFault'));
    t.ok(app.task, 'the failed task is named');
  }
  await vc.control({ action: 'quiesceFault', vm: 'web01', fault: 'FilesystemQuiesceFault', times: 1 });
  const fs = await client.createSnapshot(ref('web01'), { name: 'q', quiesce: true });
  t.match(fs, { ok: false, error: { faultType: 'FilesystemQuiesceFault' } });
  const crash = await client.createSnapshot(ref('web01'), { name: 'crash-consistent', quiesce: false });
  t.match(crash, { ok: true, quiesced: false }, 'the fallback without quiescing works');
  if (crash.ok) t.match(await client.removeSnapshot(crash.snapshot), { ok: true });
});

t.test('task faults: busy VM (TaskInProgress, EBUSY), incompatible device, InvalidState on removal', async (t) => {
  await vc.control({ action: 'busyVm', vm: 'web01', times: 1 });
  t.match(await client.createSnapshot(ref('web01'), { name: 'b' }), { ok: false, error: { name: 'TaskFaultError', faultType: 'TaskInProgress', kind: 'busy' } });
  await vc.control({ action: 'injectFault', fault: 'SnapshotIncompatibleDeviceInVm', methods: ['CreateSnapshot_Task'], target: 'web01', times: 1 });
  t.match(await client.createSnapshot(ref('web01'), { name: 'b' }), { ok: false, error: { faultType: 'SnapshotIncompatibleDeviceInVm' } });
  const made = await client.createSnapshot(ref('web01'), { name: 'to-remove' });
  t.equal(made.ok, true);
  if (!made.ok) return;
  await vc.control({ action: 'injectFault', fault: 'InvalidState', methods: ['RemoveSnapshot_Task'], times: 1 });
  t.match(await client.removeSnapshot(made.snapshot), { ok: false, error: { name: 'TaskFaultError', faultType: 'InvalidState' } });
  t.match(await client.removeSnapshot(made.snapshot), { ok: true }, 'retry works');
});

t.test('ManagedObjectNotFound from vcsim itself: ENOENT', async (t) => {
  const r = await client.removeSnapshot({ type: 'VirtualMachineSnapshot', value: 'snapshot-999999' });
  t.match(r, { ok: false, error: { name: 'SoapFaultError', faultType: 'ManagedObjectNotFound', kind: 'not-found' } });
});

t.test('cancelTask: a finished task cannot be cancelled (reported, not thrown)', async (t) => {
  const made = await client.createSnapshot(ref('db01'), { name: 'c' });
  t.equal(made.ok, true);
  if (!made.ok) return;
  const out = await client.cancelTask(made.task);
  t.match(out, { requested: true, ok: false, reason: /^cannot cancel: / });
  t.match(await client.removeSnapshot(made.snapshot), { ok: true });
});

t.test('ConsolidateVMDisks_Task, and MethodNotFound when the server lacks it', async (t) => {
  const ok = await client.consolidateDisks(ref('db01'), { deadlineMs: 10_000 });
  t.equal(ok.ok, true);
  t.equal((await client.inventory()).vms.find((v) => v.name === 'db01')?.consolidationNeeded, false);
  await vc.control({ action: 'setMethods', methods: { ConsolidateVMDisks_Task: false } });
  t.teardown(() => vc.control({ action: 'setMethods', methods: { ConsolidateVMDisks_Task: true } }));
  await t.rejects(client.consolidateDisks(ref('db01')), { name: 'SoapFaultError', faultType: 'MethodNotFound', kind: 'unsupported' });
});

t.test('findVmsByUuid: FindAllByUuid finds clones; FindByUuid fallback on MethodNotFound', async (t) => {
  const uuid = '42000000-0000-0000-0000-0000000000aa';
  const all = await client.findVmsByUuid(uuid);
  t.same(all.map((r) => r.value).sort(), [ref('clone-a').value, ref('clone-b').value].sort());
  const c2 = await connectClient(t, vc, { keepaliveMs: 0 });
  await vc.control({ action: 'setMethods', methods: { FindAllByUuid: false } });
  t.teardown(() => vc.control({ action: 'setMethods', methods: { FindAllByUuid: true } }));
  const one = await c2.findVmsByUuid(uuid);
  t.equal(one.length, 1);
  t.ok(c2.session.unsupported.has('FindAllByUuid'));
  const web = vc.inventory.vms.find((v) => v.name === 'web01');
  t.same(await c2.findVmsByUuid(web?.instanceUuid ?? '', { instanceUuid: true }), [ref('web01')]);
});
