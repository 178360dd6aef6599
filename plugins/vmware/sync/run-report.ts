/**
 * Builds the per-VM {@link SyncReport} of a run and the human lines for the job log. A VM appears
 * under every entry whose datastores hold one of its disks; VMs with no disk on any of the server's
 * datastores are listed once, under the server's first entry, with code `other_datastore`.
 */
import type { ScriptReport } from '../scripts/schema.js';
import type { VmWork } from './create-phase.js';
import { holdDistribution, holdOf } from './holds.js';
import type { EntryReport, SyncReport, VmReport } from './report.js';
import { ruleFields } from './select.js';
import type { ServerRun } from './server-run.js';
import type { VmSynced } from './vmsynced.js';

function vmReport(w: VmWork): VmReport {
  const held = w.held && w.snapshot !== null;
  const hold = w.snapshot !== null ? holdOf(w) : null;
  let action: VmReport['action'] = w.sel.protected ? 'failed' : 'skipped';
  let reason = w.reason;
  if (held) {
    action = 'snapshotted';
    reason = w.kind !== w.plannedKind ? 'quiescing failed; a crash-consistent snapshot was taken instead' : null;
  } else if (w.sel.protected && w.snapshot !== null) {
    reason = 'the snapshot finished only after the ZFS snapshot was taken (VMware phase deadline)';
  }
  return {
    name: w.sel.vm.name,
    moref: w.sel.vm.moref.value,
    action,
    kind: held ? w.kind : null,
    planned_kind: w.plannedKind,
    code: w.sel.code,
    ...ruleFields(w.sel),
    reason,
    warnings: w.warnings,
    attempts: w.attempts,
    snapshot: w.snapshot?.value ?? null,
    removed: w.snapshot !== null || w.uncertain ? w.removed : null,
    timings: {
      create_ms: w.createdAt !== null && w.requestedAt !== null ? w.createdAt - w.requestedAt : null,
      remove_ms: w.removeMs,
    },
    vmx_path: w.sel.vm.vmPathName ?? null,
    uuid: w.sel.vm.instanceUuid ?? null,
    datastores: [...w.sel.datastores],
    held_ms: hold?.ms ?? null,
    held_source: hold?.source ?? null,
    late: null,
  };
}

/** Everything the report is made of. */
export interface ReportInput {
  runId: string;
  zfsName: string;
  recursive: boolean;
  verdict: VmSynced;
  deadlineHit: boolean;
  servers: readonly ServerRun[];
  leftover: number;
  /** The run's phase timings; the hold distribution is added from the VMs. */
  timings: Omit<SyncReport['timings'], 'held_ms'>;
  /** The pre/post script runs (null: none configured). */
  scripts: { pre: ScriptReport | null; post: ScriptReport | null };
}

/** Assembles the report (entries in id order). */
export function buildReport(r: ReportInput): SyncReport {
  const entries: EntryReport[] = [];
  const counts = { snapshotted: 0, skipped: 0, failed: 0, leftover: r.leftover };
  for (const s of r.servers) {
    const status: EntryReport['status'] = s.status === 'pending' ? 'deadline' : s.status;
    const reports = new Map(s.works.map((w) => [w, vmReport(w)]));
    for (const v of reports.values()) counts[v.action]++;
    s.group.entries.forEach((e, i) => {
      const vms = s.works.filter((w) => w.entryIds.includes(e.id) || (i === 0 && w.entryIds.length === 0)).map((w) => reports.get(w) as VmReport);
      entries.push({ id: e.id, hostname: e.hostname, datastores: [...e.datastores], status, error: s.error, warnings: s.warnings, vms });
    });
  }
  entries.sort((a, b) => a.id - b.id);
  return {
    run_id: r.runId,
    snapshot: r.zfsName,
    recursive: r.recursive,
    vmsynced: r.verdict,
    deadline_hit: r.deadlineHit,
    counts,
    timings: { ...r.timings, held_ms: holdDistribution(r.servers.flatMap((s) => s.works.flatMap((w) => (w.snapshot !== null ? (holdOf(w) ?? []) : [])))) },
    scripts: r.scripts,
    entries,
  };
}

/** Job-log lines: one per entry problem, per failed or degraded VM, and per skip reason (VMs unrelated to the datastores summarised). */
export function reportMessages(rep: SyncReport): string[] {
  const lines = [
    `run ${rep.run_id}: vmsynced=${rep.vmsynced}; ${rep.counts.snapshotted} snapshotted, ${rep.counts.failed} failed, ${rep.counts.skipped} skipped` +
      (rep.counts.leftover ? `, ${rep.counts.leftover} left for the sweep` : '') +
      (rep.timings.held_ms !== null ? `; VMs held a VMware snapshot for ${rep.timings.held_ms.min}–${rep.timings.held_ms.max} ms (median ${rep.timings.held_ms.median} ms)` : ''),
  ];
  const seen = new Set<string>();
  for (const e of rep.entries) {
    if (e.status !== 'ok') lines.push(`entry ${e.id} (${e.hostname}): ${e.status}${e.error ? `: ${e.error}` : ''}`);
    let unrelated = 0;
    for (const v of e.vms) {
      if (seen.has(v.moref)) continue;
      seen.add(v.moref);
      if (v.code === 'other_datastore') unrelated++;
      else if (v.action !== 'snapshotted' || v.reason) lines.push(`${v.name}: ${v.action}${v.reason ? `: ${v.reason}` : ''}`);
    }
    if (unrelated > 0) lines.push(`entry ${e.id}: ${unrelated} VM(s) have no disk on ${e.datastores.join(', ')}`);
  }
  return lines;
}
