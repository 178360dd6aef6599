/**
 * Shapes of what the coordinator reports: the per-VM run report (attached to the snapshot job as
 * `CoordinatedResult.report`), the dry-run plan (`vmware.plan`) and the sweep result
 * (`vmware.sweep`). Times are epoch-free durations in ms; morefs are moref values (`vm-42`).
 */
import { z } from 'zod';
import { WireDateSchema } from '../../../daemon/wire/date.js';
import { ScriptReport } from '../scripts/schema.js';

const SKIP_CODES = [
  'other_datastore',
  'template',
  'disconnected',
  'inaccessible',
  'orphaned',
  'invalid',
  'agent_vm',
  'powered_off',
  'suspended',
  'cannot_snapshot',
  'independent_only',
  'excluded',
  'not_included',
  'mode_skip',
] as const;

/** What the selection rules decided about a VM (plugins/vmware/sync/rules). */
const RuleFields = {
  rule: z.string().nullable().describe('The selection rule that selected or excluded it, e.g. `exclude[0] name "*-scratch"` (null without rules)'),
  mode: z.enum(['quiesce', 'crash_consistent', 'skip']).describe('Its snapshot mode by the rules (quiesce = quiesced where VMware Tools run)'),
  mode_rule: z.string().nullable().describe('The rule that set mode (null: the default)'),
};

const Kind = z.enum(['quiesced', 'crash_consistent']);

/** Where a hold's times come from (see VmReport.held_source). */
export const HeldSource = z.enum(['vsphere', 'observed']);
export type HeldSource = z.output<typeof HeldSource>;

/** The distribution of the VMs' holds in a run (ms), nearest-rank percentiles. */
export const HoldDistribution = z.object({
  count: z.number().int().describe('VMs with a known hold'),
  observed: z.number().int().describe('Of them, holds measured by vsnapd because vSphere did not report a time'),
  min: z.number(),
  median: z.number(),
  p95: z.number(),
  max: z.number(),
});
export type HoldDistribution = z.output<typeof HoldDistribution>;

/** One VM of a run. */
export const VmReport = z.object({
  name: z.string().describe('VM display name'),
  moref: z.string().describe('VirtualMachine moref value, e.g. vm-42'),
  action: z.enum(['snapshotted', 'skipped', 'failed']).describe('snapshotted: a VMware snapshot was held when the ZFS snapshot was taken'),
  kind: Kind.nullable().describe('Kind of the VMware snapshot it got (null when none)'),
  planned_kind: Kind.nullable().describe('Kind planned: quiesced where VMware Tools run (null when skipped)'),
  code: z.enum(SKIP_CODES).nullable().describe('Why it was skipped (machine-readable)'),
  ...RuleFields,
  reason: z.string().nullable().describe('Why it was skipped or failed (null when snapshotted as planned)'),
  warnings: z.array(z.string()).describe('Partial protection, fallbacks, retries'),
  attempts: z.number().int().describe('Snapshot create attempts'),
  snapshot: z.string().nullable().describe('VirtualMachineSnapshot moref value of the snapshot it got'),
  removed: z.boolean().nullable().describe('The VMware snapshot is gone again (null when none was made)'),
  timings: z.object({
    create_ms: z.number().nullable().describe('From the first create request to the snapshot (ms)'),
    remove_ms: z.number().nullable().describe('Removal including consolidation (ms)'),
  }),
  vmx_path: z.string().nullable().describe('config.files.vmPathName, e.g. "[ds1] vm1/vm1.vmx" (null when the server did not say)'),
  uuid: z.string().nullable().describe('config.instanceUuid (vCenter-unique; null when the server did not say)'),
  datastores: z.array(z.string()).describe('Selected datastores holding its disks'),
  held_ms: z
    .number()
    .nullable()
    .describe(
      'How long the VM ran with its VMware snapshot (ms): from the snapshot\'s vSphere createTime (VirtualMachineSnapshotTree) to the completeTime of its RemoveSnapshot_Task (TaskInfo); null when it got none or it is not removed yet',
    ),
  held_source: HeldSource.nullable()
    .default(null)
    .describe('Where held_ms comes from: vsphere = both times as vSphere reported them; observed = a time was missing, so both are when vsnapd saw the creation and the removal end (null with held_ms)'),
  late: z
    .object({
      created_at: WireDateSchema.nullable().describe('vSphere createTime of the snapshot (null when unknown)'),
      removed_at: WireDateSchema.describe('When a follow-up sweep removed it'),
    })
    .nullable()
    .describe('A snapshot that appeared after its create timed out (a held call), removed by a follow-up sweep of the run; null otherwise'),
});
export type VmReport = z.output<typeof VmReport>;

