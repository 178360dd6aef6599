/**
 * Leftover cleanup (SPEC §4 step 8; reference A.9/A.10 "orphan sweeper", §3.5: TrueNAS ≥ 26.0 has
 * none). Two passes:
 * 1. run records of runs that are not in flight in this process (the daemon died, a removal failed,
 *    a create finished after its timeout): remove their snapshots by moref and by run marker. Records
 *    need no age: they are vsnapd's own undo lists. A VM whose create timed out and shows no snapshot
 *    stays pending until the record is `min_age` old (the server may still make it).
 * 2. the marker pass: every VM of every enabled entry's server, snapshots carrying the vsnapd marker
 *    (name AND description, see marker.ts) of a run not in flight and older than `min_age` (another
 *    vsnapd may coordinate the same vCenter). A snapshot without the marker is never touched.
 * What cannot be removed raises `VMWareSnapshotLeftover`; what is removed clears it.
 */
import type { Logger } from 'pino';
import type { Alerts, Collection } from '../../../daemon/plugin.js';
import type { JobHandle } from '../../../daemon/registry/method.js';
import type { VmwareEntriesService } from '../entries-service.js';
import type { RunHistory } from '../history/store.js';
import type { VmwareEntryRecord } from '../store.js';
import type { VsphereClient } from '../../../vsphere/index.js';
import { clearLeftover, raiseLeftover } from './alerts.js';
import type { SyncConfig } from './config.js';
import { HostLimiter } from './limiter.js';
import { markedSnapshots } from './marker.js';
import { removeRunSnapshots, type RemovalTarget } from './remove.js';
import type { SweepResult } from './report.js';
import { mayHoldSnapshot, type RunItem, type RunRow } from './run-store.js';
import { serverKey } from './servers.js';

/** What the sweep needs. */
export interface SweepDeps {
  entries: VmwareEntriesService;
  alerts: Alerts;
  runs: Collection<RunRow>;
  config: SyncConfig;
  log: Logger;
  /** Runs in flight in this process: never swept. */
  active: ReadonlySet<string>;
  /** The run history, told about every snapshot a sweep removes (the record says how long it stayed). */
  history?: Pick<RunHistory, 'noteSweptRemoval'>;
}

