/**
 * What of a restore's objects still exists and is provably that restore's own, for
 * `vmware.restore_cleanup` (which destroys only what this module finds). The proofs:
 *
 * | object | proof |
 * |---|---|
 * | clone | its `vsnapd:restore` ZFS user property (set by `zfs clone -o`) is the restore id |
 * | share | the share id the record holds (sharing.nfs ids are never reused), or — when the daemon died between creating the share and recording its id — the owner mark {@link shareMark} in its comment; the path must be the clone's either way |
 * | datastore | the moref the record holds (vCenter never reuses one; it survives a rename), or — when the daemon died during the mount — a NAS datastore on the restore's host mounting exactly the recorded remote host and path, allowed only while the clone there is provably the restore's |
 * | VM | the moref the record holds, while the VM still lives on the restore's datastore (a VM moved off it with Storage vMotion is kept), or — when the daemon died during the registration — the VM on the restore's own datastore with the recorded name and .vmx path |
 *
 * Names alone prove nothing: another restore, or an operator, may use the same names.
 */
import type { NfsExportSummary } from '../../sharing/nfs/service.js';
import type { DatastoreInfo, Inventory, VirtualMachineInfo } from '../../../vsphere/index.js';
import { pathInDatastore } from './runs.js';
import type { RestoreEntry, RestoreVm } from './schemas.js';

/** The comment `vmware.restore` gives its share: the owner mark (`vsnapd restore <id> of <snapshot>`). */
export function shareMark(id: string, snapshot: string): string {
  return `vsnapd restore ${id} of ${snapshot}`;
}

/** The restore's share among `shares`, or undefined when none is provably its own. */
export function ownShare(shares: readonly NfsExportSummary[], e: RestoreEntry): NfsExportSummary | undefined {
  if (e.share.path === null) return undefined;
  if (e.share.id !== null) return shares.find((s) => s.id === e.share.id && s.path === e.share.path);
  const mark = shareMark(e.id, e.snapshot);
  return shares.find((s) => s.comment === mark && s.path === e.share.path);
}

/**
 * The restore's datastore in `inv`, or undefined when none is provably its own. `cloneOwn`: the
 * dataset at the record's clone name carries this restore's `vsnapd:restore` (only then does a
 * datastore mounting its path serve this restore's clone).
 */
export function ownDatastore(inv: Inventory, e: RestoreEntry, cloneOwn: boolean): DatastoreInfo | undefined {
  if (e.datastore.moref !== null) return inv.datastores.find((x) => x.moref.value === e.datastore.moref);
  if (e.datastore.datastore_system === null || e.datastore.remote_path === null || !cloneOwn) return undefined;
  return inv.datastores.find(
    (x) =>
      x.nas?.remoteHost === e.datastore.remote_host &&
      x.nas.remotePath === e.datastore.remote_path &&
      x.hosts.some((m) => m.host.value === e.host.moref),
  );
}

/** The VM `v` of the restore in `inv`, or undefined when none is provably its own (`ds`: the restore's own datastore). */
export function ownVm(inv: Inventory, v: RestoreVm, ds: DatastoreInfo | undefined): VirtualMachineInfo | undefined {
  if (!ds) return undefined; // a VM of the restore lives on its datastore: without one there is none
  const onDs = (x: VirtualMachineInfo) => x.datastores.some((m) => m.value === ds.moref.value);
  if (v.moref !== null) return inv.vms.find((x) => x.moref.value === v.moref && onDs(x));
  if (v.vmx_path === null) return undefined;
  const file = pathInDatastore(v.vmx_path);
  return inv.vms.find((x) => onDs(x) && x.name === v.name && file !== undefined && pathInDatastore(x.vmPathName ?? '') === file);
}

/** True while the record says VM `v` may exist: registered, or its registration started (.vmx path set before it). */
function vmMayExist(v: RestoreVm): boolean {
  return v.registered || v.moref !== null || v.vmx_path !== null;
}

/** True while the record says the datastore may exist: mounted, or its mount started (datastore system recorded before it). */
function datastoreMayExist(e: RestoreEntry): boolean {
  return e.datastore.created || e.datastore.moref !== null || e.datastore.datastore_system !== null;
}

/**
 * True while the record says something of the restore may exist in vCenter: a VM registered or being
 * registered (moref, or a .vmx path set before the registration), a datastore mounted or being
 * mounted (moref, or the datastore system recorded before the mount). The cleanup resets these
 * fields once it has proved each object gone, so a later cleanup no longer needs vCenter.
 */
export function vsphereMayHold(e: RestoreEntry): boolean {
  return e.vms.some(vmMayExist) || datastoreMayExist(e);
}

/** What the record says may be left in vCenter, for a message (`VM web-restore-1 (vm-42), datastore ds (datastore-7)`). */
export function vsphereLeftText(e: RestoreEntry): string {
  const vms = e.vms.filter(vmMayExist).map((v) => `VM ${v.name}${v.moref ? ` (${v.moref})` : ''}`);
  const ds = datastoreMayExist(e) ? [`datastore ${e.datastore.name}${e.datastore.moref ? ` (${e.datastore.moref})` : ''}`] : [];
  return [...vms, ...ds].join(', ');
}
