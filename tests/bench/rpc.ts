/**
 * JSON-RPC throughput benchmark (not a test: prints figures, asserts nothing): `core.ping` calls per
 * second against a real daemon process over TCP, on one connection and on 32 connections.
 *
 * Run: `node --import tsx tests/bench/rpc.ts [--calls N]` or `npm run bench` (all benchmarks).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '../../client/index.js';
import { spawnDaemon } from '../helpers/daemon.js';

/** One measured figure. */
export interface RpcFigure {
  readonly label: string;
  readonly calls: number;
  readonly ms: number;
  readonly perSecond: number;
}

/** `calls` pings on each client, `inFlight` outstanding at a time per client. */
async function measure(label: string, clients: Client[], calls: number, inFlight: number): Promise<RpcFigure> {
  const start = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      let next = 0;
      const lane = async () => {
        while (next < calls) {
          next++;
          await c.call('core.ping');
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
    }),
  );
  const ms = performance.now() - start;
  const total = calls * clients.length;
  return { label, calls: total, ms, perSecond: Math.round((total * 1000) / ms) };
}

/** Runs the benchmark and prints its figures; returns them too. */
export async function run(opts: { calls?: number } = {}): Promise<RpcFigure[]> {
  const total = opts.calls ?? 20_000;
  const d = await spawnDaemon({ testMethods: false, config: { api: { validate_results: false } } });
  const figures: RpcFigure[] = [];
  try {
    const one = await Client.connect({ url: d.url });
    const many = await Promise.all(Array.from({ length: 32 }, () => Client.connect({ url: d.url })));
    await measure('warm-up', [one, ...many], 200, 4);
    console.log(`rpc: core.ping over TCP ${d.url} (daemon pid ${d.pid}, node ${process.version})`);
    for (const [label, clients, calls, inFlight] of [
      ['1 connection, 1 call in flight', [one], Math.round(total / 4), 1],
      ['1 connection, 16 calls in flight', [one], total, 16],
      ['32 connections, 1 call in flight each', many, Math.round(total / 32), 1],
      ['32 connections, 4 calls in flight each', many, Math.round(total / 32), 4],
    ] as const) {
      const f = await measure(label, [...clients], calls, inFlight);
      figures.push(f);
      console.log(`  ${f.label.padEnd(40)} ${String(f.calls).padStart(6)} calls in ${f.ms.toFixed(0).padStart(6)} ms → ${String(f.perSecond).padStart(6)} calls/s`);
    }
    await Promise.all([one, ...many].map((c) => c.close()));
  } finally {
    await d.dispose();
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { calls: { type: 'string' } } });
  await run({ calls: values.calls ? Number(values.calls) : undefined });
}
