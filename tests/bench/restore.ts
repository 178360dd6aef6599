/**
 * Benchmark of the instant restore (not a test: it prints figures, asserts nothing). In the demo's
 * world (zfs-fuse `tank/vmware`, vcsim with web01 on the NFS datastore of that dataset, the real
 * daemon over its Unix socket) it takes one coordinated snapshot, then restores web01 from it
 * (`vmware.restore`, powered on) and removes the copy again (`vmware.restore_cleanup`), `--rounds`
 * times (default 5), and prints each call's wall time (job submit to result) and the median of each
 * step as the restore record reports it (clone, share, datastore, register, network, power on; then
 * power off, unregister, unmount, unshare, destroy).
 *
 * Run: `node --import tsx tests/bench/restore.ts [--rounds 5]` or via `npm run bench` (as root: it
 * makes a zfs-fuse pool).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { RestoreEntry } from '../../plugins/vmware/restore/schemas.js';
import { Teardown } from '../demo/teardown.js';
import { buildWorld } from '../demo/world.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2;
};

/** Runs the benchmark and prints its figures. */
export async function run(opts: { rounds?: number } = {}): Promise<void> {
  const rounds = opts.rounds ?? 5;
  const teardown = new Teardown();
  try {
    const w = await buildWorld(teardown);
    const client = await w.daemon.root();
    await client.call('vmware.create', {
      hostname: w.vc.host,
      port: w.vc.port,
      username: w.vc.username,
      password: w.vc.password,
      filesystem: w.pool.dataset,
      tls: { ca: w.vc.certPem },
    });
    await client.call('pool.snapshot.create', { dataset: w.pool.dataset, name: 'bench', vmware_sync: true });
    const request = { snapshot: `${w.pool.dataset}@bench`, vms: ['web01'], host: 'DC0_C0_H0', power_on: true };
    console.log(`# instant restore of one VM (vcsim, zfs-fuse), ${rounds} rounds`);
    console.log('| round | vmware.restore ms | vmware.restore_cleanup ms |\n|---:|---:|---:|');
    const walls: { restore: number[]; cleanup: number[] } = { restore: [], cleanup: [] };
    const steps = new Map<string, number[]>();
    const add = (step: string, ms: number) => steps.set(step, [...(steps.get(step) ?? []), ms]);
    for (let i = 1; i <= rounds; i++) {
      let t0 = performance.now();
      const r = await client.callJob<RestoreEntry>('vmware.restore', [request]);
      const restoreMs = performance.now() - t0;
      if (r.state !== 'READY') throw new Error(`restore ${r.id} ended ${r.state}: ${r.error ?? ''}`);
      t0 = performance.now();
      const c = await client.callJob<RestoreEntry>('vmware.restore_cleanup', [r.id]);
      const cleanupMs = performance.now() - t0;
      if (c.state !== 'CLEANED') throw new Error(`cleanup of ${r.id} ended ${c.state}: ${c.error ?? ''}`);
      walls.restore.push(restoreMs);
      walls.cleanup.push(cleanupMs);
      for (const s of [...c.steps, ...(c.vms[0]?.steps ?? [])]) add(s.step, s.ms);
      console.log(`| ${i} | ${restoreMs.toFixed(0)} | ${cleanupMs.toFixed(0)} |`);
    }
    console.log(`| median | ${median(walls.restore).toFixed(0)} | ${median(walls.cleanup).toFixed(0)} |`);
    console.log('\n## median per step (ms, from the restore record)');
    console.log('| step | ms |\n|---|---:|');
    for (const [step, ms] of steps) console.log(`| ${step} | ${median(ms).toFixed(0)} |`);
  } finally {
    const problems = await teardown.run();
    if (problems.length > 0) console.error(`teardown: ${problems.join('; ')}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
  await run(values.rounds !== undefined ? { rounds: Number(values.rounds) } : {});
  process.exit();
}
