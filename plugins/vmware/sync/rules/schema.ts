/**
 * Selection rules: which VMs a coordinated snapshot protects and how. Set on a `vmware` entry
 * (`rules`) and, replacing the entries' rules for one task, on a periodic snapshot task
 * (`vmware_rules`). Shapes only (zod, no I/O): the inventory checks live in ./check.ts, the
 * evaluation in ./evaluate.ts.
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

/** No rules: every VM with a disk on the datastores, quiesced where possible (the behaviour without rules). */
export function noRules(): SelectionRules {
  return { include: [], exclude: [], modes: [] };
}

/** True when the rules change nothing. */
export function rulesEmpty(r: SelectionRules): boolean {
  return r.include.length === 0 && r.exclude.length === 0 && r.modes.length === 0;
}

/** Every selector of the rules with its attribute path (`include.0`, `modes.1.match`). */
export function selectorsOf(r: SelectionRules): { path: string; selector: Selector }[] {
  return [
    ...r.include.map((selector, i) => ({ path: `include.${i}`, selector })),
    ...r.exclude.map((selector, i) => ({ path: `exclude.${i}`, selector })),
    ...r.modes.map((m, i) => ({ path: `modes.${i}.match`, selector: m.match })),
  ];
}

/** A selector as people read it: `name "db-*"`, `tag backup/gold`, `folder /DC0/vm/Prod`. */
export function describeSelector(s: Selector): string {
  if ('name' in s) return `name "${s.name}"`;
  if ('folder' in s) return `folder ${s.folder}`;
  if ('moref' in s) return `moref ${s.moref}`;
  if ('uuid' in s) return `uuid ${s.uuid}`;
  if ('tag' in s) return `tag ${s.tag.category}/${s.tag.tag}`;
  return `attribute ${s.attribute.name}="${s.attribute.value}"`;
}

/**
 * The rules of a VM whose disks several entries cover: lists concatenated in entry order, except that
 * an entry without `include` (every VM) keeps the include list empty, so the union of what the
 * entries select is selected.
 */
export function mergeRules(list: readonly SelectionRules[]): SelectionRules {
  if (list.length === 1) return list[0] as SelectionRules;
  const allIncluded = list.some((r) => r.include.length === 0);
  return { include: allIncluded ? [] : list.flatMap((r) => r.include), exclude: list.flatMap((r) => r.exclude), modes: list.flatMap((r) => r.modes) };
}
