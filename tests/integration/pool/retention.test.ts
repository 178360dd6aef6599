/**
 * Retention after a run, against a real zfs-fuse pool: snapshots with back-dated names (created
 * directly with zfs) are destroyed exactly when the task owns them and they expired; everything
 * else stays. Multiple owners keep a snapshot until the longest lifetime ends.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { zfs } from '../../fixtures/zfs/pool.js';
import { startPoolDaemon } from '../../helpers/pool.js';

const HOUR = 3_600_000;
/** `auto-YYYY-MM-DD_HH-MM[-SS]` for `ms` in UTC. */
const name = (ms: number, seconds = false) => {
  const iso = new Date(ms).toISOString();
  return `auto-${iso.slice(0, 10)}_${iso.slice(11, 13)}-${iso.slice(14, 16)}${seconds ? `-${iso.slice(17, 19)}` : ''}`;
};
const thisHour = () => Math.floor(Date.now() / HOUR) * HOUR;

async function snapshotsOf(dataset: string): Promise<string[]> {
  const out = await zfs('list', '-H', '-o', 'name', '-t', 'snapshot', '-r', dataset);
  return out.split('\n').filter((n) => n.startsWith(`${dataset}@`)).map((n) => n.slice(dataset.length + 1)).sort();
}

t.test('destroys exactly the expired snapshots the task owns', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a', 'other'] });
  const ds = pool.dataset('vms');
  const base = thisHour();
  const expired = [name(base - 3 * HOUR), name(base - 5 * HOUR)];
  const kept = [name(base - HOUR), name(base - 4 * HOUR - 30 * 60_000), 'manual-keep'];
  for (const s of [...expired, ...kept]) await zfs('snapshot', `${ds}@${s}`);
  await zfs('snapshot', `${pool.dataset('vms/a')}@${name(base - 5 * HOUR)}`);
  await zfs('snapshot', `${pool.dataset('other')}@${name(base - 5 * HOUR)}`);

  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, lifetime_value: 2, lifetime_unit: 'HOUR' });
  await client.callJob('pool.snapshottask.run', [task.id]);
  const { state } = await client.call<{ state: { last_snapshot: string } }>('pool.snapshottask.get_instance', task.id);
  const taken = state.last_snapshot.split('@')[1] ?? '';
  t.same(await snapshotsOf(ds), [...kept, taken].sort(), 'expired on-schedule snapshots gone; off-schedule and manual ones kept');
  t.same(await snapshotsOf(pool.dataset('vms/a')), [name(base - 5 * HOUR)], 'a non-recursive task leaves children alone');
  t.same(await snapshotsOf(pool.dataset('other')), [name(base - 5 * HOUR)], 'other datasets are never touched');
});

t.test('several owners: kept until the longest lifetime ends', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const ds = pool.dataset('vms');
  const base = thisHour();
  const old = [name(base - 3 * HOUR, true), name(base - 6 * HOUR, true)];
  for (const s of old) await zfs('snapshot', `${ds}@${s}`);
  const schema = 'auto-%Y-%m-%d_%H-%M-%S';
  const short = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, naming_schema: schema, lifetime_value: 1, lifetime_unit: 'HOUR' });
  const long = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, naming_schema: schema, lifetime_value: 1, lifetime_unit: 'WEEK' });
  await client.callJob('pool.snapshottask.run', [short.id]);
  t.same((await snapshotsOf(ds)).filter((s) => old.includes(s)), old.sort(), 'the week-long owner keeps them');
  await client.call('pool.snapshottask.update', long.id, { enabled: false });
  await sleep(1100); // seconds in the schema: a new name
  await client.callJob('pool.snapshottask.run', [short.id]);
  t.same((await snapshotsOf(ds)).filter((s) => old.includes(s)), [], 'a disabled task owns nothing; the hour-long owner expires them');
  t.equal((await snapshotsOf(ds)).length, 2, "both runs' snapshots remain");
});

t.test('recursive tasks prune their tree minus excluded datasets', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a', 'vms/scratch'] });
  const ds = pool.dataset('vms');
  const old = name(thisHour() - 5 * HOUR);
  await zfs('snapshot', '-r', `${ds}@${old}`);
  const task = await client.call<{ id: number }>('pool.snapshottask.create', {
    dataset: ds,
    recursive: true,
    exclude: [pool.dataset('vms/scratch')],
    lifetime_value: 1,
    lifetime_unit: 'HOUR',
  });
  await client.callJob('pool.snapshottask.run', [task.id]);
  const { state } = await client.call<{ state: { last_snapshot: string } }>('pool.snapshottask.get_instance', task.id);
  const taken = state.last_snapshot.split('@')[1] ?? '';
  t.same(await snapshotsOf(ds), [taken]);
  t.same(await snapshotsOf(pool.dataset('vms/a')), [taken]);
  t.same(await snapshotsOf(pool.dataset('vms/scratch')), [old], 'excluded: neither snapshotted nor pruned');
});
