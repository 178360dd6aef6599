/**
 * Runs the real `midclt` (the production build's, a separate process each time) for the demo and prints the
 * command the way the seed writes it: `midclt call <method> '<json>'`, objects spread over lines.
 * `-j` jobs stream their progress lines (midclt writes them to stderr) while they run.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { childEnv, REPO_ROOT } from '../helpers/daemon.js';
import { command, inlineJson, output, seedJson, shellQuote } from './output.js';

/** Which midclt runs, and against what: its command line before the arguments, and its environment (`VSNAPD_SOCKET`…). */
export interface MidcltTarget {
  readonly command: readonly string[];
  readonly env: Record<string, string>;
}

/**
 * Writes `<dir>/bin/midclt`, a shell wrapper that runs `target`'s midclt as the .deb's /usr/bin/midclt
 * starts the packaged one; resolves with the `bin` folder to put on PATH.
 */
export async function writeMidcltWrapper(dir: string, target: MidcltTarget): Promise<string> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'midclt'), `#!/bin/sh\nexec ${target.command.map(shellQuote).join(' ')} "$@"\n`, { mode: 0o755 });
  return bin;
}

/** What a midclt run produced. */
export interface MidcltResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How one argument is written on the command line: JSON, except that objects use the seed's layout. */
function displayArg(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return `'${seedJson(value as Record<string, unknown>)}'`;
  if (Array.isArray(value)) return `'${inlineJson(value)}'`;
  if (typeof value === 'string') return shellQuote(JSON.stringify(value));
  return String(value);
}

/** The command line as shown: `midclt call [-j] method args…`. */
export function midcltCommandLine(method: string, params: readonly unknown[], job = false): string {
  return ['midclt', 'call', ...(job ? ['-j'] : []), method, ...params.map(displayArg)].join(' ');
}

/** Runs `target`'s midclt with raw `args`; `onStderrLine` sees stderr live. */
export function runMidcltProcess(target: MidcltTarget, args: readonly string[], onStderrLine?: (line: string) => void): Promise<MidcltResult> {
  const [file, ...before] = target.command;
  return new Promise((resolve, reject) => {
    const child = spawn(file!, [...before, ...args], {
      cwd: REPO_ROOT,
      env: childEnv(target.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      onStderrLine?.(line);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Options of {@link midcltCall}. */
export interface CallOptions {
  /** `-j`: wait for the job, printing its progress. */
  readonly job?: boolean;
  /** Print the raw JSON result under the command. */
  readonly raw?: boolean;
}

/**
 * Prints and runs `midclt call [-j] <method> <params…>`. Resolves with the exit code, the parsed
 * result (null when it failed or printed no JSON) and stderr; never rejects for a failed call.
 */
export async function midcltCall(
  target: MidcltTarget,
  method: string,
  params: readonly unknown[],
  opts: CallOptions = {},
): Promise<{ code: number | null; result: unknown; stdout: string; stderr: string }> {
  command(midcltCommandLine(method, params, opts.job));
  const args = ['call', ...(opts.job ? ['-j'] : []), method, ...params.map((p) => JSON.stringify(p))];
  const r = await runMidcltProcess(target, args, opts.job ? (line) => output(line) : undefined);
  let result: unknown = null;
  if (r.code === 0) {
    const text = r.stdout.trim();
    try {
      // midclt prints booleans as TrueNAS's does (Python's True/False), everything else as JSON or raw.
      result = text === 'True' ? true : text === 'False' ? false : JSON.parse(text);
    } catch {
      result = text;
    }
    if (opts.raw && typeof result === 'object' && result !== null) output(r.stdout);
  }
  return { code: r.code, result, stdout: r.stdout, stderr: r.stderr };
}
