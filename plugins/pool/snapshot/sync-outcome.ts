/**
 * What a snapshot's VMware coordination came to, as jobs return it: the result of a
 * `pool.snapshottask.run` of a task with `vmware_sync` and of `pool.snapshot.create_coordinated`
 * carry it, with the coordinator's per-VM report. (TrueNAS returns null from `run` and keeps no
 * report anywhere; tasks without `vmware_sync` still return null.)
 */
import { z } from 'zod';
import type { TakeResult } from './take.js';

/** The coordination of one snapshot. */
export const VmwareSyncOutcome = z
  .object({
    vmsynced: z
      .enum(['full', 'partial', 'none'])
      .nullable()
      .describe('How VM-consistent the snapshot is (its vsnapd:vmsynced property); null when coordination failed or did not run (the snapshot then has no VMware properties)'),
    state: z
      .enum(['SUCCESS', 'PARTIAL', 'NONE', 'FAILED'])
      .nullable()
      .describe('What the run came to (as vmware.run.get_instance shows it): FAILED when coordination broke off; null when no run was made (no entry covers the dataset)'),
    run_id: z.union([z.string(), z.number()]).nullable().describe('The coordination run, as in the snapshot\'s vsnapd:run property; null when no run was recorded'),
    error: z.string().nullable().describe('Why coordination failed or was incomplete (the ZFS snapshot was taken anyway), or null'),
    report: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        'The per-VM report of the run (also the job\'s final progress.extra), null when no run was made. VMware coordinator: ' +
          '{run_id, snapshot, recursive, vmsynced, deadline_hit, counts: {snapshotted, skipped, failed, leftover}, ' +
          'timings: {vmware_phase_ms, zfs_ms, removal_ms, window_ms, held_ms: {count, observed, min, median, p95, max} | null}, entries: [{id, hostname, datastores, status, error, ' +
          'vms: [{name, moref, action: snapshotted|skipped|failed, kind, planned_kind, code, reason, warnings, attempts, snapshot, removed, ' +
          'timings: {create_ms, remove_ms}, vmx_path, uuid, datastores, held_ms, held_source: vsphere|observed, late}]}]}',
      ),
  })
  .describe('The VMware coordination of the snapshot');
export type VmwareSyncOutcomeT = z.output<typeof VmwareSyncOutcome>;

/** The report as a JSON object, or null (the seam lets a coordinator return any value). */
function asObject(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

const STATE_OF = { full: 'SUCCESS', partial: 'PARTIAL', none: 'NONE' } as const;

/** The run's state: the coordinator's, else derived from `vmsynced` (null when it made no run); FAILED when coordination failed. */
function syncState(r: TakeResult): VmwareSyncOutcomeT['state'] {
  if (r.coordinated) return r.coordinated.state ?? (r.coordinated.runId === null ? null : STATE_OF[r.coordinated.vmsynced]);
  return r.coordinatorError === null ? null : 'FAILED';
}

/** The outcome of a snapshot taken with `vmware_sync`. */
export function syncOutcome(r: TakeResult): VmwareSyncOutcomeT {
  return {
    vmsynced: r.coordinated?.vmsynced ?? null,
    state: syncState(r),
    run_id: r.coordinated?.runId ?? null,
    error: r.coordinatorError,
    report: asObject(r.coordinated?.report),
  };
}
