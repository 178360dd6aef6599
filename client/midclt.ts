/**
 * `midclt`: call the vsnapd API from a shell, a drop-in for TrueNAS's midclt (same flags, same
 * printed results: see midclt-format.ts).
 *
 *   midclt call <method> [arg …]     each arg is JSON, or a plain string when it is not JSON; `-` reads stdin
 *   midclt call -j <method> [arg …]  wait for the job, progress on stderr (-jp progressbar|description)
 *   midclt subscribe <event> [-n N]  print each collection_update as a JSON line (stop after N)
 *   midclt ping                      prints pong
 *   midclt waitready                 waits until the daemon answers (up to -t seconds)
 *
 * Without `-u` it uses the local Unix socket ($VSNAPD_SOCKET or the default path) and is root.
 * `-u ws://host:port/api/current -K <api key or key file>` (or MIDCLT_URL / MIDCLT_API_KEY) reaches a
 * remote daemon; `wss://` verifies the certificate (`--ca FILE`, `--insecure`). Exit code 1 on
 * failure with the reason on stderr, 2 for a usage mistake, 130 when interrupted during `-j`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, type ConnectTarget } from './client.js';
import { toCsv } from './csv.js';
import { ClientConnectionError } from './errors.js';
import { UsageError, normaliseArgv, parseArgument, readApiKey } from './midclt-args.js';
import { formatError, formatResult, pyJsonDumps } from './midclt-format.js';
import { localSocketPath } from './paths.js';

export { formatError, formatResult } from './midclt-format.js';
export { parseArgument } from './midclt-args.js';

const USAGE = `usage: midclt [-u URI] [-K KEY | -U USER -P PASSWORD] [-t SECONDS] [--insecure] [--ca FILE] <command>
  call [-j] [-jp progressbar|description] [-q] [--csv] <method> [arg …]
                                    call a method; args are JSON (plain strings allowed), - reads stdin
  subscribe <event> [-n N]          print events as JSON lines (stop after N)
  ping                              check that the daemon answers
  waitready                         wait (up to -t seconds, default 60) until the daemon answers
options:
  -u, --uri URI          ws(s)://host:port/api/current (default: the local socket, $VSNAPD_SOCKET)
  -K, --api-key KEY      API key, or the absolute path of a file holding it (env MIDCLT_API_KEY)
  -U, --username USER    with -P: the admin login; with -K: the key's user, logged in by SCRAM
  -P, --password PASS    admin password
  -t, --timeout SECONDS  call timeout (default 60; jobs wait without limit)
      --insecure         wss://: do not verify the server certificate (not for production)
      --ca FILE          wss://: trust this PEM certificate (e.g. the daemon's self-signed one)
      --plain            with -U and -K: send the key (auth.login_with_api_key) instead of SCRAM
      --no-channel-binding   accepted for TrueNAS compatibility (SCRAM binds to the certificate over wss://)
      --version          print the version
  -j, --job              wait for the job to finish, progress on stderr
  -jp, --job-print MODE  progressbar (percent and description lines) or description (changed descriptions)
  -q, --quiet            no progress and no error text (the exit code still tells)
      --csv              print the result (a list of objects, or an object) as CSV
  -n, --number N         subscribe: exit after N events`;

/** Where output goes (injectable for tests of the formatting). */
export interface MidcltIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Registers what Ctrl-C (SIGINT) does while a job is followed; absent = the default (exit). */
  readonly onInterrupt?: (handler: () => void) => void;
}

/** vsnapd's version (package.json two or three folders up, from sources or from dist/). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vsnapd') return pkg.version ?? 'unknown';
    } catch {
      /* not here */
    }
  }
  return 'unknown';
}

/**
 * `-j` is for job methods: asks core.get_methods before running anything, so a plain method is not
 * run and then reported as "not a job". Methods it does not list (unknown ones) fail on the call.
 */
async function checkJob(client: Client, method: string): Promise<void> {
  const service = method.slice(0, method.lastIndexOf('.'));
  const methods = await client.call<Record<string, { job?: boolean }>>('core.get_methods', service || null);
  const info = methods[method];
  if (info && !info.job) throw new UsageError(`-j: ${method} is not a job method; call it without -j`, false);
}

