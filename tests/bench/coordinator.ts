/**
 * Benchmark of the coordinated run (not a test: it prints figures, asserts nothing). The world is
 * issue 21's: vcsim VPX with 4 ESXi hosts (DC0_C0_H0..H2 and DC0_H0), the VMs spread over them with
 * a disk on one NFS datastore, 2 ms on every vim25 call, RemoveSnapshot_Task held 200 ms and
 * CreateSnapshot(Ex)_Task held
 * - 300 ms in the crash-consistent world (`vmware.sync.quiesce` off),
 * - 2 s for quiesced creates in the quiesce world (Tools run on every VM, quiesce on).
 * For 200 and 500 VMs and both worlds it runs the real {@link Coordinator} once with the default
 * concurrency (16 in flight, 4 per host) and prints the run time, its ratio to the simulator's limit,
 * the phase timings, the hold distribution (`held_ms`: vSphere createTime → removal task
 * completeTime) and the ratio of the longest hold to its bound.
 *
 * The limit: every VM needs one create and one removal, each taking its held call plus vcsim's
 * 250 ms WaitForUpdatesEx tick (govmomi simulator/property_collector.go) before the next can use the
 * slot; with 16 in flight that is `n × (create + remove + 2 × (2 + 250)) / 16`. The bound of a hold:
 * VMware phase + ZFS snapshot + one removal wave (200 + 2 + 250 ms).
 * The ZFS snapshot itself is a no-op here (the zfs CLI is not what is measured).
 *
 * Then the cost of the run history, on the 200-VM world with only the 2 ms per call: runs alternate
 * between a real {@link RunHistory} (record file + protection file written, fsync'd, before the run
 * returns) and no history at all, and the median wall time of `coordinate()` of each is printed.
 *
 * Run: `node --import tsx tests/bench/coordinator.ts [--sizes 200,500] [--worlds crash,quiesce]`
 * or via `npm run bench -- coordinator`, which calls {@link run}. Takes about 3 minutes on the 2-core machine.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Alerts, Collection } from '../../daemon/plugin.js';
import type { VmwareEntriesService } from '../../plugins/vmware/entries-service.js';
import { runEntry } from '../../plugins/vmware/history/build.js';
import { defaultHistoryConfig } from '../../plugins/vmware/history/config.js';
import { RunHistory } from '../../plugins/vmware/history/store.js';
import type { VmwareEntryRecord } from '../../plugins/vmware/store.js';
import { defaultSyncConfig, type SyncConfig } from '../../plugins/vmware/sync/config.js';
import { Coordinator } from '../../plugins/vmware/sync/coordinator.js';
import { newRunId } from '../../plugins/vmware/sync/marker.js';
import type { SyncReport } from '../../plugins/vmware/sync/report.js';
import type { RunRow } from '../../plugins/vmware/sync/run-store.js';
import { VsphereClient } from '../../vsphere/index.js';
import { VapiClient } from '../../vsphere/vapi/client.js';
import { startVcsim, type VcsimHandle } from '../fixtures/vcsim/index.js';

/** A simulated world: how long a snapshot create is held and whether the run quiesces. */
interface World {
  name: 'crash' | 'quiesce';
  label: string;
  quiesce: boolean;
  /** CreateSnapshot(Ex)_Task hold of this world's creates, ms. */
  createMs: number;
}

const WORLDS: readonly World[] = [
  { name: 'crash', label: 'crash-consistent, creates 300 ms', quiesce: false, createMs: 300 },
  { name: 'quiesce', label: 'quiesced (Tools running), creates 2 s', quiesce: true, createMs: 2000 },
];

/** Per-call delay of every vim25 method, ms. */
const CALL_MS = 2;
const REMOVE_MS = 200;
/** vcsim's WaitForUpdatesEx tick (govmomi simulator/property_collector.go), ms. */
const TICK_MS = 250;
const DELAYS: Record<string, number> = {
  '*': CALL_MS,
  CreateSnapshot_Task: 300,
  CreateSnapshotEx_Task: 300,
  'CreateSnapshot_Task:quiesced': 2000,
  'CreateSnapshotEx_Task:quiesced': 2000,
  RemoveSnapshot_Task: REMOVE_MS,
};

/** Options of {@link run}. */
export interface CoordinatorBenchOptions {
  /** VM counts (default 200, 500). */
  sizes?: number[];
  /** Worlds (default both). */
  worlds?: World['name'][];
  /** Runs with and without the run history (default 2 each; 0 skips it). */
  historyRounds?: number;
}

