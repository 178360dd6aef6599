/**
 * pool.snapshottask.run over a real WebSocket against a daemon on a zfs-fuse pool: the run job,
 * task state and its events, "already existed", "Task is not enabled", allow_empty, HOLD when the
 * pool is gone, and the SnapshotTaskFailed alert.
 */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CollectionUpdate } from '../../../client/index.js';
import { zfs, zpool } from '../../fixtures/zfs/pool.js';
import { startPoolDaemon, waitFor } from '../../helpers/pool.js';

/** Snapshot names (after @) of a dataset, straight from ZFS. */
async function snapshotsOf(dataset: string): Promise<string[]> {
  const out = await zfs('list', '-H', '-o', 'name', '-t', 'snapshot', '-r', dataset);
  return out.split('\n').filter((n) => n.startsWith(`${dataset}@`)).map((n) => n.slice(dataset.length + 1));
}

/** Task names use the current minute: keep two runs that must share a minute away from its end. */
async function awayFromMinuteEdge(): Promise<void> {
  const s = new Date().getUTCSeconds();
  if (s >= 45) await sleep((61 - s) * 1000);
}

const minuteName = (prefix: string, d = new Date()) => `${prefix}${d.toISOString().slice(0, 16).replace('T', '_').replace(':', '-')}`;

t.test('run takes the snapshot as a job, streams state, and refuses the same minute twice', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const ds = pool.dataset('vms');
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds });
  const events: CollectionUpdate[] = [];
  await client.subscribe('pool.snapshottask.query', (u) => events.push(u));
  await awayFromMinuteEdge();
  const expected = minuteName('auto-');
  t.equal(await client.callJob('pool.snapshottask.run', [task.id]), null);
  t.same(await snapshotsOf(ds), [expected]);

  const entry = await client.call<{ state: Record<string, unknown> }>('pool.snapshottask.get_instance', task.id);
  t.match(entry.state, { state: 'FINISHED', last_snapshot: `${ds}@${expected}` });
  t.ok(entry.state.datetime instanceof Date, 'datetime is a {$date} on the wire');
  await waitFor('FINISHED event', () => events.some((e) => (e.fields?.state as { state?: string } | undefined)?.state === 'FINISHED'));
  const states = events.map((e) => (e.fields?.state as { state: string }).state);
  t.same(states, ['RUNNING', 'FINISHED'], 'state changes are streamed as changed events with fields.state');

  const jobs = await client.call<Array<{ method: string; state: string; arguments: unknown[] }>>('core.get_jobs', [['method', '=', 'pool.snapshottask.run']]);
  t.match(jobs, [{ method: 'pool.snapshottask.run', state: 'SUCCESS', arguments: [task.id] }]);

  await t.rejects(client.callJob('pool.snapshottask.run', [task.id]), {
    name: 'ClientCallError',
    errname: 'EEXIST',
    reason: `[EEXIST] Snapshot ${ds}@${expected} already existed. This probably happened because the task already ran on schedule.`,
  });
  t.match((await client.call<{ state: unknown }>('pool.snapshottask.get_instance', task.id)).state, { state: 'FINISHED' }, 'as zettarepl: not an ERROR');
});

t.test('disabled and missing tasks', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('vms'), enabled: false });
  await t.rejects(client.callJob('pool.snapshottask.run', [task.id]), { name: 'ClientCallError', reason: '[EFAULT] Task is not enabled' });
  await t.rejects(client.callJob('pool.snapshottask.run', [999]), { message: /Periodic Snapshot Task 999 does not exist/ });
  t.same(await snapshotsOf(pool.dataset('vms')), []);
});

