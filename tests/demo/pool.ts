/**
 * The demo's ZFS side: a zfs-fuse pool on a sparse file vdev, mounted under the demo's temporary
 * folder, with the seed's dataset `vmware` in it. The pool is called `tank`, as in the seed, when no
 * pool of that name exists; otherwise `tank2`, `tank3`… (never touching the existing one), and the
 * demo says so. zfs-fuse is started through the test fixture's lease (tests/fixtures/zfs/daemon.ts)
 * when no ZFS answers, and released at teardown: it is stopped only when the fixture started it and
 * no other test run or demo still holds a lease.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureZfsDaemon, releaseZfsDaemon } from '../fixtures/zfs/daemon.js';
import { createSparseVdev, destroyPool, poolExists, zfs, zpool } from '../fixtures/zfs/pool.js';
import type { Teardown } from './teardown.js';

/** The pool the demo made. */
export interface DemoPool {
  /** Pool name: `tank` unless that was taken. */
  readonly pool: string;
  /** `<pool>/vmware`, the seed's dataset. */
  readonly dataset: string;
  /** Where `<pool>/vmware` is mounted (`<dir>/mnt/<pool>/vmware`). */
  readonly mountpoint: string;
  /** Whether this demo started the zfs-fuse daemon. */
  readonly startedZfs: boolean;
  /** The sparse file backing the pool. */
  readonly vdev: string;
}

/** Pool names tried in order: the seed's first. */
const NAMES = ['tank', 'tank2', 'tank3', 'tank4', 'tank5'];

/** vdev size in bytes (sparse; zfs-fuse needs at least 64 MiB). */
const VDEV_BYTES = 128 * 2 ** 20;

/** Mount points under `dir` still listed in /proc/mounts (what teardown must leave empty). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/mounts', 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => (line.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((mnt) => mnt === dir || mnt.startsWith(`${dir}/`));
}

/**
 * Creates the pool and `<pool>/vmware` under `dir` and registers their removal (and the zfs-fuse
 * lease's release) with `teardown`. Throws with zpool's message when ZFS refuses.
 */
export async function createDemoPool(dir: string, teardown: Teardown): Promise<DemoPool> {
  const { started } = await ensureZfsDaemon({ owner: process.pid });
  teardown.add('zfs-fuse lease', () => releaseZfsDaemon({ owner: process.pid }));
  const root = join(dir, 'mnt');
  await mkdir(root, { recursive: true });
  const vdev = join(dir, 'tank.vdev');
  await createSparseVdev(vdev, VDEV_BYTES);
  teardown.add('vdev file', () => rm(vdev, { force: true }));

  let pool: string | null = null;
  for (const name of NAMES) {
    if (await poolExists(name)) continue;
    try {
      await zpool('create', '-o', 'cachefile=none', '-m', join(root, name), name, vdev);
      pool = name;
      break;
    } catch (err) {
      // Another demo may have taken the name between the check and the create.
      if (!/exists|in use/i.test(String(err))) throw err;
    }
  }
  if (pool === null) throw new Error(`pools ${NAMES.join(', ')} all exist already; destroy one of them or run the demo elsewhere`);
  const created = pool;
  teardown.add(`zpool destroy ${created}`, () => destroyPool(created));
  const dataset = `${created}/vmware`;
  await zfs('create', dataset);
  return { pool: created, dataset, mountpoint: join(root, created, 'vmware'), startedZfs: started, vdev };
}
