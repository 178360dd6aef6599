/**
 * Tasks on the same dataset running at the same time (real daemon, real zfs-fuse pool): they share
 * a snapshot they both produce, keep each other's snapshots, and never fail because of each other.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { zfs } from '../../fixtures/zfs/pool.js';
import { startPoolDaemon, waitFor } from '../../helpers/pool.js';

const HOUR = 3_600_000;
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-');

async function snapshotsOf(dataset: string): Promise<string[]> {
  const out = await zfs('list', '-H', '-o', 'name', '-t', 'snapshot', '-r', dataset);
  return out.split('\n').filter((n) => n.startsWith(`${dataset}@`)).map((n) => n.slice(dataset.length + 1)).sort();
}

t.test('two tasks producing the same snapshot at once share it', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const ds = pool.dataset('vms');
  const schema = 'same-%Y-%m-%d_%H-%M-%S';
  const a = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, naming_schema: schema });
  const b = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, naming_schema: schema, lifetime_value: 1, lifetime_unit: 'YEAR' });
  // Start both in the same second; the one that comes second shares the first one's snapshot.
  while (new Date().getMilliseconds() > 500) await sleep(20);
  const results = await Promise.all([client.callJob('pool.snapshottask.run', [a.id]), client.callJob('pool.snapshottask.run', [b.id])]);
  t.same(results, [null, null], 'both runs succeed');
  const snaps = await snapshotsOf(ds);
  t.equal(snaps.length, 1, 'one snapshot');
  for (const id of [a.id, b.id]) {
    t.match((await client.call<{ state: unknown }>('pool.snapshottask.get_instance', id)).state, { state: 'FINISHED', last_snapshot: `${ds}@${snaps[0]}` });
  }
});

t.test('tasks with different schemas keep each other’s snapshots while pruning their own', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a'] });
  const ds = pool.dataset('vms');
  const base = Math.floor(Date.now() / HOUR) * HOUR;
  // hourly-…: one expired for the hourly task (lifetime 2 h), one not. daily-…: within 1 week.
  const hourlyOld = `hourly-${stamp(base - 5 * HOUR)}`;
  const hourlyNew = `hourly-${stamp(base - HOUR)}`;
  const dailyOld = `daily-${stamp(base - 43 * HOUR)}`;
  for (const s of [hourlyOld, hourlyNew, dailyOld]) await zfs('snapshot', `${ds}@${s}`);
  // Each schedule owns its back-dated snapshots (retention only prunes snapshots whose time the
  // schedule matches) but does not fire during the test (its hours are not the current one; UTC is
  // the daemon's zone): a scheduled run would add a snapshot, or collide with a manual run in the
  // same second ("already existed"), as `minute: '*'` did whenever the rounds crossed a minute.
  const hourOf = (ms: number) => String(new Date(ms).getUTCHours());
  const hourly = await client.call<{ id: number }>('pool.snapshottask.create', {
    dataset: ds,
    naming_schema: 'hourly-%Y-%m-%d_%H-%M-%S',
    lifetime_value: 2,
    lifetime_unit: 'HOUR',
    schedule: { minute: '0', hour: `${hourOf(base - 5 * HOUR)},${hourOf(base - HOUR)}` },
  });
  const daily = await client.call<{ id: number }>('pool.snapshottask.create', {
    dataset: ds,
    recursive: true,
    naming_schema: 'daily-%Y-%m-%d_%H-%M-%S',
    lifetime_value: 1,
    lifetime_unit: 'WEEK',
    schedule: { minute: '0', hour: hourOf(base - 43 * HOUR) },
  });
  const taken: string[] = [];
  for (let round = 0; round < 3; round++) {
    const results = await Promise.all([client.callJob('pool.snapshottask.run', [hourly.id]), client.callJob('pool.snapshottask.run', [daily.id])]);
    t.same(results, [null, null], `round ${round}: both runs succeed`);
    for (const id of [hourly.id, daily.id]) {
      const { state } = await client.call<{ state: { last_snapshot: string } }>('pool.snapshottask.get_instance', id);
      taken.push(state.last_snapshot.split('@')[1] ?? '');
    }
    await sleep(1100); // new names next round (seconds in the schemas)
  }
  t.equal(new Set(taken).size, 6, 'six distinct snapshots taken');
  t.same(await snapshotsOf(ds), [...taken, hourlyNew, dailyOld].sort(), 'only the expired hourly snapshot is gone');
  t.same(await snapshotsOf(pool.dataset('vms/a')), taken.filter((s) => s.startsWith('daily-')).sort(), 'the recursive task covers the child');
});

t.test('runs of one task never overlap', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('vms'), naming_schema: 'one-%Y-%m-%d_%H-%M-%S' });
  const states: string[] = [];
  await client.subscribe('pool.snapshottask.query', (u) => {
    const s = (u.fields?.state as { state?: string } | undefined)?.state;
    if (s) states.push(s);
  });
  const outcomes = await Promise.allSettled([client.callJob('pool.snapshottask.run', [task.id]), client.callJob('pool.snapshottask.run', [task.id])]);
  // The second run waits for the first (job lock); in the same second it finds the snapshot taken.
  for (const o of outcomes) {
    if (o.status === 'rejected') t.match(o.reason, { errname: 'EEXIST', message: /already existed/ });
  }
  t.ok(outcomes.some((o) => o.status === 'fulfilled'), 'at least one run took the snapshot');
  await waitFor('both runs streamed', () => states.length >= 4);
  t.same(states, ['RUNNING', 'FINISHED', 'RUNNING', 'FINISHED'], 'the second run started after the first finished');
});
