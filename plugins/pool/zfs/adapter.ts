/**
 * The ZFS adapter: everything vsnapd asks of ZFS, behind one interface. The real implementation
 * ({@link createCliAdapter} in `cli-adapter.ts`) runs the `zfs`/`zpool` command-line tools; unit tests
 * may use a fake. Every method validates names before a process runs and fails with a
 * {@link CallError}: ENOENT (dataset/snapshot/pool not found), EEXIST (already exists), EBUSY, EPERM,
 * ENOSPC, EIO (pool offline/unavailable or ZFS not running), ETIMEDOUT, EINVAL (bad name), EFAULT (other).
 *
 * Other plugins get it as the `zfs` service: `ctx.services.get('zfs')`.
 */
import type { CallError } from '../../../daemon/errors.js';

/** Which ZFS implementation answers, and what it can do (probed once, then cached). */
export interface ZfsCapabilities {
  /** `openzfs` (OpenZFS 2.x CLI) or `zfs-fuse` (user-space ZFS, pool version ≤ 23). */
  readonly flavor: 'openzfs' | 'zfs-fuse';
  /** `zfs list -p` (exact byte numbers) is available. zfs-fuse lacks it; `zfs get -p` works on both. */
  readonly parsableList: boolean;
  /** The `written` property exists (OpenZFS). Without it, emptiness is read from an incremental send stream. */
  readonly writtenProperty: boolean;
  /** zvols can be created and listed (false on zfs-fuse). */
  readonly volumes: boolean;
}

/** A dataset type as TrueNAS names it. */
export type DatasetType = 'FILESYSTEM' | 'VOLUME';

/** One filesystem or volume. Sizes are bytes. */
export interface ZfsDataset {
  /** Full name, `pool/a/b`. */
  readonly name: string;
  /** The pool (first component). */
  readonly pool: string;
  readonly type: DatasetType;
  /** Mount path; null for volumes and `mountpoint=none`; `legacy` is returned as is. */
  readonly mountpoint: string | null;
  /** `used`: space used by the dataset, its snapshots and descendants (bytes). */
  readonly used: number;
  /** `available`: space available to the dataset (bytes). */
  readonly available: number;
  /** `referenced`: data reachable from the dataset itself (bytes). */
  readonly referenced: number;
  /** Names of the direct child datasets, sorted. */
  readonly children: readonly string[];
}

/** Where a property value comes from (TrueNAS `PoolSnapshotEntryPropertyFields.source`). */
export type PropertySource = 'NONE' | 'DEFAULT' | 'LOCAL' | 'TEMPORARY' | 'INHERITED' | 'RECEIVED';

/** A property value as read from ZFS. */
export interface ZfsPropertyValue {
  readonly value: string;
  readonly source: PropertySource;
}

/** One snapshot. */
export interface ZfsSnapshot {
  /** `dataset@snapshot_name`. */
  readonly name: string;
  readonly dataset: string;
  /** The part after `@`. */
  readonly snapshotName: string;
  readonly pool: string;
  /** `creation`, in ms since the epoch (ZFS stores seconds). */
  readonly createdMs: number;
  /** `used`: space only this snapshot holds (bytes). */
  readonly used: number;
  /** `referenced` (bytes). */
  readonly referenced: number;
  /** `createtxg`, when the implementation reports it (null on zfs-fuse). */
  readonly createtxg: string | null;
  /** User properties (names containing `:`), including inherited ones. */
  readonly userProperties: Readonly<Record<string, ZfsPropertyValue>>;
}

/** One pool, from `zpool list`. Sizes are bytes. */
export interface ZfsPool {
  readonly name: string;
  /** `ONLINE`, `DEGRADED`, `FAULTED`, `OFFLINE`, `UNAVAIL`, `REMOVED` or `SUSPENDED`. */
  readonly health: string;
  readonly size: number;
  readonly allocated: number;
  readonly free: number;
}

