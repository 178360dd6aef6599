/**
 * The `VMWareLoginFailed` alert (TrueNAS `alert/source/vmware_login.py`): one-shot, category TASKS,
 * level WARNING, keyed by hostname. Raised when a background check or a coordinated snapshot cannot
 * log in; removed on the next successful login, on `vmware.update` (old hostname) and on
 * `vmware.delete`. The snapshot alert classes belong to the coordinator (plugins/vmware/sync).
 */
import type { AlertClassSpec, Alerts } from '../../daemon/plugin.js';

/** Alert class name (TrueNAS). */
export const VMWARE_LOGIN_FAILED = 'VMWareLoginFailed';

/** The class spec, with TrueNAS's title and text. */
export const VMWARE_LOGIN_FAILED_CLASS: AlertClassSpec = {
  name: VMWARE_LOGIN_FAILED,
  title: 'VMWare Login Failed',
  text: 'VMWare login to %(hostname)s failed: %(error)s.',
  level: 'WARNING',
  category: 'TASKS',
};

/** Raises (or refreshes) the alert for `hostname`. `error` must not contain secrets. */
export function raiseLoginFailed(alerts: Alerts, hostname: string, error: string): Promise<void> {
  return alerts.oneshotCreate(VMWARE_LOGIN_FAILED, { hostname, error: error.replace(/\.+$/, '') }, hostname);
}

/** Removes the alert of `hostname` (no-op when there is none). */
export function clearLoginFailed(alerts: Alerts, hostname: string): Promise<void> {
  return alerts.oneshotDelete(VMWARE_LOGIN_FAILED, hostname);
}
