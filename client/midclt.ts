/**
 * `midclt`: call the vsnapd API from a shell, like TrueNAS's midclt.
 *
 *   midclt call <method> [arg …]     each arg is JSON, or a plain string when it is not JSON; `-` reads stdin
 *   midclt call -j <method> [arg …]  wait for the job, progress on stderr
 *   midclt subscribe <event> [-n N]  print each collection_update as a JSON line (stop after N)
 *   midclt ping                      prints pong
 *
 * Without `-u` it uses the local Unix socket ($VSNAPD_SOCKET or the default path) and is root.
 * `-u ws://host:port/api/current -K <api key>` (or MIDCLT_URL / MIDCLT_API_KEY) reaches a remote daemon.
 * Results print as JSON, except strings and numbers, which print raw. Exit code 1 on failure, with
 * the reason and each validation attribute on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client, type ConnectTarget } from './client.js';
import { toCsv } from './csv.js';
import { ClientCallError, ClientConnectionError, ClientValidationError } from './errors.js';
import { localSocketPath } from './paths.js';

const USAGE = `usage: midclt [-u URL] [-K API_KEY | -U USER -P PASSWORD] [-t SECONDS] <command>
  call [-j] [-q] [--csv] <method> [arg …]   call a method; args are JSON (plain strings allowed), - reads stdin
  subscribe <event> [-n N]          print events as JSON lines (stop after N)
  ping                              check that the daemon answers
options:
  -u, --url URL          ws://host:port/api/current (default: the local socket, $VSNAPD_SOCKET)
  -K, --api-key KEY      API key for a remote daemon (env MIDCLT_API_KEY)
  -U, --username USER    admin user name (password login)
  -P, --password PASS    admin password
  -t, --timeout SECONDS  call timeout (default 60; jobs wait without limit)
  -j, --job              wait for the job to finish, progress on stderr
  -q, --quiet            with -j: no progress output
      --csv              print the result (a list of objects, or an object) as CSV
  -n, --number N         subscribe: exit after N events`;

/** Where output goes (injectable for tests of the formatting). */
export interface MidcltIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

class UsageError extends Error {}

/** Parses one command-line argument: JSON when it parses, else the plain string; `-` reads stdin. */
export function parseArgument(arg: string, stdin: () => string): unknown {
  const text = arg === '-' ? stdin() : arg;
  try {
    return JSON.parse(text);
  } catch {
    return arg === '-' ? text.replace(/\r?\n$/, '') : text;
  }
}

/** Formats a result as midclt prints it: strings and numbers raw, everything else as JSON. */
export function formatResult(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value ?? null);
}

/** Renders an error for stderr: the reason, then `attribute: message` per validation error. */
export function formatError(err: unknown): string {
  if (err instanceof ClientValidationError) {
    const lines = err.errors.map((e) => `  ${e.attribute === null ? '(call)' : e.attribute || '(arguments)'}: ${e.message}`);
    return `Validation failed:\n${lines.join('\n')}`;
  }
  if (err instanceof ClientCallError) return err.reason.trimEnd();
  if (err instanceof ClientConnectionError) return err.message;
  return `midclt: ${(err as Error).message ?? String(err)}`;
}

/** Runs midclt with `argv` (without node and script). Returns the exit code. */
export async function midclt(argv: readonly string[], io: MidcltIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string', short: 'u' },
        'api-key': { type: 'string', short: 'K' },
        username: { type: 'string', short: 'U' },
        password: { type: 'string', short: 'P' },
        timeout: { type: 'string', short: 't' },
        job: { type: 'boolean', short: 'j' },
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
  if (values.help || positionals.length === 0) {
    (values.help ? io.stdout : io.stderr)(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  let client: Client | null = null;
  try {
    const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`-t/--timeout: expected seconds > 0, got "${values.timeout}"`);
    const url = values.url ?? io.env.MIDCLT_URL;
    const target: ConnectTarget = url ? { url } : { socketPath: localSocketPath(io.env) };
    const apiKey = values['api-key'] ?? (url ? io.env.MIDCLT_API_KEY : undefined);
    const [command, ...rest] = positionals as [string, ...string[]];
    if (!['call', 'subscribe', 'ping'].includes(command)) throw new UsageError(`unknown command "${command}"`);
    client = await Client.connect(target, {
      apiKey,
      username: values.username,
      password: values.password,
      timeoutMs: timeout * 1000,
      reviveDates: false,
    });
    if (command === 'ping') {
      io.stdout(`${formatResult(await client.call('core.ping'))}\n`);
    } else if (command === 'call') {
      const [method, ...args] = rest;
      if (!method) throw new UsageError('call: missing method name');
      let stdinText: string | null = null;
      const stdin = () => (stdinText ??= io.stdin());
      const params = args.map((a) => parseArgument(a, stdin));
      let last = '';
      const progress = (p: { percent: number | null; description: string }) => {
        const line = `[${p.percent === null ? '  ?' : `${Math.round(p.percent)}`.padStart(3)}%] ${p.description}`;
        if (line !== last) io.stderr(`${line}\n`); // job events repeat progress on every state change
        last = line;
      };
      const result = values.job
        ? await client.callJob(method, params, values.quiet ? undefined : progress)
        : await client.call(method, ...params);
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
          io.stdout(`${JSON.stringify(update)}\n`);
          if (++count >= limit) resolve();
        }).catch(reject);
        void c.closed.then((info) => reject(new ClientConnectionError(`connection closed (${info.code} ${info.reason})`.trim())));
      });
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`midclt: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`${formatError(err)}\n`);
    return 1;
  } finally {
    await client?.close();
  }
}

/** Entry point used by client/bin/midclt.js. */
export async function main(): Promise<void> {
  const code = await midclt(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: () => readFileSync(0, 'utf8'),
    env: process.env,
  });
  process.exitCode = code;
}
