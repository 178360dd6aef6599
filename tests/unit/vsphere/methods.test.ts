// Unit tests of the typed vim25 methods against a fixture RoundTripper: request shapes (WSDL order)
// and decoded answers (ServiceContent of vCenter vs ESXi, arrays of returnvals, empty results).
import t from 'tap';
import { RetrieveServiceContent, CurrentTime } from '../../../vsphere/methods/service-instance.js';
import { Login } from '../../../vsphere/methods/session-manager.js';
import { FindAllByUuid } from '../../../vsphere/methods/search-index.js';
import {
  CreateFilter,
  RetrievePropertiesEx,
  WaitForUpdatesEx,
} from '../../../vsphere/methods/property-collector.js';
import { CreateSnapshotEx_Task, CreateSnapshot_Task, RemoveSnapshot_Task } from '../../../vsphere/methods/snapshot.js';
import { FixtureRoundTripper, envelope } from '../../helpers/vsphere-xml.js';

const vm = { type: 'VirtualMachine', value: 'vm-42' };
const taskAnswer = (m: string) => envelope(m, '<returnval type="Task">task-9</returnval>');

t.test('RetrieveServiceContent: vCenter morefs, about, unknown fields ignored', async (t) => {
  const rt = new FixtureRoundTripper({ RetrieveServiceContent: 'service-content-vpx.xml' });
  const sc = await RetrieveServiceContent(rt);
  t.same(sc.rootFolder, { type: 'Folder', value: 'group-d1' });
  t.same(sc.propertyCollector, { type: 'PropertyCollector', value: 'propertyCollector' });
  t.same(sc.sessionManager, { type: 'SessionManager', value: 'SessionManager' });
  t.equal(sc.about.apiType, 'VirtualCenter');
  t.equal(sc.about.apiVersion, '8.0.2.0');
  t.equal(sc.about.instanceUuid, '6a2f1f0e-0c3b-4f7e-9a59-1d3c5e8b7a10');
  t.ok(rt.calls[0]!.envelope.includes('<_this type="ServiceInstance">ServiceInstance</_this>'));
});

t.test('RetrieveServiceContent: ESXi morefs differ (never hard-coded)', async (t) => {
  const sc = await RetrieveServiceContent(new FixtureRoundTripper({ RetrieveServiceContent: 'service-content-esx.xml' }));
  t.same(sc.rootFolder, { type: 'Folder', value: 'ha-folder-root' });
  t.same(sc.propertyCollector, { type: 'PropertyCollector', value: 'ha-property-collector' });
  t.same(sc.sessionManager, { type: 'SessionManager', value: 'ha-sessionmgr' });
  t.equal(sc.about.apiType, 'HostAgent');
  t.equal(sc.about.instanceUuid, undefined);
});

t.test('RetrieveServiceContent: an answer without rootFolder is a protocol error', async (t) => {
  const rt = new FixtureRoundTripper({ RetrieveServiceContent: envelope('RetrieveServiceContent', '<returnval><about><name>x</name></about></returnval>') });
  await t.rejects(RetrieveServiceContent(rt), { name: 'VsphereTransportError', category: 'protocol' });
});

t.test('Login: parameter order; the answer decodes into UserSession', async (t) => {
  const rt = new FixtureRoundTripper({
    Login: envelope('Login', '<returnval><key>52ab</key><userName>VSPHERE.LOCAL\\svc</userName><fullName>svc</fullName><loginTime>2024-05-01T00:00:00Z</loginTime></returnval>'),
  });
  const s = await Login(rt, { type: 'SessionManager', value: 'ha-sessionmgr' }, 'svc', 'p<w>&d');
  t.same(s, { key: '52ab', userName: 'VSPHERE.LOCAL\\svc', fullName: 'svc', loginTime: '2024-05-01T00:00:00Z' });
  t.ok(rt.calls[0]!.envelope.includes('<_this type="SessionManager">ha-sessionmgr</_this><userName>svc</userName><password>p&lt;w&gt;&amp;d</password></Login>'));
});

