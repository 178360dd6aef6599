/**
 * Turns what a coordination run produced (its {@link SyncReport}, or only the failure when it broke
 * off before the report) into its {@link RunEntry}, and decides the run's {@link RunState}.
 */
import { toWireDate } from '../../../daemon/wire/date.js';
import type { SyncReport } from '../sync/report.js';
import type { RunEntry, RunState, RunTrigger } from './schema.js';

/** Everything a record is made of. */
export interface RunFacts {
  runId: string;
  dataset: string;
  /** Snapshot name part (after `@`). */
  snapshotName: string;
  recursive: boolean;
  trigger: RunTrigger;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  /** The run's report; null when the run broke off before it had one. */
  report: SyncReport | null;
  /** Why the run failed (the ZFS snapshot was not taken, or the coordinator broke off), else null. */
  error: string | null;
}

/** The state rule (see {@link RunState}): a run that failed to protect any VM it should have is NONE, not SUCCESS. */
export function runState(report: SyncReport | null, error: string | null): RunState {
  if (error !== null || report === null) return 'FAILED';
  if (report.vmsynced === 'full') return 'SUCCESS';
  if (report.vmsynced === 'partial') return 'PARTIAL';
  const shouldHave = report.counts.failed > 0 || report.entries.some((e) => e.status !== 'ok');
  return shouldHave ? 'NONE' : 'SUCCESS';
}

/** The record of a run. */
export function runEntry(f: RunFacts): RunEntry {
  const r = f.report;
  return {
    id: f.runId,
    snapshot: `${f.dataset}@${f.snapshotName}`,
    dataset: f.dataset,
    recursive: f.recursive,
    trigger: f.trigger,
    started_at: toWireDate(f.startedAt),
    ended_at: toWireDate(f.endedAt),
    vmsynced: f.error === null && r ? r.vmsynced : null,
    state: runState(r, f.error),
    error: f.error,
    deadline_hit: r?.deadline_hit ?? false,
    counts: r ? { ...r.counts } : { snapshotted: 0, skipped: 0, failed: 0, leftover: 0 },
    timings: r ? { ...r.timings } : { vmware_phase_ms: f.endedAt - f.startedAt, zfs_ms: 0, removal_ms: 0, window_ms: null, held_ms: null },
    entries: r?.entries ?? [],
  };
}
