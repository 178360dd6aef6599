/**
 * Benchmark of the vSphere client against vcsim (not a test: it prints figures, asserts nothing).
 *
 * - inventory: time and SOAP round trips of one `client.inventory()` for 100, 1000 and 5000 VMs
 *   (median of 3 after a warm-up);
 * - snapshots: time to create and then remove one snapshot on each of 10 and 100 VMs with a per-call
 *   delay on every vim25 method (vcsim `delays['*']`, simulating WAN/vCenter latency), concurrency 16.
 *
 * Run: `node --import tsx tests/bench/vsphere.ts [--delay-ms 50] [--concurrency 16]`, or
 * `npm run bench -- vsphere` (the runner starts this file as its own process). Env
 * VSPHERE_BENCH_DELAY_MS also sets the delay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { VsphereClient, type MoRef } from '../../vsphere/index.js';
import { startVcsim, type VcsimHandle, type VcsimSpec } from '../fixtures/vcsim/index.js';

/** Options of {@link run}. */
export interface VsphereBenchOptions {
  /** Per-call delay of every vim25 method in the snapshot runs, ms (default 50). */
  delayMs?: number;
  /** Snapshot operations in flight (default 16). */
  concurrency?: number;
  inventorySizes?: number[];
  snapshotSizes?: number[];
}

async function withSim<T>(spec: VcsimSpec, fn: (vc: VcsimHandle, client: VsphereClient) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-bench-'));
  const vc = await startVcsim(
    { nfsDatastores: [{ name: 'vmstore', remoteHost: '192.0.2.10', remotePath: '/mnt/tank/vm', localPath: dir }], ...spec },
    { timeoutMs: 300_000 },
  );
  let client: VsphereClient | undefined;
  try {
    client = await VsphereClient.connect({ host: vc.host, port: vc.port, username: vc.username, password: vc.password, tls: { ca: vc.certPem }, callTimeoutMs: 300_000, keepaliveMs: 0 });
    return await fn(vc, client);
  } finally {
    await client?.close();
    await vc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

/** Inventory of `n` VMs: median ms of 3 reads and the round trips of one. */
async function benchInventory(n: number): Promise<{ vms: number; ms: number; roundTrips: number }> {
  return withSim({ bulkVms: { count: n, datastore: 'vmstore' } }, async (_vc, client) => {
    await client.inventory();
    const times: number[] = [];
    let roundTrips = 0;
    let vms = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const inv = await client.inventory();
      times.push(ms(t0));
      roundTrips = inv.roundTrips;
      vms = inv.vms.length;
    }
    return { vms, ms: median(times), roundTrips };
  });
}

/** Create then remove one snapshot on each of `n` VMs at `delayMs` per call. */
async function benchSnapshots(n: number, delayMs: number, concurrency: number) {
  return withSim({ bulkVms: { count: n, datastore: 'vmstore' } }, async (vc, client) => {
    const vms: MoRef[] = vc.inventory.vms.map((v) => ({ type: 'VirtualMachine', value: v.moref }));
    await vc.control({ action: 'setDelays', delays: { '*': delayMs } });
    const before = client.roundTrips;
    const t0 = process.hrtime.bigint();
    const made = await client.createSnapshots(vms.map((vm) => ({ vm, name: 'bench' })), { concurrency, deadlineMs: 600_000 });
    const createMs = ms(t0);
    const t1 = process.hrtime.bigint();
    const removed = await client.removeSnapshots(made.flatMap((r) => (r.ok ? [{ snapshot: r.snapshot }] : [])), { concurrency, deadlineMs: 600_000 });
    const removeMs = ms(t1);
    return {
      vms: n,
      ok: made.filter((r) => r.ok).length + removed.filter((r) => r.ok).length,
      createMs,
      removeMs,
      roundTrips: client.roundTrips - before,
      collectors: client.session.callsByMethod.get('CreatePropertyCollector') ?? 0,
    };
  });
}

/** Runs the benchmark and prints its figures. */
export async function run(opts: VsphereBenchOptions = {}): Promise<void> {
  const delayMs = opts.delayMs ?? 50;
  const concurrency = opts.concurrency ?? 16;
  console.log('# vSphere client benchmark (vcsim, govmomi 0.24)');
  console.log('\n## inventory (ContainerView + RetrievePropertiesEx, page 1000, median of 3)');
  console.log('| VMs | ms | round trips |\n|---:|---:|---:|');
  for (const n of opts.inventorySizes ?? [100, 1000, 5000]) {
    const r = await benchInventory(n);
    console.log(`| ${r.vms} | ${r.ms.toFixed(0)} | ${r.roundTrips} |`);
  }
  console.log(`\n## snapshots: create + remove, ${delayMs} ms per vim25 call, concurrency ${concurrency}`);
  console.log('| VMs | create ms | remove ms | total ms | round trips | collectors | ok ops |\n|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of opts.snapshotSizes ?? [10, 100]) {
    const r = await benchSnapshots(n, delayMs, concurrency);
    console.log(
      `| ${r.vms} | ${r.createMs.toFixed(0)} | ${r.removeMs.toFixed(0)} | ${(r.createMs + r.removeMs).toFixed(0)} | ${r.roundTrips} | ${r.collectors} | ${r.ok}/${2 * r.vms} |`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { 'delay-ms': { type: 'string' }, concurrency: { type: 'string' } } });
  const delay = values['delay-ms'] ?? process.env.VSPHERE_BENCH_DELAY_MS;
  await run({
    ...(delay !== undefined ? { delayMs: Number(delay) } : {}),
    ...(values.concurrency !== undefined ? { concurrency: Number(values.concurrency) } : {}),
  });
}
