/**
 * One run of a periodic snapshot task, the same whether the scheduler or `pool.snapshottask.run`
 * started it (both go through the `pool.snapshottask.run` job): check the pool (HOLD when offline),
 * name the snapshot from the current local minute, take it (through the VMware coordinator when
 * `vmware_sync`), drop it again if empty and `allow_empty` is false, then apply retention. The
 * task `state` follows along (RUNNING → FINISHED | ERROR | HOLD) and a failure raises
 * `SnapshotTaskFailed`.
 *
 * Concurrency: runs of one task never overlap (the job lock; the scheduler also skips a tick while
 * the task runs). Different tasks run in parallel; they only serialise on the same snapshot name
 * (`snapshot:<dataset@name>`, so two tasks producing the same snapshot in the same minute share it)
 * and on retention per pool.
 */
import type { Logger } from 'pino';
import { CallError, Errno } from '../../../daemon/errors.js';
import type { Alerts } from '../../../daemon/plugin.js';
import type { JobHandle } from '../../../daemon/registry/method.js';
import type { SnapshotHooks } from '../snapshot-hook.js';
import { syncOutcome, type VmwareSyncOutcomeT } from '../snapshot/sync-outcome.js';
import { snapshotExists, takeSnapshot } from '../snapshot/take.js';
import type { ZfsAdapter } from '../zfs/adapter.js';
import { poolOf } from '../zfs/names.js';
import { SNAPSHOT_TASK_FAILED } from './alerts.js';
import type { KeyedLock, RecentSnapshots } from './keyed-lock.js';
import { snapshotNameAt } from './naming-schema.js';
import { pruneEmpty, pruneExpired } from './prune.js';
import type { StoredTaskState, TaskRow, TaskRunResultT } from './schemas.js';
import type { TaskStore } from './store.js';

/** What a run needs. */
export interface RunDeps {
  readonly zfs: ZfsAdapter;
  readonly hooks: SnapshotHooks;
  readonly store: TaskStore;
  readonly alerts: Alerts;
  readonly log: Logger;
  /** IANA zone snapshot names are written in. */
  readonly timeZone: string;
  /** The clock (ms since the epoch); injectable for tests. */
  now(): number;
  readonly locks: KeyedLock;
  readonly recent: RecentSnapshots;
  /** Ids of the tasks running right now (the scheduler skips them). */
  readonly active: Set<number>;
  /** The scheduled instant (ms) of each task's tick whose run has not started yet, by task id. */
  readonly ticks: Map<number, number>;
}

/** The job (or nothing) a run reports to. */
export interface RunCall {
  readonly job: JobHandle | null;
  readonly signal: AbortSignal;
  /** Started by the task's schedule (not by a client's `pool.snapshottask.run`); default false. */
  readonly scheduled?: boolean;
  /**
   * The scheduled instant of a scheduled run (ms since the epoch, the tick's minute): the snapshot
   * is named by it, not by when the run got to start (zettarepl names by the schedule), so a run
   * that waited behind another still gets its slot's name. Absent: named by `deps.now()`.
   */
  readonly scheduledAt?: number;
}

/** TrueNAS `pool.snapshottask.run` texts. */
export const TASK_NOT_ENABLED = 'Task is not enabled';
export const alreadyExisted = (snapshot: string): string =>
  `Snapshot ${snapshot} already existed. This probably happened because the task already ran on schedule.`;

/**
 * The job's percent during a run: 20 "Taking …", the VMware coordinator's own 0–100 mapped into
 * 20–70 (it is by far the longest part), 75 empty check, 85 retention, 100 finished.
 */
const COORDINATOR_PROGRESS = { from: 20, to: 70 } as const;

/** A held task: the pool is not usable (zettarepl HOLD). */
class HoldError extends CallError {}

/**
 * The snapshot of this minute exists already. zettarepl counts that as success (state FINISHED);
 * only the caller of `run` is told, with TrueNAS's sentence.
 */
