/**
 * The `VMWareRestoreFailed` alert (vsnapd's own; TrueNAS has no instant restore): one-shot,
 * category TASKS, level WARNING, keyed by restore id. A FAILED restore leaves a clone, an NFS share,
 * a datastore or VMs behind until `vmware.restore_cleanup` removes them; the alert says so where an
 * operator looks (alert.list, the alert services), not only in `vmware.restore.query`. Raised when a
 * restore or its cleanup ends FAILED and when start-up recovery finds a half-done one; removed when
 * the cleanup completes.
 */
import type { Alerts } from '../../../daemon/plugin.js';
import { vmwareAlertClass, withoutFullStop } from '../alert-class.js';
import type { RestoreEntry } from './schemas.js';

/** Alert class name. */
export const VMWARE_RESTORE_FAILED = 'VMWareRestoreFailed';

/** The class spec. */
export const VMWARE_RESTORE_FAILED_CLASS = vmwareAlertClass(VMWARE_RESTORE_FAILED, 'VMWare Restore Failed', 'Instant restore %(id)s of %(snapshot)s failed: %(error)s. What it created is still there; vmware.restore_cleanup %(id)s removes it.');

/**
 * Brings the alert of `entry` in line with its state: raised (or refreshed) when FAILED, removed
 * when CLEANED, left as it is otherwise.
 */
export async function syncRestoreAlert(alerts: Alerts, entry: Pick<RestoreEntry, 'id' | 'snapshot' | 'state' | 'error'>): Promise<void> {
  if (entry.state === 'FAILED') {
    await alerts.oneshotCreate(VMWARE_RESTORE_FAILED, { id: entry.id, snapshot: entry.snapshot, error: withoutFullStop(entry.error ?? 'unknown error') }, entry.id);
  } else if (entry.state === 'CLEANED') {
    await alerts.oneshotDelete(VMWARE_RESTORE_FAILED, entry.id);
  }
}
