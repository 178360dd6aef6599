/**
 * Benchmark of the coordinated run (not a test: it prints figures, asserts nothing). For 10, 100 and
 * 500 powered-on VMs on one NFS datastore, with a per-call delay on every vim25 method (vcsim
 * `delays['*']`, simulating vCenter latency), it runs the real {@link Coordinator} twice:
 * - with the default concurrency (16 in flight, 4 per ESXi host),
 * - with concurrency 1 (one VM after the other: the way TrueNAS does it, reference §3.7),
 * and prints the window VMs spend with a snapshot open (first VMware snapshot request → last
 * removal, the report's `window_ms`) and the time until the ZFS snapshot (`vmware_phase_ms`).
 * The ZFS snapshot itself is a no-op here (the zfs CLI is not what is measured).
 *
 * Then, for the largest size, the cost of the run history: runs alternate between a real
 * {@link RunHistory} (record file + protection file written, fsync'd, before the run returns) and no
 * history at all, and the median wall time of `coordinate()` of each is printed with their difference
 * and the record's size.
 *
 * Run: `node --import tsx tests/bench/coordinator.ts [--delay-ms 25] [--sizes 10,100,500]` or via
 * `npm run bench`, which calls {@link run}.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Options of {@link run}. */
export interface CoordinatorBenchOptions {
  /** Per-call delay of every vim25 method, ms (default 25). */
  delayMs?: number;
  /** VM counts (default 10, 100, 500). */
  sizes?: number[];
  /** Runs with and without the run history at the largest size (default 3 each). */
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
    connect: (e) => VsphereClient.connect({ host: e.hostname, port: e.port, username: e.username, password: e.password, tls: { ca: vc.certPem }, callTimeoutMs: 600_000, keepaliveMs: 0 }),
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
    snapshotName: `bench-${n}-${config.concurrency.global}`,
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

/** Runs the benchmark and prints one line per size. */
export async function run(opts: CoordinatorBenchOptions = {}): Promise<void> {
  const delayMs = opts.delayMs ?? 25;
  const sizes = opts.sizes ?? [10, 100, 500];
  const base = { ...defaultSyncConfig(), deadline_seconds: 3600, task_timeout_seconds: 3600, remove_timeout_seconds: 3600 };
  const parallel: SyncConfig = base;
  const serial: SyncConfig = { ...base, concurrency: { global: 1, per_host: 1 } };
  console.log(`coordinator: window with a snapshot open (first VMware snapshot → last removal), ${delayMs} ms per vim25 call`);
  console.log(`  VMs | concurrency ${parallel.concurrency.global}/${parallel.concurrency.per_host} per host: window, to ZFS snapshot | concurrency 1 (TrueNAS): window, to ZFS snapshot | speed-up`);
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'vsnapd-bench-sync-'));
    const vc = await startVcsim(
      {
        nfsDatastores: [{ name: 'vmstore', remoteHost: '192.0.2.10', remotePath: '/mnt/tank/vm', localPath: dir }],
        bulkVms: { count: n, datastore: 'vmstore', powerState: 'on', toolsRunning: true },
        delays: { '*': delayMs },
      },
      { timeoutMs: 300_000 },
    );
    try {
      const p = await oneRun(vc, parallel, n);
      const s = await oneRun(vc, serial, n);
      const pw = p.timings.window_ms ?? NaN;
      const sw = s.timings.window_ms ?? NaN;
      console.log(
        `  ${String(n).padStart(3)} | ${fmt(pw)}, ${fmt(p.timings.vmware_phase_ms)} | ${fmt(sw)}, ${fmt(s.timings.vmware_phase_ms)} | ×${(sw / pw).toFixed(1)}`,
      );
      if (n === Math.max(...sizes)) await historyCost(vc, parallel, n, opts.historyRounds ?? 3);
    } finally {
      await vc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
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
    console.log(`history: ${n} VMs, median run time over ${rounds} runs each: without history ${fmt(a)}, with history ${fmt(b)} (difference ${b - a >= 0 ? '+' : ''}${Math.round(b - a)} ms, within the run-to-run spread below); record ${kb.toFixed(0)} kB`);
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
  const { values } = parseArgs({ options: { 'delay-ms': { type: 'string' }, sizes: { type: 'string' } } });
  await run({
    ...(values['delay-ms'] ? { delayMs: Number(values['delay-ms']) } : {}),
    ...(values.sizes ? { sizes: values.sizes.split(',').map(Number) } : {}),
  });
}
