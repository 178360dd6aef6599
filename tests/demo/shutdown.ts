/**
 * The demo's last step: undo everything (./teardown.ts) and prove nothing is left: the daemon and
 * simulator processes have exited, the pool is gone, nothing is mounted under the demo folder and the
 * folder itself is removed. zfs-fuse is left as the demo found it (the fixture's lease decides; see
 * ./pool.ts).
 */
import { access } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '../../daemon/process-alive.js';
import { zfsDaemonRunning } from '../fixtures/zfs/daemon.js';
import { poolExists } from '../fixtures/zfs/pool.js';
import { bad, note, ok, step } from './output.js';
import { mountsUnder, type DemoPool } from './pool.js';
import type { Teardown } from './teardown.js';

/** What was built so far (filled in as the world comes up; any part may be missing after a failure). */
export interface BuiltParts {
  dir?: string;
  pool?: DemoPool;
  /** Process ids of the daemon and the vcsim launcher. */
  pids: { what: string; pid: number }[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function poolListed(name: string): Promise<boolean> {
  return (await zfsDaemonRunning()) && (await poolExists(name));
}

/** Runs the teardown, then checks what is left. Resolves with the problems found (empty = clean). */
export async function tearDown(teardown: Teardown, built: BuiltParts): Promise<string[]> {
  step('Tear down: daemon, simulator, pool, mounts, temporary files');
  const problems = await teardown.run();
  for (const { what, pid } of built.pids) {
    // Give a process that got its signal a moment to be reaped.
    for (let i = 0; i < 50 && processAlive(pid); i++) await sleep(100);
    if (processAlive(pid)) problems.push(`${what} (pid ${pid}) is still running`);
  }
  if (built.pool && (await poolListed(built.pool.pool).catch(() => false))) problems.push(`pool ${built.pool.pool} still exists`);
  if (built.dir) {
    const mounts = await mountsUnder(built.dir);
    if (mounts.length > 0) problems.push(`still mounted: ${mounts.join(', ')}`);
    if (await exists(built.dir)) problems.push(`${built.dir} still exists`);
  }
  if (problems.length > 0) {
    for (const p of problems) bad(p);
    return problems;
  }
  const what = built.pids.map((p) => `${p.what} (pid ${p.pid})`);
  if (what.length > 0) ok(`stopped ${what.join(' and ')}`);
  if (built.pool) ok(`pool ${built.pool.pool} destroyed; nothing mounted under ${built.dir ?? '(no folder)'}; folder removed`);
  if (built.pool) {
    const running = await zfsDaemonRunning();
    if (built.pool.startedZfs) note(running ? 'zfs-fuse keeps running: a test run still uses it (it stops with its last user)' : 'zfs-fuse stopped (the demo had started it)');
    else note(running ? 'zfs-fuse was running before the demo and is left running' : 'zfs-fuse stopped: the test run that started it has finished, and the demo was its last user');
  }
  return problems;
}
