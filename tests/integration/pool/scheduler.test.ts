/**
 * The scheduler inside the real daemon: a cron tick (delivered by the test-only
 * pool.snapshottask.test_tick instead of waiting for the wall clock) starts the task's run as a
 * `pool.snapshottask.run` job named by the tick's instant; ticks outside the window and ticks of
 * disabled tasks start nothing.
 */
import t from 'tap';
import { startPoolDaemon, waitFor } from '../../helpers/pool.js';

interface JobRow {
  id: number;
  method: string;
  arguments: unknown[];
  state: string;
}

t.test('a tick starts the run as a job; out-of-window and disabled tasks do not run', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms', 'other'] });
  const now = new Date();
  const hh = now.getUTCHours();
  const away = `${String((hh + 2) % 24).padStart(2, '0')}:00`;
  const every = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('vms'), schedule: { minute: '*' } });
  const outside = await client.call<{ id: number }>('pool.snapshottask.create', {
    dataset: pool.dataset('other'),
    schedule: { minute: '*', begin: away, end: away.replace(':00', ':59') },
  });
  const disabled = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('other'), schedule: { minute: '*' }, enabled: false });

  for (const id of [outside.id, disabled.id, every.id]) await client.call('pool.snapshottask.test_tick', id, now.toISOString());
  const runs = () => client.call<JobRow[]>('core.get_jobs', [['method', '=', 'pool.snapshottask.run']]);
  const done = await waitFor('the scheduled run', async () => (await runs()).find((j) => j.state === 'SUCCESS'));
  t.same(done.arguments, [every.id]);
  t.equal((await runs()).length, 1, 'no job for the out-of-window or disabled task');
  t.match((await client.call<{ state: unknown }>('pool.snapshottask.get_instance', every.id)).state, {
    state: 'FINISHED',
    last_snapshot: new RegExp(`^${pool.dataset('vms')}@auto-`),
  });

  // The same local minute again (e.g. the clock went back): not run twice.
  await client.call('pool.snapshottask.test_tick', every.id, now.toISOString());
  // Enabling the task schedules it; its tick now runs.
  await client.call('pool.snapshottask.update', disabled.id, { enabled: true });
  await client.call('pool.snapshottask.test_tick', disabled.id, now.toISOString());
  await waitFor('the newly enabled task run', async () => (await runs()).filter((j) => j.state === 'SUCCESS').length === 2);
  t.same((await runs()).map((j) => j.arguments[0]).sort(), [every.id, disabled.id].sort(), 'one run each');
});

t.test('a scheduled run is named by its tick, not by when it started (zettarepl names by the schedule)', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'], timezone: 'Europe/Berlin' });
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('vms'), naming_schema: 'tick-%Y-%m-%d_%H-%M', schedule: { minute: '*' } });
  // A tick far from the wall clock: a name taken from "now" could not match it.
  await client.call('pool.snapshottask.test_tick', task.id, '2031-02-03T04:05:59.000Z');
  const runs = () => client.call<JobRow[]>('core.get_jobs', [['method', '=', 'pool.snapshottask.run']]);
  await waitFor('the scheduled run', async () => (await runs()).find((j) => j.state === 'SUCCESS'));
  t.match((await client.call<{ state: { last_snapshot: string } }>('pool.snapshottask.get_instance', task.id)).state, {
    state: 'FINISHED',
    last_snapshot: `${pool.dataset('vms')}@tick-2031-02-03_05-05`, // 04:05 UTC is 05:05 in Berlin (CET)
  });
  // A run started by a client is still named by the clock.
  await client.callJob('pool.snapshottask.run', [task.id]);
  const manual = (await client.call<{ state: { last_snapshot: string } }>('pool.snapshottask.get_instance', task.id)).state.last_snapshot;
  t.notMatch(manual, /@tick-2031-/, `a client's run is named by the clock (${manual})`);
});
