/**
 * The vcsim launcher's injected behaviour: quiesce and other faults, busy VMs, slow cancelable tasks,
 * the vim25 methods Debian's vcsim lacks (and their MethodNotFound fallback), session expiry, delays.
 */
import t from 'tap';
import { startVcsim, type VcsimHandle, type VcsimSpec } from '../../fixtures/vcsim/index.js';
import { SoapProbe, moId, type MoRef } from '../../fixtures/vcsim/probe.js';

/** What `world` needs of a tap test. */
type Teardown = { teardown(fn: () => unknown): void };

/** A logged-in probe on a fresh simulator with VMs `web01` and `db01` on LocalDS_0. */
async function world(t: Teardown, extra: VcsimSpec = {}) {
  const vc: VcsimHandle = await startVcsim(
    { vms: [{ name: 'web01', datastore: 'LocalDS_0' }, { name: 'db01', datastore: 'LocalDS_0' }], ...extra },
    { t },
  );
  const p = new SoapProbe(vc.url, { ca: vc.certPem });
  t.teardown(() => p.close());
  const sc = await p.serviceContent();
  const login = await p.login(sc, vc.username, vc.password);
  if (login.fault) throw new Error(`login: ${login.fault.message}`);
  const vm = (name: string): MoRef => ({ type: 'VirtualMachine', value: vc.inventory.vms.find((v) => v.name === name)!.moref });
  /** CreateSnapshot_Task (or CreateSnapshotEx_Task with a quiesceSpec when `ex`). */
  const snapshot = (target: MoRef, opts: { quiesce?: boolean; ex?: boolean } = {}) =>
    opts.ex
      ? p.call('CreateSnapshotEx_Task', target, `<name>s</name><memory>false</memory>` +
          (opts.quiesce ? '<quiesceSpec xsi:type="VirtualMachineGuestQuiesceSpec"><timeout>5</timeout></quiesceSpec>' : ''))
      : p.call('CreateSnapshot_Task', target, `<name>s</name><memory>false</memory><quiesce>${opts.quiesce ?? false}</quiesce>`);
  const task = (reply: { body: Record<string, unknown> }): MoRef => ({ type: 'Task', value: moId(reply.body.returnval) });
  const faultOf = (info: Record<string, unknown>) => (info.error as Record<string, Record<string, unknown>>).fault!;
  return { vc, p, sc, vm, snapshot, task, faultOf };
}

t.test('quiesce faults hit only quiescing snapshots, for the given number of times', async (t) => {
  const { vc, p, sc, vm, snapshot, task, faultOf } = await world(t);
  await vc.control({ action: 'quiesceFault', vm: 'web01', times: 1, message: 'VSS writer failed' });
  t.equal((await p.waitTask(sc, task(await snapshot(vm('web01'))))).state, 'success', 'non-quiesced snapshot unaffected');
  const failed = await p.waitTask(sc, task(await snapshot(vm('web01'), { quiesce: true })));
  t.equal(failed.state, 'error');
  t.equal(faultOf(failed)['@_type'], 'ApplicationQuiesceFault');
  t.equal((failed.error as Record<string, unknown>).localizedMessage, 'VSS writer failed');
  t.equal((faultOf(failed).faultMessage as Record<string, unknown>).message, 'VSS writer failed');
  t.equal(moId(failed.entity), vm('web01').value);
  t.equal((await p.waitTask(sc, task(await snapshot(vm('web01'), { quiesce: true })))).state, 'success', 'times: 1 used up');

  await vc.control({ action: 'quiesceFault', vm: 'db01', fault: 'FilesystemQuiesceFault' });
  const ex = await p.waitTask(sc, task(await snapshot(vm('db01'), { quiesce: true, ex: true })));
  t.equal(faultOf(ex)['@_type'], 'FilesystemQuiesceFault', 'CreateSnapshotEx_Task with a quiesceSpec too');
  t.match(String((ex.error as Record<string, unknown>).localizedMessage), /time limit for holding off I\/O/);
  t.equal((await p.waitTask(sc, task(await snapshot(vm('web01'), { quiesce: true })))).state, 'success', 'other VMs unaffected');
});

