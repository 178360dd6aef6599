/**
 * sharing.nfs through the real daemon, a real WebSocket/Unix-socket client, the real midclt and a
 * real zfs-fuse pool: the seed's step 1 (`sharing.nfs.create` with root/wheel), validation errors,
 * update, delete (the dataset stays), the generated exports file, and a missing NFS server reported
 * instead of failing the call.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Client, CollectionUpdate } from '../../../client/index.js';
import { withPool, zfs } from '../../fixtures/zfs/pool.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { validationErrors } from '../../helpers/validation.js';

interface Share {
  id: number;
  path: string;
  networks: string[];
  hosts: string[];
  ro: boolean;
  maproot_user: string | null;
  maproot_group: string | null;
  mapall_user: string | null;
  enabled: boolean;
  comment: string;
}

/** Lines of the exports file without its comment header; [] when the file does not exist. */
async function exportLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

t.test('sharing.nfs on a zfs-fuse dataset, without an NFS server', async (t) => {
  const pool = await withPool(t, { datasets: ['vmware', 'other'] });
  const vmware = pool.mountpoint('vmware');
  const exportsPath = join(pool.dir, 'exports.d', 'vsnapd.exports');
  const d: TestDaemon = await startTestDaemon(t, {
    config: { nfs: { exports_path: exportsPath, exportfs_path: join(pool.dir, 'no-nfs-server', 'exportfs') } },
  });
  const root: Client = await d.root();
  const events: CollectionUpdate[] = [];
  await root.subscribe('sharing.nfs.query', (u) => events.push(u));

  // 1. The seed's step 1, through midclt, with the path adapted to the test pool.
  const seed = { path: vmware, networks: ['192.168.1.0/24'], maproot_user: 'root', maproot_group: 'wheel' };
  const r = await d.midclt(['call', 'sharing.nfs.create', JSON.stringify(seed)]);
  t.equal(r.code, 0, r.stderr);
  const created = JSON.parse(r.stdout) as Share;
  t.match(created, { ...seed, hosts: [], ro: false, mapall_user: null, enabled: true, comment: '' });
  t.same(await exportLines(exportsPath), [`"${vmware}" 192.168.1.0/24(rw,sync,no_subtree_check,no_root_squash)`]);
  t.same(await root.call('sharing.nfs.get_instance', created.id), created);
  t.same(await root.call('sharing.nfs.query', [['path', '=', vmware]], { select: ['id'] }), [{ id: created.id }]);

  // A missing exportfs is reported, not failed.
  const status = await root.call<{ state: string; shares: number; message: string }>('sharing.nfs.exports_status');
  t.match(status, { state: 'NOT_INSTALLED', shares: 1, message: /NFS server not installed/ });
  const alerts = await root.call<Array<{ klass: string; formatted: string }>>('alert.list');
  t.match(alerts.find((a) => a.klass === 'NFSExportsNotServed'), { formatted: new RegExp(`written to ${exportsPath}.*not installed`) });

  t.test('validation errors name the field', async (t) => {
    const create = (data: Record<string, unknown>) => validationErrors(root.call('sharing.nfs.create', { path: pool.mountpoint('other'), ...data }));
    t.match(await create({ networks: ['192.168.1.0/33'] }), [['sharingnfs_create.networks', /do not appear to be valid IPv4 or IPv6 networks: 192\.168\.1\.0\/33/]]);
    t.match(await create({ hosts: ['esx1(rw,no_root_squash)'] }), [['sharingnfs_create.hosts', /Invalid host entries/]]);
    t.match(await create({ path: join(vmware, 'missing') }), [['sharingnfs_create.path', /does not exist/]]);
    t.match(await create({ path: d.tmpDir }), [['sharingnfs_create.path', /must reside within a pool mount point/]]);
    t.same(await create({ maproot_user: 'root', mapall_user: 'root' }), [['sharingnfs_create.mapall_user', 'maproot_user disqualifies mapall_user']]);
    t.same(await create({ mapall_user: 'vsnapd-no-such-user' }), [['sharingnfs_create.mapall_user', 'User not found: vsnapd-no-such-user']]);
    t.same(await create({ maproot_user: 'root', maproot_group: 'vsnapd-no-such-group' }), [['sharingnfs_create.maproot_group', 'Group not found: vsnapd-no-such-group']]);
    t.same(await create({ sharenfs: true }), [['sharingnfs_create.sharenfs', 'Extra inputs are not permitted']]);
    t.same(await validationErrors(root.call('sharing.nfs.create', {})), [['sharingnfs_create.path', 'Field required']]);
    t.match(await create({ path: vmware }), [['sharingnfs_create.path', /Export conflict.*192\.168\.1\.0\/24/]]);
    t.same(await exportLines(exportsPath), [`"${vmware}" 192.168.1.0/24(rw,sync,no_subtree_check,no_root_squash)`], 'file unchanged');
  });

  t.test('10 concurrent sharing.nfs.create of one path for one host store one share; the other 9 get EEXIST', async (t) => {
    const other = pool.mountpoint('other');
    const before = await exportLines(exportsPath);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => root.call<Share>('sharing.nfs.create', { path: other, hosts: ['esx-race.lab.example'] })));
    const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    t.equal(stored.length, 1, 'one create succeeded');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    t.equal(refused.length, 9);
    for (const r of refused) t.match(r.reason, { errors: [{ attribute: 'sharingnfs_create.hosts', message: /already exports .* for host esx-race\.lab\.example/, errno: 17 }] });
    t.equal((await root.call<Share[]>('sharing.nfs.query', [['path', '=', other]])).length, 1, 'one share stored');
    const added = (await exportLines(exportsPath)).filter((l) => !before.includes(l));
    t.same(added, [`"${other}" esx-race.lab.example(rw,sync,no_subtree_check,root_squash)`], 'one line added to the exports file');
    t.equal(await root.call('sharing.nfs.delete', stored[0]!.id), true);
  });

  t.test('a folder inside a dataset is exported with subtree_check', async (t) => {
    const iso = join(vmware, 'iso');
    await mkdir(iso);
    const share = await root.call<Share>('sharing.nfs.create', { path: iso, hosts: ['esx01.lab.example'], ro: true, mapall_user: 'nobody', mapall_group: 'nogroup' });
    const lines = await exportLines(exportsPath);
    t.equal(lines.length, 2);
    t.match(lines[1], new RegExp(`^"${iso}" esx01\\.lab\\.example\\(ro,sync,subtree_check,all_squash,anonuid=\\d+,anongid=\\d+\\)$`));
    t.equal(await root.call('sharing.nfs.delete', share.id), true);
  });

  t.test('update changes the share and the file', async (t) => {
    const updated = await root.call<Share>('sharing.nfs.update', created.id, { networks: ['10.0.0.1/8', '2001:DB8::/32'], ro: true, comment: 'ESXi datastore' });
    t.match(updated, { id: created.id, networks: ['10.0.0.0/8', '2001:db8::/32'], ro: true, maproot_user: 'root', maproot_group: 'wheel', comment: 'ESXi datastore' });
    const opts = '(ro,sync,no_subtree_check,no_root_squash)';
    t.same(await exportLines(exportsPath), [`"${vmware}" 10.0.0.0/8${opts} 2001:db8::/32${opts}`]);
    t.match(await validationErrors(root.call('sharing.nfs.update', created.id, { networks: ['0.0.0.0/0'] })), [['sharingnfs_update.networks', /all-networks/]]);
    t.match(await validationErrors(root.call('sharing.nfs.update', 9999, { ro: false })), [[null, 'NFS Share 9999 does not exist']]);
    const off = await root.call<Share>('sharing.nfs.update', created.id, { enabled: false });
    t.equal(off.enabled, false);
    t.same(await exportLines(exportsPath), [], 'no enabled share: no exports');
    await root.call('sharing.nfs.update', created.id, { enabled: true });
  });

  t.test('delete removes the export and leaves the dataset alone', async (t) => {
    await writeFile(join(vmware, 'vm.vmdk'), 'disk');
    t.equal(await root.call('sharing.nfs.delete', created.id), true);
    t.match(await validationErrors(root.call('sharing.nfs.get_instance', created.id)), [[null, `NFS Share ${created.id} does not exist`]]);
    await t.rejects(stat(exportsPath), { code: 'ENOENT' }, 'no shares: the exports file is removed');
    t.equal(await readFile(join(vmware, 'vm.vmdk'), 'utf8'), 'disk');
    t.equal((await zfs('list', '-H', '-o', 'name', pool.dataset('vmware'))).trim(), pool.dataset('vmware'));
    t.same(await root.call('sharing.nfs.query'), []);
  });

  t.test('collection_update events', async (t) => {
    const mine = events.filter((e) => e.id === created.id).map((e) => e.msg);
    t.same(mine, ['added', 'changed', 'changed', 'changed', 'removed']);
  });
});