/** Options of one sweep. */
export interface SweepOptions {
  /** Minimum age in minutes of marked snapshots (pass 2) and of unresolved records (default from config). */
  minAgeMinutes?: number;
  /** Only this run's record, no marker pass (the recheck after a run that left something). */
  runId?: string;
  job?: JobHandle | null;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `fn` with a session to the server of `entry`; a failed login is reported and returns null. */
async function withServer<T>(d: SweepDeps, res: SweepResult, entry: VmwareEntryRecord, fn: (c: VsphereClient) => Promise<T>): Promise<T | null> {
  let client: VsphereClient;
  try {
    client = await d.entries.connect(entry);
  } catch (err) {
    const error = await d.entries.loginFailed(entry, err).catch(() => text(err));
    res.servers.push({ hostname: entry.hostname, ok: false, error });
    return null;
  }
  try {
    const out = await fn(client);
    await d.entries.loginSucceeded(entry).catch(() => undefined);
    res.servers.push({ hostname: entry.hostname, ok: true, error: null });
    return out;
  } catch (err) {
    res.servers.push({ hostname: entry.hostname, ok: false, error: text(err) });
    return null;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Removes targets and books the outcomes into `res` and the alerts. Returns the outcomes by target. */
async function removeAndReport(d: SweepDeps, res: SweepResult, client: VsphereClient, hostname: string, targets: RemovalTarget[]) {
  const limiter = new HostLimiter({ global: d.config.concurrency.global, perHost: d.config.concurrency.per_host });
  const outcomes = await removeRunSnapshots(client, targets, { limiter, timeoutMs: d.config.remove_timeout_seconds * 1000 });
  for (const o of outcomes) {
    const base = { hostname, vm: o.target.vmName, run_id: o.target.runId };
    if (o.removed.length > 0 && d.history) {
      const both = o.createdAt !== null && (o.removedAt?.vsphere ?? null) !== null;
      const removedAt = (both ? o.removedAt?.vsphere : o.removedAt?.observed) ?? Date.now();
      const late = { hostname, vm: o.target.vm.value, createdAt: o.createdAt, removedAt, source: both ? ('vsphere' as const) : ('observed' as const) };
      await d.history.noteSweptRemoval(o.target.runId, late).catch((err: unknown) => d.log.warn({ err, run: o.target.runId }, 'cannot amend the run record'));
    }
    for (const s of o.removed) {
      res.removed.push({ ...base, snapshot: s });
      await clearLeftover(d.alerts, hostname, s).catch(() => undefined);
    }
    for (const f of o.failed) {
      res.failed.push({ ...base, snapshot: f.snapshot, error: f.error });
      await raiseLeftover(d.alerts, { hostname, vm: o.target.vmName, snapshot: f.snapshot, run: o.target.runId, error: f.error }).catch(() => undefined);
    }
  }
  return outcomes;
}

/** The entry to log in with for a record's server: the item's entry if it still points there, else any entry of that server. */
function entryFor(d: SweepDeps, item: RunItem): VmwareEntryRecord | undefined {
  const key = serverKey(item);
  const own = d.entries.get(item.entry_id);
  if (own && serverKey(own) === key) return own;
  return d.entries.list().find((e) => serverKey(e) === key);
}

async function sweepRecord(d: SweepDeps, res: SweepResult, row: RunRow, minAgeMs: number): Promise<void> {
  const items = row.items.map((i) => ({ ...i }));
  const old = Date.now() - row.started_at >= minAgeMs;
  const byServer = new Map<string, RunItem[]>();
  for (const it of items.filter(mayHoldSnapshot)) byServer.set(serverKey(it), [...(byServer.get(serverKey(it)) ?? []), it]);
  for (const [key, its] of byServer) {
    const first = its[0] as RunItem;
    const entry = entryFor(d, first);
    if (!entry) {
      for (const it of its) {
        const error = `no vmware entry logs in to ${key} any more; remove it in vSphere`;
        res.failed.push({ hostname: it.hostname, vm: it.vm_name, snapshot: it.snapshot ?? '(unknown)', run_id: row.run_id, error });
        await raiseLeftover(d.alerts, { hostname: it.hostname, vm: it.vm_name, snapshot: it.snapshot ?? it.vm, run: row.run_id, error }).catch(() => undefined);
        it.status = 'failed';
        it.task = null;
      }
      continue;
    }
    await withServer(d, res, entry, async (client) => {
      const targets = its.map((it) => ({
        vm: { type: 'VirtualMachine', value: it.vm },
        vmName: it.vm_name,
        hostKey: key,
        snapshot: it.snapshot ? { type: 'VirtualMachineSnapshot', value: it.snapshot } : null,
        runId: row.run_id,
      }));
      const outcomes = await removeAndReport(d, res, client, first.hostname, targets);
      outcomes.forEach((o, i) => {
        const it = its[i] as RunItem;
        if (!o.ok) return;
        // Nothing found for a create that timed out: resolved once the record is old enough.
        if (it.snapshot === null && o.removed.length === 0 && !old) return;
        it.status = 'removed';
        it.task = null;
      });
    });
  }
  if (!items.some(mayHoldSnapshot)) await d.runs.delete(row.id);
  else await d.runs.update(row.id, { items, state: 'leftover' });
}

async function markerPass(d: SweepDeps, res: SweepResult, minAgeMs: number): Promise<void> {
  const servers = new Map<string, VmwareEntryRecord>();
  for (const e of d.entries.list()) if (e.enabled !== false && !servers.has(serverKey(e))) servers.set(serverKey(e), e);
  await Promise.all(
    [...servers.values()].map((entry) =>
      withServer(d, res, entry, async (client) => {
        const inv = await client.inventory();
        const cutoff = Date.now() - minAgeMs;
        const targets: RemovalTarget[] = [];
        for (const vm of inv.vms) {
          for (const { node, marker } of markedSnapshots(vm.snapshots)) {
            if (d.active.has(marker.runId)) continue;
            const created = Date.parse(node.createTime);
            if (!Number.isFinite(created) || created > cutoff) continue;
            targets.push({ vm: vm.moref, vmName: vm.name, hostKey: `${serverKey(entry)}|${vm.host?.value ?? ''}`, snapshot: node.snapshot, runId: marker.runId });
          }
        }
        if (targets.length > 0) await removeAndReport(d, res, client, entry.hostname, targets);
      }),
    ),
  );
}

/** Runs the sweep; see the module comment. Never rejects for vSphere failures (they are in the result). */
export async function sweep(d: SweepDeps, opts: SweepOptions = {}): Promise<SweepResult> {
  const minAgeMs = (opts.minAgeMinutes ?? d.config.sweep_min_age_minutes) * 60_000;
  const res: SweepResult = { records: 0, removed: [], failed: [], servers: [] };
  const rows = d.runs.all().filter((r) => !d.active.has(r.run_id) && (opts.runId === undefined || r.run_id === opts.runId));
  for (const row of rows) {
    opts.job?.log(`run record ${row.run_id} (${row.snapshot}, ${row.state}): ${row.items.filter(mayHoldSnapshot).length} VM(s) to check`);
    try {
      await sweepRecord(d, res, row, minAgeMs);
    } catch (err) {
      opts.job?.log(`run record ${row.run_id}: ${text(err)}`);
      d.log.warn({ err, run: row.run_id }, 'sweeping a run record failed');
    }
    res.records++;
  }
  opts.job?.setProgress(50, `${rows.length} run record(s) processed`);
  if (opts.runId === undefined) await markerPass(d, res, minAgeMs);
  for (const r of res.removed) opts.job?.log(`removed ${r.snapshot} of ${r.vm} on ${r.hostname} (run ${r.run_id})`);
  for (const f of res.failed) opts.job?.log(`could not remove ${f.snapshot} of ${f.vm} on ${f.hostname} (run ${f.run_id}): ${f.error}`);
  opts.job?.setProgress(100, `${res.removed.length} removed, ${res.failed.length} left`);
  return res;
}
