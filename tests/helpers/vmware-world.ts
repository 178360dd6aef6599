/**
 * The `vmware.*` integration world: a zfs-fuse pool whose dataset mountpoints back vcsim NFS
 * datastores (remotePath = localPath = the mountpoint or a folder in it, as ESXi would mount the
 * NAS's export), the real daemon using that pool, and a root client. One world per test file.
 *
 * Datastores (vcsim also has `LocalDS_0`, type OTHER):
 * | name | remote host | remote path | backed by |
 * |---|---|---|---|
 * | `vmstore` | 127.0.0.1 | `<pool>/vmware` mountpoint | `<pool>/vmware` (by IP) |
 * | `bylocalhost` | localhost | `<pool>/vm` mountpoint + `/` | `<pool>/vm` (by name, trailing slash) |
 * | `isos` | 127.0.0.1 | `<pool>/other` mountpoint + `/isos` | `<pool>/other` (sub-folder) |
 * | `prefix` | 127.0.0.1 | `<pool root>/vmx` (a folder, not a dataset) | `<pool>` (never `<pool>/vm` by prefix) |
 * | `byvip` | nas-vip.invalid (configured in `vmware.nas_addresses`) | `<pool>/vm` mountpoint | `<pool>/vm` (configured name) |
 * | `foreign` | 192.0.2.10 | /mnt/tank/vm (a temp folder) | nothing (another NAS) |
 *
 * VMs: `web01` (on, vmstore), `db01` (off, vmstore), `tmpl01` (template, vmstore), `app01` (on, foreign).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../../client/index.js';
import { startVcsim, type VcsimHandle, type VcsimSpec } from '../fixtures/vcsim/index.js';
import { ZFS_BIN, ZPOOL_BIN } from '../fixtures/zfs/daemon.js';
import { withPool, type PoolFixture } from '../fixtures/zfs/pool.js';
import { startTestDaemon, type Teardown, type TestDaemon } from './daemon.js';
import { tempDir } from './tmp-datastore.js';
import { waitFor } from './wait.js';

/** The vCenter login of the world (the password is what the secrets tests grep for). */
export const VC_USER = 'svc-vsnapd@vsphere.local';
export const VC_PASSWORD = 'Vs!napd-S3cret-7f3a';
/** The configured extra NAS name (does not resolve; matched by name). */
export const NAS_VIP_NAME = 'nas-vip.invalid';

/** A running world. */
export interface VmwareWorld {
  pool: PoolFixture;
  vc: VcsimHandle;
  daemon: TestDaemon;
  root: Client;
  /** Dataset names: `vmware`, `vm`, `other` and the pool root. */
  ds: { vmware: string; vm: string; other: string; root: string };
  /** The simulator's spec (to start it again on the same port after stopping it). */
  spec: VcsimSpec;
  /** The seed-shaped create payload for the simulator (port added, no tls). */
  seed(extra?: Record<string, unknown>): Record<string, unknown>;
}

/** Options: extra daemon config (deep-merged), e.g. `{ vmware: { poll_interval_seconds: 1 } }`. */
export interface VmwareWorldOptions {
  config?: Record<string, unknown>;
}

/** Starts pool, simulator and daemon; everything is removed at teardown. */
export async function startVmwareWorld(t: Teardown, opts: VmwareWorldOptions = {}): Promise<VmwareWorld> {
  const pool = await withPool(t, { datasets: ['vmware', 'vm', 'other'] });
  const isos = join(pool.mountpoint('other'), 'isos');
  const vmx = join(pool.mountpoint(), 'vmx');
  mkdirSync(isos);
  mkdirSync(vmx);
  const byvipDir = join(pool.mountpoint('vm'), 'byvip');
  mkdirSync(byvipDir);
  const foreign = tempDir(t, 'vsnapd-foreign-');
  const spec: VcsimSpec = {
    username: VC_USER,
    password: VC_PASSWORD,
    nfsDatastores: [
      { name: 'vmstore', remoteHost: '127.0.0.1', remotePath: pool.mountpoint('vmware'), localPath: pool.mountpoint('vmware') },
      { name: 'bylocalhost', remoteHost: 'localhost', remotePath: `${pool.mountpoint('vm')}/`, localPath: pool.mountpoint('vm') },
      { name: 'isos', remoteHost: '127.0.0.1', remotePath: isos, localPath: isos },
      { name: 'prefix', remoteHost: '127.0.0.1', remotePath: vmx, localPath: vmx },
      { name: 'byvip', remoteHost: NAS_VIP_NAME, remotePath: pool.mountpoint('vm'), localPath: byvipDir, type: 'NFS41' },
      { name: 'foreign', remoteHost: '192.0.2.10', remotePath: '/mnt/tank/vm', localPath: foreign },
    ],
    vms: [
      { name: 'web01', datastore: 'vmstore' },
      { name: 'db01', datastore: 'vmstore', powerState: 'off' },
      { name: 'tmpl01', datastore: 'vmstore', powerState: 'off', template: true },
      { name: 'app01', datastore: 'foreign' },
    ],
  };
  const vc = await startVcsim(spec, { t });
  const daemon = await startTestDaemon(t, {
    config: {
      zfs: { zfs_path: ZFS_BIN, zpool_path: ZPOOL_BIN },
      nfs: { exports_path: join(pool.dir, 'exports.d', 'vsnapd.exports'), exportfs_path: join(pool.dir, 'no-nfs-server', 'exportfs') },
      vmware: { nas_addresses: [NAS_VIP_NAME], ...((opts.config?.vmware as Record<string, unknown>) ?? {}) },
      ...Object.fromEntries(Object.entries(opts.config ?? {}).filter(([k]) => k !== 'vmware')),
    },
  });
  const root = await daemon.root();
  return {
    pool,
    vc,
    daemon,
    root,
    spec,
    ds: { vmware: pool.dataset('vmware'), vm: pool.dataset('vm'), other: pool.dataset('other'), root: pool.pool },
    seed: (extra = {}) => ({ hostname: '127.0.0.1', username: VC_USER, password: VC_PASSWORD, filesystem: pool.dataset('vmware'), port: vc.port, ...extra }),
  };
}

/**
 * {@link waitFor} with the vmware tests' bounds: up to `timeoutMs` (default 20 000, room for a
 * background check of the simulator), polling every 100 ms.
 */
export function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  return waitFor(what, probe, timeoutMs, 100);
}
