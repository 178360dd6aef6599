import t from 'tap';
import { inventoryDocument, InventoryDocument } from '../../../../plugins/vmware/inventory-export.js';
import type { HostInfo, Inventory } from '../../../../vsphere/inventory/types.js';
import { datastore, vm } from '../../../helpers/fake-inventory.js';

const ref = (type: string, value: string) => ({ type, value });
const about = { name: 'VMware vCenter Server', fullName: 'VMware vCenter Server 8.0.2', vendor: 'VMware', version: '8.0.2', build: '1', apiType: 'VirtualCenter', apiVersion: '8.0.2.0' };
const host = (value: string, ips: string[], cluster?: string): HostInfo => ({
  moref: ref('HostSystem', value),
  name: `${value}.example.com`,
  connectionState: 'connected',
  powerState: 'poweredOn',
  inMaintenanceMode: false,
  parent: cluster ? ref('ClusterComputeResource', cluster) : ref('ComputeResource', 'cr-1'),
  cluster: cluster ? ref('ClusterComputeResource', cluster) : undefined,
  mounts: [],
  scsiLuns: [],
  productFullName: 'VMware ESXi 8.0.2',
  ipAddresses: ips,
});

const inv: Inventory = {
  vms: [
    vm({ moref: ref('VirtualMachine', 'vm-1'), name: 'web', host: ref('HostSystem', 'host-1'), parent: ref('Folder', 'vmfolder'), resourcePool: ref('ResourcePool', 'rp-1'), numCPU: 2, memoryMB: 4096,
      guest: { guestFullName: 'Ubuntu Linux (64-bit)', hostName: 'web.lan', ipAddress: '10.0.0.21', ipAddresses: ['fe80::1', '10.0.0.21', '10.0.1.21'] } }),
    vm({ moref: ref('VirtualMachine', 'vm-2'), name: 'db', powerState: 'poweredOff', host: ref('HostSystem', 'host-2'), guest: { guestFullName: undefined, hostName: undefined, ipAddress: undefined, ipAddresses: ['fd00::5'] } }),
  ],
  datastores: [datastore('ds1')],
  hosts: [host('host-1', ['10.0.0.11'], 'c-1'), host('host-2', ['fd00::11'])],
  datacenters: [{ moref: ref('Datacenter', 'dc-1'), name: 'DC1', parent: ref('Folder', 'root') }],
  folders: [{ moref: ref('Folder', 'vmfolder'), name: 'vm', parent: ref('Datacenter', 'dc-1') }, { moref: ref('Folder', 'hostfolder'), name: 'host', parent: ref('Datacenter', 'dc-1') }],
  clusters: [{ moref: ref('ClusterComputeResource', 'c-1'), name: 'Prod', parent: ref('Folder', 'hostfolder'), hosts: [ref('HostSystem', 'host-1')] }],
  resourcePools: [{ moref: ref('ResourcePool', 'rp-1'), name: 'Resources', parent: ref('ClusterComputeResource', 'c-1'), owner: ref('ClusterComputeResource', 'c-1') }],
  roundTrips: 3,
  collectedAt: '2026-01-02T03:04:05.000Z',
};

t.test('one document, every record kept, warnings for records without IPv4', async (t) => {
  const doc = inventoryDocument({ id: 7, hostname: 'vc.example.com' }, about, '8.0.2.0', inv);
  t.ok(InventoryDocument.safeParse(doc).success, 'matches the result schema');
  t.match(doc, { format: 'vsnapd.vmware.inventory/1', source: { id: 7, hostname: 'vc.example.com', api_type: 'VirtualCenter' }, collected_at: '2026-01-02T03:04:05.000Z' });
  t.same(doc.clusters, [{ moref: 'c-1', name: 'Prod', datacenter: 'DC1', hosts: ['host-1.example.com'] }]);
  t.same(doc.resource_pools, [{ moref: 'rp-1', name: 'Resources', owner: 'Prod', parent: 'Prod' }]);
  t.match(doc.hosts[0], { name: 'host-1.example.com', cluster: 'Prod', datacenter: 'DC1', ipv4: ['10.0.0.11'], warnings: [] });
  t.match(doc.hosts[1], { datacenter: null, ipv4: [], warnings: [/no IPv4/] }, 'parent not in the inventory');
  t.match(doc.vms[0], {
    name: 'web', ipv4: ['10.0.0.21', '10.0.1.21'], guest_os: 'Ubuntu Linux (64-bit)', guest_hostname: 'web.lan', datacenter: 'DC1', cluster: 'Prod',
    host: 'host-1.example.com', resource_pool: 'Resources', datastores: ['ds1'], num_cpu: 2, memory_mb: 4096, tags: [], warnings: [],
  });
  t.match(doc.vms[1], { name: 'db', ipv4: [], warnings: ['no IPv4 address reported (poweredOff)'] });
  t.same(doc.warnings, ['host host-2.example.com: no IPv4 address on any VMkernel adapter', 'vm db: no IPv4 address reported (poweredOff)']);
});
