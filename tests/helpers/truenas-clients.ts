/**
 * TrueNAS's own API client (`midclt` and the `truenas_api_client` Python package), installed offline
 * from the repository's kit in `tests/fixtures/truenas-clients` (unmodified upstream archives, see its
 * NOTICE; `install.sh VERSION DEST`, Debian's /usr/bin/python3) into a temporary folder removed at
 * teardown, and run as real processes.
 *
 * ```ts
 * const tn = await installTrueNasClient(t, '25.10');
 * const r = await tn.midclt(['-u', `ws+unix://${d.socketPath}`, 'call', 'vmware.query']);
 * ```
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ProcessResult, Teardown } from './daemon.js';
import { REPO_ROOT, childEnv } from './daemon.js';
import { tempDir } from './tmp-datastore.js';

/** Archive version of each client line the tests use (see the kit's README). */
export const TRUENAS_CLIENTS = {
  '24.10': 'TS-24.10.2.4',
  '25.10': 'TS-25.10.5',
  '26.0': 'TS-26.0.0-BETA.2',
  master: 'master-a0c890a',
} as const;

/** An installed client. */
export interface TrueNasClient {
  /** Runs its midclt with `args` (killed after `timeoutMs`, default 60 s). */
  midclt(args: readonly string[], opts?: RunOptions): Promise<ProcessResult>;
  /** Runs a Python script file with the client on the path. */
  python(script: string, args: readonly string[], opts?: RunOptions): Promise<ProcessResult>;
}

/** Options of one run. */
export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** The kit's folder in the repository. */
const CLIENTS_DIR = join(REPO_ROOT, 'tests/fixtures/truenas-clients');

function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, [...args], { env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', fail);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** Installs client `line` into a temporary folder (removed at teardown). Throws when install.sh fails. */
export async function installTrueNasClient(t: Teardown, line: keyof typeof TRUENAS_CLIENTS): Promise<TrueNasClient> {
  const dest = tempDir(t, `vsnapd-truenas-${line}-`);
  const r = await run('/bin/sh', [join(CLIENTS_DIR, 'install.sh'), TRUENAS_CLIENTS[line], dest]);
  if (r.code !== 0) throw new Error(`install.sh ${TRUENAS_CLIENTS[line]} failed: ${r.stderr}`);
  return {
    midclt: (args, opts) => run(join(dest, 'bin', 'midclt'), args, opts),
    python: (script, args, opts) => run(join(dest, 'bin', 'python'), [script, ...args], opts),
  };
}
