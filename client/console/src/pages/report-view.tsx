/**
 * A run's per-VM report: for each VMware entry, each VM with what happened (snapshotted, skipped,
 * failed), the snapshot's kind, the reason and how long the VM held its VMware snapshot (vSphere's
 * createTime to the removal task's completeTime; marked "observed" when vsnapd had to measure it
 * itself), and the run's hold distribution. Reads both the job's report (`vmware_sync.report`) and a
 * run record (`vmware.run.get_instance`), which share the `entries[].vms[]` shape; reports of older
 * versions have no `held_ms` (then create/remove times are shown).
 */
import { duration } from '../format.js';
import { Pill, Table } from '../ui.js';

/** One VM's row. */
export interface VmRow {
  name: string;
  action: string;
  kind: string | null;
  code?: string | null;
  reason: string | null;
  warnings?: string[];
  held_ms?: number | null;
  held_source?: 'vsphere' | 'observed' | null;
  timings?: { create_ms: number | null; remove_ms: number | null };
}

/** The run's hold distribution (ms). */
export interface HoldDistribution {
  count: number;
  observed: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

/** The report (job) or run record: what both carry. */
export interface SyncReport {
  run_id?: string;
  id?: string;
  snapshot: string;
  vmsynced: string | null;
  entries: { id: number; hostname: string; status: string; error: string | null; vms: VmRow[] }[];
  timings?: { window_ms: number | null; held_ms?: HoldDistribution | null };
}

function Held(props: { v: VmRow }) {
  const v = props.v;
  return (
    <>
      {duration(v.held_ms)}
      {v.held_source === 'observed' && <small title="vSphere did not report the times: measured by vsnapd"> (observed)</small>}
    </>
  );
}

export function ReportView(props: { report: SyncReport }) {
  const r = props.report;
  // Run records say how long each VM held its snapshot; a job's report has create/remove times.
  const held = r.entries.some((e) => e.vms.some((v) => typeof v.held_ms === 'number'));
  return (
    <section class="report" aria-label={`Report of ${r.snapshot}`} data-testid="run-report">
      <h2>
        {r.snapshot} <Pill state={r.vmsynced ?? 'failed'} />
      </h2>
      {r.entries.map((e) => (
        <div>
          <p>
            {e.hostname}: <Pill state={e.status} text={e.error ?? undefined} />
          </p>
          <Table columns={['VM', 'Outcome', 'Kind', 'Reason', held ? 'Held snapshot' : 'Create / remove']}>
                {e.vms.map((v) => (
                  <tr>
                    <td>{v.name}</td>
                    <td>
                      <Pill state={v.action} />
                    </td>
                    <td>{v.kind?.replace('_', '-') ?? '—'}</td>
                    <td>
                      {v.reason ?? '—'}
                      {v.warnings?.map((w) => <small class="warning">{w}</small>)}
                    </td>
                    <td>{held ? <Held v={v} /> : v.timings ? `${duration(v.timings.create_ms)} / ${duration(v.timings.remove_ms)}` : '—'}</td>
                  </tr>
                ))}
          </Table>
        </div>
      ))}
      {r.timings?.held_ms && (
        <p data-testid="hold-distribution">
          Held snapshots ({r.timings.held_ms.count} VMs{r.timings.held_ms.observed > 0 ? `, ${r.timings.held_ms.observed} measured by vsnapd` : ''}): min {duration(r.timings.held_ms.min)},
          median {duration(r.timings.held_ms.median)}, p95 {duration(r.timings.held_ms.p95)}, max {duration(r.timings.held_ms.max)}.
        </p>
      )}
      {r.timings && <p class="muted">VMs ran with a snapshot open for {duration(r.timings.window_ms)} in all.</p>}
    </section>
  );
}
