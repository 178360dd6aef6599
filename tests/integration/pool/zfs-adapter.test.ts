/**
 * The CLI ZFS adapter against a real zfs-fuse pool (no mocks): listing, snapshots with user
 * properties, error mapping, written bytes, pool status, and feature detection.
 */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Errno } from '../../../daemon/errors.js';
import { createZfsAdapter } from '../../../plugins/pool/zfs/index.js';
import { withPool, zfs } from '../../fixtures/zfs/pool.js';
import { ZFS_BIN, ZPOOL_BIN } from '../../fixtures/zfs/daemon.js';

const adapter = createZfsAdapter({ zfs_path: ZFS_BIN, zpool_path: ZPOOL_BIN, timeout_ms: 30_000, mount_via: [] });

t.test('detects zfs-fuse and what it lacks', async (t) => {
  const caps = await adapter.capabilities();
  t.same(caps, { flavor: 'zfs-fuse', parsableList: false, writtenProperty: false, volumes: false });
});

t.test('lists datasets with sizes, mountpoints and children', async (t) => {
  const p = await withPool(t, { datasets: ['vms', 'vms/a', 'other'] });
  const all = await adapter.listDatasets({ root: p.pool });
  t.same(all.map((d) => d.name).sort(), [p.pool, `${p.pool}/other`, `${p.pool}/vms`, `${p.pool}/vms/a`]);
  const vms = all.find((d) => d.name === `${p.pool}/vms`);
  t.equal(vms?.type, 'FILESYSTEM');
  t.equal(vms?.mountpoint, p.mountpoint('vms'));
  t.same(vms?.children, [`${p.pool}/vms/a`]);
  t.ok((vms?.used ?? 0) > 0, 'used is bytes');
  t.ok((vms?.available ?? 0) > 1024 * 1024, 'available is bytes');
  t.equal(vms?.pool, p.pool);

  const one = await adapter.listDatasets({ root: `${p.pool}/vms`, recursive: false });
  t.same(one.map((d) => d.name), [`${p.pool}/vms`]);
  t.same(one[0]?.children, [`${p.pool}/vms/a`], 'children known even without recursion');

  const everything = await adapter.listDatasets();
  t.ok(everything.some((d) => d.name === `${p.pool}/vms/a`), 'listing without root sees the pool');

  await t.rejects(adapter.listDatasets({ root: `${p.pool}/nope` }), { name: 'CallError', errno: Errno.ENOENT });
});

t.test('creates, lists and destroys snapshots with user properties', async (t) => {
  const p = await withPool(t, { datasets: ['vms/a'] });
  const ds = `${p.pool}/vms`;
  const before = Date.now();
  await adapter.createSnapshot(ds, 'one', { recursive: true, properties: { 'vsnapd:run': '7', 'freenas:vmsynced': 'Y' } });
  await adapter.createSnapshot(ds, 'two');

  const own = await adapter.listSnapshots({ dataset: ds });
  t.same(own.map((s) => s.name), [`${ds}@one`, `${ds}@two`], 'non-recursive: only the dataset, in creation order');
  const one = own[0];
  t.equal(one?.dataset, ds);
  t.equal(one?.snapshotName, 'one');
  t.equal(one?.pool, p.pool);
  t.same(one?.userProperties, {
    'freenas:vmsynced': { value: 'Y', source: 'LOCAL' },
    'vsnapd:run': { value: '7', source: 'LOCAL' },
  });
  t.ok((one?.createdMs ?? 0) >= Math.floor(before / 1000) * 1000 && (one?.createdMs ?? 0) <= Date.now() + 1000);
  t.ok((one?.referenced ?? 0) > 0);
  t.equal(one?.createtxg, null, 'zfs-fuse has no createtxg');

  const tree = await adapter.listSnapshots({ dataset: ds, recursive: true });
  t.same(tree.map((s) => s.name), [`${ds}@one`, `${ds}@two`, `${ds}/a@one`]);
  t.same(tree[2]?.userProperties['vsnapd:run'], { value: '7', source: 'LOCAL' }, '-o applies to children of -r');

  await t.rejects(adapter.createSnapshot(ds, 'one'), { errno: Errno.EEXIST, message: /already exists/ });
  await t.rejects(adapter.createSnapshot(`${p.pool}/missing`, 'x'), { errno: Errno.ENOENT, message: /does not exist/ });

  await adapter.destroySnapshot(`${ds}@one`, { recursive: true });
  t.same((await adapter.listSnapshots({ dataset: ds, recursive: true })).map((s) => s.name), [`${ds}@two`]);
  await t.rejects(adapter.destroySnapshot(`${ds}@one`), { name: 'CallError', errno: Errno.ENOENT });
});

