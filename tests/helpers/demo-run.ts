/**
 * Runs the demo as a user would, as a real process in its own session, and checks that it left
 * nothing behind (tests/integration/demo/*.test.ts). "Processes it spawned" = processes of that
 * session; zfs-fuse, the one part started in a new session on purpose, is the fixture lease's business.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { zfsDaemonRunning } from '../fixtures/zfs/daemon.js';
import { zpool } from '../fixtures/zfs/pool.js';
import { REPO_ROOT } from './daemon.js';
/** A running demo. */
export interface DemoRun {
  readonly pid: number;
  /** Resolves when the process exits. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  output(): string;
  /** Sends `signal` to the demo's whole process group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
}

/** The environment a user would have: no VSNAPD_/MIDCLT_ variables of the test runner. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VSNAPD_|MIDCLT_|TAP)/.test(k)) env[k] = v;
  return env;
}

/** Starts `command args` in the repository, in a new session, with the user's environment plus `env`. */
export function startDemo(command: string, args: string[], env: Record<string, string> = {}): DemoRun {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...userEnv(), ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, output })),
  );
  return {
    pid: child.pid!,
    done,
    output: () => output,
    signalGroup: (signal) => process.kill(-child.pid!, signal),
  };
}

/** Pids of live processes whose session id is `sid` (field 6 of /proc/<pid>/stat). */
export function sessionMembers(sid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid && fields[0] !== 'Z') pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** The demo's folder and pool, read from its output (`zpool create … -m <dir>/mnt/<pool> <pool> <vdev>`). */
function worldOf(output: string): { dir: string; pool: string } {
  const m = /zpool create -o cachefile=none -m (\S+)\/mnt\/(\S+) \S+ \S+/.exec(output);
  if (!m) throw new Error(`no zpool create line in the demo output:\n${output}`);
  return { dir: m[1]!, pool: m[2]! };
}

/** Asserts that no process of the run's session, no pool, mount or folder of the demo is left. */
export async function assertNothingLeft(t: Test, run: DemoRun, output: string): Promise<void> {
  const { dir, pool } = worldOf(output);
  // Processes the demo started and stopped are reaped a moment after it exits.
  let left = sessionMembers(run.pid);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await sleep(100);
    left = sessionMembers(run.pid);
  }
  t.same(left, [], 'no process of the demo\'s session is left');
  const pools = (await zfsDaemonRunning()) ? (await zpool('list', '-H', '-o', 'name')).split('\n') : [];
  t.notOk(pools.includes(pool), `pool ${pool} is gone`);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(dir));
  t.same(mounts, [], 'nothing is mounted under the demo folder');
  t.notOk(existsSync(dir), 'the demo folder is removed');
  for (const m of output.matchAll(/\(pid (\d+)\)/g)) {
    t.throws(() => process.kill(Number(m[1]), 0), `pid ${m[1]} has exited`);
  }
}
