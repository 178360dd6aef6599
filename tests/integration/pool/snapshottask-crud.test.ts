/**
 * pool.snapshottask create/update/delete/query over a real WebSocket against a daemon on a zfs-fuse
 * pool: TrueNAS defaults, validation attributes and messages, vmware_sync as a settable field, and
 * the collection_update events.
 */
import t from 'tap';
import type { CollectionUpdate } from '../../../client/index.js';
import { startPoolDaemon, waitFor } from '../../helpers/pool.js';
import { validationErrors } from '../../helpers/validation.js';

t.test('create with TrueNAS defaults, plus settable vmware_sync', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const ds = pool.dataset('vms');
  const entry = await client.call<Record<string, unknown>>('pool.snapshottask.create', { dataset: ds, vmware_sync: true });
  t.same(entry, {
    id: entry.id,
    dataset: ds,
    recursive: false,
    exclude: [],
    lifetime_value: 2,
    lifetime_unit: 'WEEK',
    naming_schema: 'auto-%Y-%m-%d_%H-%M',
    schedule: { minute: '00', hour: '*', dom: '*', month: '*', dow: '*', begin: '00:00', end: '23:59' },
    allow_empty: true,
    enabled: true,
    vmware_sync: true,
    vmware_rules: null,
    vmware_scripts: null,
    state: { state: 'PENDING' },
  });
  t.same(await client.call('pool.snapshottask.get_instance', entry.id), entry);
  t.same(await client.call('pool.snapshottask.query', [['vmware_sync', '=', true]], { count: true }), 1);
  const plain = await client.call<Record<string, unknown>>('pool.snapshottask.create', { dataset: ds, naming_schema: 'hourly-%Y%m%d-%H%M' });
  t.equal(plain.vmware_sync, false, 'vmware_sync defaults to false');
});

t.test('create validation: attributes and messages', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a'] });
  const ds = pool.dataset('vms');
  const create = (data: Record<string, unknown>) => validationErrors(client.call('pool.snapshottask.create', data));

  t.same(await create({ dataset: `${pool.pool}/nope` }), [['periodic_snapshot_create.dataset', 'Dataset not found']]);
  t.same(await create({ dataset: ds, exclude: [`${ds}/a`] }), [
    ['periodic_snapshot_create.exclude', 'Excluding datasets is not necessary for non-recursive periodic snapshot tasks'],
  ]);
  t.same(await create({ dataset: ds, recursive: true, exclude: [`${ds}/a`, 'other/x'] }), [
    ['periodic_snapshot_create.exclude.1', 'Excluded dataset should be a child or other descendant of the selected dataset'],
  ]);
  t.same(await create({ dataset: ds, naming_schema: 'snap_%y%m%d_%H%M' }), [
    ['periodic_snapshot_create.naming_schema', '%Y must be present in snapshot naming schema'],
  ]);
  t.same(await create({ dataset: ds, naming_schema: 'a/%Y%m%d%H%M' }), [
    ['periodic_snapshot_create.naming_schema', '/ is not an allowed character in ZFS snapshot name'],
  ]);
  t.same(await create({ dataset: ds, schedule: { begin: '9 am' } }), [
    ['periodic_snapshot_create.schedule.begin', 'Time should be in 24 hour format like "18:00"'],
  ]);
  const cron = await create({ dataset: ds, schedule: { minute: '61' } });
  t.equal(cron[0]?.[0], 'periodic_snapshot_create.schedule.minute', 'the cron field at fault is named');
  t.match(cron[0]?.[1], /^Please ensure fields match cron syntax - /);
  const three = await create({ dataset: ds, schedule: { minute: '61', hour: '25', begin: '9 am' } });
  t.same(three.map((e) => e[0]).sort(), ['periodic_snapshot_create.schedule.begin', 'periodic_snapshot_create.schedule.hour', 'periodic_snapshot_create.schedule.minute'], 'three bad fields, three errors at once');
  t.same(await create({ dataset: ds, schedule: { minute: '0', hour: '3', begin: '09:00', end: '17:00' } }), [
    ['periodic_snapshot_create.schedule', 'Specified schedule does not match specified time interval'],
  ]);
  t.same(await create({ dataset: ds, state: { state: 'FINISHED' } }), [['periodic_snapshot_create.state', 'Extra inputs are not permitted']]);
  t.same(await create({ dataset: ds, lifetime_unit: 'FORTNIGHT' }).then((e) => e.map((x) => x[0])), ['periodic_snapshot_create.lifetime_unit']);
  // A field of the wrong type does not hide the other fields' errors.
  const mixed = await create({ dataset: ds, lifetime_unit: 'FORTNIGHT', naming_schema: 'a/%Y%m%d%H%M', schedule: { minute: '61', end: 'noon' } });
  t.same(
    mixed.map((e) => e[0]).sort(),
    ['periodic_snapshot_create.lifetime_unit', 'periodic_snapshot_create.naming_schema', 'periodic_snapshot_create.schedule.end', 'periodic_snapshot_create.schedule.minute'],
    'a wrong type and three bad values: four errors at once',
  );
  // The same on update, for the fields given.
  const upd = await validationErrors(client.call('pool.snapshottask.update', 1, { lifetime_value: 'x', schedule: { hour: '24' } }));
  t.same(upd.map((e) => e[0]).sort(), ['periodic_snapshot_update.lifetime_value', 'periodic_snapshot_update.schedule.hour']);
  t.same(await client.call('pool.snapshottask.query'), [], 'nothing was stored');
});

