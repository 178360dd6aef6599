/**
 * The end of a coordination run: its record goes into the run history (plugins/vmware/history) and
 * a run that left VMs unprotected raises `VMWareSyncIncomplete` for its dataset (a SUCCESS clears
 * it). Never rejects: a history that cannot be written is logged and the run's outcome stands.
 */
import type { Logger } from 'pino';
import type { Alerts } from '../../../daemon/plugin.js';
import type { RunEntry } from '../history/schema.js';
import type { RunHistory } from '../history/store.js';
import { clearIncomplete, raiseIncomplete } from './alerts.js';

/** One line on what went wrong in a run that is not SUCCESS. */
export function incompleteSummary(run: RunEntry): string {
  const parts: string[] = [];
  if (run.error) parts.push(run.error);
  const down = run.entries.filter((e) => e.status !== 'ok');
  if (down.length > 0) parts.push(`${down.length} entr${down.length === 1 ? 'y' : 'ies'} not reached (${down.map((e) => `${e.hostname}: ${e.status}`).join(', ')})`);
  const seen = new Set<string>();
  const failed: string[] = [];
  for (const e of run.entries) {
    for (const v of e.vms) {
      const key = `${e.hostname}/${v.moref}`;
      if (seen.has(key) || (v.action !== 'failed' && !(v.action === 'snapshotted' && v.kind !== v.planned_kind))) continue;
      seen.add(key);
      failed.push(v.name);
    }
  }
  if (failed.length > 0) parts.push(`${failed.length} VM(s) failed or degraded: ${failed.slice(0, 10).join(', ')}${failed.length > 10 ? ', …' : ''}`);
  return parts.join('; ') || 'no VM held a VMware snapshot';
}

/** Records the run and raises or clears its alert. */
export async function recordRun(d: { history: Pick<RunHistory, 'add'>; alerts: Alerts; log: Logger }, run: RunEntry): Promise<void> {
  await d.history.add(run).catch((err: unknown) => d.log.error({ err, run: run.id }, 'cannot write the run history record'));
  const alert =
    run.state === 'SUCCESS'
      ? clearIncomplete(d.alerts, run.dataset)
      : raiseIncomplete(d.alerts, { dataset: run.dataset, snapshot: run.snapshot, run: run.id, state: run.state, vmsynced: run.vmsynced ?? 'not set', summary: incompleteSummary(run) });
  await alert.catch((err: unknown) => d.log.warn({ err, run: run.id }, 'cannot raise/clear VMWareSyncIncomplete'));
}
