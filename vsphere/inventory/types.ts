/**
 * Typed inventory objects, decoded from one PropertyCollector read (reference B.5). Field names keep
 * the vim25 names; absent optional fields mean the server did not report them (unset, no
 * permission — see `missing` — or an older API).
 */
import type { MoRef } from '../types/values.js';

/** One virtual disk (`VirtualDisk` device) and its backing. */
export interface VirtualDiskInfo {
  /** Device key (2000, 2001…). */
  key: number;
  /** `deviceInfo.label`, e.g. `Hard disk 1`. */
  label: string;
  /** `backing.fileName`, e.g. `[nfs-ds1] vm1/vm1.vmdk`. */
  fileName: string;
  /** `backing.datastore`. */
  datastore: MoRef | undefined;
  /** Datastore name: from the datastore moref, else from the `[name]` prefix of fileName. */
  datastoreName: string | undefined;
  /** `persistent | nonpersistent | undoable | independent_persistent | independent_nonpersistent | append`. */
  diskMode: string | undefined;
  /** The backing's `xsi:type`, e.g. `VirtualDiskFlatVer2BackingInfo`, `VirtualDiskRawDiskMappingVer1BackingInfo`. */
  backingType: string;
  capacityInKB: number | undefined;
  /** Independent disks are not captured by VM snapshots. */
  independent: boolean;
  /** Physical-mode RDMs are not captured by VM snapshots either. */
  rdmPhysical: boolean;
}

/** A device that blocks snapshots (`VirtualPCIPassthrough`, `VirtualSriovEthernetCard`). */
export interface PassthroughDeviceInfo {
  key: number;
  label: string;
  /** Device `xsi:type`. */
  type: string;
}

/** One node of `snapshot.rootSnapshotList` (vim25 `VirtualMachineSnapshotTree`), children included. */
export interface SnapshotTreeNode {
  snapshot: MoRef;
  name: string;
  description: string;
  id: number | undefined;
  /** ISO 8601. */
  createTime: string;
  /** Power state when taken. */
  state: string;
  quiesced: boolean;
  children: SnapshotTreeNode[];
}

/** A VM's guest identity (export only). */
export interface GuestInfo {
  guestFullName: string | undefined;
  hostName: string | undefined;
  /** `guest.ipAddress`, the primary address reported by VMware Tools. */
  ipAddress: string | undefined;
  /** Every address of every NIC (`guest.net[].ipAddress[]`). */
  ipAddresses: string[];
}

/** vim25 VirtualMachine, the properties the coordinator needs. */
export interface VirtualMachineInfo {
  moref: MoRef;
  name: string;
  /** BIOS UUID (`config.uuid`); clones may share it. */
  uuid: string | undefined;
  /** vCenter-unique `config.instanceUuid`. */
  instanceUuid: string | undefined;
  /** `poweredOn | poweredOff | suspended`. */
  powerState: string;
  /** `connected | disconnected | orphaned | inaccessible | invalid`. */
  connectionState: string;
  template: boolean;
  /** `config.managedBy` (vCLS/EAM agent VMs, e.g. extensionKey `com.vmware.vim.eam`). */
  managedBy: { extensionKey: string; type: string } | undefined;
  /** `guestToolsRunning | guestToolsNotRunning | guestToolsExecutingScripts`. */
  toolsRunningStatus: string | undefined;
  snapshotOperationsSupported: boolean;
  quiescedSnapshotsSupported: boolean;
  consolidationNeeded: boolean;
  /** `runtime.host`. */
  host: MoRef | undefined;
  /** Every datastore the VM touches (config, disks, ISOs). */
  datastores: MoRef[];
  /** `config.files.vmPathName`, e.g. `[ds1] vm1/vm1.vmx`. */
  vmPathName: string | undefined;
  disks: VirtualDiskInfo[];
  passthrough: PassthroughDeviceInfo[];
  /** A SCSI controller shares its bus (`sharedBus` ≠ `noSharing`): snapshots are not supported. */
  sharedBus: boolean;
  /** Snapshot tree roots (`snapshot.rootSnapshotList`). */
  snapshots: SnapshotTreeNode[];
  currentSnapshot: MoRef | undefined;
  /** Property paths the server refused to return (e.g. for lack of permission). */
  missing: string[];
  /** Export and rule reads only. */
  parent?: MoRef | undefined;
  /** Rule reads only: custom attribute values by attribute name (`customValue` named through `availableField`). */
  attributes?: ReadonlyMap<string, string>;
  /** Export only. */
  resourcePool?: MoRef | undefined;
  guest?: GuestInfo;
  numCPU?: number | undefined;
  memoryMB?: number | undefined;
}