/** Options shared by calls that may be cancelled. */
export interface CallOptions {
  /** Aborts the running process (it is killed) and rejects with ECANCELED. */
  readonly signal?: AbortSignal;
}

/** What vsnapd needs from ZFS. All names are validated first (see `names.ts`). */
export interface ZfsAdapter {
  /** Probes (once) which implementation answers. Throws EIO when ZFS is not running. */
  capabilities(): Promise<ZfsCapabilities>;

  /**
   * Lists filesystems and volumes: all of them, or `root` and (when `recursive`, the default) its
   * descendants. A missing `root` throws ENOENT.
   */
  listDatasets(opts?: { root?: string; recursive?: boolean } & CallOptions): Promise<ZfsDataset[]>;

  /**
   * Lists snapshots: all of them, or those of `dataset` (and, when `recursive`, of its descendants),
   * sorted by dataset name, then creation time.
   */
  listSnapshots(opts?: { dataset?: string; recursive?: boolean } & CallOptions): Promise<ZfsSnapshot[]>;

  /**
   * `zfs snapshot [-r] [-o k=v]… dataset@name`. `properties` must be user properties.
   * Throws EEXIST when the snapshot exists, ENOENT when the dataset does not.
   */
  createSnapshot(
    dataset: string,
    name: string,
    opts?: { recursive?: boolean; properties?: Record<string, string> } & CallOptions,
  ): Promise<void>;

  /**
   * `zfs destroy [-r] [-d] dataset@name`. Only snapshot names are accepted. Throws ENOENT when absent.
   * `defer` marks a held or cloned snapshot for destruction when it is released.
   */
  destroySnapshot(snapshot: string, opts?: { recursive?: boolean; defer?: boolean } & CallOptions): Promise<void>;

  /**
   * `zfs clone [-o k=v]… snapshot target`: a new filesystem whose files are the snapshot's (no copy;
   * the clone depends on the snapshot until destroyed). `properties` must be user properties. Throws
   * EEXIST when `target` exists, ENOENT when the snapshot or target's parent does not, ENOSPC/EDQUOT
   * when there is no room (quota), EINVAL for names in different pools.
   */
  clone(snapshot: string, target: string, opts?: { properties?: Record<string, string> } & CallOptions): Promise<void>;

  /**
   * `zfs destroy filesystem` of a dataset without children or snapshots (vsnapd destroys only what
   * it created, e.g. a restore clone). Throws ENOENT when absent, EBUSY when mounted and busy or
   * when it has dependents. Snapshot names are refused (use {@link destroySnapshot}).
   */
  destroyDataset(dataset: string, opts?: CallOptions): Promise<void>;

  /** User properties of a dataset or snapshot (names containing `:`). */
  getUserProperties(name: string, opts?: CallOptions): Promise<Record<string, ZfsPropertyValue>>;

  /** Sets user properties on a dataset or snapshot (one `zfs set` per property, for zfs-fuse). */
  setUserProperties(name: string, props: Record<string, string>, opts?: CallOptions): Promise<void>;

  /** Removes a user property (`zfs inherit`). */
  removeUserProperty(name: string, key: string, opts?: CallOptions): Promise<void>;

  /**
   * Bytes written to the dataset between the previous snapshot and `snapshot` (the `written` property
   * of a snapshot; for the first snapshot, its `referenced`). 0 means the snapshot holds no change.
   * NOTE: without the `written` property (zfs-fuse) this is the size of the incremental send stream
   * beyond its fixed header/trailer: exact for 0, an upper bound otherwise.
   */
  writtenBytes(snapshot: string, opts?: CallOptions): Promise<number>;

  /** `zpool list` for every pool or just `pool`. A missing pool throws ENOENT. */
  poolStatus(pool?: string, opts?: CallOptions): Promise<ZfsPool[]>;
}

/** Errors the adapter throws. */
export type ZfsError = CallError;
