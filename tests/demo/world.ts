/**
 * The demo world, built from the project's real test parts (SPEC §5):
 * - a zfs-fuse pool `tank` with the dataset `tank/vmware` (./pool.ts);
 * - vcsim (tests/fixtures/vcsim) as a vCenter with one cluster of three ESXi hosts, the NFS datastore
 *   `vmware-nfs` whose remote path is `tank/vmware`'s mountpoint on this NAS (127.0.0.1) and whose files
 *   vcsim writes into that dataset, as ESXi would over NFS; a datastore on another NAS; VMs on both and
 *   on a host-local datastore;
 * - the real daemon (tests/helpers/daemon.ts `spawnDaemon`) with its data folder and Unix socket in
 *   the demo's temporary folder, an exports file there too (no real NFS server is touched).
 * The daemon and midclt run from the production build, as the .deb ships them: packaging/bundle.mjs
 * into the demo's folder (about 1 s; a test run passes its own, tests/helpers/test-build.ts). Through
 * tsx each of the demo's two dozen midclt processes cost 0.6 s of CPU instead of 0.13 s.
 * Everything registers its removal with the given {@link Teardown}. The README test reuses this.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVcsim, type VcsimHandle, type VcsimVm } from '../fixtures/vcsim/index.js';
import { ZFS_BIN, ZPOOL_BIN } from '../fixtures/zfs/daemon.js';
import { spawnDaemon, type TestDaemon } from '../helpers/daemon.js';
import { builtCommands, builtDist, buildProduction } from '../helpers/test-build.js';
import type { MidcltTarget } from './midclt.js';
import { createDemoPool, type DemoPool } from './pool.js';
import type { Teardown } from './teardown.js';

/** The vCenter login of the demo (the seed's user name). */
export const VC_USERNAME = 'administrator@vsphere.local';
/** The simulator's password (vcsim enforces it; a wrong one gets InvalidLogin). */
export const VC_PASSWORD = 'password';
/** The NFS datastore backed by `tank/vmware`. */
export const NFS_DATASTORE = 'vmware-nfs';
/** A datastore exported by another NAS (not this one). */
export const OTHER_DATASTORE = 'other-nas';
/** vcsim's host-local datastore. */
export const LOCAL_DATASTORE = 'LocalDS_0';

/** The demo's VMs and what a coordinated snapshot of `tank/vmware` must do with each. */
export const DEMO_VMS: readonly (VcsimVm & { expect: 'quiesced' | 'crash_consistent' | 'skipped' | 'elsewhere' })[] = [
  { name: 'web01', datastore: NFS_DATASTORE, host: 'DC0_C0_H0', nics: 1, expect: 'quiesced' },
  { name: 'db01', datastore: NFS_DATASTORE, host: 'DC0_C0_H1', expect: 'quiesced' },
  { name: 'app01', datastore: NFS_DATASTORE, host: 'DC0_C0_H2', toolsRunning: false, expect: 'crash_consistent' },
  { name: 'test01', datastore: NFS_DATASTORE, host: 'DC0_C0_H0', powerState: 'off', expect: 'skipped' },
  { name: 'win2022-template', datastore: NFS_DATASTORE, host: 'DC0_C0_H1', powerState: 'off', template: true, expect: 'skipped' },
  { name: 'mail01', datastore: OTHER_DATASTORE, host: 'DC0_C0_H1', expect: 'elsewhere' },
  { name: 'build01', datastore: LOCAL_DATASTORE, host: 'DC0_C0_H2', expect: 'elsewhere' },
];

/** A built world. */
export interface DemoWorld {
  /** The demo's temporary folder (pool vdev and mounts, daemon data and socket, exports file). */
  readonly dir: string;
  readonly pool: DemoPool;
  readonly vc: VcsimHandle;
  readonly daemon: TestDaemon;
  /** The exports file the daemon writes. */
  readonly exportsPath: string;
  /** The built midclt, and the environment that points it at the daemon (`VSNAPD_SOCKET`). */
  readonly midclt: MidcltTarget;
}

/** Progress callbacks, so the demo can print each part as it comes up. */
export interface WorldProgress {
  pool?(pool: DemoPool, dir: string): void | Promise<void>;
  vcsim?(vc: VcsimHandle): void | Promise<void>;
  daemon?(daemon: TestDaemon, midclt: MidcltTarget): void | Promise<void>;
}

/**
 * Builds the world; on failure the parts made so far stay registered with `teardown` (the caller
 * runs it). Throws the failing part's error.
 */
export async function buildWorld(teardown: Teardown, progress: WorldProgress = {}): Promise<DemoWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-demo-'));
  teardown.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const runBuild = builtDist();
  const built = runBuild ? Promise.resolve(runBuild) : buildProduction(join(dir, 'build'));
  built.catch(() => undefined); // awaited below, after the pool and the simulator

  const pool = await createDemoPool(dir, teardown);
  await progress.pool?.(pool, dir);

  const otherNas = join(dir, 'other-nas');
  await mkdir(otherNas);
  const exportsPath = join(dir, 'exports.d', 'vsnapd.exports');
  const vc = await startVcsim(
    {
      model: 'vpx',
      username: VC_USERNAME,
      password: VC_PASSWORD,
      hostsPerCluster: 3,
      standaloneHosts: 0,
      nfsDatastores: [
        { name: NFS_DATASTORE, remoteHost: '127.0.0.1', remotePath: pool.mountpoint, localPath: pool.mountpoint },
        { name: OTHER_DATASTORE, remoteHost: '192.0.2.10', remotePath: '/mnt/pool/vms', localPath: otherNas },
      ],
      vms: DEMO_VMS.map(({ expect: _expect, ...vm }) => vm),
      // The simulated hosts mount only what the daemon's exports file offers them (instant restore).
      nfsExportsFile: exportsPath,
    },
    { t: teardown },
  );
  await progress.vcsim?.(vc);

  const commands = builtCommands(await built);
  const daemon = await spawnDaemon({
    command: commands.daemon,
    testMethods: false,
    config: {
      listen: { socket: join(dir, 'vsnapd.sock') },
      data_dir: join(dir, 'data'),
      zfs: { zfs_path: ZFS_BIN, zpool_path: ZPOOL_BIN },
      // The demo writes its own exports file and never reloads a real NFS server.
      nfs: { exports_path: exportsPath, exportfs_path: join(dir, 'no-nfs-server', 'exportfs') },
    },
  });
  teardown.add('stop the daemon', () => daemon.dispose());
  const midclt: MidcltTarget = { command: commands.midclt, env: { VSNAPD_SOCKET: daemon.socketPath } };
  await progress.daemon?.(daemon, midclt);

  return { dir, pool, vc, daemon, exportsPath, midclt };
}
