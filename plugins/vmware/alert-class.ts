/**
 * What vsnapd's VMware alert classes share (TrueNAS's VMware alerts, §1.5): one-shot, level WARNING,
 * category TASKS, texts ending `…: %(error)s.`. The classes: VMWareLoginFailed (./alerts.ts), the
 * coordinator's (./sync/alerts.ts) and VMWareRestoreFailed (./restore/alert.ts).
 */
import type { AlertClassSpec } from '../../daemon/plugin.js';

/** A VMware alert class `name` (e.g. `VMWareLoginFailed`): its `title`, its `text` with `%(arg)s` placeholders, level WARNING, category TASKS. */
export function vmwareAlertClass(name: string, title: string, text: string): AlertClassSpec {
  return { name, title, text, level: 'WARNING', category: 'TASKS' };
}

/** `error` without trailing full stops, since the texts add their own. */
export function withoutFullStop(error: string): string {
  return error.replace(/\.+$/, '');
}
