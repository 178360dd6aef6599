/**
 * HostDatastoreSystem methods for NFS datastores (govmomi `vim25/types` CreateNasDatastoreRequestType,
 * HostNasVolumeSpec, RemoveDatastoreRequestType; vSphere API reference "HostDatastoreSystem"):
 * `CreateNasDatastore` mounts an NFS export on one host as a datastore, `RemoveDatastore` unmounts it
 * from that host (the datastore object disappears with its last mount). Both are synchronous (no task).
 */
import { answeredRef } from './answered-ref.js';
import type { MoRef } from '../types/values.js';
import { ref } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/** vim25 `HostNasVolumeSpec` (element order = the WSDL sequence). */
export interface NasVolumeSpec {
  /** NFS server name or address as the host reaches it (`192.168.1.10`, `nas.example.com`). */
  remoteHost: string;
  /** Exported path on the server (`/mnt/tank/restore-1`). */
  remotePath: string;
  /** On ESXi: the NEW DATASTORE'S NAME (it must not exist on the host). */
  localPath: string;
  /** `readWrite` or `readOnly` (vim25 HostMountMode). */
  accessMode: 'readWrite' | 'readOnly';
  /** `NFS` (v3, the default) or `NFS41`. */
  type?: 'NFS' | 'NFS41';
}

/**
 * `CreateNasDatastore(_this=HostDatastoreSystem, spec)` → the new Datastore moref.
 * @throws SoapFaultError `DuplicateName` (a datastore of that name exists), `AlreadyExists` (the
 *   export is already mounted), `HostConfigFault`/`PlatformConfigFault` (the mount failed: the host
 *   cannot reach the NFS server or the export denies it), `NoPermission`
 */
export async function CreateNasDatastore(rt: RoundTripper, datastoreSystem: MoRef, spec: NasVolumeSpec, opts?: CallOptions): Promise<MoRef> {
  const [rv] = await rt.call(
    'CreateNasDatastore',
    {
      _this: ref(datastoreSystem),
      spec: { remoteHost: spec.remoteHost, remotePath: spec.remotePath, localPath: spec.localPath, accessMode: spec.accessMode, type: spec.type },
    },
    opts,
  );
  return answeredRef('CreateNasDatastore', rv, 'Datastore');
}

/**
 * `RemoveDatastore(_this=HostDatastoreSystem, datastore)`: unmounts the datastore from the host.
 * @throws SoapFaultError `ResourceInUse` (VMs are still registered on it), `NotFound` (not mounted
 *   on this host), `HostConfigFault`
 */
export async function RemoveDatastore(rt: RoundTripper, datastoreSystem: MoRef, datastore: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('RemoveDatastore', { _this: ref(datastoreSystem), datastore: ref(datastore) }, opts);
}
