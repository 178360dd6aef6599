/**
 * Evaluating selection rules on one VM (pure). Order: `exclude` (first match; exclude wins over
 * include, and the verdict says so), then `include` (first match; an empty list includes every VM),
 * then `modes` (first match; default `quiesce`). Tag selectors whose tags could not be read
 * ({@link RuleFacts.tagError}) are left out; an include list that only had such selectors then
 * includes every VM (a VM is rather snapshotted once too often than left unprotected).
 */
import { fnmatch } from '../../../pool/snapshottask/retention.js';
import type { VirtualMachineInfo } from '../../../../vsphere/index.js';
import { tagKey, type RuleFacts } from './facts.js';
import { describeSelector, rulesEmpty, type SelectionRules, type Selector, type VmMode } from './schema.js';

/** The rules' verdict on one VM. */
export interface RuleDecision {
  /** False: excluded, or not matched by any include rule. */
  selected: boolean;
  /** Why not selected (null when selected). */
  code: 'excluded' | 'not_included' | null;
  /** Sentence for `code` (null when selected). */
  reason: string | null;
  /** The rule that selected or excluded it, e.g. `exclude[0] name "*-scratch"`; null without rules. */
  rule: string | null;
  mode: VmMode;
  /** The rule that set `mode` (null: the default). */
  modeRule: string | null;
}

/** No rules: selected, default mode. */
export const DEFAULT_DECISION: RuleDecision = { selected: true, code: null, reason: null, rule: null, mode: 'quiesce', modeRule: null };

/** Whether a selector matches; undefined when it cannot be decided (tags not readable). */
export function selectorMatches(s: Selector, vm: VirtualMachineInfo, facts: RuleFacts): boolean | undefined {
  if ('name' in s) return fnmatch(vm.name, s.name);
  if ('folder' in s) {
    const f = facts.folderOf.get(vm.moref.value);
    const want = s.folder.replace(/\/+$/, '');
    return f !== undefined && (f === want || f.startsWith(`${want}/`));
  }
  if ('moref' in s) return vm.moref.value === s.moref;
  if ('uuid' in s) {
    const u = s.uuid.toLowerCase();
    return vm.instanceUuid?.toLowerCase() === u || vm.uuid?.toLowerCase() === u;
  }
  if ('tag' in s) return facts.tagsOf ? (facts.tagsOf.get(vm.moref.value)?.has(tagKey(s.tag.category, s.tag.tag)) ?? false) : undefined;
  const v = vm.attributes?.get(s.attribute.name);
  return v !== undefined && fnmatch(v, s.attribute.value);
}

function firstMatch(list: readonly Selector[], vm: VirtualMachineInfo, facts: RuleFacts): number {
  return list.findIndex((s) => selectorMatches(s, vm, facts) === true);
}

/** Decides one VM; see the module comment. */
export function decideVm(rules: SelectionRules, vm: VirtualMachineInfo, facts: RuleFacts): RuleDecision {
  if (rulesEmpty(rules)) return DEFAULT_DECISION;
  const inc = firstMatch(rules.include, vm, facts);
  const incRule = inc >= 0 ? `include[${inc}] ${describeSelector(rules.include[inc] as Selector)}` : null;
  const exc = firstMatch(rules.exclude, vm, facts);
  let mode: VmMode = 'quiesce';
  let modeRule: string | null = null;
  const m = rules.modes.findIndex((r) => selectorMatches(r.match, vm, facts) === true);
  if (m >= 0) {
    const r = rules.modes[m] as SelectionRules['modes'][number];
    mode = r.mode;
    modeRule = `modes[${m}] ${describeSelector(r.match)} → ${r.mode}`;
  }
  if (exc >= 0) {
    const rule = `exclude[${exc}] ${describeSelector(rules.exclude[exc] as Selector)}`;
    const also = incRule ? ` (it also matches ${incRule}; exclude wins over include)` : '';
    return { selected: false, code: 'excluded', reason: `excluded by ${rule}${also}`, rule, mode, modeRule };
  }
  const usable = rules.include.filter((s) => !('tag' in s) || facts.tagsOf !== null);
  if (usable.length === 0) {
    const rule = rules.include.length === 0 ? 'no include rule: every VM on the datastores' : 'include rules refused (tags unreadable): every VM on the datastores';
    return { selected: true, code: null, reason: null, rule, mode, modeRule };
  }
  if (incRule) return { selected: true, code: null, reason: null, rule: incRule, mode, modeRule };
  const list = rules.include.map((s, i) => `include[${i}] ${describeSelector(s)}`).join(', ');
  return { selected: false, code: 'not_included', reason: `matches none of the include rules (${list})`, rule: null, mode, modeRule };
}
