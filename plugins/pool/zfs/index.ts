/**
 * The ZFS adapter's entry point: its config section and a factory wiring runner + CLI adapter.
 * Config (`zfs` section of the daemon config file):
 * `{ "zfs_path": "/usr/sbin/zfs", "zpool_path": "/usr/sbin/zpool", "timeout_ms": 60000 }`.
 */
import { z } from 'zod';
import type { ZfsAdapter } from './adapter.js';
import { createCliAdapter } from './cli-adapter.js';
import { createCommandRunner } from './runner.js';

/** The adapter's types (ZfsAdapter, ZfsDataset, ZfsSnapshot, …). */
export type * from './adapter.js';

/** The `zfs` config section. */
export const ZfsConfigSchema = z
  .strictObject({
    zfs_path: z.string().min(1).default('zfs').describe('Path (or PATH-resolved name) of the zfs binary'),
    zpool_path: z.string().min(1).default('zpool').describe('Path (or PATH-resolved name) of the zpool binary'),
    timeout_ms: z.number().int().positive().default(60_000).describe('Time limit for one zfs/zpool command, in ms'),
  })
  .default({ zfs_path: 'zfs', zpool_path: 'zpool', timeout_ms: 60_000 });

/** The parsed `zfs` config section. */
export type ZfsConfig = z.output<typeof ZfsConfigSchema>;

/** Creates the real adapter (runs the CLI). */
export function createZfsAdapter(config: ZfsConfig): ZfsAdapter {
  return createCliAdapter(
    createCommandRunner({ zfsPath: config.zfs_path, zpoolPath: config.zpool_path, timeoutMs: config.timeout_ms }),
  );
}
