// Unit tests of inventory decoding from a RetrievePropertiesEx fixture: VMs (disks with backing,
// independent and RDM disks, passthrough, bus sharing, agent VMs, missing properties, nested
// snapshot trees), NFS/VMFS datastores and hosts (mounts incl. OSDATA, SCSI LUNs).
import t from 'tap';
import { decodeRetrieveResult } from '../../../vsphere/methods/property-results.js';
import { decodeResponse } from '../../../vsphere/soap/response.js';
import { decodeVirtualMachine, datastoreNameOfPath, flattenSnapshots } from '../../../vsphere/inventory/decode-vm.js';
import { decodeDatastore, decodeHost } from '../../../vsphere/inventory/decode-storage.js';
import { loadXml } from '../../helpers/vsphere-xml.js';

const page = decodeRetrieveResult(decodeResponse('RetrievePropertiesEx', loadXml('retrieve-inventory.xml'))[0]);
const byValue = (v: string) => {
  const c = page.objects.find((o) => o.obj.value === v);
  if (!c) throw new Error(`no ${v} in fixture`);
  return c;
};

t.test('VM with disks, passthrough and a two-root snapshot tree', async (t) => {
  const vm = decodeVirtualMachine(byValue('vm-42'));
  t.equal(vm.name, 'web01');
  t.equal(vm.uuid, '4211a8c4-6c3e-8f11-1a2b-3c4d5e6f7081');
  t.equal(vm.instanceUuid, '5011b9d5-7d4f-9022-2b3c-4d5e6f708192');
  t.equal(vm.powerState, 'poweredOn');
  t.equal(vm.connectionState, 'connected');
  t.equal(vm.template, false);
  t.equal(vm.toolsRunningStatus, 'guestToolsRunning');
  t.equal(vm.consolidationNeeded, true);
  t.same(vm.host, { type: 'HostSystem', value: 'host-14' });
  t.same(vm.datastores.map((d) => d.value), ['datastore-11', 'datastore-12']);
  t.equal(vm.vmPathName, '[nfs-a] web01/web01.vmx');
  t.equal(vm.disks.length, 3, 'controllers, NICs and unknown devices are not disks');
  t.same(vm.disks[0], {
    key: 2000,
    label: 'Hard disk 1',
    fileName: '[nfs-a] web01/web01.vmdk',
    datastore: { type: 'Datastore', value: 'datastore-11' },
    datastoreName: 'nfs-a',
    diskMode: 'persistent',
    backingType: 'VirtualDiskFlatVer2BackingInfo',
    capacityInKB: 16777216,
    independent: false,
    rdmPhysical: false,
  });
  t.match(vm.disks[1], { backingType: 'VirtualDiskRawDiskMappingVer1BackingInfo', rdmPhysical: true, independent: true });
  t.match(vm.disks[2], { diskMode: 'independent_nonpersistent', independent: true, rdmPhysical: false, datastoreName: 'vmfs-b' });
  t.same(vm.passthrough, [{ key: 13000, label: 'PCI device 0', type: 'VirtualPCIPassthrough' }]);
  t.equal(vm.sharedBus, false);
  t.equal(vm.snapshots.length, 2);
  t.same(flattenSnapshots(vm.snapshots).map((s) => [s.snapshot.value, s.name, s.id, s.quiesced]), [
    ['snapshot-101', 'before-upgrade', 1, true],
    ['snapshot-102', 'vsnapd-run-7f3c', 2, false],
    ['snapshot-103', 'deep', 3, false],
    ['snapshot-104', 'second-root', 4, false],
  ]);
  t.equal(vm.snapshots[0]!.children[0]!.children[0]!.state, 'poweredOff');
  t.same(vm.currentSnapshot, { type: 'VirtualMachineSnapshot', value: 'snapshot-103' });
  t.same(vm.missing, []);
});

