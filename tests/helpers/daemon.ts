/**
 * THE shared integration fixture: runs the real daemon as a child process (`node <build>/daemon/main.js
 * --config <tmp>/vsnapd.json`, the tap run's production build, else `node --import tsx daemon/main.ts`:
 * ./test-build.ts) with a temporary data folder and
 * Unix socket, a free TCP port on 127.0.0.1, result validation on (`api.validate_results`) and the
 * test-only `test.*` methods on (`VSNAPD_TEST_METHODS=1`), and tears it all down after the test.
 *
 * ```ts
 * import t from 'tap';
 * import { startTestDaemon } from '../../helpers/daemon.js';
 * t.test('creates a thing', async (t) => {
 *   const d = await startTestDaemon(t, { config: { vmware: { … } } });
 *   const root = await d.root();                       // Unix socket: root, closed at teardown
 *   t.equal(await root.call('core.ping'), 'pong');
 *   const anon = await d.tcp();                        // TCP, not logged in
 *   const admin = await d.tcp({ apiKey: await d.apiKey() });
 *   const r = await d.midclt(['call', 'core.ping']);   // the real CLI against this daemon
 * });
 * ```
 * `config` is deep-merged over the test defaults below (objects merge, other values replace); keep
 * `log_level` at `info` or lower, since readiness is the daemon's "vsnapd ready" info line.
 * Defaults: listen 127.0.0.1 port 0, socket and data folder in a fresh temp folder, log_level info,
 * api.validate_results true, jobs.shutdown_grace_seconds 5. VSNAPD_* and MIDCLT_* variables of the
 * test runner are not passed on (they would override the config file).
 * The daemon's stdout/stderr (pino JSON lines) are kept in memory: `d.output()` shows them, and a
 * daemon that fails to start rejects with them in the message.
 *
 * A daemon never outlives the process that spawned it: it gets a stdin pipe and
 * `VSNAPD_EXIT_WITH_PARENT=1` (a test-only switch of daemon/main.ts), so when this process exits or is
 * killed, even with SIGKILL (the demo, a tap runner hitting its timeout), the pipe closes and the daemon
 * stops gracefully by itself (socket removed, datastore flushed, exit 0). Its temporary folder stays
 * behind in that case, since nobody is left to remove it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ConnectOptions } from '../../client/index.js';
import { REPO_ROOT } from './repo-root.js';
import { daemonCommand, midcltCommand } from './test-build.js';

export { REPO_ROOT };

/** What a test may ask for. */
export interface TestDaemonOptions {
  /** Config file content, deep-merged over the test defaults. */
  readonly config?: Record<string, unknown>;
  /** Extra environment variables for the daemon (VSNAPD_* of the test runner are not inherited). */
  readonly env?: Record<string, string>;
  /** Extra command-line arguments (`--port`, …). */
  readonly args?: readonly string[];
  /** Register the `test.*` methods (default true). */
  readonly testMethods?: boolean;
  /** Milliseconds to wait for readiness (default 30000). */
  readonly readyTimeoutMs?: number;
  /**
   * The daemon's command line before `--config` (default: ./test-build.ts's `daemonCommand()`); the benchmarks
   * pass `[REPO_ROOT/bin/vsnapd]` to measure the compiled daemon as production runs it.
   */
  readonly command?: readonly string[];
}

