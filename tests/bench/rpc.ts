/**
 * JSON-RPC throughput benchmark (not a test: prints figures, asserts nothing): `core.ping` calls per
 * second over TCP against the compiled daemon as production runs it (`npm run build`, then
 * `bin/vsnapd`), next to a bare `ws` server answering the same frame (support/bare-ws-server.mjs),
 * with the same client in the same run. The ratio daemon ÷ bare is the share of the transport's speed
 * the API reaches (issue 21's goals: ≥ 0.6 at 1 connection × 1 call in flight, ≥ 0.9 at 32
 * connections × 4 in flight). The two servers are measured in alternating rounds, and each figure is
 * the median of `--rounds`, so load elsewhere on the machine hits both alike.
 *
 * Run: `node --import tsx tests/bench/rpc.ts [--calls N] [--rounds N] [--no-build] [--sources]` or
 * `npm run bench -- rpc` (`--sources` measures the daemon through tsx instead of dist/).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '../../client/index.js';
import { REPO_ROOT, spawnDaemon } from '../helpers/daemon.js';

/** One load shape: `connections` clients, each keeping `inFlight` calls outstanding. */
interface Shape {
  readonly label: string;
  readonly connections: number;
  readonly inFlight: number;
  /** Calls per round over all connections. */
  readonly calls: number;
  /** Issue 21's goal for daemon ÷ bare, when it sets one. */
  readonly goal?: number;
}

/** Calls per second of `clients` running `calls` pings in total, `inFlight` outstanding per client. */
async function callsPerSecond(clients: readonly Client[], calls: number, inFlight: number): Promise<number> {
  const perClient = Math.max(1, Math.round(calls / clients.length));
  const start = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      let next = 0;
      const lane = async () => {
        while (next < perClient) {
          next++;
          await c.call('core.ping');
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
    }),
  );
  return (perClient * clients.length * 1000) / (performance.now() - start);
}

/** Median of `xs`. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Starts the bare baseline server; resolves with its URL and a stop function. */
async function startBare(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'tests/bench/support/bare-ws-server.mjs')], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare ws server exited (${code}) before listening`)));
  });
  return {
    url: `ws://127.0.0.1:${port}/api/current`,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Runs the benchmark and prints its figures. */
export async function run(opts: { calls?: number; rounds?: number; build?: boolean; sources?: boolean } = {}): Promise<void> {
  const total = opts.calls ?? 20_000;
  const rounds = opts.rounds ?? 5;
  if (!opts.sources && opts.build !== false) {
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error(`npm run build failed (exit ${b.status})`);
  }
  const command = opts.sources ? undefined : [join(REPO_ROOT, 'bin/vsnapd')];
  const d = await spawnDaemon({ testMethods: false, command, config: { api: { validate_results: false } } });
  const bare = await startBare();
  const shapes: Shape[] = [
    { label: '1 connection × 1 in flight', connections: 1, inFlight: 1, calls: Math.round(total / 4), goal: 0.6 },
    { label: '1 connection × 16 in flight', connections: 1, inFlight: 16, calls: total },
    { label: '32 connections × 1 in flight', connections: 32, inFlight: 1, calls: total },
    { label: '32 connections × 4 in flight', connections: 32, inFlight: 4, calls: total, goal: 0.9 },
  ];
  const connect = (url: string, n: number) => Promise.all(Array.from({ length: n }, () => Client.connect({ url })));
  const daemonClients = await connect(d.url, 32);
  const bareClients = await connect(bare.url, 32);
  try {
    console.log(`rpc: core.ping over TCP, ${opts.sources ? 'daemon from sources (tsx)' : 'compiled daemon (bin/vsnapd)'} pid ${d.pid} vs a bare ws server, node ${process.version}, median of ${rounds} alternating rounds`);
    for (const clients of [daemonClients, bareClients]) await callsPerSecond(clients, 2000, 4); // warm-up
    for (const shape of shapes) {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        ours.push(await callsPerSecond(daemonClients.slice(0, shape.connections), shape.calls, shape.inFlight));
        theirs.push(await callsPerSecond(bareClients.slice(0, shape.connections), shape.calls, shape.inFlight));
      }
      const [a, b] = [median(ours), median(theirs)];
      const ratio = a / b;
      const goal = shape.goal === undefined ? '' : ` (goal ≥ ${shape.goal}: ${ratio >= shape.goal ? 'met' : 'MISSED'})`;
      console.log(`  ${shape.label.padEnd(30)} vsnapd ${Math.round(a).toString().padStart(6)}/s  bare ${Math.round(b).toString().padStart(6)}/s  ratio ${ratio.toFixed(2)}${goal}`);
    }
  } finally {
    await Promise.all([...daemonClients, ...bareClients].map((c) => c.close()));
    await bare.stop();
    await d.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { calls: { type: 'string' }, rounds: { type: 'string' }, 'no-build': { type: 'boolean' }, sources: { type: 'boolean' } } });
  await run({ calls: values.calls ? Number(values.calls) : undefined, rounds: values.rounds ? Number(values.rounds) : undefined, build: !values['no-build'], sources: values.sources });
}
