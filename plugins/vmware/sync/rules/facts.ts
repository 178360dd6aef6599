/**
 * What selection rules are evaluated against, beyond the VM itself: the inventory folder path of
 * each VM, the custom attribute names the server knows, and (only when a rule names a tag) the
 * vSphere tags attached to each VM, read through the Automation API ({@link VapiClient}).
 * A server without the Automation API (ESXi alone) or a failed tag read leaves `tagsOf` null and
 * says why in `tagError`: tag selectors are then refused, the other rules still apply.
 */
import type { TagInfo, VapiClient } from '../../../../vsphere/vapi/client.js';
import type { ContainerInfo, Inventory } from '../../../../vsphere/index.js';
import { selectorsOf, type SelectionRules } from './schema.js';

/** The facts of one server. */
export interface RuleFacts {
  /** VM moref value → inventory path of its folder, e.g. `/DC0/vm/Prod`. */
  folderOf: ReadonlyMap<string, string>;
  /** Every folder path of the inventory, sorted. */
  folders: readonly string[];
  /** Custom attribute names defined for VMs, sorted. */
  attributeNames: readonly string[];
  /** VM moref value → keys of its tags ({@link tagKey}); null when tags were not read. */
  tagsOf: ReadonlyMap<string, ReadonlySet<string>> | null;
  /** Every tag of the server; null when not read. */
  tags: readonly TagInfo[] | null;
  /** Why tags could not be read (null when they were, or when no rule needed them). */
  tagError: string | null;
}

/** The key of a tag in {@link RuleFacts.tagsOf}. */
export function tagKey(category: string, tag: string): string {
  return `${category}\u0000${tag}`;
}

/** Container moref value → inventory path (`/DC0/vm/Prod`); the root folder is the empty path. */
export function containerPaths(containers: readonly ContainerInfo[]): Map<string, string> {
  const byRef = new Map(containers.map((c) => [c.moref.value, c]));
  const paths = new Map<string, string>();
  const pathOf = (ref: string, depth: number): string => {
    const known = paths.get(ref);
    if (known !== undefined) return known;
    const c = byRef.get(ref);
    // The root folder (no parent) is not part of inventory paths; a cycle or an unknown parent ends the walk.
    const p = !c || !c.parent || depth > 64 ? '' : `${pathOf(c.parent.value, depth + 1)}/${c.name}`;
    paths.set(ref, p);
    return p;
  };
  for (const c of containers) pathOf(c.moref.value, 0);
  return paths;
}

/** True when a rule names a tag. */
export function rulesNeedTags(rules: SelectionRules): boolean {
  return selectorsOf(rules).some((s) => 'tag' in s.selector);
}

/**
 * Collects the facts from an inventory read with the rule paths (`inventory({rules: true})`) and,
 * when a rule names a tag, from the tagging service.
 * @param openTags logs in to the Automation API; its errors become {@link RuleFacts.tagError}
 */
export async function collectRuleFacts(inv: Pick<Inventory, 'vms' | 'folders' | 'datacenters'>, rules: SelectionRules, openTags: () => Promise<VapiClient>): Promise<RuleFacts> {
  const paths = containerPaths([...(inv.folders ?? []), ...(inv.datacenters ?? [])]);
  const folderOf = new Map<string, string>();
  const names = new Set<string>();
  for (const vm of inv.vms) {
    if (vm.parent) folderOf.set(vm.moref.value, paths.get(vm.parent.value) ?? '');
    for (const n of vm.attributes?.keys() ?? []) names.add(n);
  }
  const folders = [...new Set((inv.folders ?? []).map((f) => paths.get(f.moref.value) ?? '').filter((p) => p !== ''))].sort();
  const facts: RuleFacts = { folderOf, folders, attributeNames: [...names].sort(), tagsOf: null, tags: null, tagError: null };
  if (!rulesNeedTags(rules)) return facts;
  let client: VapiClient | undefined;
  try {
    client = await openTags();
    const tags = await client.tags();
    const wanted = new Set(selectorsOf(rules).flatMap((s) => ('tag' in s.selector ? [tagKey(s.selector.tag.category, s.selector.tag.tag)] : [])));
    const used = tags.filter((t) => wanted.has(tagKey(t.category, t.name)));
    const attached = await client.attachedObjects(used.map((t) => t.id));
    const tagsOf = new Map<string, Set<string>>();
    for (const t of used) {
      for (const o of attached.get(t.id) ?? []) {
        if (o.type !== 'VirtualMachine') continue;
        const set = tagsOf.get(o.value) ?? new Set<string>();
        set.add(tagKey(t.category, t.name));
        tagsOf.set(o.value, set);
      }
    }
    return { ...facts, tags, tagsOf };
  } catch (err) {
    return { ...facts, tagError: err instanceof Error ? err.message : String(err) };
  } finally {
    await client?.close().catch(() => undefined);
  }
}
