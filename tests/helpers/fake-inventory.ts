/**
 * Builders of vSphere inventory values for the coordinator's unit tests (pure data; the integration
 * tests use vcsim). `vm({...})` is a powered-on, connected, Tools-running VM with one disk on `ds1`.
 */
import type { DatastoreInfo, Inventory, SnapshotTreeNode, VirtualDiskInfo, VirtualMachineInfo } from '../../vsphere/inventory/types.js';

/** A datastore named `name` (moref `ds-<name>`). */
export function datastore(name: string): DatastoreInfo {
  return {
    moref: { type: 'Datastore', value: `ds-${name}` },
    name,
    type: 'NFS',
    accessible: true,
    url: undefined,
    capacity: undefined,
    freeSpace: undefined,
    nas: { type: 'NFS', remoteHost: '192.0.2.1', remotePath: `/mnt/tank/${name}`, remoteHostNames: ['192.0.2.1'] },
    vmfs: undefined,
    hosts: [],
  };
}

/** A disk on datastore `ds` (backing moref `ds-<ds>`). */
export function disk(ds: string, over: Partial<VirtualDiskInfo> = {}): VirtualDiskInfo {
  return {
    key: 2000,
    label: 'Hard disk 1',
    fileName: `[${ds}] vm/vm.vmdk`,
    datastore: { type: 'Datastore', value: `ds-${ds}` },
    datastoreName: ds,
    diskMode: 'persistent',
    backingType: 'VirtualDiskFlatVer2BackingInfo',
    capacityInKB: 1024,
    independent: false,
    rdmPhysical: false,
    ...over,
  };
}

/** A snapshot tree node. */
export function snap(value: string, name: string, description = '', children: SnapshotTreeNode[] = [], createTime = '2020-01-01T00:00:00Z'): SnapshotTreeNode {
  return { snapshot: { type: 'VirtualMachineSnapshot', value }, name, description, id: undefined, createTime, state: 'poweredOn', quiesced: false, children };
}

let n = 0;
/** A protected-by-default VM; override any field. */
export function vm(over: Partial<VirtualMachineInfo> = {}): VirtualMachineInfo {
  const id = over.moref?.value ?? `vm-${++n}`;
  return {
    moref: { type: 'VirtualMachine', value: id },
    name: id,
    uuid: undefined,
    instanceUuid: undefined,
    powerState: 'poweredOn',
    connectionState: 'connected',
    template: false,
    managedBy: undefined,
    toolsRunningStatus: 'guestToolsRunning',
    snapshotOperationsSupported: true,
    quiescedSnapshotsSupported: true,
    consolidationNeeded: false,
    host: { type: 'HostSystem', value: 'host-1' },
    datastores: [{ type: 'Datastore', value: 'ds-ds1' }],
    vmPathName: `[ds1] ${id}/${id}.vmx`,
    disks: [disk('ds1')],
    passthrough: [],
    sharedBus: false,
    snapshots: [],
    currentSnapshot: undefined,
    missing: [],
    ...over,
  };
}

/** An inventory of `vms` over datastores `names`. */
export function inventory(vms: VirtualMachineInfo[], names: string[] = ['ds1', 'ds10', 'other']): Inventory {
  return { vms, datastores: names.map(datastore), hosts: [], roundTrips: 1, collectedAt: new Date(0).toISOString() };
}