class AlreadyExistedError extends CallError {
  readonly snapshot: string;
  constructor(snapshot: string, cause?: unknown) {
    super(alreadyExisted(snapshot), Errno.EEXIST, null, cause === undefined ? undefined : { cause });
    this.snapshot = snapshot;
  }
}

/** Returns why the task's pool cannot take snapshots ("Pool tank is offline."), or null. */
async function holdReason(zfs: ZfsAdapter, dataset: string): Promise<string | null> {
  const pool = poolOf(dataset);
  try {
    const [status] = await zfs.poolStatus(pool);
    if (status && (status.health === 'ONLINE' || status.health === 'DEGRADED')) return null;
  } catch (err) {
    if (!(err instanceof CallError) || err.errno !== Errno.ENOENT) throw err;
  }
  return `Pool ${pool} is offline.`;
}

function report(call: RunCall, deps: RunDeps, line: string): void {
  call.job?.log(line);
  deps.log.info(line);
}

/** The snapshot a run took or shared. */
interface TakenSnapshot {
  /** `dataset@name`. */
  full: string;
  name: string;
  /** This run created it (false: shared with another task of this minute). */
  created: boolean;
  /** Its VMware coordination, when this run created it with `vmware_sync`. */
  sync: VmwareSyncOutcomeT | null;
}

/**
 * Takes the task's snapshot for the current minute, or for the scheduled one (`call.scheduledAt`),
 * or shares one another task took in that minute.
 * Returns the snapshot name and whether this run created it; throws the run's error.
 */
async function takeTaskSnapshot(deps: RunDeps, task: TaskRow, call: RunCall, warnings: string[]): Promise<TakenSnapshot> {
  const now = call.scheduledAt ?? deps.now();
  const name = snapshotNameAt(task.naming_schema, now, deps.timeZone);
  const full = `${task.dataset}@${name}`;
  return deps.locks.run(`snapshot:${full}`, async () => {
    const takenBy = deps.recent.takenBy(full, now);
    if (await snapshotExists(deps.zfs, full)) {
      if (takenBy.size === 0 || takenBy.has(task.id)) throw new AlreadyExistedError(full);
      // zettarepl: another task created this very snapshot in this tick; it is ours too.
      deps.recent.add(full, task.id, now);
      report(call, deps, `${full} was taken this minute by task ${[...takenBy].join(', ')}; shared`);
      return { full, name, created: false, sync: null };
    }
    call.job?.setProgress(COORDINATOR_PROGRESS.from, `Taking ${full}`);
    let result;
    try {
      result = await takeSnapshot(
        { zfs: deps.zfs, hooks: deps.hooks },
        {
          dataset: task.dataset,
          name,
          recursive: task.recursive,
          exclude: task.exclude,
          properties: {},
          vmwareSync: task.vmware_sync,
          source: 'task',
          taskId: task.id,
          scheduled: call.scheduled ?? false,
          vmware: { rules: task.vmware_rules ?? null, scripts: task.vmware_scripts ?? null },
          job: call.job,
          progress: COORDINATOR_PROGRESS,
          signal: call.signal,
        },
      );
    } catch (err) {
      if (err instanceof CallError && err.errno === Errno.EEXIST) throw new AlreadyExistedError(full, err);
      throw err;
    }
    deps.recent.add(full, task.id, now);
    for (const line of result.coordinated?.messages ?? []) call.job?.log(line);
    if (result.coordinated) report(call, deps, `${full}: VMware sync ${result.coordinated.vmsynced}`);
    if (result.coordinatorError) {
      warnings.push(result.coordinatorError);
      call.job?.log(result.coordinatorError);
      deps.log.warn({ task: task.id, snapshot: full }, result.coordinatorError);
    }
    report(call, deps, `Took ${full}${task.recursive ? ' (recursive)' : ''}`);
    return { full, name, created: true, sync: task.vmware_sync ? syncOutcome(result) : null };
  });
}

