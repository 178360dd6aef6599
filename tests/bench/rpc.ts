/**
 * JSON-RPC throughput benchmark (not a test: prints figures, asserts nothing): `core.ping` calls per
 * second over TCP against the compiled daemon as production runs it (`npm run build`, then
 * `bin/vsnapd`), next to a bare `ws` server answering the same frame (support/bare-ws-server.mjs),
 * with the same client in the same run. The ratio daemon ÷ bare is the share of the transport's speed
 * the API reaches (issue 21's goals: ≥ 0.6 at 1 connection × 1 call in flight, ≥ 0.9 at 32
 * connections × 4 in flight). The two servers are measured in alternating rounds, and each figure is
 * the median of `--rounds`, so load elsewhere on the machine hits both alike.
 *
 * Run: `node --import tsx tests/bench/rpc.ts [--calls N] [--rounds N] [--warm-up N] [--no-build] [--sources] [--young 1,2,4]`
 * or `npm run bench -- rpc` (`--sources` measures the daemon through tsx instead of dist/; `--young`
 * also compares young-generation sizes, V8's --max-semi-space-size in MB, at the two goal shapes).
 * Each figure also gives the server's CPU time per call, which load elsewhere disturbs less than the rate.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** CPU time (user + system) `pid` has used so far, in ms (/proc/<pid>/stat, 10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of `pid` in MiB (/proc/<pid>/status VmRSS). */
function rssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}

