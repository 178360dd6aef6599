/**
 * pool.dataset.query, pool.filesystem_choices and pool.snapshot.query/create/delete over a real
 * WebSocket against a daemon on a zfs-fuse pool.
 */
import t from 'tap';
import { zfs } from '../../fixtures/zfs/pool.js';
import { startPoolDaemon } from '../../helpers/pool.js';
import { validationErrors } from '../../helpers/validation.js';

t.test('datasets and filesystem choices', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a'] });
  const choices = await client.call<string[]>('pool.filesystem_choices');
  t.same(choices.filter((c) => c.startsWith(pool.pool)), [pool.pool, pool.dataset('vms'), pool.dataset('vms/a')]);
  t.same(await client.call('pool.filesystem_choices', ['VOLUME']).then((l) => (l as string[]).filter((c) => c.startsWith(pool.pool))), []);
  const [vms] = await client.call<Array<Record<string, unknown>>>('pool.dataset.query', [['id', '=', pool.dataset('vms')]]);
  t.match(vms, {
    id: pool.dataset('vms'),
    type: 'FILESYSTEM',
    pool: pool.pool,
    mountpoint: pool.mountpoint('vms'),
    used: { parsed: Number, rawvalue: String, value: String, source: 'NONE' },
    available: { parsed: Number },
    children: [{ name: pool.dataset('vms/a'), children: [] }],
  });
  t.same(await client.call('pool.dataset.get_instance', pool.dataset('vms/a'), { select: ['name'] }), { name: pool.dataset('vms/a') });
});

t.test('create by name or naming schema, with properties; query; delete', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms/a'] });
  const ds = pool.dataset('vms');
  const made = await client.call<Record<string, unknown>>('pool.snapshot.create', {
    dataset: ds,
    name: 'manual-1',
    recursive: true,
    properties: { 'vsnapd:note': 'before upgrade' },
  });
  t.match(made, {
    id: `${ds}@manual-1`,
    name: `${ds}@manual-1`,
    type: 'SNAPSHOT',
    dataset: ds,
    snapshot_name: 'manual-1',
    pool: pool.pool,
    properties: { 'vsnapd:note': { value: 'before upgrade', rawvalue: 'before upgrade', source: 'LOCAL', parsed: 'before upgrade' } },
  });
  t.ok(made.created instanceof Date);
  const bySchema = await client.call<{ snapshot_name: string }>('pool.snapshot.create', { dataset: ds, naming_schema: 'manual-%Y-%m-%d_%H-%M' });
  t.match(bySchema.snapshot_name, /^manual-\d{4}-\d\d-\d\d_\d\d-\d\d$/);

  const own = await client.call<Array<{ name: string }>>('pool.snapshot.query', [['dataset', '=', ds]], { order_by: ['name'] });
  t.same(own.map((s) => s.name), [`${ds}@${bySchema.snapshot_name}`, `${ds}@manual-1`].sort());
  const child = await client.call<Array<{ name: string }>>('pool.snapshot.query', [['dataset', '=', pool.dataset('vms/a')]]);
  t.same(child.map((s) => s.name), [`${pool.dataset('vms/a')}@manual-1`], 'recursive create');
  t.equal(await client.call('pool.snapshot.query', [['properties.vsnapd:note.value', '=', 'before upgrade']], { count: true }), 2);
  t.equal(await client.call('pool.snapshot.query', [['dataset', '=', `${pool.pool}/none`]], { count: true }), 0, 'a missing dataset has no snapshots');

  t.equal(await client.call('pool.snapshot.delete', `${ds}@manual-1`, { recursive: true }), true);
  t.same(await client.call('pool.snapshot.query', [['snapshot_name', '=', 'manual-1']]), []);
  await t.rejects(client.call('pool.snapshot.delete', `${ds}@manual-1`), { name: 'ClientCallError', errname: 'ENOENT' });
  t.same(await validationErrors(client.call('pool.snapshot.delete', ds)), [['id', 'Snapshot name must have the form <dataset>@<snapshot>']]);
});

t.test('create validation (TrueNAS texts) never reaches ZFS', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const ds = pool.dataset('vms');
  const create = (data: Record<string, unknown>) => validationErrors(client.call('pool.snapshot.create', data));
  t.same(await create({ dataset: ds }), [['snapshot_create.naming_schema', 'You must specify either name or naming schema']]);
  t.same(await create({ dataset: ds, name: 'a', naming_schema: 'b-%Y%m%d%H%M' }), [
    ['snapshot_create.naming_schema', "You can't specify name and naming schema at the same time"],
  ]);
  t.same(await create({ dataset: ds, naming_schema: 'b-%Y' }), [['snapshot_create.naming_schema', '%m must be present in snapshot naming schema']]);
  t.same(await create({ dataset: ds, name: '-r' }), [['snapshot_create.name', 'Invalid snapshot name: Snapshot name may not have a component starting with "-"']]);
  t.same(await create({ dataset: ds, name: 'a b!' }), [
    ['snapshot_create.name', 'Invalid snapshot name: Snapshot name has an invalid character "!" (allowed: letters, digits, "_", "-", ".", ":" and space)'],
  ]);
  t.same(await create({ dataset: '-o', name: 'x' }), [['snapshot_create.dataset', 'Dataset name (pool part) may not have a component starting with "-"']]);
  t.same(await create({ dataset: ds, name: 'x', exclude: [`${ds}/a`] }), [['snapshot_create.exclude', 'This option has no sense for non-recursive snapshots']]);
  t.same(await create({ dataset: ds, name: 'x', recursive: true, exclude: [`${ds}/a`], vmware_sync: true }), [
    ['snapshot_create.vmware_sync', 'This option is not supported when excluding datasets'],
  ]);
  t.same(await create({ dataset: ds, name: 'x', properties: { compression: 'off' } }), [
    ['snapshot_create.properties.compression', 'User property name "compression" must contain ":" (e.g. "vsnapd:run")'],
  ]);
  t.same(await zfs('list', '-H', '-o', 'name', '-t', 'snapshot', '-r', ds), '', 'no snapshot was taken');
  await t.rejects(client.call('pool.snapshot.create', { dataset: `${pool.pool}/missing`, name: 'x' }), { name: 'ClientCallError', errname: 'ENOENT' });
  await client.call('pool.snapshot.create', { dataset: ds, name: 'x' });
  await t.rejects(client.call('pool.snapshot.create', { dataset: ds, name: 'x' }), { name: 'ClientCallError', errname: 'EEXIST', message: /already exists/ });
});

t.test('vmware_sync runs as a job and the snapshot is taken', async (t) => {
  const { pool, client } = await startPoolDaemon(t, { datasets: ['vms'] });
  const ds = pool.dataset('vms');
  const made = await client.call<{ name: string }>('pool.snapshot.create', { dataset: ds, name: 'synced', vmware_sync: true });
  t.equal(made.name, `${ds}@synced`);
  const jobs = await client.call<Array<{ method: string; state: string }>>('core.get_jobs', [['method', '=', 'pool.snapshot.create_coordinated']]);
  t.match(jobs, [{ method: 'pool.snapshot.create_coordinated', state: 'SUCCESS' }]);
});
