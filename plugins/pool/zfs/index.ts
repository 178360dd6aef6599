/**
 * The ZFS adapter's entry point: its config section and a factory wiring runner + CLI adapter.
 * Config (`zfs` section of the daemon config file):
 * `{ "zfs_path": "/usr/sbin/zfs", "zpool_path": "/usr/sbin/zpool", "timeout_ms": 60000, "mount_via": "auto" }`
 * (`mount_via`: see host-mounts.ts).
 */
import { z } from 'zod';
import type { ZfsAdapter } from './adapter.js';
import { createCliAdapter } from './cli-adapter.js';
import { resolveMountVia } from './host-mounts.js';
import { createCommandRunner } from './runner.js';

export { resolveMountVia } from './host-mounts.js';

/** The adapter's types (ZfsAdapter, ZfsDataset, ZfsSnapshot, …). */
export type * from './adapter.js';

/** The `zfs` config section. */
export const ZfsConfigSchema = z
  .strictObject({
    zfs_path: z.string().min(1).default('zfs').describe('Path (or PATH-resolved name) of the zfs binary'),
    zpool_path: z.string().min(1).default('zpool').describe('Path (or PATH-resolved name) of the zpool binary'),
    timeout_ms: z.number().int().positive().default(60_000).describe('Time limit for one zfs/zpool command, in ms'),
    mount_via: z
      .union([z.literal('auto'), z.array(z.string().min(1))])
      .default('auto')
      .describe('How zfs commands that mount or unmount run: "auto" (through systemd-run when a systemd sandbox gives the daemon a mount namespace of its own), [] (directly) or a command prefix'),
  })
  .default({ zfs_path: 'zfs', zpool_path: 'zpool', timeout_ms: 60_000, mount_via: 'auto' });

/** The parsed `zfs` config section. */
export type ZfsConfig = z.output<typeof ZfsConfigSchema>;

/**
 * Creates the real adapter (runs the CLI). `mountVia`: the prefix of the zfs commands that mount
 * (default: what `config.mount_via` resolves to, host-mounts.ts).
 */
export function createZfsAdapter(config: ZfsConfig, mountVia: readonly string[] = resolveMountVia(config.mount_via, config.timeout_ms)): ZfsAdapter {
  return createCliAdapter(
    createCommandRunner({
      zfsPath: config.zfs_path,
      zpoolPath: config.zpool_path,
      timeoutMs: config.timeout_ms,
      mountVia,
    }),
  );
}
