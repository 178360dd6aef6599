/**
 * The `VMWareLoginFailed` alert (TrueNAS `alert/source/vmware_login.py`): one-shot, category TASKS,
 * level WARNING, keyed by hostname. Raised when a background check or a coordinated snapshot cannot
 * log in; removed on the next successful login, on `vmware.update` (old hostname) and on
 * `vmware.delete`. The snapshot alert classes belong to the coordinator (plugins/vmware/sync).
 */
import type { Alerts } from '../../daemon/plugin.js';
import { vmwareAlertClass, withoutFullStop } from './alert-class.js';

/** Alert class name (TrueNAS). */
export const VMWARE_LOGIN_FAILED = 'VMWareLoginFailed';

/** The class spec, with TrueNAS's title and text. */
export const VMWARE_LOGIN_FAILED_CLASS = vmwareAlertClass(VMWARE_LOGIN_FAILED, 'VMWare Login Failed', 'VMWare login to %(hostname)s failed: %(error)s.');

/** Raises (or refreshes) the alert for `hostname`. `error` must not contain secrets. */
export function raiseLoginFailed(alerts: Alerts, hostname: string, error: string): Promise<void> {
  return alerts.oneshotCreate(VMWARE_LOGIN_FAILED, { hostname, error: withoutFullStop(error) }, hostname);
}

/** Removes the alert of `hostname` (no-op when there is none). */
export function clearLoginFailed(alerts: Alerts, hostname: string): Promise<void> {
  return alerts.oneshotDelete(VMWARE_LOGIN_FAILED, hostname);
}
