/**
 * `npm run demo`: builds a small real world (a zfs-fuse pool with `tank/vmware`, VMware's simulator
 * with an NFS datastore on that dataset, the vsnapd daemon), runs the seed's setup workflow in it
 * through the real `midclt`, shows the evidence (per-VM report, the ZFS snapshot's `vsnapd:vmsynced`,
 * no VMware snapshot left) and tears everything down again, also on failure and on Ctrl-C.
 * Exit code 0 when every step did what it should, 1 when one did not, 128 + the signal number when interrupted (130 for Ctrl-C).
 *
 *   npm run demo                 the whole thing (< 1 min once the simulator is built)
 *   npm run demo -- --keep       leave the world running for exploring; Ctrl-C tears it down
 *   npm run demo -- --json       also print each call's raw JSON result
 *
 * Layout: world.ts + pool.ts (the world), world-steps.ts (steps 0–3), seed-steps.ts (step 4),
 * evidence.ts (step 5), restore-steps.ts (step 6), keep.ts, shutdown.ts (the last step), output.ts/render.ts (printing).
 */
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { showEvidence } from './evidence.js';
import { printKeepInstructions } from './keep.js';
import { bad, banner, DemoFailure, output, seconds, step, style } from './output.js';
import { runRestoreSteps } from './restore-steps.js';
import { runSeedSteps } from './seed-steps.js';
import { tearDown, type BuiltParts } from './shutdown.js';
import { Teardown } from './teardown.js';
import { provision, worldSteps } from './world-steps.js';
import { buildWorld, type DemoWorld } from './world.js';

const USAGE = `usage: npm run demo [-- [--keep] [--json]]
  --keep   leave the world running after the run (Ctrl-C tears it down)
  --json   also print the raw JSON result of each midclt call`;

/** Thrown into the run when a signal arrives. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/** pino's numeric levels. */
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Last lines of the daemon's log (pino JSON → "level msg"), for a failure report. */
function daemonLogTail(world: DemoWorld | null, lines = 15): string {
  if (!world) return '';
  return world.daemon
    .output()
    .trim()
    .split('\n')
    .slice(-lines)
    .map((l) => {
      try {
        const r = JSON.parse(l) as { level?: number; msg?: string; err?: { message?: string } };
        return `${LEVELS[r.level ?? 0] ?? r.level ?? ''} ${r.msg ?? ''}${r.err?.message ? `: ${r.err.message}` : ''}`;
      } catch {
        return l;
      }
    })
    .join('\n');
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs({ options: { keep: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = Date.now();
  const teardown = new Teardown();
  const built: BuiltParts = { pids: [] };
  let world: DemoWorld | null = null;

  let signals = 0;
  let onStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onStop = resolve));
  const handler = (signal: NodeJS.Signals) => {
    if (++signals === 1) onStop(signal);
    else banner(style.yellow('   … still tearing down, one moment'));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  const interruption = stopped.then((s) => {
    throw new Interrupted(s);
  });
  interruption.catch(() => undefined);

  banner(style.bold('vsnapd demo: VM-consistent ZFS snapshots of a VMware NFS datastore, on real parts'));
  let failure: string | null = null;
  let interrupted: NodeJS.Signals | null = null;
  let keeping = false;
  const run = async () => {
    if (process.getuid?.() !== 0) throw new DemoFailure('the demo needs root: zfs-fuse pools and FUSE mounts (run: sudo npm run demo)');
    await provision();
    const steps = worldSteps();
    world = await buildWorld(teardown, {
      async pool(pool, dir) {
        built.dir = dir;
        built.pool = pool;
        await steps.pool?.(pool, dir);
      },
      async vcsim(vc) {
        built.pids.push({ what: 'vcsim', pid: vc.pid });
        await steps.vcsim?.(vc);
      },
      async daemon(d, midclt) {
        built.pids.push({ what: 'vsnapd daemon', pid: d.pid });
        await steps.daemon?.(d, midclt);
      },
    });
    const w: DemoWorld = world;
    step('The seed\'s setup workflow, through midclt');
    const seed = await runSeedSteps(w, { raw: opts.json ?? false });
    step('The evidence');
    const report = await showEvidence(w, seed.run);
    step('Instant restore from the VM-consistent snapshot');
    await runRestoreSteps(w, report.snapshot, { raw: opts.json ?? false });
    if (opts.keep) {
      await printKeepInstructions(w);
      keeping = true;
      await stopped;
    }
  };
  const running = run();
  running.catch(() => undefined);
  // A bug anywhere (a stray rejection, an exception in a callback) fails the run; teardown still runs.
  const crashed = new Promise<never>((_resolve, reject) => {
    process.on('uncaughtException', reject);
    process.on('unhandledRejection', reject);
  });
  crashed.catch(() => undefined);
  try {
    await Promise.race([running, interruption, crashed]);
  } catch (err) {
    if (err instanceof Interrupted) {
      if (!keeping) interrupted = err.signal;
    } else {
      // A programming error gets its stack; a step's failure (a command, a check) its message.
      const bug = err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError;
      failure = err instanceof Error ? (bug ? (err.stack ?? err.message) : err.message) : String(err);
      bad(`FAILED: ${failure}`);
      const tail = daemonLogTail(world);
      if (tail) {
        banner('   daemon log (last lines):');
        output(tail);
      }
    }
  }
  if (interrupted) banner(style.yellow(`\n   Interrupted (${interrupted}): tearing down`));
  const problems = await tearDown(teardown, built);
  const took = seconds(started);
  if (interrupted) {
    banner(style.yellow(`\nDemo interrupted after ${took} s; ${problems.length === 0 ? 'everything was removed' : 'teardown problems above'}.`));
    return 128 + constants.signals[interrupted];
  }
  if (failure !== null || problems.length > 0) {
    const why = failure === null ? problems.join('; ') : (failure.split('\n')[0] ?? failure);
    banner(style.red(style.bold(`\nDemo FAILED after ${took} s: ${why}`)));
    return 1;
  }
  banner(style.green(style.bold(`\nDemo passed in ${took} s: every step did what it should, and nothing is left behind.`)));
  return 0;
}

process.exitCode = await main();
// Child processes and sockets are gone; leave without waiting for stray timers of the fixtures.
process.exit();
