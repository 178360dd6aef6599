/**
 * Checks selection rules against a server's inventory (pure). Problems name what does not exist and
 * list what does: an unknown folder, tag category, tag or custom attribute, and tag rules on a server
 * whose tags cannot be read (no Automation API). `vmware.create`/`update` refuse rules with problems;
 * a plan or run reports them as warnings and goes on (a tag deleted after the rules were saved).
 * Warnings are for selectors that are valid but match no VM (a glob that matches nothing).
 */
import type { VirtualMachineInfo } from '../../../../vsphere/index.js';
import { selectorMatches } from './evaluate.js';
import type { RuleFacts } from './facts.js';
import { describeSelector, selectorsOf, type SelectionRules } from './schema.js';

/** A problem with one selector; `path` is relative to the rules (`include.0.tag`). */
export interface RuleProblem {
  path: string;
  message: string;
}

/** What {@link checkRules} found. */
export interface RuleCheck {
  problems: RuleProblem[];
  warnings: string[];
}

function listNames(names: readonly string[], max = 20): string {
  if (names.length === 0) return 'none';
  return names.length > max ? `${names.slice(0, max).join(', ')} … (${names.length} in all)` : names.join(', ');
}

/** Checks every selector; `vms` are the VMs the rules apply to (for "matches no VM"). */
export function checkRules(rules: SelectionRules, facts: RuleFacts, vms: readonly VirtualMachineInfo[]): RuleCheck {
  const out: RuleCheck = { problems: [], warnings: [] };
  let tagRefusalReported = false;
  for (const { path, selector: s } of selectorsOf(rules)) {
    const label = `${path.replace(/\.(\d+)/, '[$1]')} ${describeSelector(s)}`;
    if ('folder' in s) {
      const want = s.folder.replace(/\/+$/, '');
      if (!facts.folders.includes(want)) {
        out.problems.push({ path: `${path}.folder`, message: `Folder "${want}" does not exist in the inventory; folders: ${listNames(facts.folders)}` });
        continue;
      }
    } else if ('tag' in s) {
      if (facts.tags === null) {
        if (!tagRefusalReported) out.problems.push({ path: `${path}.tag`, message: `Tag rules are refused: ${facts.tagError ?? 'tags were not read'}` });
        tagRefusalReported = true;
        continue;
      }
      const categories = [...new Set(facts.tags.map((t) => t.category))].sort();
      if (!categories.includes(s.tag.category)) {
        out.problems.push({ path: `${path}.tag.category`, message: `Tag category "${s.tag.category}" does not exist; categories: ${listNames(categories)}` });
        continue;
      }
      const inCategory = facts.tags.filter((t) => t.category === s.tag.category).map((t) => t.name).sort();
      if (!inCategory.includes(s.tag.tag)) {
        out.problems.push({ path: `${path}.tag.tag`, message: `Tag "${s.tag.tag}" does not exist in category "${s.tag.category}"; its tags: ${listNames(inCategory)}` });
        continue;
      }
    } else if ('attribute' in s && !facts.attributeNames.includes(s.attribute.name)) {
      out.problems.push({ path: `${path}.attribute.name`, message: `Custom attribute "${s.attribute.name}" does not exist; attributes: ${listNames(facts.attributeNames)}` });
      continue;
    }
    if (!vms.some((vm) => selectorMatches(s, vm, facts) === true)) out.warnings.push(`${label} matches no VM`);
  }
  return out;
}

/** Problems and warnings as plan/run warning lines. */
export function checkLines(c: RuleCheck): string[] {
  return [...c.problems.map((p) => `rule ${p.path}: ${p.message}`), ...c.warnings];
}
