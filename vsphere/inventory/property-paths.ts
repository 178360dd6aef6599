/**
 * Which properties the inventory reads, per managed object type (reference B.4, B.5). Every path
 * exists since vSphere 6.5: a path unknown to the negotiated version fails the whole
 * RetrievePropertiesEx with `InvalidProperty`, so add paths with care.
 */

/** What the snapshot coordinator and datastore matching need. */
export const BASE_PATHS: Readonly<Record<string, readonly string[]>> = {
  VirtualMachine: [
    'name',
    'config.uuid',
    'config.instanceUuid',
    'config.template',
    'config.managedBy',
    'config.files.vmPathName',
    'config.hardware.device',
    'runtime.powerState',
    'runtime.connectionState',
    'runtime.host',
    'runtime.consolidationNeeded',
    'guest.toolsRunningStatus',
    'capability.snapshotOperationsSupported',
    'capability.quiescedSnapshotsSupported',
    'datastore',
    'snapshot',
  ],
  Datastore: ['name', 'summary', 'info', 'host'],
  HostSystem: [
    'name',
    'parent',
    'runtime.connectionState',
    'runtime.powerState',
    'runtime.inMaintenanceMode',
    'config.fileSystemVolume.mountInfo',
    'config.storageDevice.scsiLun',
  ],
};

/** Extra paths of the export (`vmware.inventory`): placement, guest identity and addresses. */
export const EXTENDED_PATHS: Readonly<Record<string, readonly string[]>> = {
  VirtualMachine: [
    ...(BASE_PATHS.VirtualMachine ?? []),
    'parent',
    'resourcePool',
    'config.guestFullName',
    'config.hardware.numCPU',
    'config.hardware.memoryMB',
    'guest.guestFullName',
    'guest.hostName',
    'guest.ipAddress',
    'guest.net',
  ],
  Datastore: [...(BASE_PATHS.Datastore ?? []), 'parent'],
  HostSystem: [...(BASE_PATHS.HostSystem ?? []), 'summary.config.product.fullName', 'config.network.vnic'],
  ClusterComputeResource: ['name', 'parent', 'host'],
  ResourcePool: ['name', 'parent', 'owner'],
  Datacenter: ['name', 'parent'],
  Folder: ['name', 'parent'],
};

/**
 * Paths selection rules need on top of {@link BASE_PATHS}: the VM's folder (`parent`, resolved into
 * an inventory path through the folders and datacenters) and its custom attributes (`customValue`
 * keys, named by `availableField`).
 */
export const RULE_PATHS: Readonly<Record<string, readonly string[]>> = {
  ...BASE_PATHS,
  VirtualMachine: [...(BASE_PATHS.VirtualMachine ?? []), 'parent', 'customValue', 'availableField'],
  Datacenter: ['name', 'parent'],
  Folder: ['name', 'parent'],
};
