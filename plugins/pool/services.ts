/**
 * The services the pool plugin provides to other plugins:
 * - `zfs`: the {@link ZfsAdapter} (datasets, snapshots, user properties, pool status), configured
 *   from the `zfs` config section;
 * - `snapshotHooks`: the {@link SnapshotHooks} registry where the VMware coordinator registers
 *   itself (see snapshot-hook.ts for the exact contract);
 * - `snapshotTasks`: read access to the periodic snapshot tasks (the protection status names the
 *   task that covers each VM and its schedule's interval).
 */
import type { SnapshotHooks } from './snapshot-hook.js';
import type { TaskRow } from './snapshottask/schemas.js';
import type { ZfsAdapter } from './zfs/adapter.js';

declare module '../../daemon/plugin.js' {
  interface ServiceMap {
    /** ZFS through the zfs/zpool CLI (plugins/pool/zfs). */
    zfs: ZfsAdapter;
    /** Where the VMware coordinator plugs into snapshot taking (plugins/pool/snapshot-hook.ts). */
    snapshotHooks: SnapshotHooks;
    /** The periodic snapshot tasks as stored (plugins/pool/snapshottask). */
    snapshotTasks: SnapshotTasks;
  }
}

/** Read access to the periodic snapshot tasks. */
export interface SnapshotTasks {
  /** Every task (copies), in id order. */
  all(): TaskRow[];
}

export type { SnapshotHooks, TaskRow, ZfsAdapter };
