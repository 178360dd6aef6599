/**
 * Runs one pre/post script: checked by {@link untrustedReason} first, then executed directly with
 * execa (no shell, no arguments, stdin closed) in its own process group with a small, fixed
 * environment plus the run's `VSNAPD_*` variables. Bounded on every side: the whole process group
 * is killed (SIGKILL) at the timeout or when the run is aborted, and only the first
 * {@link OUTPUT_LIMIT_BYTES} of stdout and of stderr are kept (the rest is read and counted, so a
 * chatty script neither blocks on a full pipe nor fills memory). Never rejects.
 */
import { loadExeca } from '../../../daemon/lazy.js';
import type { ScriptReport } from './schema.js';
import { untrustedReason } from './trust.js';

/** Bytes kept of each of stdout and stderr. */
export const OUTPUT_LIMIT_BYTES = 16 * 1024;

/** The environment every script gets besides its `VSNAPD_*` variables. */
const BASE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };

/** How to run it. */
export interface ScriptRunOptions {
  phase: 'pre' | 'post';
  /** `VSNAPD_*` variables. */
  env: Record<string, string>;
  /** Kill after this many ms. */
  timeoutMs: number;
  /** Kills it early (the job was aborted). */
  signal?: AbortSignal;
}

function collector(): { add(chunk: Buffer): void; text(): string; total: () => number } {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let total = 0;
  return {
    add(chunk) {
      total += chunk.length;
      if (keptBytes >= OUTPUT_LIMIT_BYTES) return;
      const part = chunk.subarray(0, OUTPUT_LIMIT_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    },
    text: () => Buffer.concat(kept).toString('utf8') + (total > keptBytes ? `\n… (${total - keptBytes} more bytes not kept)` : ''),
    total: () => total,
  };
}

/** Runs `path`; see the module comment. */
export async function runScript(path: string, o: ScriptRunOptions): Promise<ScriptReport> {
  const t0 = Date.now();
  const base = { phase: o.phase, path, exit_code: null, signal: null, timed_out: false, stdout: '', stderr: '', output_bytes: 0 };
  const refused = await untrustedReason(path);
  if (refused) return { ...base, ok: false, error: `refused: ${refused}`, duration_ms: Date.now() - t0 };
  const out = collector();
  const err = collector();
  const { execa } = await loadExeca();
  const child = execa(path, [], {
    reject: false,
    buffer: false,
    stdin: 'ignore',
    env: { ...BASE_ENV, ...o.env },
    extendEnv: false,
    detached: true, // its own process group, so the kill reaches what it started
    cleanup: true,
  });
  child.stdout?.on('data', (c: Buffer) => out.add(c));
  child.stderr?.on('data', (c: Buffer) => err.add(c));
  let timedOut = false;
  let aborted = false;
  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, o.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    killGroup();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const r = await child;
  clearTimeout(timer);
  o.signal?.removeEventListener('abort', onAbort);
  const exit = typeof r.exitCode === 'number' ? r.exitCode : null;
  const sig = typeof r.signal === 'string' ? r.signal : null;
  let error: string | null = null;
  if (timedOut) error = `did not finish within ${o.timeoutMs} ms; killed`;
  else if (aborted) error = 'aborted with the run; killed';
  else if (exit === null && r.failed) error = r.shortMessage ?? `could not be started`;
  else if (exit !== 0) error = sig ? `ended by ${sig}` : `exited with status ${exit}`;
  return {
    ...base,
    ok: error === null,
    exit_code: exit,
    signal: sig,
    timed_out: timedOut,
    error,
    duration_ms: Date.now() - t0,
    stdout: out.text(),
    stderr: err.text(),
    output_bytes: out.total() + err.total(),
  };
}

/** Lines of a stream shown in the log (the report keeps {@link OUTPUT_LIMIT_BYTES}). */
const LOG_LINES = 20;

/** The log lines of a script run: the verdict, then up to 20 lines of its stdout and of its stderr. */
export function scriptLines(r: ScriptReport): string[] {
  const head = `${r.phase}-script ${r.path}: ${r.ok ? `ok in ${r.duration_ms} ms` : `failed: ${r.error}`} (${r.output_bytes} bytes of output)`;
  const stream = (name: string, text: string): string[] => {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const shown = lines.slice(0, LOG_LINES).map((l) => `${r.phase}-script ${name}: ${l.slice(0, 500)}`);
    return lines.length > LOG_LINES ? [...shown, `${r.phase}-script ${name}: … ${lines.length - LOG_LINES} more line(s) in the report`] : shown;
  };
  return [head, ...stream('stdout', r.stdout), ...stream('stderr', r.stderr)];
}
