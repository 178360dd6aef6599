import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ValidationErrors } from '../../../../daemon/errors.js';
import type { AccountDb } from '../../../../plugins/sharing/nfs/accounts.js';
import type { NfsShare, NfsShareData } from '../../../../plugins/sharing/nfs/schemas.js';
import { validateShare } from '../../../../plugins/sharing/nfs/validate.js';

/** Accounts of a small fake machine (the real lookup is tested in accounts.test.ts). */
const accounts: AccountDb = {
  user: async (n) => ({ root: { name: 'root', uid: 0, gid: 0 }, esx: { name: 'esx', uid: 1001, gid: 1001 } })[n] ?? null,
  group: async (n) => ({ root: { name: 'root', gid: 0 }, wheel: { name: 'wheel', gid: 0, aliasOf: 'root' }, esx: { name: 'esx', gid: 1001 } })[n] ?? null,
};

const share = (path: string, over: Partial<NfsShareData> = {}): NfsShareData => ({
  path, aliases: [], comment: '', networks: [], hosts: [], ro: false, security: [], enabled: true,
  maproot_user: null, maproot_group: null, mapall_user: null, mapall_group: null, ...over,
});

/** Runs validation and returns [attribute, message] pairs (empty when valid). */
async function errorsOf(data: NfsShareData, pool: string, others: NfsShare[] = []): Promise<Array<[string | null, string]>> {
  try {
    await validateShare('sharingnfs_create', data, {
      accounts,
      datasets: async () => [{ name: 'tank', mountpoint: pool, mounted: true }, { name: 'tank/off', mountpoint: join(pool, 'off'), mounted: false }],
      otherShares: others,
    });
    return [];
  } catch (e) {
    if (!(e instanceof ValidationErrors)) throw e;
    return e.errors.map((x) => [x.attribute, x.message]);
  }
}

t.test('share validation', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'vsnapd-validate-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const pool = join(root, 'mnt', 'tank');
  await mkdir(join(pool, 'vmware', 'sub'), { recursive: true });
  await mkdir(join(pool, 'off'), { recursive: true });
  await mkdir(join(root, 'elsewhere'));
  await writeFile(join(pool, 'file'), 'x');
  await symlink(join(pool, 'vmware'), join(pool, 'link'));
  const vmware = join(pool, 'vmware');

  t.test('the seed payload is valid and normalised', async (t) => {
    const r = await validateShare('sharingnfs_create', share(vmware, { networks: ['192.168.1.7/24'], maproot_user: 'root', maproot_group: 'wheel' }), {
      accounts, datasets: async () => [{ name: 'tank', mountpoint: pool, mounted: true }], otherShares: [],
    });
    t.same(r.data.networks, ['192.168.1.0/24']);
    t.same(r.path, { realpath: vmware, dataset: 'tank', mountpoint: false });
    t.same(await errorsOf(share(pool, { maproot_user: '' }), pool), [], 'blank mapping = unset');
  });

  t.test('path errors', async (t) => {
    t.match(await errorsOf(share('relative/path'), pool), [['sharingnfs_create.path', /must be absolute/]]);
    t.match(await errorsOf(share(`${vmware}/`), pool), [['sharingnfs_create.path', /normalised.*use \//]]);
    t.match(await errorsOf(share(`${pool}/.zfs/snapshot`), pool), [['sharingnfs_create.path', /\.zfs/]]);
    t.match(await errorsOf(share(join(pool, 'missing')), pool), [['sharingnfs_create.path', /does not exist/]]);
    t.match(await errorsOf(share(join(pool, 'file')), pool), [['sharingnfs_create.path', 'The path must be a directory']]);
    t.match(await errorsOf(share(join(pool, 'link')), pool), [['sharingnfs_create.path', /Symbolic links are not allowed/]]);
    t.match(await errorsOf(share(join(root, 'elsewhere')), pool), [['sharingnfs_create.path', /must reside within a pool mount point.*dataset mountpoints: /]]);
    t.match(await errorsOf(share(join(pool, 'off')), pool), [['sharingnfs_create.path', /Dataset tank\/off is not mounted/]]);
  });

  t.test('client list errors come first, all together', async (t) => {
    const errs = await errorsOf(share(join(pool, 'missing'), { networks: ['bogus'], hosts: ['a b'], aliases: ['x'] }), pool);
    t.same(errs.map((e) => e[0]), ['sharingnfs_create.aliases', 'sharingnfs_create.networks', 'sharingnfs_create.hosts']);
  });

  t.test('mappings', async (t) => {
    t.same(await errorsOf(share(vmware, { maproot_user: 'root', mapall_user: 'esx' }), pool), [['sharingnfs_create.mapall_user', 'maproot_user disqualifies mapall_user']]);
    t.same(await errorsOf(share(vmware, { maproot_user: 'nobody-here' }), pool), [['sharingnfs_create.maproot_user', 'User not found: nobody-here']]);
    t.same(await errorsOf(share(vmware, { mapall_user: 'esx', mapall_group: 'nogroup-here' }), pool), [['sharingnfs_create.mapall_group', 'Group not found: nogroup-here']]);
    t.same(await errorsOf(share(vmware, { maproot_group: 'wheel' }), pool), [['sharingnfs_create.maproot_user', 'This field is required when map group is specified']]);
    t.match(await errorsOf(share(vmware, { maproot_user: '-x' }), pool), [['sharingnfs_create.maproot_user', /Invalid user name/]]);
    t.same(await errorsOf(share(vmware, { security: ['SYS', 'SYS'] }), pool), [['sharingnfs_create.security', 'Entries must be unique, the following are not: SYS']]);
  });

  t.test('conflicts with other shares of the same directory', async (t) => {
    const other = (over: Partial<NfsShareData>): NfsShare => ({ ...share(vmware, over), id: 7 });
    t.match(await errorsOf(share(vmware), pool, [other({})]), [['sharingnfs_create.path', /Export conflict.*'everybody'/]]);
    t.match(await errorsOf(share(vmware), pool, [other({ networks: ['10.0.0.0/8'] })]), [['sharingnfs_create.path', /Export conflict.*10\.0\.0\.0\/8/]]);
    t.match(await errorsOf(share(vmware, { networks: ['10.1.0.0/16'] }), pool, [other({ networks: ['10.0.0.0/8'] })]),
      [['sharingnfs_create.networks', /exports .* to 10\.0\.0\.0\/8 and overlaps network 10\.1\.0\.0\/16/]]);
    t.match(await errorsOf(share(vmware, { networks: ['10.0.0.0/8'] }), pool, [other({ networks: ['10.0.0.0/8'] })]),
      [['sharingnfs_create.networks', /already exports .* for network 10\.0\.0\.0\/8/]]);
    t.match(await errorsOf(share(vmware, { hosts: ['esx1'] }), pool, [other({ hosts: ['esx1'] })]), [['sharingnfs_create.hosts', /already exports .* for host esx1/]]);
    t.same(await errorsOf(share(vmware, { networks: ['10.0.0.0/8'] }), pool, [other({ networks: ['192.168.0.0/16'] })]), [], 'disjoint clients are fine');
    t.same(await errorsOf(share(join(vmware, 'sub')), pool, [other({})]), [], 'another directory is fine');
  });
});