t.test('an installed exportfs is run with -ra after each change', async (t) => {
  const pool = await withPool(t, { datasets: ['vmware'] });
  const exportsPath = join(pool.dir, 'vsnapd.exports');
  // Stand-in for exportfs: running the host's real NFS server from a test would change the
  // machine's exports, so a script records how it is called (the real binary's absence is the
  // other test's subject; its arguments are exports(8)'s `-r -a`).
  const log = join(pool.dir, 'exportfs.log');
  const exportfs = join(pool.dir, 'exportfs');
  await writeFile(exportfs, `#!/bin/sh\necho "$@" >> ${log}\n`);
  await chmod(exportfs, 0o755);
  const d = await startTestDaemon(t, { config: { nfs: { exports_path: exportsPath, exportfs_path: exportfs } } });
  const root = await d.root();
  const share = await root.call<Share>('sharing.nfs.create', { path: pool.mountpoint('vmware') });
  t.same(await exportLines(exportsPath), [`"${pool.mountpoint('vmware')}" *(rw,sync,no_subtree_check,root_squash)`]);
  await root.call('sharing.nfs.update', share.id, { comment: 'no change to the exports' });
  await root.call('sharing.nfs.delete', share.id);
  t.equal(await readFile(log, 'utf8'), '-ra\n-ra\n', 'reloaded on create and delete, not for a comment');
  t.match(await root.call('sharing.nfs.exports_status'), { state: 'RELOADED', shares: 0 });
});