/** An in-memory run-record collection (the datastore is not what is measured). */
function memoryCollection(): Collection<RunRow> {
  const rows = new Map<number, RunRow>();
  let next = 1;
  return {
    all: () => [...rows.values()].map((r) => structuredClone(r)),
    get: (id) => (rows.has(id) ? structuredClone(rows.get(id) as RunRow) : undefined),
    insert: async (data) => {
      const row = { ...structuredClone(data), id: next++ } as RunRow;
      rows.set(row.id, row);
      return structuredClone(row);
    },
    update: async (id, patch) => {
      const row = { ...(rows.get(id) as RunRow), ...structuredClone(patch) };
      rows.set(id, row);
      return structuredClone(row);
    },
    delete: async (id) => rows.delete(id),
  };
}

/** The vmwareEntries service reduced to one entry on the simulator. */
function entriesFor(vc: VcsimHandle): VmwareEntriesService {
  const entry: VmwareEntryRecord = {
    id: 1,
    hostname: vc.host,
    port: vc.port,
    username: vc.username,
    password: vc.password,
    filesystem: 'tank/vm',
    datastores: ['vmstore'],
    tls: { verify: true, ca: vc.certPem, thumbprint: null },
    enabled: true,
    state: { state: 'PENDING' },
    health: { last_success: null, last_failure: null, consecutive_failures: 0, last_error: null, summary: null },
  };
  const describe = (err: unknown) => ({ class: 'fault' as const, message: err instanceof Error ? err.message : String(err), errno: 14 });
  return {
    list: () => [entry],
    get: (id) => (id === 1 ? entry : undefined),
    forDataset: () => [entry],
    connect: (e, o) =>
      VsphereClient.connect({ host: e.hostname, port: e.port, username: e.username, password: e.password, tls: { ca: vc.certPem }, callTimeoutMs: 600_000, keepaliveMs: 0, ...(o?.connections ? { connections: o.connections } : {}) }),
    connectTags: (e) => VapiClient.connect({ host: e.hostname, port: e.port, username: e.username, password: e.password, tls: { ca: vc.certPem } }),
    setState: async () => undefined,
    loginFailed: async (_e, err) => describe(err).message,
    loginSucceeded: async () => undefined,
    recordHealth: async () => undefined,
    describeError: describe,
  };
}

const noAlerts: Alerts = { defineClass: () => undefined, oneshotCreate: async () => undefined, oneshotDelete: async () => undefined };

/** No run history at all (the baseline of the history's cost). */
const noHistory: Pick<RunHistory, 'add'> = { add: async () => undefined };

async function oneRun(vc: VcsimHandle, config: SyncConfig, n: number, history: Pick<RunHistory, 'add'> = noHistory): Promise<SyncReport> {
  const coordinator = new Coordinator({
    entries: entriesFor(vc),
    alerts: noAlerts,
    runs: memoryCollection(),
    history,
    config,
    log: pino({ level: 'silent' }),
    active: new Set(),
  });
  const result = await coordinator.coordinate({
    dataset: 'tank/vm',
    recursive: false,
    snapshotName: `bench-${n}-${newRunId()}`,
    source: 'manual',
    trigger: 'manual',
    taskId: null,
    job: null,
    signal: new AbortController().signal,
    takeSnapshot: async () => undefined,
  });
  const report = result.report as SyncReport;
  if (report.counts.snapshotted !== n || report.counts.leftover !== 0) {
    const why = [...new Set(report.entries.flatMap((e) => e.vms).flatMap((v) => (v.reason ? [v.reason] : [])))].slice(0, 3);
    throw new Error(`bench run with ${n} VMs: ${report.counts.snapshotted} snapshotted, ${report.counts.failed} failed, ${report.counts.leftover} left: ${why.join(' | ')}\n${result.messages.slice(0, 5).join('\n')}`);
  }
  return report;
}