t.test('busy VM, SOAP faults, task faults on RemoveSnapshot_Task', async (t) => {
  // busyVm given in the spec's `control` list: applied before the first call.
  const { vc, p, sc, vm, snapshot, task, faultOf } = await world(t, { control: [{ action: 'busyVm', vm: 'web01', times: 1 }] });
  t.equal(faultOf(await p.waitTask(sc, task(await snapshot(vm('web01')))))['@_type'], 'TaskInProgress');
  const ok = await p.waitTask(sc, task(await snapshot(vm('web01'))));
  t.equal(ok.state, 'success');
  const snap: MoRef = { type: 'VirtualMachineSnapshot', value: moId(ok.result) };

  await vc.control({ action: 'injectFault', fault: 'RestrictedVersion', methods: ['CreateSnapshot_Task'], as: 'soap', times: 1 });
  const soap = await snapshot(vm('db01'));
  t.equal(soap.status, 500);
  t.equal(soap.fault?.type, 'RestrictedVersion');

  await vc.control({ action: 'injectFault', fault: 'NoPermission', methods: ['RemoveSnapshot_Task'], target: 'web01' });
  const rm = await p.waitTask(sc, task(await p.call('RemoveSnapshot_Task', snap, '<removeChildren>false</removeChildren>')));
  t.equal(faultOf(rm)['@_type'], 'NoPermission', 'a snapshot counts as its VM for target');
  await vc.control({ action: 'clearFaults' });
  const removed = await p.waitTask(sc, task(await p.call('RemoveSnapshot_Task', snap, '<removeChildren>false</removeChildren>')));
  t.equal(removed.state, 'success');
  t.equal(moId(removed.entity), snap.value, "vcsim reports the snapshot as RemoveSnapshot_Task's entity");
  await t.rejects(vc.control({ action: 'injectFault', fault: 'NoSuchFault', methods: ['X'] }), /not a vim25 fault type/);
});

t.test('slow tasks stay running, hold the VM and can be cancelled', async (t) => {
  const { vc, p, sc, vm, snapshot, task, faultOf } = await world(t);
  await vc.control({ action: 'slowTasks', ms: 600_000, methods: ['CreateSnapshot_Task'] });
  const slow = task(await snapshot(vm('web01')));
  const info = (await p.props(sc, slow, ['info'])).info as Record<string, unknown>;
  t.equal(info.state, 'running');
  t.equal(info.cancelable, 'true');
  t.equal(faultOf(await p.waitTask(sc, task(await snapshot(vm('web01')))))['@_type'], 'TaskInProgress', 'VM is busy');
  t.notOk((await p.call('CancelTask', slow)).fault);
  const cancelled = await p.waitTask(sc, slow);
  t.equal(faultOf(cancelled)['@_type'], 'RequestCanceled');
  t.equal(cancelled.cancelled, 'true');
  t.notOk((await p.props(sc, vm('web01'), ['snapshot'])).snapshot, 'a cancelled task made no snapshot');
  t.equal((await p.call('CancelTask', slow)).fault?.type, 'InvalidState', 'finished tasks cannot be cancelled');

  await vc.control({ action: 'slowTasks', ms: 50 });
  const done = await p.waitTask(sc, task(await snapshot(vm('db01'))));
  t.equal(done.state, 'success', 'a slow task finishes by itself');
  t.ok((await p.props(sc, vm('db01'), ['snapshot'])).snapshot);
});