/** vim25 Datastore. */
export interface DatastoreInfo {
  moref: MoRef;
  name: string;
  /** `summary.type`: `VMFS | NFS | NFS41 | CIFS | vsan | VFFS | VVOL | PMEM | vsanD | OTHER`. */
  type: string;
  accessible: boolean;
  url: string | undefined;
  /** Bytes. */
  capacity: number | undefined;
  /** Bytes. */
  freeSpace: number | undefined;
  /** `info.nas` (HostNasVolume) of NFS datastores. */
  nas: { type: string; remoteHost: string; remotePath: string; remoteHostNames: string[] } | undefined;
  /** `info.vmfs` (HostVmfsVolume) of VMFS datastores. */
  vmfs: { name: string; uuid: string | undefined; version: string | undefined; extents: { diskName: string; partition: number | undefined }[] } | undefined;
  /** `host[]` (DatastoreHostMount): which hosts mount it. */
  hosts: { host: MoRef; path: string | undefined; mounted: boolean | undefined; accessible: boolean | undefined }[];
  parent?: MoRef | undefined;
}

/** One file system mounted by a host (`config.fileSystemVolume.mountInfo[]`). */
export interface HostMountInfo {
  path: string | undefined;
  /** Volume `type` (switch on this, not on xsi:type: OSDATA is a HostVmfsVolume of type OTHER). */
  type: string;
  name: string;
  volumeType: string | undefined;
  accessMode: string | undefined;
  mounted: boolean | undefined;
  accessible: boolean | undefined;
  remoteHost: string | undefined;
  remotePath: string | undefined;
  remoteHostNames: string[];
  /** VMFS extent disk names (`naa.…`). */
  extents: string[];
}

/** One SCSI LUN (`config.storageDevice.scsiLun[]`). */
export interface ScsiLunInfo {
  /** `naa.…`, `eui.…`, `t10.…`, `mpx.…`. */
  canonicalName: string;
  displayName: string | undefined;
  deviceName: string | undefined;
  lunType: string | undefined;
  vendor: string | undefined;
  model: string | undefined;
  serialNumber: string | undefined;
  uuid: string | undefined;
  /** The LUN's `xsi:type` (`HostScsiDisk` for disks). */
  kind: string | undefined;
}

/** vim25 HostSystem. */
export interface HostInfo {
  moref: MoRef;
  name: string;
  connectionState: string;
  powerState: string | undefined;
  inMaintenanceMode: boolean | undefined;
  /** ComputeResource (standalone) or ClusterComputeResource. */
  parent: MoRef | undefined;
  /** The parent when it is a cluster. */
  cluster: MoRef | undefined;
  mounts: HostMountInfo[];
  scsiLuns: ScsiLunInfo[];
  /** Export only. */
  productFullName?: string | undefined;
  ipAddresses?: string[];
}

/** A named inventory object of the export (Datacenter, Folder, ResourcePool, ClusterComputeResource). */
export interface ContainerInfo {
  moref: MoRef;
  name: string;
  parent: MoRef | undefined;
  /** Cluster: its hosts. */
  hosts?: MoRef[];
  /** Resource pool: its owner (ComputeResource or cluster). */
  owner?: MoRef | undefined;
}

/** The result of one inventory read. */
export interface Inventory {
  vms: VirtualMachineInfo[];
  datastores: DatastoreInfo[];
  hosts: HostInfo[];
  /** Export only. */
  clusters?: ContainerInfo[];
  resourcePools?: ContainerInfo[];
  datacenters?: ContainerInfo[];
  folders?: ContainerInfo[];
  /** SOAP round trips this read took (CreateContainerView + pages + DestroyView). */
  roundTrips: number;
  /** ISO 8601. */
  collectedAt: string;
}
