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
 *
 * Progress: `request.job` is not the job itself but a {@link jobSegment} view of it. The coordinator
 * reports 0–100 of its own work; pool maps that into the part of the job it set aside for the
 * coordinator (a task run: 20–70, after "Taking …" and before the empty check and retention), so
 * the job's percent never goes backwards.
 */
import type { JobHandle } from '../../daemon/registry/method.js';
import type { SelectionRules, TaskScripts } from './snapshottask/vmware-options.js';

/** A task's VMware settings the coordinator applies (`vmware_rules`, `vmware_scripts` of pool.snapshottask). */
export interface VmwareTaskOptions {
  /** Replace the entries' selection rules for this run; null = the entries' own. */
  readonly rules: SelectionRules | null;
  /** Pre/post scripts; null = none. */
  readonly scripts: TaskScripts | null;
}

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
  /** The task's selection rules and scripts (absent: none). */
  readonly vmware?: VmwareTaskOptions;
  /**
   * What started it: `periodic` (the task's schedule), `run` (`pool.snapshottask.run` called by a
   * client), `manual` (`pool.snapshot.create` with `vmware_sync`). Recorded in the run history.
   */
  readonly trigger: 'periodic' | 'run' | 'manual';
  /**
   * The job the run belongs to (for per-VM progress and log lines); null when not in a job. Its
   * `setProgress` takes 0–100 of the coordinator's own work (see {@link jobSegment}).
   */
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

/** What the coordinator reports back (messages go to the job log, the report into the job's result). */
export interface CoordinatedResult {
  readonly vmsynced: VmSynced;
  /** The coordination run's id (as stored in `vsnapd:run`), or null if no run was recorded. */
  readonly runId: string | number | null;
  /** Human-readable lines for the job log (skipped VMs with reasons, fallbacks, failures). */
  readonly messages: readonly string[];
  /**
   * What the run came to (the run history's state): SUCCESS, PARTIAL, NONE (no VM that should have
   * got a VMware snapshot held one) or FAILED. Absent: derived from `vmsynced` by pool.
   */
  readonly state?: 'SUCCESS' | 'PARTIAL' | 'NONE' | 'FAILED';
  /**
   * The per-VM report (a JSON object). Pool returns it in the job's result (`vmware_sync.report`
   * of `pool.snapshottask.run` / `pool.snapshot.create_coordinated`, see snapshot/sync-outcome.ts)
   * and keeps it as the job's final `progress.extra`.
   */
  readonly report?: unknown;
}

/** A problem with a task's VMware settings; `path` is relative to the task (`vmware_rules.include.0.tag`). */
export interface TaskOptionProblem {
  readonly path: string;
  readonly message: string;
}

/** Makes snapshots VM-consistent. Implemented by the VMware plugin. */
export interface SnapshotCoordinator {
  coordinate(request: CoordinationRequest): Promise<CoordinatedResult>;
  /**
   * Checks a task's VMware settings when the task is saved: each script path that may not run as
   * root (`vmware_scripts.pre`/`.post`), then the selection rules against the servers of the entries
   * covering `dataset` (rules naming folders, tags or attributes that do not exist). Resolves the
   * problems (empty when none, or when no server could be asked); never rejects.
   */
  checkTaskOptions?(dataset: string, recursive: boolean, options: VmwareTaskOptions): Promise<TaskOptionProblem[]>;
}

/** The registry pool provides as the `snapshotHooks` service. */
export interface SnapshotHooks {
  /** Registers the coordinator (null removes it, e.g. in the coordinator plugin's `stop`). */
  setCoordinator(coordinator: SnapshotCoordinator | null): void;
  /** The registered coordinator, or null. */
  coordinator(): SnapshotCoordinator | null;
}

/**
 * A view of `job` for one stage of it: a percent `p` (0–100) set through the view becomes
 * `from + (to - from) * p / 100` on the job, and never less than the view already set (a stage's
 * own estimate may drop, e.g. when a late vCenter adds VMs to the coordinator's total; the job's
 * percent must not). `null` (unknown) keeps the view's current percent. Description, extra, log and
 * signal pass through unchanged. `from`/`to` are percents with 0 ≤ from ≤ to ≤ 100.
 */
export function jobSegment(job: JobHandle, from: number, to: number): JobHandle {
  let high = from;
  return {
    id: job.id,
    signal: job.signal,
    setProgress(percent, description, extra) {
      if (percent !== null && Number.isFinite(percent)) {
        const p = Math.min(100, Math.max(0, percent));
        high = Math.max(high, Math.round(from + ((to - from) * p) / 100));
      }
      job.setProgress(high, description, extra);
    },
    log: (line) => job.log(line),
  };
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