t.test('methods vcsim lacks: implemented by default, MethodNotFound when switched off', async (t) => {
  const uuid = '42a1b2c3-0000-4000-8000-000000000001';
  const { vc, p, sc, vm, snapshot, task } = await world(t, {
    vms: [{ name: 'web01', datastore: 'LocalDS_0', uuid }, { name: 'clone', datastore: 'LocalDS_0', uuid }],
    bulkVms: { count: 23, datastore: 'LocalDS_0', powerState: 'off' },
  });
  const exTask = task(await snapshot(vm('web01'), { ex: true }));
  t.equal((await p.waitTask(sc, exTask)).state, 'success', 'CreateSnapshotEx_Task');

  await vc.control({ action: 'setVm', vm: 'web01', consolidationNeeded: true });
  t.equal((await p.props(sc, vm('web01'), ['runtime.consolidationNeeded']))['runtime.consolidationNeeded'], 'true');
  t.equal((await p.waitTask(sc, task(await p.call('ConsolidateVMDisks_Task', vm('web01'))))).state, 'success');
  t.equal((await p.props(sc, vm('web01'), ['runtime.consolidationNeeded']))['runtime.consolidationNeeded'], 'false');

  const si: MoRef = { type: 'SearchIndex', value: moId(sc.searchIndex) };
  const find = () => p.call('FindAllByUuid', si, `<uuid>${uuid}</uuid><vmSearch>true</vmSearch><instanceUuid>false</instanceUuid>`);
  t.equal([(await find()).body.returnval].flat().length, 2, 'both VMs with the BIOS uuid');

  const first = await p.view(sc, 'VirtualMachine', ['name'], 10);
  t.equal(first.objects.length, 10);
  t.ok(first.token);
  const second = await p.continueRetrieve(sc, first.token!);
  const third = await p.continueRetrieve(sc, second.token!);
  t.same([second.objects.length, third.objects.length, third.token], [10, 5, undefined], '25 VMs in pages of 10');

  await vc.control({
    action: 'setMethods',
    methods: { CreateSnapshotEx_Task: false, ConsolidateVMDisks_Task: false, FindAllByUuid: false, CancelTask: false,
      ContinueRetrievePropertiesEx: false },
  });
  t.equal((await snapshot(vm('web01'), { ex: true })).fault?.type, 'MethodNotFound');
  t.equal((await p.call('ConsolidateVMDisks_Task', vm('web01'))).fault?.type, 'MethodNotFound');
  t.equal((await find()).fault?.type, 'MethodNotFound');
  t.equal((await p.call('CancelTask', exTask)).fault?.type, 'MethodNotFound');
  const unpaged = await p.view(sc, 'VirtualMachine', ['name'], 10);
  t.same([unpaged.objects.length, unpaged.token], [25, undefined], 'maxObjects ignored, as by Debian vcsim');
  t.equal((await p.continueRetrieve(sc, 'x')).fault?.type, 'MethodNotFound');
});

t.test('expired sessions answer NotAuthenticated until the client logs in again', async (t) => {
  const { vc, p, sc, vm } = await world(t);
  t.equal((await vc.control({ action: 'expireSessions' })).expired, 1);
  const after = await p.call('CurrentTime', { type: 'ServiceInstance', value: 'ServiceInstance' });
  t.equal(after.fault?.type, 'NotAuthenticated');
  await t.rejects(p.props(sc, vm('web01'), ['name']), /NotAuthenticated/);
  t.notOk((await p.login(sc, vc.username, vc.password)).fault, 'login again with the stale cookie');
  t.equal((await p.props(sc, vm('web01'), ['name'])).name, 'web01');
});

t.test('a per-method delay holds the SOAP call', async (t) => {
  const { vc, p, sc, vm, snapshot } = await world(t, { delays: { CreateSnapshot_Task: 300 } });
  // Lower bound only: the launcher sleeps at least the delay before answering.
  let t0 = Date.now();
  await snapshot(vm('web01'));
  t.ok(Date.now() - t0 >= 290, 'held for the delay');
  await vc.control({ action: 'setDelays', delays: { '*': 0 } });
  t.same((await vc.state()).delays, { '*': 0 });
  t0 = Date.now();
  t.ok((await p.props(sc, vm('web01'), ['snapshot'])).snapshot, 'the delayed call still created its snapshot');
});