/**
 * Runs task `id` now. Resolves null for a task without `vmware_sync` (TrueNAS's result), else the
 * snapshot and its VMware coordination with the per-VM report ({@link TaskRunResultT}; the report
 * is the job's final `progress.extra` too). Rejects with the run's CallError: "Task is not
 * enabled", the "already existed" text, "Pool <pool> is offline." (HOLD), or the ZFS error.
 */
export async function runTask(deps: RunDeps, id: number, call: RunCall): Promise<TaskRunResultT> {
  const task = deps.store.get(id);
  if (!task.enabled) throw new CallError(TASK_NOT_ENABLED);
  const previous = task.state.last_snapshot ?? null;
  deps.active.add(id);
  try {
    const hold = await holdReason(deps.zfs, task.dataset);
    if (hold) {
      await deps.store.setState(id, { state: 'HOLD', datetime: deps.now(), reason: hold, last_snapshot: previous });
      throw new HoldError(hold, Errno.EIO);
    }
    await deps.store.setState(id, { state: 'RUNNING', datetime: deps.now(), last_snapshot: previous });
    const warnings: string[] = [];
    const { full, name, created, sync } = await takeTaskSnapshot(deps, task, call, warnings);
    let last: string | null = full;
    if (created && !task.allow_empty) {
      call.job?.setProgress(75, 'Checking for empty snapshots');
      const empty = await pruneEmpty(deps.zfs, task, name);
      warnings.push(...empty.warnings);
      for (const s of empty.destroyed) report(call, deps, `Destroyed ${s}: nothing was written since the previous snapshot`);
      if (empty.destroyed.includes(full)) {
        deps.recent.delete(full);
        last = previous;
      }
    }
    call.job?.setProgress(85, 'Applying retention');
    const expired = await deps.locks.run(`retention:${poolOf(task.dataset)}`, () =>
      pruneExpired(deps.zfs, task, deps.store.all(), deps.now(), deps.timeZone),
    );
    warnings.push(...expired.warnings);
    for (const s of expired.destroyed) report(call, deps, `Destroyed expired ${s}`);
    for (const w of expired.warnings) call.job?.log(w);
    const finished: StoredTaskState = { state: 'FINISHED', datetime: deps.now(), last_snapshot: last };
    const incomplete = sync !== null && sync.state !== null && sync.state !== 'SUCCESS';
    if (sync) {
      finished.vmware_sync = { state: sync.state, vmsynced: sync.vmsynced, run_id: sync.run_id, error: sync.error };
      if (incomplete) warnings.push(`VMware coordination ${sync.state} (vmsynced ${sync.vmsynced ?? 'not set'}${sync.run_id === null ? '' : `, run ${sync.run_id}`})`);
    }
    if (warnings.length > 0) finished.warnings = warnings;
    await deps.store.setState(id, finished);
    await deps.alerts.oneshotDelete(SNAPSHOT_TASK_FAILED.name, String(id));
    // The per-VM report stays visible in core.get_jobs after pool's last step (progress.extra).
    const done = incomplete ? `Finished with VMware coordination ${sync.state} (vmsynced ${sync.vmsynced ?? 'not set'})` : 'Finished';
    call.job?.setProgress(100, `${done}: ${last ?? 'no snapshot kept'}`, sync?.report ?? undefined);
    return task.vmware_sync ? { snapshot: last, vmware_sync: sync } : null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof AlreadyExistedError) {
      await deps.store.setState(id, { state: 'FINISHED', datetime: deps.now(), last_snapshot: err.snapshot }).catch(() => undefined);
      throw err;
    }
    if (!(err instanceof HoldError)) {
      await deps.store.setState(id, { state: 'ERROR', datetime: deps.now(), error: message, last_snapshot: previous }).catch(() => undefined);
    }
    await deps.alerts
      .oneshotCreate(SNAPSHOT_TASK_FAILED.name, { id, dataset: task.dataset, error: message }, String(id))
      .catch((e: unknown) => deps.log.error({ err: e }, 'could not raise SnapshotTaskFailed'));
    throw err;
  } finally {
    deps.active.delete(id);
  }
}
