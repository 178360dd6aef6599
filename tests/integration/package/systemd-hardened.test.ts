/**
 * The installed package under its hardened unit (read-only file system but for ReadWritePaths=,
 * private /tmp, capability bounding set, system-call filter, /dev/zfs as the only device:
 * etc/vsnapd.service) in a booted Debian 12 with systemd 252 as PID 1
 * (tests/fixtures/systemd/boot.ts), ZFS from zfs-fuse running inside that system (zfs-fuse.service),
 * and vcsim on loopback entered into the same root (its NFS datastores are the pool's mountpoints,
 * as ESXi's would be over NFS). Through the installed midclt: a coordinated snapshot, a restore and
 * its cleanup. Then where the clone's mount lives (findmnt in PID 1's namespace; who mounted it), why
 * the daemon mounts through systemd-run (a mount in the unit's namespace does not reach PID 1's), the
 * paths the unit may write and some it may not, and
 * `systemd-analyze security` inside.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { sharedDeb } from '../../helpers/shared-deb.js';
import { bootSystemd } from '../../fixtures/systemd/boot.js';
import { installDeb, journal, seedConfig, unitProps } from '../../fixtures/systemd/vsnapd.js';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { poolExists, withPool } from '../../fixtures/zfs/pool.js';
import type { RestoreEntry } from '../../../plugins/vmware/restore/schemas.js';

// The .deb build (about 45 s idle), the boot, vcsim's start and a restore: about 2 minutes under load.
t.setTimeout(300_000);

const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-systemd-hardened-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const deb = sharedDeb().then((d) => d.path);
deb.catch(() => undefined); // awaited below; a build failure fails the test

const HOST = 'DC0_C0_H0';

t.test('Debian 12: the hardened unit with ZFS and vcsim', async (t) => {
  // A pool of the host's (as other test files make them), mounted before the boot: the booted system
  // and the unit's namespace must not hold its mount (tests/fixtures/systemd/boot.ts).
  const hostPool = await withPool(t, { datasets: ['vm'] });
  const sys = await bootSystemd(t, 'bookworm', { zfs: true });
  t.equal((await sys.run(['systemctl', 'is-system-running', '--wait'])).stdout.trim(), 'running', 'booted, zfs-fuse.service included');

  // A pool inside the booted system, on a file in its /var/tmp; gone with the system at teardown.
  const pool = `vsnapdsd${randomBytes(3).toString('hex')}`;
  const dataset = `${pool}/vm`;
  await sys.must(['sh', '-c', `truncate -s 256M /var/tmp/${pool}.vdev && zpool create -m /mnt/${pool} ${pool} /var/tmp/${pool}.vdev && zfs create ${dataset}`]);
  // What nfs-kernel-server and nfs-common would create (not installed: exportfs reports NOT_INSTALLED).
  for (const dir of ['etc/exports.d', 'var/lib/nfs']) mkdirSync(join(sys.root, dir), { recursive: true });

  const vc = await startVcsim(
    {
      nfsDatastores: [{ name: 'vmstore', remoteHost: '127.0.0.1', remotePath: `/mnt/${dataset}`, localPath: `/mnt/${dataset}` }],
      vms: [{ name: 'web', datastore: 'vmstore', host: HOST, nics: 1 }],
      nfsExportsFile: '/etc/exports.d/vsnapd.exports',
    },
    { t, inRoot: { enter: ['nsenter', '-t', String(sys.pid), '-m', '-r', '-w'], root: sys.root } },
  );

  seedConfig(sys, join(import.meta.dirname, '../../../etc/vsnapd.json'), { listen: { host: '127.0.0.1', port: 0, socket: '/run/vsnapd/vsnapd.sock' } });
  await installDeb(sys, await deb);
  /** The exports file the daemon writes ('' once it removed it). */
  const exportsNow = () => (existsSync(join(sys.root, 'etc/exports.d/vsnapd.exports')) ? readFileSync(join(sys.root, 'etc/exports.d/vsnapd.exports'), 'utf8') : '');
  const call = async <T>(...args: string[]): Promise<T> => JSON.parse(await sys.must(['midclt', 'call', ...args])) as T;
  const mainPid = async () => (await unitProps(sys, 'MainPID')).MainPID;
  /** `args` run in the unit's mount namespace and root (inside the booted system's PID namespace). */
  const inUnit = async (args: string[]) => sys.run(['nsenter', '-t', await mainPid(), '-m', '-r', ...args]);

  const entry = await call<{ id: number }>(
    'vmware.create',
    JSON.stringify({ hostname: vc.host, port: vc.port, username: vc.username, password: vc.password, filesystem: dataset, datastores: ['vmstore'], tls: { ca: vc.certPem } }),
  );
  t.ok(entry.id > 0, `vmware.create: entry ${entry.id} for ${dataset}`);

  await t.test('a coordinated snapshot through the installed midclt', async (t) => {
    const snap = await call<{ name: string; properties: Record<string, { value: string }> }>('pool.snapshot.create', JSON.stringify({ dataset, name: 'sd1', vmware_sync: true }));
    t.equal(snap.properties['vsnapd:vmsynced']?.value, 'full', `${snap.name}: vsnapd:vmsynced=full`);
    t.match(await sys.must(['zfs', 'list', '-H', '-o', 'name', '-t', 'snapshot']), `${dataset}@sd1`, 'zfs list shows it');
  });

  await t.test('restore, the clone mounted where PID 1 and the NFS server see it, cleanup', async (t) => {
    const r = JSON.parse(await sys.must(['midclt', 'call', '-j', 'vmware.restore', JSON.stringify({ snapshot: `${dataset}@sd1`, vms: ['web'], host: HOST, power_on: true })])) as RestoreEntry;
    t.equal(r.state, 'READY', r.error ?? `restore ${r.id}: READY`);
    t.match(r.vms[0], { source: 'web', registered: true, powered_on: true }, `registered and powered on from datastore ${r.datastore.name}`);
    const mountpoint = r.clone.mountpoint ?? '';
    t.match(mountpoint, new RegExp(`^/mnt/${pool}/vm-restore-`), `clone ${r.clone.name} at ${mountpoint}`);
    t.match(exportsNow(), mountpoint, 'the daemon wrote the export into /etc/exports.d/vsnapd.exports');

    const findmnt = ['findmnt', '-n', '-o', 'TARGET,SOURCE,FSTYPE', mountpoint];
    const outside = await sys.run(findmnt);
    t.match(outside.stdout, new RegExp(`^${mountpoint} +${r.clone.name} +fuse\\.zfs$`), `PID 1's namespace: ${outside.stdout.trim()}`);
    t.ok((await sys.must(['ls', join(mountpoint, 'web')])).split('\n').includes('web.vmx'), 'the snapshot\'s web/web.vmx is in the clone, seen from PID 1\'s namespace');

    // Who mounted it: zfs-fuse's daemon (zfs only asks it over /run/zfs/zfs_socket), in PID 1's
    // namespace. The unit has a namespace of its own (ProtectSystem= & co.), whose mounts never reach PID 1's.
    const zfsFusePid = await sys.must(['systemctl', 'show', 'zfs-fuse.service', '--property=MainPID', '--value']);
    const ns = async (pid: string) => sys.must(['readlink', `/proc/${pid}/ns/mnt`]);
    const pid1Ns = await ns('1');
    t.equal(await ns(zfsFusePid), pid1Ns, `zfs-fuse (pid ${zfsFusePid}) mounts in PID 1's namespace ${pid1Ns}`);
    t.not(await ns(await mainPid()), pid1Ns, 'vsnapd runs in a mount namespace of its own');
    t.ok(
      (await journal(sys)).some((e) => e.MESSAGE.startsWith('zfs commands that mount or unmount run through a command prefix')),
      'and says it sends the zfs commands that mount through systemd-run (zfs.mount_via "auto")',
    );

    // Why: a mount made in the unit's namespace, as OpenZFS's zfs (a child of the daemon) would make
    // it, stays there; the same mount through systemd-run, as the daemon makes it, reaches PID 1's.
    const probe = `/mnt/${pool}-probe`;
    await sys.must(['mkdir', probe]);
    t.equal((await inUnit(['mount', '-t', 'tmpfs', 'vsnapd-probe', probe])).exitCode, 0, 'mount(8) in the unit\'s namespace succeeds');
    t.equal((await sys.run(['findmnt', '-n', probe])).exitCode, 1, 'but is not in PID 1\'s namespace');
    t.equal((await inUnit(['umount', probe])).exitCode, 0, 'umount(8) in the unit\'s namespace');
    const viaPid1 = ['systemd-run', '--quiet', '--wait', '--pipe', '--collect', '--service-type=exec', '--'];
    t.equal((await inUnit([...viaPid1, 'mount', '-t', 'tmpfs', 'vsnapd-probe', probe])).exitCode, 0, 'systemd-run mount(8) from the unit\'s namespace succeeds');
    t.match((await sys.run(['findmnt', '-n', '-o', 'SOURCE', probe])).stdout, 'vsnapd-probe', 'and is visible in PID 1\'s namespace');
    t.equal((await inUnit([...viaPid1, 'umount', probe])).exitCode, 0, 'systemd-run umount(8) from the unit\'s namespace');
    t.equal((await sys.run(['findmnt', '-n', probe])).exitCode, 1, 'is gone from PID 1\'s namespace');
    await sys.must(['rmdir', probe]);

    const clean = JSON.parse(await sys.must(['midclt', 'call', '-j', 'vmware.restore_cleanup', JSON.stringify(r.id)])) as RestoreEntry;
    t.equal(clean.state, 'CLEANED', clean.error ?? 'vmware.restore_cleanup: CLEANED');
    t.notMatch(await sys.must(['zfs', 'list', '-H', '-o', 'name', '-t', 'all']), r.clone.name, 'the clone is destroyed');
    t.equal((await sys.run(findmnt)).exitCode, 1, 'and unmounted in PID 1\'s namespace');
    t.notMatch(exportsNow(), mountpoint, 'and no longer exported');
  });

  await t.test('a pool the host mounted before the boot is destroyed while the system and the unit run', async (t) => {
    t.equal((await unitProps(sys, 'ActiveState')).ActiveState, 'active', 'vsnapd.service (with its mount namespace) is running');
    await hostPool.destroy(); // zpool destroy -f: "pool is busy" while a namespace holds a copy of its mount
    t.notOk(await poolExists(hostPool.pool), `zpool destroy ${hostPool.pool} on the host succeeded`);
  });

  await t.test('a read-only file system but for ReadWritePaths=, each written from the unit\'s namespace', async (t) => {
    const props = await unitProps(sys, 'ReadWritePaths', 'ProtectSystem', 'PrivateTmp', 'ProtectHome', 'ProtectProc');
    t.match(props, { ProtectSystem: 'strict', PrivateTmp: 'yes', ProtectHome: 'yes', ProtectProc: 'invisible' }, 'ProtectSystem=strict, PrivateTmp=, ProtectHome=, ProtectProc=');
    // systemctl show prints each path, "-" first when a missing one is ignored.
    const paths = props.ReadWritePaths!.split(' ').filter(Boolean).map((p) => p.replace(/^-/, ''));
    t.ok(paths.length > 0, `ReadWritePaths=${props.ReadWritePaths}`);
    const write = (path: string) => inUnit(['sh', '-c', `echo probe > ${path} && cat ${path} && rm ${path}`]);
    for (const path of paths) {
      const w = await write(join(path, `.vsnapd-rw-probe-${process.pid}`));
      t.same({ code: w.exitCode, out: w.stdout.trim() }, { code: 0, out: 'probe' }, `${path}: a file written and removed in the unit's namespace`);
    }
    for (const path of ['/etc', '/mnt', '/usr/lib/vsnapd']) {
      const w = await write(join(path, `.vsnapd-rw-probe-${process.pid}`));
      t.match({ code: w.exitCode, err: w.stderr }, { code: 2, err: /Read-only file system/ }, `${path}: read-only in the unit's namespace`);
    }
  });

  await t.test('systemd-analyze security: exposure ≤ 4.0', async (t) => {
    const out = await sys.must(['systemd-analyze', 'security', '--no-pager', 'vsnapd.service']);
    const line = /Overall exposure level for vsnapd\.service: ([\d.]+) .*/.exec(out);
    t.ok(Number(line?.[1]) <= 4.0, line?.[0] ?? out.slice(-300));
  });
});
