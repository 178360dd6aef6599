/**
 * The seam between taking a ZFS snapshot (pool plugin) and making it VM-consistent (the VMware
 * coordinator, plugins/vmware). The pool plugin provides the `snapshotHooks` service; the
 * coordinator registers itself with `setCoordinator` (in its `setup` or `start`, the pool plugin is
 * set up first). When a snapshot with `vmware_sync` is due (a periodic task with `vmware_sync: true`,
 * its `run`, or `pool.snapshot.create` with `vmware_sync: true`), pool calls
 * `coordinator.coordinate(request)` and lets the coordinator decide *when* the ZFS snapshot is taken:
 *
 * 1. the coordinator selects entries/VMs and creates the VMware snapshots (SPEC §4 steps 1–4);
 * 2. it calls `request.takeSnapshot(props)` exactly once, passing the user properties to set on the
 *    new snapshot (`vsnapd:run`, `vsnapd:vmsynced`, and `freenas:vmsynced=Y` when full), which
 *    creates `dataset@snapshotName` (recursively when asked) and resolves when it exists;
 * 3. it removes the VMware snapshots and resolves with a {@link CoordinatedResult}.
 *
 * Guarantees pool gives (SPEC §4.7, "the ZFS snapshot is always taken"):
 * - if `coordinate` settles (resolves or rejects) without having called `takeSnapshot`, pool takes
 *   the snapshot itself, without properties, and records the coordinator's failure in the job log;
 * - if `takeSnapshot` fails (e.g. EEXIST, pool offline), it rejects with that CallError; the
 *   coordinator must clean up its VMware snapshots and rethrow it (pool reports it as the run error);
 * - a second call of `takeSnapshot` rejects (EINVAL) and takes nothing;
 * - `props` must be ZFS user properties (`module:name`, lowercase; values without tabs/newlines),
 *   otherwise `takeSnapshot` rejects with EINVAL before running anything;
 * - properties the caller of `pool.snapshot.create` passed are set too; the coordinator's win on
 *   the same key.
 * Without a registered coordinator, or with `vmware_sync: false`, pool just takes the snapshot.
 */
import type { JobHandle } from '../../daemon/registry/method.js';

/** What pool asks the coordinator to do. */
export interface CoordinationRequest {
  /** The dataset being snapshotted (`tank/vms`). */
  readonly dataset: string;
  /** Whether the ZFS snapshot is recursive (then entries for descendants apply too, reference §3.1). */
  readonly recursive: boolean;
  /** The snapshot name part (`auto-2025-01-01_00-00`); the ZFS snapshot is `dataset@snapshotName`. */
  readonly snapshotName: string;
  /** Why the snapshot is taken. */
  readonly source: 'task' | 'manual';
  /** The periodic snapshot task id for `source: 'task'`, else null. */
  readonly taskId: number | null;
  /** The job the run belongs to (for per-VM progress and log lines); null when not in a job. */
  readonly job: JobHandle | null;
  /** Aborted when the job is aborted or the daemon shuts down; the snapshot is still taken (pool does it). */
  readonly signal: AbortSignal;
  /**
   * Takes the ZFS snapshot now with these extra user properties. Call exactly once, between creating
   * and removing the VMware snapshots.
   */
  takeSnapshot(props: Record<string, string>): Promise<void>;
}

/** How VM-consistent the snapshot is: every selected VM, some of them, or none. */
export type VmSynced = 'full' | 'partial' | 'none';

/** What the coordinator reports back (shown in the job log; the per-VM report is free-form). */
export interface CoordinatedResult {
  readonly vmsynced: VmSynced;
  /** The coordination run's id (as stored in `vsnapd:run`), or null if no run was recorded. */
  readonly runId: string | number | null;
  /** Human-readable lines for the job log (skipped VMs with reasons, fallbacks, failures). */
  readonly messages: readonly string[];
  /** The per-VM report (JSON), attached to the job's log as one line. */
  readonly report?: unknown;
}

/** Makes snapshots VM-consistent. Implemented by the VMware plugin. */
export interface SnapshotCoordinator {
  coordinate(request: CoordinationRequest): Promise<CoordinatedResult>;
}

/** The registry pool provides as the `snapshotHooks` service. */
export interface SnapshotHooks {
  /** Registers the coordinator (null removes it, e.g. in the coordinator plugin's `stop`). */
  setCoordinator(coordinator: SnapshotCoordinator | null): void;
  /** The registered coordinator, or null. */
  coordinator(): SnapshotCoordinator | null;
}

/** Creates the registry (one per daemon). */
export function createSnapshotHooks(): SnapshotHooks {
  let current: SnapshotCoordinator | null = null;
  return {
    setCoordinator(coordinator) {
      current = coordinator;
    },
    coordinator: () => current,
  };
}
