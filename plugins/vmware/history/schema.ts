/**
 * Shapes of the run history (`vmware.run.query`, `vmware.run.get_instance`, event
 * `vmware.run.query`) and of the protection status (`vmware.protection_status`). A run record's
 * `id` is the run id the ZFS snapshot carries in its `vsnapd:run` user property; times are
 * `{"$date": ms}` on the wire (TrueNAS's encoding), durations in ms.
 */
import { z } from 'zod';
import { WireDateSchema } from '../../../daemon/wire/date.js';
import { EntryReport, HeldSource, SyncReport } from '../sync/report.js';

/** What a run came to. */
export const RunState = z
  .enum(['SUCCESS', 'PARTIAL', 'NONE', 'FAILED'])
  .describe(
    'SUCCESS: every VM that needed one held its planned VMware snapshot (or none needed one); PARTIAL: some did; ' +
      'NONE: none did although some should have; FAILED: the ZFS snapshot was not taken or the coordination broke off',
  );
export type RunState = z.output<typeof RunState>;

/** What started a run. */
export const RunTrigger = z
  .object({
    type: z.enum(['periodic', 'run', 'manual']).describe('periodic: the task schedule; run: pool.snapshottask.run; manual: pool.snapshot.create with vmware_sync'),
    task_id: z.number().int().nullable().describe('The periodic snapshot task (null for manual snapshots)'),
  })
  .describe('What started the run');
export type RunTrigger = z.output<typeof RunTrigger>;

/** One run record. */
export const RunEntry = z
  .object({
    id: z.string().describe('Run id, as in the snapshot\'s vsnapd:run property'),
    snapshot: z.string().describe('The ZFS snapshot, dataset@name'),
    dataset: z.string(),
    recursive: z.boolean(),
    trigger: RunTrigger,
    started_at: WireDateSchema,
    ended_at: WireDateSchema,
    vmsynced: z.enum(['full', 'partial', 'none']).nullable().describe('The snapshot\'s vsnapd:vmsynced; null when the ZFS snapshot was not taken with it'),
    state: RunState,
    error: z.string().nullable().describe('Why the run FAILED (null otherwise)'),
    deadline_hit: z.boolean(),
    counts: SyncReport.shape.counts,
    timings: SyncReport.shape.timings,
    entries: z.array(EntryReport).describe('Per vmware entry: status and its VMs (action, kind, reason, warnings, attempts, timings, vmx_path, uuid, datastores, held_ms, held_source, late)'),
  })
  .describe('A coordinated snapshot run');
export type RunEntry = z.output<typeof RunEntry>;

/** One VM's protection status. */
export const ProtectionEntry = z
  .object({
    id: z.string().describe('<hostname>/<VM moref>'),
    name: z.string().describe('VM display name (as of its last run)'),
    hostname: z.string().describe('vCenter/ESXi of the vmware entry'),
    moref: z.string(),
    uuid: z.string().nullable().describe('config.instanceUuid'),
    vmx_path: z.string().nullable(),
    datastores: z.array(z.string()),
    protected: z.boolean().describe('Its last run took a VMware snapshot of it for a ZFS snapshot that was taken'),
    last_snapshot: z.string().nullable().describe('The last VM-consistent ZFS snapshot of it, dataset@name (null: never)'),
    last_snapshot_at: WireDateSchema.nullable().describe('When that ZFS snapshot was taken'),
    last_kind: z.enum(['quiesced', 'crash_consistent']).nullable().describe('Kind of the VMware snapshot it held for that ZFS snapshot'),
    last_run_id: z.string(),
    last_run_at: WireDateSchema.describe('End of its last run'),
    last_state: RunState.describe('State of its last run'),
    last_action: z.enum(['snapshotted', 'skipped', 'failed']).describe('What its last run did with it'),
    last_reason: z.string().nullable().describe('Why it was skipped or failed (or degraded) in its last run'),
    last_held_ms: z
      .number()
      .nullable()
      .default(null)
      .describe('How long it held its VMware snapshot for the last VM-consistent ZFS snapshot (ms; the run\'s held_ms); null: never or not known'),
    last_held_source: HeldSource.nullable().default(null).describe('Where last_held_ms comes from: vsphere (createTime → RemoveSnapshot_Task completeTime) or observed'),
  })
  .describe('The protection status of one VM');
export type ProtectionEntry = z.output<typeof ProtectionEntry>;

/** One VM's protection status as `vmware.protection_status` returns it: the stored facts plus coverage, computed when asked. */
export const ProtectionStatus = ProtectionEntry.extend({
  age_ms: z.number().int().nullable().describe('Age of the last VM-consistent snapshot (ms, now − last_snapshot_at); null: never'),
  covered: z.boolean().describe('An enabled periodic snapshot task with vmware_sync covers it (its dataset, or a parent with recursive, is the filesystem of a vmware entry of its server holding one of its datastores)'),
  task_id: z.number().int().nullable().describe('The covering task with the shortest interval (null: none covers it)'),
  task_dataset: z.string().nullable().describe('That task\'s dataset'),
  expected_interval_ms: z
    .number()
    .int()
    .nullable()
    .describe('That task\'s expected interval (ms): the longest gap between consecutive fire times of its schedule'),
  overdue: z.boolean().describe('Covered, and its last VM-consistent snapshot is older than 2 expected intervals (or it has none)'),
}).describe('The protection status of one VM, with the task that covers it');
export type ProtectionStatus = z.output<typeof ProtectionStatus>;
