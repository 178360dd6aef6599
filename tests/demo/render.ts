/**
 * Readable renderings of the API results the demo shows: the vmware entry, the datastore ↔ dataset
 * match, the dry-run plan and the run's per-VM report. Pure functions from the JSON midclt printed
 * to text; the shapes are the plugins' result schemas.
 */
import type { MatchResultOut, VmwareEntryOut } from '../../plugins/vmware/schemas.js';
import type { PlanResult, SyncReport } from '../../plugins/vmware/sync/report.js';
import { table } from './output.js';

/** One line per entry: where, who, what it covers, and what the background check saw. */
export function renderEntries(entries: readonly VmwareEntryOut[]): string {
  return entries
    .map((e) => {
      const seen = e.health.summary ? `; last check saw ${e.health.summary.hosts} hosts, ${e.health.summary.vms} VMs, ${e.health.summary.protected_vms} protected` : '';
      const pin = e.tls.thumbprint ? 'certificate pinned' : e.tls.ca ? 'custom CA' : e.tls.verify ? 'system CAs' : 'NOT verified';
      return (
        `id ${e.id}  ${e.hostname}:${e.port}  user ${e.username}  password ${e.password}\n` +
        `filesystem ${e.filesystem} → datastore ${e.datastores.join(', ') || '(none)'}  TLS: ${pin}  state ${e.state.state}${seen}`
      );
    })
    .join('\n');
}

/** The datastores with the datasets behind them, and the descriptions of `pool`'s datasets. */
export function renderMatch(m: MatchResultOut, pool: string): string {
  const ds = table(
    ['DATASTORE', 'BACKED BY', 'ON THE VMWARE SIDE'],
    m.datastores.map((d) => [d.name, d.filesystems.join(', ') || '— (not on this NAS)', d.description]),
  );
  const fs = m.filesystems
    .filter((f) => f.name === pool || f.name.startsWith(`${pool}/`))
    .map((f) => `${f.name}: ${f.description}`);
  return `${ds}\n\n${fs.join('\n')}`;
}

/** The plan: per VM, the host, and what would happen and why. */
export function renderPlan(p: PlanResult): string {
  const rows = p.entries.flatMap((e) =>
    e.vms.map((v) => [v.name, v.action === 'snapshot' ? `snapshot (${v.kind === 'quiesced' ? 'quiesced' : 'crash-consistent'})` : `skip: ${v.code ?? ''}`, v.reason ?? v.warnings.join('; ')]),
  );
  const sum = `would snapshot ${p.summary.snapshot} VM(s) (${p.summary.quiesced} quiesced), skip ${p.summary.skip}`;
  return `${table(['VM', 'PLAN', 'WHY'], rows)}\n${sum}`;
}

/** The run report: per VM what it got, its VMware snapshot and whether that is gone again. */
export function renderReport(r: SyncReport): string {
  const rows = r.entries.flatMap((e) =>
    e.vms.map((v) => [
      v.name,
      v.action === 'snapshotted' ? (v.kind === 'quiesced' ? 'quiesced snapshot' : 'crash-consistent snapshot') : v.action === 'skipped' ? `skipped: ${v.code ?? ''}` : 'FAILED',
      v.snapshot ?? '—',
      v.removed === null ? '—' : v.removed ? 'yes' : 'NO',
      v.timings.create_ms === null ? '—' : `${Math.round(v.timings.create_ms)} ms`,
    ]),
  );
  const c = r.counts;
  const window = r.timings.window_ms === null ? '' : `; VMs held a VMware snapshot for at most ${Math.round(r.timings.window_ms)} ms`;
  return (
    `${table(['VM', 'RESULT', 'VMWARE SNAPSHOT', 'REMOVED', 'CREATE'], rows)}\n` +
    `${r.snapshot}: vmsynced=${r.vmsynced}; ${c.snapshotted} snapshotted, ${c.skipped} skipped, ${c.failed} failed, ${c.leftover} left over${window}`
  );
}
