/**
 * The daemon's footprint (not a test: prints figures, asserts nothing): start-up time and idle
 * resident memory of the compiled daemon as production runs it (`npm run build`, then `bin/vsnapd`,
 * the launcher the unit and the .deb use), next to the same daemon run from sources through tsx
 * (`npm start`) for comparison. The config is etc/vsnapd.json's defaults with a temporary data
 * folder, socket and port 0 (no vCenter entry, no pool: what a fresh install holds).
 *
 * - start-up: from spawn until the "vsnapd ready" log line (both listeners bound, plugins started),
 *   median of `--starts` runs on one data folder (the first run creates the datastore and key);
 * - idle RSS: /proc/<pid>/status `VmRSS` (with its `RssAnon`/`RssFile` split) of the last run, 5 s
 *   after readiness and `--idle-ms` (default 30 s) after it: by then V8's memory reducer has shrunk
 *   the young generation that start-up grew (bin/vsnapd gives it 8 MB semi-spaces), so the second
 *   figure is the one an idle daemon keeps, and the one held against the target.
 *
 * Run: `node --import tsx tests/bench/footprint.ts [--starts 5] [--idle-ms 30000] [--no-build]` or
 * `npm run bench -- footprint`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT, childEnv, waitReady } from '../helpers/daemon.js';

/** Issue 11's target for the compiled daemon's idle resident memory, in MB (10^6 bytes). */
const IDLE_RSS_TARGET_MB = 80;

/** Memory of a process, in MiB. */
interface Rss {
  readonly rss: number;
  readonly anon: number;
  readonly file: number;
}

/** One start of the daemon. */
interface Start {
  readonly readyMs: number;
  /** RSS 5 s after readiness and `idleMs` after it (only for the sampled run). */
  readonly rss: { readonly early: Rss; readonly idle: Rss } | undefined;
}

/** When the early RSS sample is taken, in ms after readiness. */
const EARLY_MS = 5000;

/** Reads VmRSS, RssAnon and RssFile of `pid` (MiB). */
function readRss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, anon: kib('RssAnon') / 1024, file: kib('RssFile') / 1024 };
}

/** Spawns `command`, waits for "vsnapd ready", optionally idles and samples RSS, then stops it with SIGTERM. */
async function startOnce(command: readonly string[], configPath: string, idleMs: number | undefined): Promise<Start> {
  const started = performance.now();
  const child = spawn(command[0]!, [...command.slice(1), '--config', configPath], { cwd: REPO_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output += d.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await waitReady(child, () => output, 60_000);
  const readyMs = performance.now() - started;
  let rss: Start['rss'];
  if (idleMs !== undefined) {
    await new Promise((r) => setTimeout(r, Math.min(EARLY_MS, idleMs)));
    const early = readRss(child.pid!);
    await new Promise((r) => setTimeout(r, Math.max(0, idleMs - EARLY_MS)));
    rss = { early, idle: readRss(child.pid!) };
  }
  child.kill('SIGTERM');
  await exited;
  return { readyMs, rss };
}

/** Median of `xs`. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Starts `command` `starts` times on one data folder and prints its figures (with the RSS target when `checkTarget`). */
async function measure(label: string, command: readonly string[], starts: number, idleMs: number, checkTarget: boolean): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-bench-footprint-'));
  try {
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'etc/vsnapd.json'), 'utf8')) as Record<string, unknown>;
    Object.assign(config, { listen: { host: '127.0.0.1', port: 0, socket: join(tmp, 'vsnapd.sock') }, data_dir: join(tmp, 'data'), log_level: 'info' });
    const configPath = join(tmp, 'vsnapd.json');
    writeFileSync(configPath, JSON.stringify(config));
    const runs: Start[] = [];
    for (let i = 0; i < starts; i++) runs.push(await startOnce(command, configPath, i === starts - 1 ? idleMs : undefined));
    const { early, idle: rss } = runs.at(-1)!.rss!;
    const ms = runs.map((r) => r.readyMs);
    console.log(`footprint: ${label}: ${command.join(' ')}`);
    console.log(`  start-up to "vsnapd ready": median ${median(ms).toFixed(0)} ms of ${starts} (first start ${ms[0]!.toFixed(0)} ms, all ${ms.map((x) => x.toFixed(0)).join(' ')})`);
    const mb = (rss.rss * 1048576) / 1e6;
    console.log(`  RSS ${EARLY_MS} ms after ready: ${early.rss.toFixed(1)} MiB = ${((early.rss * 1048576) / 1e6).toFixed(1)} MB (start-up's young generation not yet given back)`);
    console.log(`  idle RSS after ${idleMs} ms: ${rss.rss.toFixed(1)} MiB = ${mb.toFixed(1)} MB (${checkTarget ? `target ≤ ${IDLE_RSS_TARGET_MB} MB: ${mb <= IDLE_RSS_TARGET_MB ? 'met' : 'MISSED'}; ` : ''}anonymous ${rss.anon.toFixed(1)} MiB, file-backed ${rss.file.toFixed(1)} MiB)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds dist/ (unless `build` is false) and prints the figures of the compiled and the source daemon. */
export async function run(opts: { starts?: number; idleMs?: number; build?: boolean } = {}): Promise<void> {
  const starts = opts.starts ?? 5;
  const idleMs = opts.idleMs ?? 30_000;
  if (opts.build !== false) {
    const t0 = performance.now();
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error(`npm run build failed (exit ${b.status})`);
    console.log(`footprint: npm run build took ${((performance.now() - t0) / 1000).toFixed(1)} s (node ${process.version})`);
  }
  await measure('compiled (production)', [join(REPO_ROOT, 'bin/vsnapd')], starts, idleMs, true);
  await measure('sources through tsx (npm start)', [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'daemon/main.ts')], starts, idleMs, false);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { starts: { type: 'string' }, 'idle-ms': { type: 'string' }, 'no-build': { type: 'boolean' } } });
  await run({
    starts: values.starts ? Number(values.starts) : undefined,
    idleMs: values['idle-ms'] ? Number(values['idle-ms']) : undefined,
    build: !values['no-build'],
  });
}