/** One vmware entry of a run or plan. */
export const EntryReport = z.object({
  id: z.number().int(),
  hostname: z.string(),
  datastores: z.array(z.string()),
  status: z.enum(['ok', 'login_failed', 'inventory_failed', 'deadline']).describe('How far the entry got'),
  error: z.string().nullable(),
  warnings: z.array(z.string()).describe('Selection rule problems (unknown tag/folder/attribute, tags unreadable) and rules matching no VM'),
  vms: z.array(VmReport),
});
export type EntryReport = z.output<typeof EntryReport>;

/** The run report (job result part). */
export const SyncReport = z.object({
  run_id: z.string(),
  snapshot: z.string().describe('The ZFS snapshot, dataset@name'),
  recursive: z.boolean(),
  vmsynced: z.enum(['full', 'partial', 'none']),
  deadline_hit: z.boolean().describe('The VMware phase deadline (or an abort) ended snapshot creation'),
  counts: z.object({ snapshotted: z.number().int(), skipped: z.number().int(), failed: z.number().int(), leftover: z.number().int() }),
  timings: z.object({
    vmware_phase_ms: z.number().describe('Start of the run to the ZFS snapshot request'),
    zfs_ms: z.number().describe('The ZFS snapshot itself'),
    removal_ms: z.number().describe('ZFS snapshot done to every VMware snapshot removed'),
    window_ms: z.number().nullable().describe('First VMware snapshot request to the last removal: how long VMs ran with a snapshot open'),
    held_ms: HoldDistribution.nullable()
      .default(null)
      .describe('Distribution of the VMs\' held_ms (min, median, p95, max); null when no VM held a snapshot'),
  }),
  scripts: z
    .object({ pre: ScriptReport.nullable(), post: ScriptReport.nullable() })
    .describe('The task\'s pre/post script runs, output bounded (null: none configured)'),
  entries: z.array(EntryReport),
});
export type SyncReport = z.output<typeof SyncReport>;

/** One VM of a plan. */
export const PlanVm = z.object({
  name: z.string(),
  moref: z.string(),
  action: z.enum(['snapshot', 'skip']),
  kind: Kind.nullable(),
  code: z.enum(SKIP_CODES).nullable(),
  reason: z.string().nullable(),
  ...RuleFields,
  warnings: z.array(z.string()),
  datastores: z.array(z.string()).describe('Selected datastores holding its disks'),
  host: z.string().nullable().describe('ESXi host moref value (the per-host concurrency key)'),
});

/** The dry run. */
export const PlanResult = z.object({
  dataset: z.string(),
  recursive: z.boolean(),
  entries: z.array(
    z.object({
      id: z.number().int(),
      hostname: z.string(),
      filesystem: z.string(),
      datastores: z.array(z.string()),
      status: z.enum(['ok', 'login_failed', 'inventory_failed']),
      error: z.string().nullable(),
      missing_datastores: z.array(z.string()).describe('Datastores of the entry the inventory does not have'),
      warnings: z.array(z.string()).describe('Selection rule problems (unknown tag/folder/attribute, tags unreadable) and rules matching no VM'),
      vms: z.array(PlanVm),
    }),
  ),
  summary: z.object({ snapshot: z.number().int(), skip: z.number().int(), quiesced: z.number().int() }),
});
export type PlanResult = z.output<typeof PlanResult>;

/** The sweep's result. */
export const SweepResult = z.object({
  records: z.number().int().describe('Run records of interrupted runs processed'),
  removed: z.array(z.object({ hostname: z.string(), vm: z.string(), snapshot: z.string(), run_id: z.string() })),
  failed: z.array(z.object({ hostname: z.string(), vm: z.string(), snapshot: z.string(), run_id: z.string(), error: z.string() })),
  servers: z.array(z.object({ hostname: z.string(), ok: z.boolean(), error: z.string().nullable() })),
});
export type SweepResult = z.output<typeof SweepResult>;
