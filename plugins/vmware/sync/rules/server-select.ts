/**
 * The VM selection of one server with its selection rules, shared by a run, `vmware.plan` and
 * `vmware.get_virtual_machines` so the three agree: one inventory read (with the rule paths when
 * some rule exists), the tags when a rule names one, the rules checked (problems become warnings:
 * the run goes on), every VM classified.
 *
 * Which rules apply to a VM: the task's (`vmware_rules`) when it has any, else those of the entries
 * whose datastores hold its disks ({@link mergeRules}).
 */
import type { VapiClient } from '../../../../vsphere/vapi/client.js';
import type { Inventory, VsphereClient } from '../../../../vsphere/index.js';
import { classifyVms, type VmSelection } from '../select.js';
import { checkLines, checkRules } from './check.js';
import { decideVm } from './evaluate.js';
import { collectRuleFacts, type RuleFacts } from './facts.js';
import { mergeRules, noRules, rulesEmpty, type SelectionRules } from './schema.js';

/** An entry as far as selection cares. */
export interface RuledEntry {
  datastores: readonly string[];
  /** Absent on rows written before rules existed. */
  rules?: SelectionRules | undefined;
}

/** What {@link selectOnServer} returns. */
export interface ServerSelection {
  inventory: Inventory;
  /** Every VM of the inventory, classified. */
  selections: VmSelection[];
  /** Rule problems (unknown tag/folder/attribute, tags unreadable) and selectors matching no VM. */
  warnings: string[];
}

/** The rules of a VM whose disks are on `datastores` (see the module comment). */
export function rulesFor(entries: readonly RuledEntry[], override: SelectionRules | null, datastores: readonly string[]): SelectionRules {
  if (override && !rulesEmpty(override)) return override;
  const covering = entries.filter((e) => e.datastores.some((d) => datastores.includes(d)));
  return mergeRules(covering.length > 0 ? covering.map((e) => e.rules ?? noRules()) : [noRules()]);
}

/**
 * Every VM of `inventory` classified (plugins/vmware/sync/select.ts), each decided by the rules that
 * apply to it ({@link rulesFor}) against `facts` read for those rules.
 */
export function classifyRuled(
  inventory: Inventory,
  datastores: readonly string[],
  entries: readonly RuledEntry[],
  override: SelectionRules | null,
  facts: RuleFacts,
  opts: { quiesce?: boolean } = {},
): VmSelection[] {
  return classifyVms(inventory, datastores, { ...opts, decide: (vm, ds) => decideVm(rulesFor(entries, override, ds), vm, facts) });
}

/**
 * Reads and classifies; see the module comment.
 * @param openTags logs in to the server's Automation API (only called when a rule names a tag)
 * @throws the vSphere client's errors of the inventory read (tag failures become warnings)
 */
export async function selectOnServer(
  client: Pick<VsphereClient, 'inventory'>,
  openTags: () => Promise<VapiClient>,
  entries: readonly RuledEntry[],
  override: SelectionRules | null,
  datastores: readonly string[],
  opts: { quiesce?: boolean } = {},
): Promise<ServerSelection> {
  const all = override && !rulesEmpty(override) ? [override] : entries.map((e) => e.rules ?? noRules());
  // Every selector of every rule set (what facts to read), not the merged selection.
  const union: SelectionRules = { include: all.flatMap((r) => r.include), exclude: all.flatMap((r) => r.exclude), modes: all.flatMap((r) => r.modes) };
  if (rulesEmpty(union)) {
    const inventory = await client.inventory();
    return { inventory, selections: classifyVms(inventory, datastores, opts), warnings: [] };
  }
  const inventory = await client.inventory({ rules: true });
  const facts = await collectRuleFacts(inventory, union, openTags);
  const selections = classifyRuled(inventory, datastores, entries, override, facts, opts);
  const onDatastores = selections.filter((s) => s.datastores.length > 0).map((s) => s.vm);
  const warnings = all.flatMap((r) => checkLines(checkRules(r, facts, onDatastores)));
  return { inventory, selections, warnings: [...new Set(warnings)] };
}