/** Runs the benchmark and prints one line per size and world. */
export async function run(opts: CoordinatorBenchOptions = {}): Promise<void> {
  const sizes = opts.sizes ?? [200, 500];
  const worlds = WORLDS.filter((w) => (opts.worlds ?? ['crash', 'quiesce']).includes(w.name));
  const base: SyncConfig = { ...defaultSyncConfig(), deadline_seconds: 3600, task_timeout_seconds: 3600, remove_timeout_seconds: 3600 };
  const slots = base.concurrency.global;
  console.log(`coordinator: vcsim VPX, 4 hosts, ${CALL_MS} ms per call, RemoveSnapshot_Task ${REMOVE_MS} ms, concurrency ${slots} (${base.concurrency.per_host} per host); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('  world | VMs | run (limit, ratio) | before the first create, VMware phase, ZFS, removal | held_ms min / median / p95 / max (source) | max hold / bound');
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'vsnapd-bench-sync-'));
    const vc = await startVcsim(
      {
        nfsDatastores: [{ name: 'vmstore', remoteHost: '192.0.2.10', remotePath: '/mnt/tank/vm', localPath: dir }],
        bulkVms: { count: n, datastore: 'vmstore', powerState: 'on', toolsRunning: true },
        delays: DELAYS,
      },
      { timeoutMs: 300_000 },
    );
    try {
      for (const w of worlds) {
        const t = Date.now();
        const r = await oneRun(vc, { ...base, quiesce: w.quiesce }, n);
        const ms = Date.now() - t;
        const limit = (n * (w.createMs + REMOVE_MS + 2 * (CALL_MS + TICK_MS))) / slots;
        const holds = r.entries.flatMap((e) => e.vms).filter((v) => v.held_ms !== null);
        const h = holds.map((v) => v.held_ms as number).sort((a, b) => a - b);
        const observed = holds.filter((v) => v.held_source === 'observed').length;
        const bound = r.timings.vmware_phase_ms + r.timings.zfs_ms + REMOVE_MS + CALL_MS + TICK_MS;
        const max = h[h.length - 1] ?? NaN;
        console.log(
          `  ${w.name.padEnd(7)} | ${String(n).padStart(3)} | ${fmt(ms)} (${fmt(limit)}, ×${(ms / limit).toFixed(2)}) | ` +
            `${fmt(ms - (r.timings.window_ms ?? NaN))}, ${fmt(r.timings.vmware_phase_ms)}, ${fmt(r.timings.zfs_ms)}, ${fmt(r.timings.removal_ms)} | ` +
            `${[h[0] ?? NaN, pct(h, 0.5), pct(h, 0.95), max].map(fmt).join(' / ')} (${h.length - observed} vsphere, ${observed} observed) | ` +
            `×${(max / bound).toFixed(2)} of ${fmt(bound)}`,
        );
      }
      if (n === Math.min(...sizes) && (opts.historyRounds ?? 2) > 0) {
        await vc.control({ action: 'setDelays', delays: { '*': CALL_MS } });
        await historyCost(vc, base, n, opts.historyRounds ?? 2);
        await vc.control({ action: 'setDelays', delays: DELAYS });
      }
    } finally {
      await vc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The value at fraction `q` of sorted `xs` (nearest rank). */
function pct(xs: readonly number[], q: number): number {
  return xs[Math.max(0, Math.ceil(q * xs.length) - 1)] ?? NaN;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Alternates runs with and without the run history; prints the median wall time of each. */
async function historyCost(vc: VcsimHandle, config: SyncConfig, n: number, rounds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-bench-history-'));
  const history = await RunHistory.open({ dir, config: defaultHistoryConfig(), events: { define: () => undefined, publish: () => undefined, on: () => ({ dispose: () => undefined }) }, log: pino({ level: 'silent' }) });
  const without: number[] = [];
  const withH: number[] = [];
  let last: SyncReport | undefined;
  try {
    for (let i = 0; i < rounds; i++) {
      let t = Date.now();
      await oneRun(vc, config, n);
      without.push(Date.now() - t);
      t = Date.now();
      last = await oneRun(vc, config, n, history);
      withH.push(Date.now() - t);
    }
    const report = last as SyncReport;
    const kb = statSync(join(dir, `${report.run_id}.json`)).size / 1024;
    const a = median(without);
    const b = median(withH);
    console.log(`history (${CALL_MS} ms per call, no create/remove hold): ${n} VMs, median run time over ${rounds} runs each: without history ${fmt(a)}, with history ${fmt(b)} (difference ${b - a >= 0 ? '+' : ''}${Math.round(b - a)} ms, within the run-to-run spread below); record ${kb.toFixed(0)} kB`);
    console.log(`  runs without: ${without.map(fmt).join(', ')}; with: ${withH.map(fmt).join(', ')}`);
    // The history's only cost inside a run is one add() (record + protection file, fsync'd): time it alone.
    const adds: number[] = [];
    for (let i = 0; i < 10; i++) {
      const entry = runEntry({ runId: newRunId(), dataset: 'tank/vm', snapshotName: `add-${i}`, recursive: false, trigger: { type: 'manual', task_id: null }, startedAt: Date.now() - 1000, endedAt: Date.now(), report, error: null });
      const t = performance.now();
      await history.add(entry);
      adds.push(performance.now() - t);
    }
    const add = median(adds);
    console.log(`  recording one ${n}-VM run (history.add, median of 10): ${add.toFixed(1)} ms = ${((100 * add) / a).toFixed(2)} % of a ${fmt(a)} run`);
  } finally {
    await history.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, worlds: { type: 'string' }, 'history-rounds': { type: 'string' } } });
  await run({
    ...(values.sizes ? { sizes: values.sizes.split(',').map(Number) } : {}),
    ...(values.worlds ? { worlds: values.worlds.split(',').filter((w): w is World['name'] => w === 'crash' || w === 'quiesce') } : {}),
    ...(values['history-rounds'] ? { historyRounds: Number(values['history-rounds']) } : {}),
  });
}
