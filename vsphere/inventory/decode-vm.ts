/**
 * ObjectContent of a VirtualMachine → {@link VirtualMachineInfo} (reference B.5). Devices are
 * polymorphic (`xsi:type` VirtualDisk, VirtualPCIPassthrough, ParaVirtualSCSIController…); only
 * the fields used here are read, so unknown device types are harmless.
 */
import type { ObjectContent } from '../methods/property-results.js';
import { bool, num, obj, objs, path, ref, refs, str, strs } from '../types/read.js';
import type { VimObject, VimValue } from '../types/values.js';
import type { PassthroughDeviceInfo, SnapshotTreeNode, VirtualDiskInfo, VirtualMachineInfo } from './types.js';

const PASSTHROUGH_TYPES = new Set(['VirtualPCIPassthrough', 'VirtualSriovEthernetCard']);

/** `[nfs-ds1] vm1/vm1.vmdk` → `nfs-ds1`. */
export function datastoreNameOfPath(fileName: string): string | undefined {
  const m = /^\s*\[([^\]]*)\]/.exec(fileName);
  return m ? m[1] : undefined;
}

function decodeDisk(d: VimObject): VirtualDiskInfo {
  const backing = obj(d.backing) ?? {};
  const fileName = str(backing.fileName) ?? '';
  const diskMode = str(backing.diskMode);
  return {
    key: num(d.key) ?? 0,
    label: str(path(d, 'deviceInfo.label')) ?? '',
    fileName,
    datastore: ref(backing.datastore),
    datastoreName: datastoreNameOfPath(fileName),
    diskMode,
    backingType: backing._type ?? '',
    capacityInKB: num(d.capacityInKB),
    independent: diskMode?.startsWith('independent') ?? false,
    rdmPhysical: str(backing.compatibilityMode) === 'physicalMode',
  };
}

function isDisk(d: VimObject): boolean {
  return d._type === 'VirtualDisk' || (d._type === undefined && !!obj(d.backing)?._type?.startsWith('VirtualDisk'));
}

/** Decodes a snapshot tree list recursively (bounded depth; vSphere allows 32 levels). */
export function decodeSnapshotTree(v: VimValue | undefined, depth = 0): SnapshotTreeNode[] {
  if (depth > 64) return [];
  return objs(v).flatMap((n) => {
    const snapshot = ref(n.snapshot);
    if (!snapshot) return [];
    return [
      {
        snapshot,
        name: str(n.name) ?? '',
        description: str(n.description) ?? '',
        id: num(n.id),
        createTime: str(n.createTime) ?? '',
        state: str(n.state) ?? '',
        quiesced: bool(n.quiesced) ?? false,
        children: decodeSnapshotTree(n.childSnapshotList, depth + 1),
      },
    ];
  });
}

/** Decodes one VM; `extended` adds placement and guest fields, `rules` its folder and custom attributes. */
export function decodeVirtualMachine(c: ObjectContent, extended = false, rules = false): VirtualMachineInfo {
  const p = c.props;
  const devices = objs(p['config.hardware.device']);
  const disks = devices.filter(isDisk).map(decodeDisk);
  const passthrough: PassthroughDeviceInfo[] = devices
    .filter((d) => d._type !== undefined && PASSTHROUGH_TYPES.has(d._type))
    .map((d) => ({ key: num(d.key) ?? 0, label: str(path(d, 'deviceInfo.label')) ?? '', type: d._type ?? '' }));
  const managedBy = obj(p['config.managedBy']);
  const snapshot = obj(p.snapshot);
  const vm: VirtualMachineInfo = {
    moref: c.obj,
    name: str(p.name) ?? c.obj.value,
    uuid: str(p['config.uuid']),
    instanceUuid: str(p['config.instanceUuid']),
    powerState: str(p['runtime.powerState']) ?? 'unknown',
    connectionState: str(p['runtime.connectionState']) ?? 'unknown',
    template: bool(p['config.template']) ?? false,
    managedBy: managedBy ? { extensionKey: str(managedBy.extensionKey) ?? '', type: str(managedBy.type) ?? '' } : undefined,
    toolsRunningStatus: str(p['guest.toolsRunningStatus']),
    snapshotOperationsSupported: bool(p['capability.snapshotOperationsSupported']) ?? false,
    quiescedSnapshotsSupported: bool(p['capability.quiescedSnapshotsSupported']) ?? false,
    consolidationNeeded: bool(p['runtime.consolidationNeeded']) ?? false,
    host: ref(p['runtime.host']),
    datastores: refs(p.datastore),
    vmPathName: str(p['config.files.vmPathName']),
    disks,
    passthrough,
    sharedBus: devices.some((d) => {
      const s = str(d.sharedBus);
      return s !== undefined && s !== 'noSharing';
    }),
    snapshots: decodeSnapshotTree(snapshot?.rootSnapshotList),
    currentSnapshot: ref(snapshot?.currentSnapshot),
    missing: c.missing.map((m) => m.path),
  };
  if (rules) {
    vm.parent = ref(p.parent);
    const names = new Map(objs(p.availableField).map((f) => [num(f.key), str(f.name)]));
    // Later values win: a server may list a key twice after SetField (vcsim appends).
    const attrs = new Map<string, string>();
    for (const v of objs(p.customValue)) {
      const name = names.get(num(v.key));
      if (name !== undefined) attrs.set(name, str(v.value) ?? '');
    }
    vm.attributes = attrs;
  }
  if (extended) {
    vm.parent = ref(p.parent);
    vm.resourcePool = ref(p.resourcePool);
    vm.numCPU = num(p['config.hardware.numCPU']);
    vm.memoryMB = num(p['config.hardware.memoryMB']);
    const nics = objs(p['guest.net']);
    vm.guest = {
      guestFullName: str(p['guest.guestFullName']) ?? str(p['config.guestFullName']),
      hostName: str(p['guest.hostName']),
      ipAddress: str(p['guest.ipAddress']),
      ipAddresses: [...new Set(nics.flatMap((n) => strs(n.ipAddress)))],
    };
  }
  return vm;
}

/** Every snapshot moref in a tree, depth first. */
export function flattenSnapshots(nodes: readonly SnapshotTreeNode[]): SnapshotTreeNode[] {
  return nodes.flatMap((n) => [n, ...flattenSnapshots(n.children)]);
}

