/**
 * What a periodic snapshot task carries for VMware, declared by pool (the owner of
 * `pool.snapshottask`) and consumed by the vmware plugin, so that pool imports nothing from it:
 *
 * - selection rules (`vmware_rules` of a task; the vmware plugin uses the same shape for an entry's
 *   `rules`): which VMs a coordinated snapshot protects and how;
 * - pre/post scripts (`vmware_scripts`), as SnapCenter runs them around a backup: `pre` before the
 *   VMware phase, `post` after the VMware snapshots were removed (also after a failure).
 *
 * Shapes only (zod, no I/O). What they mean is the vmware plugin's: the inventory checks of rules
 * live in plugins/vmware/sync/rules/ (check.ts, evaluate.ts), whether a script path may run and how
 * it runs in plugins/vmware/scripts/ (trust.ts, run.ts); pool reaches both through
 * `SnapshotCoordinator.checkTaskOptions` (../snapshot-hook.ts).
 *
 * ```json
 * {"include": [{"tag": {"category": "backup", "tag": "gold"}}, {"folder": "/DC0/vm/Prod"}],
 *  "exclude": [{"name": "*-scratch"}],
 *  "modes": [{"match": {"attribute": {"name": "quiesce", "value": "no"}}, "mode": "crash_consistent"}]}
 * ```
 * A selector names exactly one property: `name` (glob on the VM name), `folder` (inventory folder
 * path, the folder and everything below it), `moref` (`vm-42`), `uuid` (instance or BIOS UUID),
 * `tag` (vSphere tag, category and tag name) or `attribute` (custom attribute, value a glob).
 */
import { z } from 'zod';

const text = (what: string) => z.string().trim().min(1, 'String should have at least 1 character').max(255, 'String should have at most 255 characters').describe(what);

/** One VM selector; exactly one key. */
export const Selector = z
  .union([
    z.strictObject({ name: text('Glob on the VM name (* ? [..], case-sensitive), e.g. "db-*"') }),
    z.strictObject({
      folder: text('Inventory folder path: /<datacenter>/vm/<folder>/…, e.g. "/DC0/vm/Prod"; the folder and its subfolders').regex(
        /^\/[^/]/,
        'must be an absolute inventory path such as /DC0/vm/Prod',
      ),
    }),
    z.strictObject({ moref: text('VirtualMachine moref value, e.g. "vm-42"').regex(/^vm-\d+$/, 'must be a VirtualMachine moref value such as vm-42') }),
    z.strictObject({
      uuid: text('config.instanceUuid (or the BIOS config.uuid), e.g. "5003e5a0-…"').regex(/^[0-9a-fA-F-]{32,36}$/, 'must be a UUID such as 5003e5a0-52e4-7d0c-…'),
    }),
    z.strictObject({ tag: z.strictObject({ category: text('Tag category name'), tag: text('Tag name') }).describe('vSphere tag (Automation API tagging service)') }),
    z.strictObject({
      attribute: z
        .strictObject({ name: text('Custom attribute name (CustomFieldsManager)'), value: text('Glob on the attribute value, e.g. "yes" or "*"') })
        .describe('vSphere custom attribute'),
    }),
  ])
  .describe('One VM selector: exactly one of name, folder, moref, uuid, tag, attribute');
export type Selector = z.output<typeof Selector>;

/** Per-VM snapshot modes. `quiesce` is today's rule (quiesced where VMware Tools run). */
export const VmMode = z.enum(['quiesce', 'crash_consistent', 'skip']).describe('quiesce (default: quiesced where VMware Tools run), crash_consistent, or skip (no VMware snapshot)');
export type VmMode = z.output<typeof VmMode>;

/** The rules. */
export const SelectionRules = z
  .strictObject({
    include: z.array(Selector).max(100).default([]).describe('VMs to protect; empty = every VM with a disk on the datastores'),
    exclude: z.array(Selector).max(100).default([]).describe('VMs never to snapshot; exclude wins over include'),
    modes: z
      .array(z.strictObject({ match: Selector, mode: VmMode }))
      .max(100)
      .default([])
      .describe('Snapshot mode per VM, first match wins; unmatched VMs: quiesce'),
  })
  .describe('Which VMs are protected and how (memory snapshots are never taken)');
export type SelectionRules = z.output<typeof SelectionRules>;

const scriptPath = z
  .string()
  .max(1024, 'String should have at most 1024 characters')
  .regex(/^\/[^\0]*$/, 'must be an absolute path such as /usr/local/lib/vsnapd/pre-snapshot (no shell: no arguments, no pipes)')
  .nullable();

/** The scripts of a task. */
export const TaskScripts = z
  .strictObject({
    pre: scriptPath.default(null).describe('Executable run before the VMware phase (VSNAPD_PHASE=pre); null = none'),
    post: scriptPath.default(null).describe('Executable run after the VMware snapshots were removed, also after a failure (VSNAPD_PHASE=post); null = none'),
    timeout_seconds: z.number().int().min(1).max(3600).default(60).describe('Each run is killed (with its process group) after this many seconds'),
    pre_failure: z
      .enum(['skip_vmware', 'continue'])
      .default('skip_vmware')
      .describe('A failing pre-script (non-zero exit, timeout, refused path): skip_vmware takes the ZFS snapshot without VMware snapshots; continue goes on as if it had succeeded'),
  })
  .describe('Pre/post scripts around the VMware phase (executed directly, no shell; root-owned, not group/world-writable paths only)');
export type TaskScripts = z.output<typeof TaskScripts>;