/** Median of `xs`. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** A server under test: where it listens and its process (for CPU time). */
interface Target {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts the bare baseline server. */
async function startBare(): Promise<Target> {
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
    pid: child.pid!,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Starts the daemon with `command` (default: through tsx from sources). */
async function startDaemon(command: readonly string[] | undefined): Promise<Target> {
  const d = await spawnDaemon({ testMethods: false, command, config: { api: { validate_results: false } } });
  return { url: d.url, pid: d.pid, stop: () => d.dispose() };
}

/** The V8 flags bin/vsnapd starts the compiled daemon with (read from the launcher, its one source). */
function launcherFlags(): string[] {
  const exec = readFileSync(join(REPO_ROOT, 'bin/vsnapd'), 'utf8').split('\n').find((l) => l.startsWith('exec '));
  return exec?.match(/--[a-z0-9-]+=\S+/g) ?? [];
}

/** Figures of one shape on one server: medians over the rounds. */
interface Figures {
  readonly perSecond: number;
  /** The server's CPU time per call, µs: less sensitive to load elsewhere than the rate. */
  readonly cpuUs: number;
}

/** Measures `shape` on `ours` and `theirs` in `rounds` alternating rounds. */
async function compare(shape: Shape, rounds: number, ours: { target: Target; clients: Client[] }, theirs: { target: Target; clients: Client[] }): Promise<[Figures, Figures]> {
  const samples: [number[], number[], number[], number[]] = [[], [], [], []];
  for (let i = 0; i < rounds; i++) {
    for (const [k, side] of [ours, theirs].entries()) {
      const cpu0 = cpuMs(side.target.pid);
      const rate = await callsPerSecond(side.clients.slice(0, shape.connections), shape.calls, shape.inFlight);
      samples[2 * k]!.push(rate);
      samples[2 * k + 1]!.push(((cpuMs(side.target.pid) - cpu0) * 1000) / shape.calls);
    }
  }
  const [a, b, c, d] = samples.map(median) as [number, number, number, number];
  return [{ perSecond: a, cpuUs: b }, { perSecond: c, cpuUs: d }];
}

const fmt = (f: Figures) => `${Math.round(f.perSecond).toString().padStart(6)}/s ${f.cpuUs.toFixed(1).padStart(5)} µs CPU/call`;

/**
 * Runs the benchmark and prints its figures. `young` lists young-generation sizes (V8's
 * --max-semi-space-size, MB) to compare at the two goal shapes, with the launcher's other flags and
 * the RSS after the load.
 */
export async function run(opts: { calls?: number; rounds?: number; warmUp?: number; build?: boolean; sources?: boolean; young?: readonly number[] } = {}): Promise<void> {
  const total = opts.calls ?? 20_000;
  const rounds = opts.rounds ?? 5;
  const warmUp = opts.warmUp ?? 20_000;
  if (!opts.sources && opts.build !== false) {
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error(`npm run build failed (exit ${b.status})`);
  }
  const shapes: Shape[] = [
    { label: '1 connection × 1 in flight', connections: 1, inFlight: 1, calls: Math.round(total / 4), goal: 0.6 },
    { label: '1 connection × 16 in flight', connections: 1, inFlight: 16, calls: total },
    { label: '32 connections × 1 in flight', connections: 32, inFlight: 1, calls: total },
    { label: '32 connections × 4 in flight', connections: 32, inFlight: 4, calls: total, goal: 0.9 },
  ];
  const connect = (url: string, n: number) => Promise.all(Array.from({ length: n }, () => Client.connect({ url })));
  const bare = await startBare();
  const theirs = { target: bare, clients: await connect(bare.url, 32) };
  const measureDaemon = async (command: readonly string[] | undefined, label: string, only: readonly Shape[]) => {
    const target = await startDaemon(command);
    const ours = { target, clients: await connect(target.url, 32) };
    try {
      console.log(`rpc: ${label} (pid ${target.pid}) vs a bare ws server, core.ping over TCP, node ${process.version}, median of ${rounds} alternating rounds`);
      // Warm-up to the steady state (the JIT has compiled the call path): a daemon answering a
      // script's calls all day is measured, not its first seconds.
      for (const side of [ours, theirs]) {
        await callsPerSecond(side.clients.slice(0, 1), warmUp, 1);
        await callsPerSecond(side.clients, warmUp, 4);
      }
      for (const shape of only) {
        const [a, b] = await compare(shape, rounds, ours, theirs);
        const ratio = a.perSecond / b.perSecond;
        const goal = shape.goal === undefined ? '' : ` (goal ≥ ${shape.goal}: ${ratio >= shape.goal ? 'met' : 'MISSED'})`;
        console.log(`  ${shape.label.padEnd(30)} vsnapd ${fmt(a)}  bare ${fmt(b)}  ratio ${ratio.toFixed(2)}${goal}`);
      }
      console.log(`  vsnapd RSS after the load: ${rssMiB(target.pid).toFixed(1)} MiB`);
    } finally {
      await Promise.all(ours.clients.map((c) => c.close()));
      await target.stop();
    }
  };
  try {
    if (opts.sources) await measureDaemon(undefined, 'daemon from sources (tsx)', shapes);
    else await measureDaemon([join(REPO_ROOT, 'bin/vsnapd')], `compiled daemon as bin/vsnapd runs it (${launcherFlags().join(' ')})`, shapes);
    for (const mb of opts.young ?? []) {
      const flags = launcherFlags().map((f) => (f.startsWith('--max-semi-space-size=') ? `--max-semi-space-size=${mb}` : f));
      await measureDaemon([process.execPath, ...flags, join(REPO_ROOT, 'dist/daemon/main.js')], `compiled daemon with ${flags.join(' ')}`, shapes.filter((s) => s.goal !== undefined));
    }
  } finally {
    await Promise.all(theirs.clients.map((c) => c.close()));
    await bare.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { calls: { type: 'string' }, rounds: { type: 'string' }, 'warm-up': { type: 'string' }, 'no-build': { type: 'boolean' }, sources: { type: 'boolean' }, young: { type: 'string' } } });
  await run({
    calls: values.calls ? Number(values.calls) : undefined,
    rounds: values.rounds ? Number(values.rounds) : undefined,
    warmUp: values['warm-up'] ? Number(values['warm-up']) : undefined,
    build: !values['no-build'],
    sources: values.sources,
    young: values.young?.split(',').map(Number),
  });
}
