/**
 * `vmware.plan(dataset, recursive)`: the dry run of a coordinated snapshot (reference A.9: no peer
 * offers one). The same entry and VM selection as a run, with the reason for every VM, from one
 * login and one inventory read per server — and nothing else: no snapshot, no ZFS command, no entry
 * state or alert change.
 */
import type { VmwareEntriesService } from '../entries-service.js';
import type { VmwareEntryRecord } from '../store.js';
import type { SyncConfig } from './config.js';
import type { PlanResult } from './report.js';
import { selectOnServer } from './rules/server-select.js';
import type { SelectionRules } from './rules/schema.js';
import { ruleFields, type VmSelection } from './select.js';
import { groupByServer, type ServerGroup } from './servers.js';

type PlanEntry = PlanResult['entries'][number];

function planVm(sel: VmSelection): PlanEntry['vms'][number] {
  return {
    name: sel.vm.name,
    moref: sel.vm.moref.value,
    action: sel.protected ? 'snapshot' : 'skip',
    kind: sel.protected ? (sel.quiesce ? 'quiesced' : 'crash_consistent') : null,
    code: sel.code,
    reason: sel.reason,
    ...ruleFields(sel),
    warnings: sel.warnings,
    datastores: sel.datastores,
    host: sel.vm.host?.value ?? null,
  };
}

function entryBase(e: VmwareEntryRecord): Omit<PlanEntry, 'status' | 'error' | 'missing_datastores' | 'vms'> {
  return { id: e.id, hostname: e.hostname, filesystem: e.filesystem, datastores: [...e.datastores], warnings: [] };
}

async function planServer(entries: VmwareEntriesService, cfg: SyncConfig, g: ServerGroup, rules: SelectionRules | null): Promise<PlanEntry[]> {
  let client;
  try {
    client = await entries.connect(g.target);
  } catch (err) {
    const error = entries.describeError(err).message;
    return g.entries.map((e) => ({ ...entryBase(e), status: 'login_failed' as const, error, missing_datastores: [], vms: [] }));
  }
  try {
    const { inventory: inv, selections: sels, warnings } = await selectOnServer(client, () => entries.connectTags(g.target), g.entries, rules, g.datastores, { quiesce: cfg.quiesce });
    const known = new Set(inv.datastores.map((d) => d.name));
    return g.entries.map((e, i) => ({
      ...entryBase(e),
      warnings,
      status: 'ok' as const,
      error: null,
      missing_datastores: e.datastores.filter((d) => !known.has(d)),
      // VMs unrelated to every datastore of the server are listed once, under its first entry.
      vms: sels.filter((s) => s.datastores.some((d) => e.datastores.includes(d)) || (i === 0 && s.datastores.length === 0)).map(planVm),
    }));
  } catch (err) {
    const error = entries.describeError(err).message;
    return g.entries.map((e) => ({ ...entryBase(e), status: 'inventory_failed' as const, error, missing_datastores: [], vms: [] }));
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * Plans a coordinated snapshot of `dataset`; servers are asked concurrently. Never touches anything.
 * `rules` replaces the entries' selection rules, as a task's `vmware_rules` does in a run.
 */
export async function planDataset(entries: VmwareEntriesService, cfg: SyncConfig, dataset: string, recursive: boolean, rules: SelectionRules | null = null): Promise<PlanResult> {
  const selected = entries.forDataset(dataset, recursive);
  const planned = (await Promise.all(groupByServer(selected).map((g) => planServer(entries, cfg, g, rules)))).flat().sort((a, b) => a.id - b.id);
  const summary = { snapshot: 0, skip: 0, quiesced: 0 };
  const seen = new Set<string>();
  for (const e of planned) {
    for (const v of e.vms) {
      const key = `${e.hostname}/${v.moref}`;
      if (seen.has(key)) continue;
      seen.add(key);
      summary[v.action]++;
      if (v.kind === 'quiesced') summary.quiesced++;
    }
  }
  return { dataset, recursive, entries: planned, summary };
}
