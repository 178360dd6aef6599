/**
 * Shapes of the instant restore API: `vmware.restore` / `vmware.plan_restore` input, the restore
 * record (`vmware.restore.query`, the job results of `vmware.restore` and `vmware.restore_cleanup`)
 * and the plan. Morefs are moref values (`vm-42`); times `{"$date": ms}`; durations ms.
 */
import { z } from 'zod';
import { WireDateSchema } from '../../../daemon/wire/date.js';
import { boundedString, MAX_NAME } from '../../../daemon/registry/bounds.js';

const DatasetName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)*$/, 'must be a ZFS dataset name such as tank/restores (no @, spaces, leading "-" or "/")');

/** A vSphere object name we create: printable, no `/`, `\`, `%` or brackets (they break datastore paths). */
const VsphereName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[^/\\%[\]\p{Cc}]+$/u, 'must be 1–80 printable characters without / \\ % [ ]');

/** `vmware.restore` / `vmware.plan_restore` input. */
export const RestoreInput = z
  .strictObject({
    snapshot: boundedString(MAX_NAME)
      .regex(/^[^@\s]+@[^@\s]+$/, 'must be a ZFS snapshot name, dataset@name')
      .describe('The ZFS snapshot to restore from, dataset@name; it must carry vsnapd:vmsynced full or partial (see force)'),
    vms: z
      .array(boundedString(MAX_NAME).min(1))
      .min(1)
      .max(64)
      .describe('VMs of that snapshot\'s run to restore, by name or moref as in the run\'s report'),
    host: boundedString(MAX_NAME).min(1).describe('ESXi host to mount the datastore on and register the VMs with: its name or HostSystem moref'),
    entry_id: z.number().int().optional().describe('The vmware entry (vCenter) to use; default: the run\'s entry of those VMs'),
    restore_parent: DatasetName.optional().describe('Dataset the clone is created under; default: the parent of the snapshot\'s dataset'),
    clone_name: DatasetName.optional().describe('Full name of the clone; default <restore_parent>/<dataset leaf>-restore-<id>; must not exist'),
    datastore_name: VsphereName.optional().describe('Name of the new NFS datastore; default vsnapd-restore-<id>; must not exist'),
    nas_address: z.string().min(1).max(253).optional().describe('Address ESXi mounts the clone by; default: the remote host of the datastore the snapshot\'s dataset backs'),
    folder: boundedString(MAX_NAME).min(1).optional().describe('VM folder moref to register into; default: the datacenter\'s VM folder'),
    resource_pool: boundedString(MAX_NAME).min(1).optional().describe('Resource pool moref; default: the host\'s root resource pool'),
    names: z.record(boundedString(MAX_NAME), VsphereName).default({}).describe('New VM names by the names given in vms; default <name>-restore-<id>'),
    connect_network: z.boolean().default(false).describe('Keep virtual NICs connected (default false: disconnected, so no duplicate MAC/IP on the production network)'),
    power_on: z.boolean().default(false).describe('Power the restored VMs on'),
    force: z.boolean().default(false).describe('Restore from a snapshot that is not VM-consistent (vsnapd:vmsynced none or absent)'),
  })
  .describe('What to restore and where');
export type RestoreInput = z.output<typeof RestoreInput>;

/** One step of one VM (or of the restore as a whole). */
export const RestoreStep = z.object({
  step: z.enum(['clone', 'share', 'datastore', 'register', 'network', 'power_on', 'power_off', 'unregister', 'unmount', 'unshare', 'destroy']),
  ok: z.boolean(),
  error: z.string().nullable(),
  ms: z.number().describe('How long it took (ms)'),
});
export type RestoreStep = z.output<typeof RestoreStep>;

/** One restored VM. */
export const RestoreVm = z.object({
  source: z.string().describe('The VM as named in the request'),
  source_moref: z.string().describe('The original VM\'s moref (never touched)'),
  name: z.string().describe('Name of the restored copy'),
  vmx_path: z.string().nullable().describe('Its .vmx on the new datastore, [datastore] dir/name.vmx (set before the registration; null: not started, or the copy removed by the cleanup)'),
  vmx_from: z.enum(['run', 'search']).nullable().describe('run: the path recorded at snapshot time; search: found in the clone'),
  moref: z.string().nullable().describe('The registered copy (null until registered)'),
  registered: z.boolean(),
  nics_disconnected: z.number().int().nullable().describe('NICs left disconnected (null: not done or connect_network)'),
  powered_on: z.boolean(),
  steps: z.array(RestoreStep),
});
export type RestoreVm = z.output<typeof RestoreVm>;

/** A restore record: what it created, kept until cleanup removed all of it. */
export const RestoreEntry = z
  .object({
    id: z.string().describe('Restore id (in the clone\'s vsnapd:restore property and the default names)'),
    snapshot: z.string(),
    run_id: z.string(),
    entry_id: z.number().int(),
    hostname: z.string().describe('vCenter/ESXi of the vmware entry'),
    host: z.object({ moref: z.string(), name: z.string() }),
    state: z
      .enum(['RESTORING', 'READY', 'FAILED', 'CLEANING', 'CLEANED'])
      .describe('READY: every step done; FAILED: stopped half-way (what exists is listed; clean it up); CLEANED: the cleanup result, nothing is left'),
    error: z.string().nullable(),
    started_at: WireDateSchema,
    ended_at: WireDateSchema.nullable(),
    clone: z.object({ name: z.string(), mountpoint: z.string().nullable(), created: z.boolean() }),
    share: z.object({ id: z.number().int().nullable(), path: z.string().nullable(), hosts: z.array(z.string()), created: z.boolean() }),
    datastore: z.object({
      name: z.string(),
      moref: z.string().nullable(),
      datastore_system: z.string().nullable().describe('HostDatastoreSystem moref the datastore is mounted through (set before the mount; null: not started, or the datastore removed by the cleanup)'),
      remote_host: z.string(),
      remote_path: z.string().nullable(),
      created: z.boolean(),
    }),
    vms: z.array(RestoreVm),
    steps: z.array(RestoreStep).describe('Steps of the restore as a whole (clone, share, datastore) and of its cleanup'),
  })
  .describe('An instant restore and what it created');
export type RestoreEntry = z.output<typeof RestoreEntry>;

/** `vmware.plan_restore` result. */
export const RestorePlan = z.object({
  ok: z.boolean().describe('No conflict: vmware.restore would start'),
  snapshot: z.string(),
  vmsynced: z.string().nullable(),
  run_id: z.string().nullable(),
  entry_id: z.number().int().nullable(),
  host: z.object({ moref: z.string(), name: z.string(), addresses: z.array(z.string()) }).nullable(),
  clone: z.string().nullable(),
  mountpoint: z.string().nullable(),
  share: z.object({ path: z.string(), hosts: z.array(z.string()) }).nullable(),
  datastore: z.object({ name: z.string(), remote_host: z.string(), remote_path: z.string() }).nullable(),
  vms: z.array(z.object({ source: z.string(), source_moref: z.string(), name: z.string(), vmx_path: z.string().nullable() })),
  conflicts: z.array(z.string()).describe('Why vmware.restore would refuse (each with the field to change)'),
});
export type RestorePlan = z.output<typeof RestorePlan>;