t.test('CurrentTime and FindAllByUuid (several returnvals)', async (t) => {
  const rt = new FixtureRoundTripper({
    CurrentTime: envelope('CurrentTime', '<returnval>2024-05-01T00:00:00.5Z</returnval>'),
    FindAllByUuid: 'find-all-by-uuid.xml',
  });
  t.equal(await CurrentTime(rt), '2024-05-01T00:00:00.5Z');
  const found = await FindAllByUuid(rt, { type: 'SearchIndex', value: 'SearchIndex' }, { uuid: 'u-1', vmSearch: true, instanceUuid: false });
  t.same(found, [vm, { type: 'VirtualMachine', value: 'vm-1042' }]);
  t.ok(rt.calls[1]!.envelope.includes('<uuid>u-1</uuid><vmSearch>true</vmSearch><instanceUuid>false</instanceUuid>'));
});

t.test('snapshot methods: parameter order and xsi:type of quiesceSpec', async (t) => {
  const rt = new FixtureRoundTripper({
    CreateSnapshot_Task: taskAnswer('CreateSnapshot_Task'),
    CreateSnapshotEx_Task: taskAnswer('CreateSnapshotEx_Task'),
    RemoveSnapshot_Task: taskAnswer('RemoveSnapshot_Task'),
  });
  t.same(await CreateSnapshot_Task(rt, vm, { name: 'n', description: 'd', memory: false, quiesce: true }), { type: 'Task', value: 'task-9' });
  t.ok(rt.calls[0]!.envelope.includes('<_this type="VirtualMachine">vm-42</_this><name>n</name><description>d</description><memory>false</memory><quiesce>true</quiesce>'));
  await CreateSnapshotEx_Task(rt, vm, { name: 'n', memory: false, quiesceTimeoutMinutes: 10 });
  t.ok(rt.calls[1]!.envelope.includes('<name>n</name><memory>false</memory><quiesceSpec xsi:type="VirtualMachineGuestQuiesceSpec"><timeout>10</timeout></quiesceSpec>'));
  await RemoveSnapshot_Task(rt, { type: 'VirtualMachineSnapshot', value: 'snapshot-7' }, { removeChildren: false, consolidate: true });
  t.ok(rt.calls[2]!.envelope.includes('<_this type="VirtualMachineSnapshot">snapshot-7</_this><removeChildren>false</removeChildren><consolidate>true</consolidate>'));
  const bad = new FixtureRoundTripper({ CreateSnapshot_Task: envelope('CreateSnapshot_Task', '') });
  await t.rejects(CreateSnapshot_Task(bad, vm, { name: 'n', memory: false, quiesce: false }), { name: 'VsphereTransportError', category: 'protocol' });
});

t.test('RetrievePropertiesEx: empty answer; token; collector morefs', async (t) => {
  const pc = { type: 'PropertyCollector', value: 'propertyCollector' };
  const spec = { propSet: [{ type: 'Task', pathSet: ['info'] }], objectSet: [{ obj: { type: 'Task', value: 'task-1' } }] };
  const empty = await RetrievePropertiesEx(new FixtureRoundTripper({ RetrievePropertiesEx: 'retrieve-empty.xml' }), pc, [spec]);
  t.same(empty, { token: undefined, objects: [] });
  const page = await RetrievePropertiesEx(new FixtureRoundTripper({ RetrievePropertiesEx: 'retrieve-inventory.xml' }), pc, [spec], 100);
  t.equal(page.token, '2');
  t.equal(page.objects.length, 6);
  const rt = new FixtureRoundTripper({
    CreateFilter: envelope('CreateFilter', '<returnval type="PropertyFilter">session[1]f</returnval>'),
    WaitForUpdatesEx: 'wait-updates-none.xml',
  });
  t.same(await CreateFilter(rt, pc, spec, false), { type: 'PropertyFilter', value: 'session[1]f' });
  t.ok(rt.calls[0]!.envelope.includes('<spec><propSet><type>Task</type><pathSet>info</pathSet></propSet><objectSet><obj type="Task">task-1</obj></objectSet></spec><partialUpdates>false</partialUpdates>'));
  t.equal(await WaitForUpdatesEx(rt, pc, '', 30), undefined, 'no returnval = the wait elapsed');
  t.ok(rt.calls[1]!.envelope.includes('<_this type="PropertyCollector">propertyCollector</_this><options><maxWaitSeconds>30</maxWaitSeconds></options>'), 'initial version omitted');
  await WaitForUpdatesEx(rt, pc, '7', 0);
  t.ok(rt.calls[2]!.envelope.includes('<version>7</version><options><maxWaitSeconds>0</maxWaitSeconds></options>'));
});
