/**
 * The `vmware.sync` part of the config file: how a coordinated run behaves. Every field has a
 * default, so an absent section is a working configuration. Units are in the field names.
 *
 * ```json
 * { "vmware": { "sync": { "concurrency": { "global": 16, "per_host": 4 }, "deadline_seconds": 300 } } }
 * ```
 */
import { z } from 'zod';

/** Schema of `vmware.sync`. */
export const SyncConfig = z.strictObject({
  concurrency: z
    .strictObject({
      global: z.number().int().min(1).max(256).default(16).describe('VMware snapshot operations in flight at once over the whole run'),
      per_host: z.number().int().min(1).max(64).default(4).describe('VMware snapshot operations in flight at once on one ESXi host (limits stun load)'),
    })
    .default({ global: 16, per_host: 4 }),
  deadline_seconds: z
    .number()
    .min(1)
    .max(3600)
    .default(300)
    .describe('Overall deadline of the VMware phase (login, inventory, snapshot creation); after it the ZFS snapshot is taken anyway'),
  task_timeout_seconds: z
    .number()
    .min(1)
    .max(3600)
    .default(120)
    .describe('Deadline of one snapshot create/remove operation (call + task); a hung task is cancelled and left to the sweep'),
  quiesce: z.boolean().default(true).describe('Quiesce guests whose VMware Tools run; false takes crash-consistent snapshots everywhere'),
  quiesce_timeout_minutes: z
    .number()
    .int()
    .min(5)
    .max(240)
    .default(5)
    .describe('Quiesce bound sent with CreateSnapshotEx_Task (VirtualMachineGuestQuiesceSpec.timeout, vSphere 6.5+; minutes, 5–240)'),
  quiesce_retries: z.number().int().min(0).max(10).default(1).describe('Retries of a quiesced snapshot after ApplicationQuiesceFault/FilesystemQuiesceFault'),
  quiesce_failure: z
    .enum(['fallback', 'fail'])
    .default('fallback')
    .describe('After the retries: `fallback` takes a crash-consistent snapshot, `fail` leaves the VM without one'),
  busy_retries: z.number().int().min(0).max(20).default(3).describe('Retries when the VM is busy with another task (TaskInProgress)'),
  busy_retry_delay_ms: z.number().int().min(0).max(60_000).default(1000).describe('Pause before retrying a busy VM, in ms'),
  remove_timeout_seconds: z
    .number()
    .min(1)
    .max(7200)
    .default(600)
    .describe('Deadline of one snapshot removal (consolidation of a busy VM may take minutes)'),
  sweep_interval_minutes: z
    .number()
    .min(0)
    .max(10_080)
    .default(60)
    .describe('How often vmware.sweep runs on its own (0 = only at start-up and on request)'),
  late_sweep_seconds: z
    .array(z.number().min(1).max(3600))
    .max(20)
    .refine((d) => d.every((x, i) => i === 0 || x >= (d[i - 1] as number)), 'must not decrease (growing intervals, e.g. [10, 20, 40])')
    .default([10, 20, 40, 80, 160, 320])
    .describe(
      'Follow-up sweeps of a run that left a create unresolved (it timed out, its snapshot may appear later): seconds before the first, ' +
        'then between the next ones; [] leaves it to the scheduled sweep',
    ),
  sweep_min_age_minutes: z
    .number()
    .min(0)
    .max(10_080)
    .default(15)
    .describe('The sweep removes marked snapshots older than this (another vsnapd run may still hold younger ones)'),
});

/** Parsed `vmware.sync`. */
export type SyncConfig = z.output<typeof SyncConfig>;

/** The defaults (an absent `vmware.sync`). */
export function defaultSyncConfig(): SyncConfig {
  return SyncConfig.parse({});
}
