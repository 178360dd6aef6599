/**
 * The thin executors around the pure retention rules: destroying the expired snapshots of a task's
 * dataset tree (after each run), and destroying the just-taken snapshots in which nothing was
 * written (`allow_empty: false`). Snapshots that vanished meanwhile (another task pruned them) are
 * not an error.
 */
import { CallError, Errno } from '../../../daemon/errors.js';
import type { ZfsAdapter } from '../zfs/adapter.js';
import { lifetimeMs, snapshotsToDestroy, taskSnapshotDatasets, type RetentionTask } from './retention.js';
import { compileSchedule, scheduleProblems } from './schedule.js';
import type { TaskRow } from './schemas.js';
import { wallMsOf, wallTimeOf } from './wall-time.js';

/** What a prune did. */
export interface PruneResult {
  /** Snapshots destroyed (`dataset@name`). */
  readonly destroyed: string[];
  /** Problems that did not stop the prune. */
  readonly warnings: string[];
}

/** A task row as retention sees it; null when its schedule no longer compiles. */
export function retentionTask(row: TaskRow): RetentionTask | null {
  if (scheduleProblems(row.schedule).length > 0) return null;
  return {
    id: row.id,
    dataset: row.dataset,
    recursive: row.recursive,
    exclude: row.exclude,
    namingSchema: row.naming_schema,
    lifetimeMs: lifetimeMs(row.lifetime_value, row.lifetime_unit),
    schedule: compileSchedule(row.schedule),
  };
}

const isMissing = (err: unknown): boolean => err instanceof CallError && err.errno === Errno.ENOENT;

/**
 * Destroys the expired snapshots in `task`'s dataset tree. Every enabled task in `allTasks` counts
 * as a possible owner (so the longest lifetime wins). `nowMs` is an instant; names are read in
 * `timeZone`.
 */
export async function pruneExpired(
  zfs: ZfsAdapter,
  task: TaskRow,
  allTasks: readonly TaskRow[],
  nowMs: number,
  timeZone: string,
): Promise<PruneResult> {
  const owners = allTasks.filter((t) => t.enabled).flatMap((t) => retentionTask(t) ?? []);
  const snapshots = await zfs.listSnapshots({ dataset: task.dataset, recursive: true });
  const plan = snapshotsToDestroy({
    nowWallMs: wallMsOf(wallTimeOf(nowMs, timeZone)),
    tasks: owners,
    snapshots: snapshots.map((s) => ({ dataset: s.dataset, snapshotName: s.snapshotName })),
    timeZone,
  });
  const destroyed: string[] = [];
  const warnings = [...plan.warnings];
  for (const s of plan.destroy) {
    const name = `${s.dataset}@${s.snapshotName}`;
    try {
      await zfs.destroySnapshot(name);
      destroyed.push(name);
    } catch (err) {
      if (!isMissing(err)) warnings.push(`Could not destroy expired snapshot ${name}: ${(err as Error).message}`);
    }
  }
  return { destroyed, warnings };
}

/**
 * Destroys, among the snapshots named `name` that a run of `task` just created, those in which
 * nothing was written since the previous snapshot (zettarepl `get_empty_snapshots_for_deletion`:
 * each dataset's snapshot is judged on its own).
 */
export async function pruneEmpty(zfs: ZfsAdapter, task: TaskRow, name: string): Promise<PruneResult> {
  const datasets = task.recursive
    ? taskSnapshotDatasets(task, (await zfs.listDatasets({ root: task.dataset })).map((d) => d.name))
    : [task.dataset];
  const destroyed: string[] = [];
  const warnings: string[] = [];
  for (const ds of datasets) {
    const snapshot = `${ds}@${name}`;
    try {
      if ((await zfs.writtenBytes(snapshot)) === 0) {
        await zfs.destroySnapshot(snapshot);
        destroyed.push(snapshot);
      }
    } catch (err) {
      // As zettarepl: when emptiness cannot be read, assume the snapshot is not empty.
      if (!isMissing(err)) warnings.push(`Could not check whether ${snapshot} is empty: ${(err as Error).message}`);
    }
  }
  return { destroyed, warnings };
}
