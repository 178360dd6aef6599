/**
 * Selection rules: which VMs a coordinated snapshot protects and how. Set on a `vmware` entry
 * (`rules`) and, replacing the entries' rules for one task, on a periodic snapshot task
 * (`vmware_rules`). The shapes are declared by pool with the rest of a task
 * (plugins/pool/snapshottask/vmware-options.ts) and re-exported here; this module adds what the
 * vmware plugin does with them (no I/O): the inventory checks live in ./check.ts, the evaluation in
 * ./evaluate.ts.
 */
import type { SelectionRules, Selector } from '../../../pool/snapshottask/vmware-options.js';

export { Selector, SelectionRules, VmMode } from '../../../pool/snapshottask/vmware-options.js';

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