/** Result of a process run to completion. */
export interface ProcessResult {
  /** Exit code (null when killed by a signal). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running test daemon. */
export interface TestDaemon {
  /** `ws://127.0.0.1:<port>/api/current`. */
  readonly url: string;
  readonly port: number;
  readonly socketPath: string;
  readonly dataDir: string;
  readonly configPath: string;
  /** The temporary folder holding config, data and socket (removed at teardown). */
  readonly tmpDir: string;
  readonly pid: number;
  /** A client on the Unix socket (root). Closed at teardown. */
  root(opts?: ConnectOptions): Promise<Client>;
  /** A client on TCP (anonymous unless `apiKey` or `username`/`password` are given). Closed at teardown. */
  tcp(opts?: ConnectOptions): Promise<Client>;
  /** Creates an API key (as root) and returns it (`<id>-<secret>`). */
  apiKey(name?: string): Promise<string>;
  /** Runs the real midclt against this daemon's socket (`VSNAPD_SOCKET` set). */
  midclt(args: readonly string[], opts?: MidcltOptions): Promise<ProcessResult>;
  /** The daemon's captured stdout + stderr so far. */
  output(): string;
  /** Settles when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for exit (SIGKILL after 20 s); resolves with the exit code. Idempotent. */
  stop(): Promise<number | null>;
  /** Sends a signal (no wait). */
  kill(signal?: NodeJS.Signals): void;
}

/** Options of {@link runMidclt}. */
export interface MidcltOptions {
  readonly env?: Record<string, string>;
  /** Written to stdin (stdin is closed either way). */
  readonly input?: string;
  /** Kill after this many ms (default 30000). */
  readonly timeoutMs?: number;
}

/** The teardown registration tap's `t` offers (kept minimal so non-tap callers can pass their own). */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, anything else in `over` replaces. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/**
 * The environment a child gets: the runner's, without variables that would override the test's
 * settings (VSNAPD_*, MIDCLT_*) or that a runner started by systemd has (JOURNAL_STREAM would switch
 * the daemon's log to journal lines, NOTIFY_SOCKET would send its readiness to the runner's manager,
 * INVOCATION_ID would let zfs.mount_via "auto" route mounts through systemd-run),
 * plus `extra`.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VSNAPD_|MIDCLT_|JOURNAL_STREAM$|NOTIFY_SOCKET$|INVOCATION_ID$)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** A TCP port that was free a moment ago (for tests of --port/VSNAPD_PORT; others use port 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

/** Runs a process to completion, collecting its output. */
function run(command: readonly string[], env: NodeJS.ProcessEnv, input: string | undefined, timeoutMs: number): Promise<ProcessResult> {
  return new Promise((resolveRun, reject) => {
    const [file, ...args] = command;
    const child = spawn(file!, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs the real `midclt` (the run's build, else client/bin/midclt.js: ./test-build.ts) with `args`.
 * Pass `VSNAPD_SOCKET`/`MIDCLT_URL` in `env`.
 */
export function runMidclt(args: readonly string[], opts: MidcltOptions = {}): Promise<ProcessResult> {
  return run([...midcltCommand(), ...args], childEnv(opts.env), opts.input, opts.timeoutMs ?? 30_000);
}

/** Runs the daemon (./test-build.ts) with `args` to completion (for --help, hash-password, bad config …). */
export function runDaemonCommand(args: readonly string[], opts: MidcltOptions = {}): Promise<ProcessResult> {
  return run([...daemonCommand(), ...args], childEnv(opts.env), opts.input, opts.timeoutMs ?? 30_000);
}

/**
 * Waits for the "vsnapd ready" log line on `child`'s stdout; rejects (with `out()`, the output so
 * far) if the process exits first or `timeoutMs` runs out. Also for daemons started otherwise
 * (the packaged one, the footprint bench).
 */
export function waitReady(child: ChildProcess, out: () => string, timeoutMs: number): Promise<{ url: string; socket: string }> {
  return new Promise((resolveReady, reject) => {
    let buffer = '';
    const timer = setTimeout(() => done(new Error(`daemon not ready after ${timeoutMs} ms:\n${out()}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buffer += d.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const rec = JSON.parse(line) as { msg?: string; url?: string; socket?: string };
          if (rec.msg === 'vsnapd ready' && rec.url && rec.socket) return done(null, { url: rec.url, socket: rec.socket });
        } catch {
          /* not a log line */
        }
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`daemon exited before it was ready (code ${code}, signal ${signal}):\n${out()}`));
    const done = (err: Error | null, v?: { url: string; socket: string }) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolveReady(v!);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Test defaults for the generated config file. */
function baseConfig(tmp: string): Record<string, unknown> {
  return {
    listen: { host: '127.0.0.1', port: 0, socket: join(tmp, 'vsnapd.sock') },
    data_dir: join(tmp, 'data'),
    log_level: 'info',
    api: { validate_results: true },
    jobs: { shutdown_grace_seconds: 5 },
    // TrueNAS clients accept no fewer rounds; the 500,000 default would make each api_key.create ~0.5 s.
    auth: { scram_iterations: 50_000 },
  };
}

/**
 * Starts a daemon without tap (benchmarks, scripts): the caller must `await d.dispose()` (stop,
 * close clients, remove the temp folder).
 */
export async function spawnDaemon(opts: TestDaemonOptions = {}): Promise<TestDaemon & { dispose(): Promise<void> }> {
  const tmpDir = mkdtempSync(join(tmpdir(), 'vsnapd-test-'));
  const configPath = join(tmpDir, 'vsnapd.json');
  const config = deepMerge(baseConfig(tmpDir), opts.config ?? {});
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const env = childEnv({ ...(opts.testMethods === false ? {} : { VSNAPD_TEST_METHODS: '1' }), VSNAPD_EXIT_WITH_PARENT: '1', ...opts.env });
  // stdin is a pipe nobody writes to: it closes when this process dies, and the daemon then stops.
  const [command, ...commandArgs] = opts.command ?? daemonCommand();
  const child = spawn(command!, [...commandArgs, '--config', configPath, ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => undefined);
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > 4_000_000) output = output.slice(-2_000_000); // bounded: long tests log a lot
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const clients = new Set<Client>();
  const track = async (p: Promise<Client>) => {
    const c = await p;
    clients.add(c);
    return c;
  };
  let ready: { url: string; socket: string };
  try {
    ready = await waitReady(child, () => output, opts.readyTimeoutMs ?? 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    rmSync(tmpDir, { recursive: true, force: true });
    throw err;
  }
  let stopping: Promise<number | null> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all([...clients].map((c) => c.close().catch(() => undefined)));
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    })());
  const daemon: TestDaemon & { dispose(): Promise<void> } = {
    url: ready.url,
    port: Number(new URL(ready.url).port),
    socketPath: ready.socket,
    dataDir: join(tmpDir, 'data'),
    configPath,
    tmpDir,
    pid: child.pid!,
    root: (o) => track(Client.connect({ socketPath: ready.socket }, o)),
    tcp: (o) => track(Client.connect({ url: ready.url }, o)),
    async apiKey(name = `test-${Math.random().toString(36).slice(2)}`) {
      const c = await Client.connect({ socketPath: ready.socket });
      try {
        return (await c.call<{ key: string }>('api_key.create', { name })).key;
      } finally {
        await c.close();
      }
    },
    midclt: (args, o = {}) => runMidclt(args, { ...o, env: { VSNAPD_SOCKET: ready.socket, ...o.env } }),
    output: () => output,
    exited,
    stop,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    async dispose() {
      await stop();
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
  return daemon;
}

/**
 * Starts a daemon for test `t` and registers its teardown (stop with SIGTERM, close clients, remove
 * the temporary folder). See the module comment for an example.
 */
export async function startTestDaemon(t: Teardown, opts: TestDaemonOptions = {}): Promise<TestDaemon> {
  const d = await spawnDaemon(opts);
  t.teardown(() => d.dispose());
  return d;
}
