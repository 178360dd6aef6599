/**
 * ObjectContent of Datastore and HostSystem → {@link DatastoreInfo}, {@link HostInfo}
 * (reference B.5): `summary.type` and `info` (NasDatastoreInfo.nas / VmfsDatastoreInfo.vmfs) for
 * datastores; `config.fileSystemVolume.mountInfo[]` and `config.storageDevice.scsiLun[]` for hosts.
 * NFS datastores are matched later by `remoteHostNames ∪ {remoteHost}` × `remotePath`, VMFS ones
 * by extent `diskName` (`naa.…`).
 */
import type { ObjectContent } from '../methods/property-results.js';
import { bool, num, obj, objs, path, ref, refs, str, strs } from '../types/read.js';
import type { VimObject } from '../types/values.js';
import type { ContainerInfo, DatastoreInfo, HostInfo, HostMountInfo, ScsiLunInfo } from './types.js';

function extents(vmfs: VimObject | undefined): { diskName: string; partition: number | undefined }[] {
  return objs(vmfs?.extent).map((e) => ({ diskName: str(e.diskName) ?? '', partition: num(e.partition) }));
}

/** Decodes one Datastore. */
export function decodeDatastore(c: ObjectContent, extended = false): DatastoreInfo {
  const p = c.props;
  const summary = obj(p.summary);
  const info = obj(p.info);
  const nas = obj(info?.nas);
  const vmfs = obj(info?.vmfs);
  const ds: DatastoreInfo = {
    moref: c.obj,
    name: str(p.name) ?? str(summary?.name) ?? c.obj.value,
    type: str(summary?.type) ?? str(nas?.type) ?? str(vmfs?.type) ?? '',
    accessible: bool(summary?.accessible) ?? false,
    url: str(summary?.url),
    capacity: num(summary?.capacity),
    freeSpace: num(summary?.freeSpace),
    nas: nas
      ? {
          type: str(nas.type) ?? '',
          remoteHost: str(nas.remoteHost) ?? '',
          remotePath: str(nas.remotePath) ?? '',
          remoteHostNames: strs(nas.remoteHostNames),
        }
      : undefined,
    vmfs: vmfs
      ? { name: str(vmfs.name) ?? '', uuid: str(vmfs.uuid), version: str(vmfs.version), extents: extents(vmfs) }
      : undefined,
    hosts: objs(p.host).flatMap((m) => {
      const host = ref(m.key);
      if (!host) return [];
      const mi = obj(m.mountInfo);
      return [{ host, path: str(mi?.path), mounted: bool(mi?.mounted), accessible: bool(mi?.accessible) }];
    }),
  };
  if (extended) ds.parent = ref(p.parent);
  return ds;
}

function decodeMount(m: VimObject): HostMountInfo {
  const mi = obj(m.mountInfo);
  const vol = obj(m.volume);
  return {
    path: str(mi?.path),
    type: str(vol?.type) ?? '',
    name: str(vol?.name) ?? '',
    volumeType: vol?._type,
    accessMode: str(mi?.accessMode),
    mounted: bool(mi?.mounted),
    accessible: bool(mi?.accessible),
    remoteHost: str(vol?.remoteHost),
    remotePath: str(vol?.remotePath),
    remoteHostNames: strs(vol?.remoteHostNames),
    extents: extents(vol).map((e) => e.diskName),
  };
}

function decodeLun(l: VimObject): ScsiLunInfo {
  return {
    canonicalName: str(l.canonicalName) ?? '',
    displayName: str(l.displayName),
    deviceName: str(l.deviceName),
    lunType: str(l.lunType),
    vendor: str(l.vendor)?.trim(),
    model: str(l.model)?.trim(),
    serialNumber: str(l.serialNumber)?.trim(),
    uuid: str(l.uuid),
    kind: l._type,
  };
}

/** Decodes one HostSystem. */
export function decodeHost(c: ObjectContent, extended = false): HostInfo {
  const p = c.props;
  const parent = ref(p.parent);
  const host: HostInfo = {
    moref: c.obj,
    name: str(p.name) ?? c.obj.value,
    connectionState: str(p['runtime.connectionState']) ?? 'unknown',
    powerState: str(p['runtime.powerState']),
    inMaintenanceMode: bool(p['runtime.inMaintenanceMode']),
    parent,
    cluster: parent?.type === 'ClusterComputeResource' ? parent : undefined,
    mounts: objs(p['config.fileSystemVolume.mountInfo']).map(decodeMount),
    scsiLuns: objs(p['config.storageDevice.scsiLun']).map(decodeLun),
  };
  if (extended) {
    host.productFullName = str(p['summary.config.product.fullName']);
    host.ipAddresses = objs(p['config.network.vnic'])
      .map((v) => str(path(v, 'spec.ip.ipAddress')))
      .filter((ip): ip is string => !!ip);
  }
  return host;
}

/** Decodes a Datacenter, Folder, ResourcePool or ClusterComputeResource of the export. */
export function decodeContainer(c: ObjectContent): ContainerInfo {
  const p = c.props;
  const out: ContainerInfo = { moref: c.obj, name: str(p.name) ?? c.obj.value, parent: ref(p.parent) };
  if (c.obj.type === 'ClusterComputeResource') out.hosts = refs(p.host);
  if (c.obj.type === 'ResourcePool') out.owner = ref(p.owner);
  return out;
}
