// Integration: inventory of 600+ VMs in a bounded number of SOAP round trips (one ContainerView,
// one RetrievePropertiesEx plus ContinueRetrievePropertiesEx pages, DestroyView), the fallbacks
// for servers without paging, and the typed content the coordinator relies on.
import t from 'tap';
import { moRefKey } from '../../../vsphere/index.js';
import { NFS_DS, connectClient, startVcsimWithNfs } from '../../helpers/vsphere.js';

const BULK = 600;
const vc = await startVcsimWithNfs(t, {
  bulkVms: { count: BULK, datastore: NFS_DS },
  vms: [
    { name: 'web01', datastore: NFS_DS, passthrough: true, snapshots: [{ name: 'a', children: [{ name: 'b' }] }] },
    { name: 'db01', datastore: NFS_DS, powerState: 'off', extraDisks: [{ datastore: NFS_DS, diskMode: 'independent_persistent' }] },
    { name: 'tmpl01', datastore: NFS_DS, powerState: 'off', template: true },
    { name: 'vCLS-1', datastore: NFS_DS, managedBy: { extensionKey: 'com.vmware.vim.eam', type: 'cluster-agent' } },
    { name: 'local01', datastore: 'LocalDS_0', toolsRunning: false },
  ],
});
const client = await connectClient(t, vc, { keepaliveMs: 0 });
const totalVms = vc.inventory.vms.length;
const objects = totalVms + vc.inventory.hosts.length + vc.inventory.datastores.length;

/** The VM called `name` in `inv`; throws when there is none. */
function vmNamed<V extends { readonly name: string }>(inv: { readonly vms: readonly V[] }, name: string): V {
  const found = inv.vms.find((v) => v.name === name);
  if (!found) throw new Error(`no VM ${name}`);
  return found;
}

t.test(`${BULK}+ VMs, paged: exactly CreateContainerView + pages + DestroyView`, async (t) => {
  const pageSize = 250;
  const inv = await client.inventory({ pageSize });
  t.equal(inv.vms.length, totalVms);
  t.ok(inv.vms.length > 500);
  const pages = Math.ceil(objects / pageSize);
  t.equal(inv.roundTrips, 2 + pages, `1 view + ${pages} pages + 1 DestroyView`);
  t.equal(client.session.callsByMethod.get('ContinueRetrievePropertiesEx'), pages - 1);
  t.equal(new Set(inv.vms.map((v) => moRefKey(v.moref))).size, totalVms, 'no duplicates across pages');
});

t.test('server without paging (vcsim alone): one page, three round trips', async (t) => {
  await vc.control({ action: 'setMethods', methods: { ContinueRetrievePropertiesEx: false } });
  t.teardown(() => vc.control({ action: 'setMethods', methods: { ContinueRetrievePropertiesEx: true } }));
  const inv = await client.inventory({ pageSize: 100 });
  t.equal(inv.vms.length, totalVms);
  t.equal(inv.roundTrips, 3);
});

t.test('a token but MethodNotFound on ContinueRetrievePropertiesEx: clean fallback to RetrieveProperties', async (t) => {
  await vc.control({ action: 'injectFault', fault: 'MethodNotFound', methods: ['ContinueRetrievePropertiesEx'], as: 'soap' });
  t.teardown(() => vc.control({ action: 'clearFaults' }));
  const before = client.session.callsByMethod.get('RetrieveProperties') ?? 0;
  const inv = await client.inventory({ pageSize: 100 });
  t.equal(inv.vms.length, totalVms, 'every VM despite the missing method');
  t.equal(client.session.callsByMethod.get('RetrieveProperties'), before + 1);
  t.equal(inv.roundTrips, 5, 'view + first page + failed continue + RetrieveProperties + DestroyView');
});

