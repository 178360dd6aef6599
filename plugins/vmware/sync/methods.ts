/**
 * The coordinator's API methods: `vmware.plan` (dry run) and `vmware.sweep` (leftover cleanup job).
 * Roles follow the vmware namespace (TrueNAS `role_prefix = SNAPSHOT_TASK`).
 */
import { z } from 'zod';
import { defineMethod, type AnyMethodDef } from '../../../daemon/registry/method.js';
import type { VmwareEntriesService } from '../entries-service.js';
import type { SyncConfig } from './config.js';
import type { DatasetCheck } from '../dataset-exists.js';
import { planDataset } from './plan.js';
import { PlanResult, SweepResult } from './report.js';
import { SelectionRules } from './rules/schema.js';
import { sweep, type SweepDeps } from './sweep.js';

/** Dataset names as the pool plugin accepts them, checked here only for shape (plan runs no ZFS command). */
const Dataset = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z][A-Za-z0-9_.:\- ]*(\/[A-Za-z0-9_.:\- ]+)*$/, 'must be a ZFS dataset name such as tank/vmware (no @, no leading "-" or "/")')
  .describe('ZFS dataset, e.g. tank/vmware');

/** `vmware.sweep` options. */
export const SweepOptionsSchema = z
  .strictObject({
    min_age_minutes: z
      .number()
      .min(0)
      .max(10_080)
      .optional()
      .describe('Remove vsnapd-marked snapshots older than this (default: vmware.sync.sweep_min_age_minutes)'),
    run_id: z
      .string()
      .max(32)
      .regex(/^[0-9a-z]{6,32}$/, 'must be a run id as in the vsnapd:run property (lower-case letters and digits)')
      .optional()
      .describe('Only the record of this run, no marker pass'),
  })
  .default({});

/** Declares the sweep method (also started in-process by the scheduler). */
export function sweepMethod(deps: SweepDeps) {
  return defineMethod({
    name: 'vmware.sweep',
    description:
      'Removes VMware snapshots left behind by interrupted coordinated runs: first from the persisted run records, then every ' +
      'snapshot carrying the vsnapd marker (name vsnapd-<run> and description "vsnapd run <run> for …") older than min_age_minutes. ' +
      'Snapshots without the marker are never touched. Raises VMWareSnapshotLeftover for what cannot be removed. A job.',
    args: [{ name: 'options', schema: SweepOptionsSchema }] as const,
    result: SweepResult,
    roles: ['SNAPSHOT_TASK_WRITE'],
    job: { lock: () => 'vmware.sweep' },
    handler: (call, options) =>
      sweep(deps, {
        ...(options.min_age_minutes !== undefined ? { minAgeMinutes: options.min_age_minutes } : {}),
        ...(options.run_id !== undefined ? { runId: options.run_id } : {}),
        job: call.job,
      }),
  });
}

/** Declares the plan method (ENOENT for a dataset that does not exist). */
export function planMethod(entries: VmwareEntriesService, cfg: SyncConfig, requireDataset: DatasetCheck) {
  return defineMethod({
    name: 'vmware.plan',
    description:
      'Dry run of a VMware-coordinated snapshot of `dataset`: the entries it would use and, per VM, whether it would be snapshotted ' +
      '(quiesced or crash-consistent) or skipped and why, with the selection rule that selected or excluded it and rule warnings ' +
      '(unknown tags/folders/attributes, globs matching nothing). Logs in and reads each inventory once; creates no snapshot, runs no ZFS ' +
      'command besides checking that the dataset exists (ENOENT otherwise), changes no entry state.',
    args: [
      { name: 'dataset', schema: Dataset },
      { name: 'recursive', schema: z.boolean().default(false).describe('Also use entries on descendants of the dataset') },
      {
        name: 'options',
        schema: z
          .strictObject({ rules: SelectionRules.nullable().default(null).describe('Selection rules replacing the entries\' own, as a task\'s vmware_rules does (null = the entries\' rules)') })
          .default({ rules: null }),
      },
    ] as const,
    result: PlanResult,
    roles: ['SNAPSHOT_TASK_READ'],
    async handler(_call, dataset, recursive, options) {
      await requireDataset(dataset);
      return planDataset(entries, cfg, dataset, recursive, options.rules);
    },
  });
}

/** Both methods, for registration. */
export function syncMethods(deps: SweepDeps, requireDataset: DatasetCheck): { plan: AnyMethodDef; sweep: ReturnType<typeof sweepMethod> } {
  return { plan: planMethod(deps.entries, deps.config, requireDataset), sweep: sweepMethod(deps) };
}