t.test('agent VM: managedBy, bus sharing, missing property, no snapshot', async (t) => {
  const vm = decodeVirtualMachine(byValue('vm-43'));
  t.same(vm.managedBy, { extensionKey: 'com.vmware.vim.eam', type: 'cluster-agent' });
  t.equal(vm.sharedBus, true);
  t.same(vm.missing, ['guest.toolsRunningStatus']);
  t.equal(vm.toolsRunningStatus, undefined);
  t.same(vm.datastores, []);
  t.same(vm.snapshots, []);
  t.equal(vm.currentSnapshot, undefined);
  t.same(vm.disks, []);
});

t.test('template with entity-escaped name; absent properties get safe defaults', async (t) => {
  const vm = decodeVirtualMachine(byValue('vm-44'));
  t.equal(vm.name, 'R&D <template> été');
  t.equal(vm.template, true);
  t.equal(vm.snapshotOperationsSupported, false);
  t.equal(vm.uuid, undefined);
});

t.test('NFS 4.1 datastore: nas info with several remote host names', async (t) => {
  const ds = decodeDatastore(byValue('datastore-11'));
  t.equal(ds.name, 'nfs-a');
  t.equal(ds.type, 'NFS41');
  t.equal(ds.accessible, true);
  t.equal(ds.capacity, 1099511627776);
  t.same(ds.nas, { type: 'NFS41', remoteHost: '10.0.0.5', remotePath: '/mnt/tank/vm/', remoteHostNames: ['10.0.0.5', 'nas.example.com'] });
  t.equal(ds.vmfs, undefined);
  t.same(ds.hosts, [{ host: { type: 'HostSystem', value: 'host-14' }, path: '/vmfs/volumes/8f3c0a1e-1b2c3d4e', mounted: true, accessible: true }]);
});

t.test('VMFS datastore: extents (naa…)', async (t) => {
  const ds = decodeDatastore(byValue('datastore-12'));
  t.equal(ds.type, 'VMFS');
  t.equal(ds.accessible, false);
  t.same(ds.vmfs?.extents, [
    { diskName: 'naa.6589cfc000000a1b2c3d4e5f60718293', partition: 1 },
    { diskName: 'naa.6589cfc000000f0e0d0c0b0a09080706', partition: 1 },
  ]);
  t.equal(ds.nas, undefined);
  t.same(ds.hosts, []);
});

t.test('host: cluster parent, mounts (OSDATA type OTHER), SCSI LUNs', async (t) => {
  const h = decodeHost(byValue('host-14'));
  t.equal(h.name, 'esx01.example.com');
  t.same(h.cluster, { type: 'ClusterComputeResource', value: 'domain-c7' });
  t.equal(h.connectionState, 'connected');
  t.equal(h.inMaintenanceMode, false);
  t.same(h.mounts.map((m) => [m.type, m.name, m.volumeType]), [
    ['NFS41', 'nfs-a', 'HostNasVolume'],
    ['VMFS', 'vmfs-b', 'HostVmfsVolume'],
    ['OTHER', 'OSDATA-6500', 'HostVmfsVolume'],
  ]);
  t.same(h.mounts[0]!.remoteHostNames, ['10.0.0.5', 'nas.example.com']);
  t.same(h.mounts[1]!.extents, ['naa.6589cfc000000a1b2c3d4e5f60718293']);
  t.same(h.scsiLuns.map((l) => [l.kind, l.canonicalName, l.vendor, l.serialNumber]), [
    ['HostScsiDisk', 'naa.6589cfc000000a1b2c3d4e5f60718293', 'TrueNAS', 'a1b2c3d4e5f6'],
    ['ScsiLun', 'mpx.vmhba0:C0:T0:L0', 'NECVMWar', undefined],
  ]);
});

t.test('datastoreNameOfPath', async (t) => {
  t.equal(datastoreNameOfPath('[nfs-a] vm/vm.vmdk'), 'nfs-a');
  t.equal(datastoreNameOfPath('[ds with spaces] x.vmdk'), 'ds with spaces');
  t.equal(datastoreNameOfPath('[] x.vmdk'), '');
  t.equal(datastoreNameOfPath('/vmfs/volumes/x.vmdk'), undefined);
});