t.test('typed VMs: disks on the NFS datastore, skip-worthy VMs recognisable', async (t) => {
  const inv = await client.inventory();
  const vm = (name: string) => vmNamed(inv, name);
  const nfs = inv.datastores.find((d) => d.name === NFS_DS);
  t.match(nfs, { type: 'NFS', accessible: true, nas: { remoteHost: '192.0.2.10', remotePath: '/mnt/tank/vm' } });
  t.same(nfs?.nas?.remoteHostNames, ['192.0.2.10']);
  const web = vm('web01');
  t.equal(web.powerState, 'poweredOn');
  t.equal(web.toolsRunningStatus, 'guestToolsRunning');
  t.equal(web.disks[0]?.datastoreName, NFS_DS);
  t.same(web.disks[0]?.datastore, nfs?.moref);
  t.equal(web.passthrough.length, 1);
  t.same(web.snapshots.map((s) => [s.name, s.children.map((c) => c.name)]), [['a', ['b']]]);
  t.same(web.uuid, vc.inventory.vms.find((v) => v.name === 'web01')?.uuid);
  const db = vm('db01');
  t.equal(db.powerState, 'poweredOff');
  t.same(db.disks.map((d) => d.independent), [false, true]);
  t.equal(vm('tmpl01').template, true);
  t.equal(vm('vCLS-1').managedBy?.extensionKey, 'com.vmware.vim.eam');
  t.equal(vm('local01').toolsRunningStatus, 'guestToolsNotRunning');
  t.equal(vm('local01').disks[0]?.datastoreName, 'LocalDS_0');
  const host = inv.hosts.find((h) => h.moref.value === web.host?.value);
  t.ok(host, 'the VM host is in the inventory');
  t.ok(host?.mounts.some((m) => m.type === 'NFS' && m.remotePath === '/mnt/tank/vm'), 'the host mounts the NFS datastore');
});

t.test('extended inventory (export): clusters, resource pools, datacenters, folders', async (t) => {
  const inv = await client.inventory({ extended: true });
  t.equal(inv.datacenters?.length, 1);
  t.ok((inv.clusters?.length ?? 0) >= 1);
  t.ok((inv.clusters?.[0]?.hosts?.length ?? 0) >= 1);
  t.ok((inv.resourcePools?.length ?? 0) >= 1);
  t.ok((inv.folders?.length ?? 0) >= 1);
  const web = inv.vms.find((v) => v.name === 'web01');
  t.ok(web?.resourcePool, 'VM placement');
  t.ok(web?.guest, 'guest identity block present');
  t.ok(inv.hosts.every((h) => h.productFullName !== undefined));
});

t.test('readVms: given VMs in one RetrievePropertiesEx, decoded as the inventory decodes them', async (t) => {
  const inv = await client.inventory();
  const byName = (name: string) => vmNamed(inv, name);
  const wanted = [byName('db01'), byName('web01'), byName('local01')];
  const before = client.roundTrips;
  const read = await client.readVms([...wanted.map((v) => v.moref), wanted[0]?.moref ?? byName('db01').moref]);
  t.equal(client.roundTrips - before, 1, 'one round trip (no ContainerView)');
  t.same(read.map((v) => v.name), ['db01', 'web01', 'local01'], 'request order, each VM once');
  t.same(read, wanted, 'the same VirtualMachineInfo as the inventory (disk datastore names from the paths)');
  t.same(read[1]?.snapshots.map((s) => [s.name, s.children.map((c) => c.name)]), [['a', ['b']]]);
  t.same(await client.readVms([]), [], 'nothing asked, nothing read');

  const extended = await client.readVms([byName('web01').moref], { extended: true });
  t.ok(extended[0]?.resourcePool && extended[0]?.guest, 'extended: placement and guest identity');
});

t.test('readVms leaves out VMs that no longer exist', async (t) => {
  const web = vc.inventory.vms.find((v) => v.name === 'web01');
  const gone = { type: 'VirtualMachine', value: 'vm-does-not-exist' };
  const read = await client.readVms([gone, { type: 'VirtualMachine', value: web?.moref ?? '' }, gone]);
  t.same(read.map((v) => v.name), ['web01']);
});
