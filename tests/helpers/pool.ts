/**
 * A test daemon wired to a throw-away zfs-fuse pool: `startPoolDaemon(t, {datasets})` creates the
 * pool (tests/fixtures/zfs/pool.ts), starts the real daemon with the `zfs` binary paths and a fixed
 * time zone (UTC unless given), and returns a root client on its Unix socket.
 */
import type { Client } from '../../client/index.js';
import { ZFS_BIN, ZPOOL_BIN } from '../fixtures/zfs/daemon.js';
import { withPool, type PoolFixture, type TeardownHost } from '../fixtures/zfs/pool.js';
import { startTestDaemon, type TestDaemon } from './daemon.js';

/** A daemon plus its pool. */
export interface PoolDaemon {
  readonly pool: PoolFixture;
  readonly daemon: TestDaemon;
  /** Root client (Unix socket). */
  readonly client: Client;
}

/** Starts a pool and a daemon that uses it. */
export async function startPoolDaemon(
  t: TeardownHost,
  opts: { datasets?: string[]; timezone?: string; config?: Record<string, unknown> } = {},
): Promise<PoolDaemon> {
  const pool = await withPool(t, { datasets: opts.datasets ?? [] });
  const daemon = await startTestDaemon(t, {
    config: {
      zfs: { zfs_path: ZFS_BIN, zpool_path: ZPOOL_BIN },
      pool: { timezone: opts.timezone ?? 'UTC' },
      ...opts.config,
    },
  });
  return { pool, daemon, client: await daemon.root() };
}

/** Re-exported for the pool tests (tests/helpers/wait.ts). */
export { waitFor } from './wait.js';