t.test('allow_empty: false destroys snapshots in which nothing was written, per dataset', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a'] });
  const ds = pool.dataset('vms');
  await zfs('snapshot', '-r', `${ds}@base`);
  const task = await client.call<{ id: number }>('pool.snapshottask.create', {
    dataset: ds,
    recursive: true,
    allow_empty: false,
    naming_schema: 'auto-%Y-%m-%d_%H-%M-%S',
  });
  t.equal(await client.callJob('pool.snapshottask.run', [task.id]), null);
  t.same(await snapshotsOf(ds), ['base'], 'nothing changed: both snapshots destroyed');
  t.same(await snapshotsOf(pool.dataset('vms/a')), ['base']);
  t.match((await client.call<{ state: unknown }>('pool.snapshottask.get_instance', task.id)).state, { state: 'FINISHED', last_snapshot: null });

  await writeFile(join(pool.mountpoint('vms'), 'disk.vmdk'), 'x'.repeat(100_000));
  await sleep(1100); // the schema has seconds: the next run gets a new name
  t.equal(await client.callJob('pool.snapshottask.run', [task.id]), null);
  const kept = await snapshotsOf(ds);
  t.equal(kept.length, 2, 'the written dataset keeps its snapshot');
  t.same(await snapshotsOf(pool.dataset('vms/a')), ['base'], 'the unchanged child loses its snapshot');
  t.match((await client.call<{ state: unknown }>('pool.snapshottask.get_instance', task.id)).state, { last_snapshot: `${ds}@${kept[1]}` });
});

t.test('a failed run raises SnapshotTaskFailed and the next success clears it', async (t) => {
  const { pool, client } = await startPoolDaemon(t);
  const ds = pool.dataset('vms');
  // Not mounted, so destroying it cannot hit a busy FUSE mount.
  await zfs('create', '-o', 'mountpoint=none', ds);
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, naming_schema: 'auto-%Y-%m-%d_%H-%M-%S' });
  await zfs('destroy', '-r', ds);
  await t.rejects(client.callJob('pool.snapshottask.run', [task.id]), { errname: 'ENOENT', message: /does not exist/ });
  const state = (await client.call<{ state: { state: string; error: string } }>('pool.snapshottask.get_instance', task.id)).state;
  t.equal(state.state, 'ERROR');
  t.match(state.error, /does not exist/);
  const alerts = await client.call<Array<{ klass: string; formatted: string }>>('alert.list');
  t.match(alerts.filter((a) => a.klass === 'SnapshotTaskFailed'), [{ formatted: new RegExp(`^Periodic snapshot task ${task.id} of "${ds}" failed: `) }]);

  await zfs('create', '-o', 'mountpoint=none', ds);
  t.equal(await client.callJob('pool.snapshottask.run', [task.id]), null);
  const after = await client.call<Array<{ klass: string }>>('alert.list');
  t.same(after.filter((a) => a.klass === 'SnapshotTaskFailed'), []);
});

t.test('HOLD when the pool is gone', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('vms') });
  await zpool('export', pool.pool);
  await t.rejects(client.callJob('pool.snapshottask.run', [task.id]), { name: 'ClientCallError', reason: `[EIO] Pool ${pool.pool} is offline.` });
  t.match((await client.call<{ state: unknown }>('pool.snapshottask.get_instance', task.id)).state, {
    state: 'HOLD',
    reason: `Pool ${pool.pool} is offline.`,
  });
});

t.test('a run in a job can be followed through core.get_jobs events', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('vms'), naming_schema: 'p-%Y%m%d-%H%M%S' });
  const progress: number[] = [];
  await client.callJob('pool.snapshottask.run', [task.id], (p) => {
    if (typeof p.percent === 'number') progress.push(p.percent);
  });
  t.ok(progress.includes(100), 'progress reaches 100');
  t.ok(progress.every((p, i) => i === 0 || p >= (progress[i - 1] ?? 0)), 'progress only grows');
});

t.test('a vmware_sync task returns its snapshot and coordination (no entry covers it: vmsynced none)', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const ds = pool.dataset('vms');
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, naming_schema: 'sync-%Y%m%d-%H%M%S', vmware_sync: true });
  const result = await client.callJob<{ snapshot: string; vmware_sync: unknown }>('pool.snapshottask.run', [task.id]);
  t.match(result.snapshot, new RegExp(`^${ds}@sync-\\d{8}-\\d{6}$`));
  t.same(result.vmware_sync, { vmsynced: 'none', state: null, run_id: null, error: null, report: null }, 'no run, no report');
  t.same(await snapshotsOf(ds), [result.snapshot.slice(ds.length + 1)]);
});