/** Connects again and again (every 500 ms) until core.ping answers or `timeoutS` has passed. */
async function waitReady(target: ConnectTarget, timeoutS: number): Promise<void> {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    try {
      const c = await Client.connect(target, { timeoutMs: 5000 });
      try {
        await c.call('core.ping');
        return;
      } finally {
        await c.close();
      }
    } catch (err) {
      if (Date.now() >= until) throw new ClientConnectionError(`daemon not ready after ${timeoutS} s (${formatError(err)})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Runs midclt with `argv` (without node and script). Returns the exit code. */
export async function midclt(argv: readonly string[], io: MidcltIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: normaliseArgv(argv),
      allowPositionals: true,
      options: {
        uri: { type: 'string', short: 'u' },
        url: { type: 'string' },
        'api-key': { type: 'string', short: 'K' },
        username: { type: 'string', short: 'U' },
        password: { type: 'string', short: 'P' },
        timeout: { type: 'string', short: 't' },
        insecure: { type: 'boolean' },
        ca: { type: 'string' },
        plain: { type: 'boolean' },
        'no-channel-binding': { type: 'boolean' },
        version: { type: 'boolean' },
        job: { type: 'boolean', short: 'j' },
        'job-print': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        csv: { type: 'boolean' },
        number: { type: 'string', short: 'n' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr(`midclt: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`midclt (vsnapd) ${version()}\n`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    (values.help ? io.stdout : io.stderr)(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const quiet = values.quiet === true;
  let client: Client | null = null;
  try {
    const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`-t/--timeout: expected seconds > 0, got "${values.timeout}"`);
    const jobPrint = values['job-print'] ?? 'progressbar';
    if (jobPrint !== 'progressbar' && jobPrint !== 'description') throw new UsageError(`-jp/--job-print: expected progressbar or description, got "${jobPrint}"`);
    const url = values.uri ?? values.url ?? io.env.MIDCLT_URL;
    const target: ConnectTarget = url ? { url } : { socketPath: localSocketPath(io.env) };
    const keyValue = values['api-key'] ?? (url ? io.env.MIDCLT_API_KEY : undefined);
    const apiKey = keyValue === undefined ? undefined : readApiKey(keyValue);
    const [command, ...rest] = positionals as [string, ...string[]];
    if (!['call', 'subscribe', 'ping', 'waitready'].includes(command)) throw new UsageError(`unknown command "${command}"`);
    let ca: Buffer | undefined;
    if (values.ca !== undefined) {
      try {
        ca = readFileSync(values.ca);
      } catch (err) {
        throw new UsageError(`--ca: cannot read ${values.ca} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    let stdinText: string | null = null;
    const stdin = () => (stdinText ??= io.stdin());
    const [method, ...args] = rest;
    // Arguments are checked before connecting: a typo must not run half a command.
    const params = command === 'call' ? args.map((a, i) => parseArgument(a, i + 1, stdin)) : [];
    if (command === 'call' && !method) throw new UsageError('call: missing method name');
    const connect = { timeoutMs: timeout * 1000, reviveDates: false, insecure: values.insecure === true, ...(ca ? { ca } : {}) };
    if (command === 'waitready') {
      await waitReady(target, values.timeout === undefined ? 60 : timeout);
      return 0;
    }
    // -U with -K: SCRAM (the key never crosses the wire), as TrueNAS 26's midclt; --plain sends the key.
    const username = apiKey !== undefined && values.plain ? undefined : values.username;
    client = await Client.connect(target, { ...connect, apiKey, username, password: values.password });
    if (command === 'ping') {
      io.stdout(`${formatResult(await client.call('core.ping'))}\n`);
    } else if (command === 'call') {
      const name = method!;
      let result: unknown;
      if (values.job) {
        await checkJob(client, name);
        result = await followJob(client, name, params, { quiet, jobPrint, io });
        if (result === INTERRUPTED) return 130;
      } else {
        result = await client.call(name, ...params);
      }
      io.stdout(values.csv ? toCsv(result) : `${formatResult(result)}\n`);
    } else {
      const [event] = rest;
      if (!event) throw new UsageError('subscribe: missing event name');
      const limit = values.number === undefined ? Infinity : Number(values.number);
      if (!(limit >= 1)) throw new UsageError(`-n/--number: expected a count >= 1, got "${values.number}"`);
      let count = 0;
      const c = client;
      await new Promise<void>((resolve, reject) => {
        c.subscribe(event, (update) => {
          io.stdout(`${pyJsonDumps(update)}\n`);
          if (++count >= limit) resolve();
        }).catch(reject);
        void c.closed.then((info) => reject(new ClientConnectionError(`connection closed (${info.code} ${info.reason})`.trim())));
      });
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`midclt: ${err.message}\n${err.showUsage ? `${USAGE}\n` : ''}`);
      return 2;
    }
    if (!quiet) io.stderr(`${formatError(err)}\n`);
    return 1;
  } finally {
    await client?.close();
  }
}

/** What {@link followJob} returns when Ctrl-C ended the wait (the job keeps running). */
const INTERRUPTED = Symbol('interrupted');

/**
 * Runs a job method and follows it: progress on stderr (`progressbar`: `[ 50%] description` lines;
 * `description`: each new description), the result when it ends. Ctrl-C prints the job id and stops
 * following; the job keeps running on the daemon.
 */
async function followJob(
  client: Client,
  method: string,
  params: readonly unknown[],
  opts: { quiet: boolean; jobPrint: 'progressbar' | 'description'; io: MidcltIO },
): Promise<unknown> {
  const { io } = opts;
  let last = '';
  const progress = (p: { percent: number | null; description: string }) => {
    const line =
      opts.jobPrint === 'description' ? p.description : `[${p.percent === null ? '  ?' : `${Math.round(p.percent)}`.padStart(3)}%] ${p.description}`;
    if (line && line !== last) io.stderr(`${line}\n`); // job events repeat progress on every state change
    last = line;
  };
  let jobId: number | null = null;
  const interrupted = new Promise<typeof INTERRUPTED>((resolve) =>
    io.onInterrupt?.(() => {
      io.stderr(
        jobId === null
          ? '\nInterrupted before the daemon answered; the job may have started (midclt call core.get_jobs)\n'
          : `\nInterrupted: job ${jobId} keeps running on the daemon (midclt call core.job_wait ${jobId} waits for it, midclt call core.job_abort ${jobId} stops it)\n`,
      );
      resolve(INTERRUPTED);
    }),
  );
  const job = client.callJob(method, params, opts.quiet ? undefined : progress, (id) => (jobId = id));
  job.catch(() => undefined); // an interrupted wait's rejection (connection closed) is not an error
  return Promise.race([job, interrupted]);
}

/** Entry point used by client/cli.ts: real stdio, Ctrl-C, and a quiet end when stdout's reader goes away. */
export async function main(): Promise<void> {
  // `midclt … | head`: once head exits, writes fail with EPIPE; that is not midclt's error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const code = await midclt(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: () => readFileSync(0, 'utf8'),
    env: process.env,
    onInterrupt: (handler) => process.once('SIGINT', handler),
  });
  process.exitCode = code;
}