t.test('update is partial, merges the schedule and validates the merged task', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a'] });
  const ds = pool.dataset('vms');
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: ds, schedule: { minute: '15', hour: '*/2' } });
  const updated = await client.call<Record<string, unknown>>('pool.snapshottask.update', task.id, {
    lifetime_value: 5,
    lifetime_unit: 'DAY',
    vmware_sync: true,
    schedule: { begin: '08:00', end: '20:00' },
  });
  t.match(updated, {
    lifetime_value: 5,
    lifetime_unit: 'DAY',
    vmware_sync: true,
    recursive: false,
    schedule: { minute: '15', hour: '*/2', begin: '08:00', end: '20:00' },
  });
  t.same(await validationErrors(client.call('pool.snapshottask.update', task.id, { exclude: [`${ds}/a`] })), [
    ['periodic_snapshot_update.exclude', 'Excluding datasets is not necessary for non-recursive periodic snapshot tasks'],
  ]);
  t.same(await validationErrors(client.call('pool.snapshottask.update', task.id, { dataset: `${pool.pool}/gone` })), [
    ['periodic_snapshot_update.dataset', 'Dataset not found'],
  ]);
  t.same(await validationErrors(client.call('pool.snapshottask.update', 999, { enabled: false })), [[null, 'Periodic Snapshot Task 999 does not exist']]);
  t.match(await client.call('pool.snapshottask.get_instance', task.id), { lifetime_value: 5, recursive: false }, 'failed updates changed nothing');
});

t.test('delete, get_instance of a missing task, and collection_update events', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const events: CollectionUpdate[] = [];
  await client.subscribe('pool.snapshottask.query', (u) => events.push(u));
  const task = await client.call<{ id: number }>('pool.snapshottask.create', { dataset: pool.dataset('vms') });
  await client.call('pool.snapshottask.update', task.id, { enabled: false });
  t.equal(await client.call('pool.snapshottask.delete', task.id), true);
  t.same(await validationErrors(client.call('pool.snapshottask.get_instance', task.id)), [[null, `Periodic Snapshot Task ${task.id} does not exist`]]);
  await waitFor('three events', () => events.length >= 3);
  t.same(events.map((e) => [e.msg, e.collection, e.id]), [
    ['added', 'pool.snapshottask.query', task.id],
    ['changed', 'pool.snapshottask.query', task.id],
    ['removed', 'pool.snapshottask.query', task.id],
  ]);
  t.match(events[1]?.fields, { enabled: false });
});
