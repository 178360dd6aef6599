/**
 * The coordinator's alert classes (one-shot, category TASKS, level WARNING as TrueNAS §1.5).
 * `VMWareSnapshotCreateFailed`/`VMWareSnapshotDeleteFailed` keep TrueNAS's titles and texts;
 * `VMWareSnapshotLeftover` is vsnapd's (TrueNAS has no sweeper). Unlike TrueNAS, which adds a new
 * alert on every failure, alerts are keyed by server and VM, so an hourly task that keeps failing
 * on one VM shows one current alert instead of hundreds. `VMWareLoginFailed` belongs to the vmware
 * plugin (raised through `vmwareEntries.loginFailed`).
 */
import type { AlertClassSpec, Alerts } from '../../../daemon/plugin.js';
import { vmwareAlertClass, withoutFullStop } from '../alert-class.js';

export const SNAPSHOT_CREATE_FAILED = vmwareAlertClass('VMWareSnapshotCreateFailed', 'Creating VMWare Snapshot Failed', 'Creating VMWare snapshot %(snapshot)s of VM %(vm)s at %(hostname)s failed: %(error)s.');

export const SNAPSHOT_DELETE_FAILED = vmwareAlertClass('VMWareSnapshotDeleteFailed', 'VMWare Snapshot Deletion Failed', 'Deletion of VMWare snapshot %(snapshot)s of VM %(vm)s on %(hostname)s failed: %(error)s.');

export const SNAPSHOT_LEFTOVER = vmwareAlertClass('VMWareSnapshotLeftover', 'VMWare Snapshot Left Behind', 'VMware snapshot %(snapshot)s of VM %(vm)s on %(hostname)s, left behind by vsnapd run %(run)s, could not be removed: %(error)s.');

/** vsnapd's: a run that left VMs without a VMware snapshot (keyed by dataset, cleared by its next SUCCESS). */
export const SYNC_INCOMPLETE = vmwareAlertClass('VMWareSyncIncomplete', 'VMware Snapshot Coordination Incomplete', 'Snapshot %(snapshot)s is not fully VM-consistent (run %(run)s: %(state)s, vmsynced %(vmsynced)s): %(summary)s. Details: vmware.run.get_instance %(run)s.');

/** Every class of the coordinator, to declare in setup. */
export const SYNC_ALERT_CLASSES: readonly AlertClassSpec[] = [SNAPSHOT_CREATE_FAILED, SNAPSHOT_DELETE_FAILED, SNAPSHOT_LEFTOVER, SYNC_INCOMPLETE];

/** Raises VMWareSnapshotCreateFailed for `vm` (keyed by hostname and VM moref). */
export function raiseCreateFailed(alerts: Alerts, a: { hostname: string; vm: string; vmMoref: string; snapshot: string; error: string }): Promise<void> {
  return alerts.oneshotCreate(SNAPSHOT_CREATE_FAILED.name, { hostname: a.hostname, vm: a.vm, snapshot: a.snapshot, error: withoutFullStop(a.error) }, `${a.hostname}/${a.vmMoref}`);
}

/** Raises VMWareSnapshotDeleteFailed for `vm` (keyed by hostname and VM moref). */
export function raiseDeleteFailed(alerts: Alerts, a: { hostname: string; vm: string; vmMoref: string; snapshot: string; error: string }): Promise<void> {
  return alerts.oneshotCreate(SNAPSHOT_DELETE_FAILED.name, { hostname: a.hostname, vm: a.vm, snapshot: a.snapshot, error: withoutFullStop(a.error) }, `${a.hostname}/${a.vmMoref}`);
}

/** Raises VMWareSnapshotLeftover (keyed by hostname and snapshot moref). */
export function raiseLeftover(alerts: Alerts, a: { hostname: string; vm: string; snapshot: string; run: string; error: string }): Promise<void> {
  return alerts.oneshotCreate(SNAPSHOT_LEFTOVER.name, { hostname: a.hostname, vm: a.vm, snapshot: a.snapshot, run: a.run, error: withoutFullStop(a.error) }, `${a.hostname}/${a.snapshot}`);
}

/** Clears VMWareSnapshotLeftover of a snapshot that is gone now. */
export function clearLeftover(alerts: Alerts, hostname: string, snapshot: string): Promise<void> {
  return alerts.oneshotDelete(SNAPSHOT_LEFTOVER.name, `${hostname}/${snapshot}`);
}

/** Raises VMWareSyncIncomplete for a run's dataset (keyed by dataset). */
export function raiseIncomplete(alerts: Alerts, a: { dataset: string; snapshot: string; run: string; state: string; vmsynced: string; summary: string }): Promise<void> {
  return alerts.oneshotCreate(SYNC_INCOMPLETE.name, { snapshot: a.snapshot, run: a.run, state: a.state, vmsynced: a.vmsynced, summary: withoutFullStop(a.summary) }, a.dataset);
}

/** Clears VMWareSyncIncomplete of a dataset whose run succeeded. */
export function clearIncomplete(alerts: Alerts, dataset: string): Promise<void> {
  return alerts.oneshotDelete(SYNC_INCOMPLETE.name, dataset);
}