t.test('refuses bad names before running anything', async (t) => {
  const p = await withPool(t);
  await t.rejects(adapter.createSnapshot(p.pool, '-r'), { errno: Errno.EINVAL, message: /starting with "-"/ });
  await t.rejects(adapter.createSnapshot(`${p.pool}/-o`, 'x'), { name: 'CallError', errno: Errno.EINVAL });
  await t.rejects(adapter.createSnapshot(p.pool, 'bad!name'), { errno: Errno.EINVAL, message: /invalid character "!"/ });
  await t.rejects(adapter.destroySnapshot(p.pool), { errno: Errno.EINVAL, message: /<dataset>@<snapshot>/ });
  await t.rejects(adapter.createSnapshot(p.pool, 'x', { properties: { NoColon: '1' } }), { name: 'CallError', errno: Errno.EINVAL });
  await t.rejects(adapter.setUserProperties(p.pool, { 'a:b': 'x\ny' }), { name: 'CallError', errno: Errno.EINVAL });
  t.same(await adapter.listSnapshots({ dataset: p.pool }), [], 'nothing was created');
});

t.test('gets, sets and removes user properties', async (t) => {
  const p = await withPool(t, { datasets: ['d'] });
  const ds = p.dataset('d');
  await adapter.setUserProperties(ds, { 'vsnapd:a': '1', 'vsnapd:b': 'two words' });
  await adapter.createSnapshot(ds, 's');
  t.same(await adapter.getUserProperties(ds), {
    'vsnapd:a': { value: '1', source: 'LOCAL' },
    'vsnapd:b': { value: 'two words', source: 'LOCAL' },
  });
  const onSnap = await adapter.getUserProperties(`${ds}@s`);
  t.equal(onSnap['vsnapd:a']?.source, 'INHERITED', 'snapshots inherit dataset user properties');
  await adapter.removeUserProperty(ds, 'vsnapd:a');
  t.same(Object.keys(await adapter.getUserProperties(ds)), ['vsnapd:b']);
  await t.rejects(adapter.getUserProperties(`${p.pool}/missing`), { name: 'CallError', errno: Errno.ENOENT });
});

t.test('written bytes tell an empty snapshot from a changed one', async (t) => {
  const p = await withPool(t, { datasets: ['d'] });
  const ds = p.dataset('d');
  await adapter.createSnapshot(ds, 'first');
  t.ok((await adapter.writtenBytes(`${ds}@first`)) > 0, 'first snapshot: its referenced bytes');
  await adapter.createSnapshot(ds, 'same');
  t.equal(await adapter.writtenBytes(`${ds}@same`), 0, 'nothing written since the previous snapshot');
  await writeFile(join(p.mountpoint('d'), 'file'), 'x'.repeat(10_000));
  await adapter.createSnapshot(ds, 'changed');
  t.ok((await adapter.writtenBytes(`${ds}@changed`)) > 0, 'a written file shows');
  await t.rejects(adapter.writtenBytes(`${ds}@nope`), { name: 'CallError', errno: Errno.ENOENT });
});

t.test('pool status', async (t) => {
  const p = await withPool(t);
  const [status] = await adapter.poolStatus(p.pool);
  t.equal(status?.name, p.pool);
  t.equal(status?.health, 'ONLINE');
  t.ok((status?.size ?? 0) > 64 * 2 ** 20, 'size parsed from human form');
  t.ok((status?.free ?? 0) > 0);
  await t.rejects(adapter.poolStatus('vsnapdnosuchpool'), { errno: Errno.ENOENT, message: /no such pool/ });
});

t.test('binary paths come from the config', async (t) => {
  const broken = createZfsAdapter({ zfs_path: '/nonexistent/zfs', zpool_path: '/nonexistent/zpool', timeout_ms: 5000, mount_via: [] });
  await t.rejects(broken.listDatasets(), { errno: Errno.ENOENT, message: /\/nonexistent\/zfs not found.*zfs\.zfs_path/ });
});

t.test('a raw zfs check agrees with the adapter', async (t) => {
  const p = await withPool(t, { datasets: ['d'] });
  await adapter.createSnapshot(p.dataset('d'), 'x', { properties: { 'vsnapd:vmsynced': 'none' } });
  t.match(await zfs('get', '-H', '-o', 'value', 'vsnapd:vmsynced', `${p.dataset('d')}@x`), /^none/);
});
