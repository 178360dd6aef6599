/**
 * Retention of periodic snapshot tasks as pure functions (zettarepl `retention/calculate.py` and
 * `snapshot/task/snapshot_owner.py`). A task *owns* a snapshot when the snapshot's dataset is in the
 * task's tree and its name parses with the task's naming schema to a local time at which the task's
 * schedule would have fired. An owned snapshot is destroyed when no owner retains it any more
 * (`time < now - lifetime`, minute-truncated): with several owners, the longest lifetime wins.
 * The newest snapshot of each naming schema on a dataset is never destroyed; snapshots no task owns
 * (other names, other datasets, unparsable) are never touched.
 */
import { isSameOrDescendant } from '../zfs/names.js';
import { tryParseSnapshotName, type ParsedSnapshotName } from './naming-schema.js';
import { scheduleMatches, type CompiledSchedule } from './schedule.js';
import { toMinute } from './wall-time.js';

/** TrueNAS `lifetime_unit` values. */
export type LifetimeUnit = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';

/** Seconds per lifetime unit (MONTH = 30 days, YEAR = 365 days, as zettarepl). */
export const LIFETIME_UNIT_SECONDS: Readonly<Record<LifetimeUnit, number>> = {
  HOUR: 3600,
  DAY: 86_400,
  WEEK: 7 * 86_400,
  MONTH: 30 * 86_400,
  YEAR: 365 * 86_400,
};

/** What retention needs to know about a task. */
export interface RetentionTask {
  readonly id: number;
  readonly dataset: string;
  readonly recursive: boolean;
  readonly exclude: readonly string[];
  readonly namingSchema: string;
  /** lifetime_value × unit, in ms. */
  readonly lifetimeMs: number;
  readonly schedule: CompiledSchedule;
}

/** A snapshot by dataset and name part. */
export interface SnapshotRef {
  readonly dataset: string;
  readonly snapshotName: string;
}

/** What {@link snapshotsToDestroy} decided. */
export interface RetentionPlan {
  /** Snapshots to destroy, sorted by dataset then name. */
  readonly destroy: SnapshotRef[];
  /** Datasets skipped, with why (e.g. a name two schemas read differently). */
  readonly warnings: string[];
}

/** Lifetime in ms. */
export function lifetimeMs(value: number, unit: LifetimeUnit): number {
  return value * LIFETIME_UNIT_SECONDS[unit] * 1000;
}

/** Shell-style pattern match (`*`, `?`, `[…]`, `[!…]`), as Python's fnmatch. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set}]`;
        i = close;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(name);
}

/** zettarepl `should_exclude`: the dataset is an excluded one, below one, or matches a pattern. */
export function isExcluded(dataset: string, exclude: readonly string[]): boolean {
  return exclude.some((e) => isSameOrDescendant(dataset, e) || fnmatch(dataset, e));
}

/** zettarepl `belongs_to_tree`: is `dataset` covered by the task? */
export function ownsDataset(task: Pick<RetentionTask, 'dataset' | 'recursive' | 'exclude'>, dataset: string): boolean {
  if (!task.recursive) return dataset === task.dataset;
  return isSameOrDescendant(dataset, task.dataset) && !isExcluded(dataset, task.exclude);
}

function planDataset(
  names: readonly string[],
  owners: readonly RetentionTask[],
  nowWallMs: number,
  timeZone: string,
): { destroy: string[]; warning: string | null } {
  const schemas = [...new Set(owners.map((o) => o.namingSchema))];
  const parsed = new Map<string, ParsedSnapshotName>();
  for (const schema of schemas) {
    for (const name of names) {
      const p = tryParseSnapshotName(name, schema, timeZone);
      if (!p) continue;
      const seen = parsed.get(name);
      if (!seen) parsed.set(name, p);
      else if (seen.wallMs !== p.wallMs) {
        return { destroy: [], warning: `Snapshot name ${name} was parsed ambiguously by naming schemas ${seen.namingSchema} and ${schema}` };
      }
    }
  }
  const newest = new Map<string, ParsedSnapshotName>();
  const left = new Map<string, Set<string>>();
  for (const p of parsed.values()) {
    const n = newest.get(p.namingSchema);
    if (!n || n.wallMs < p.wallMs) newest.set(p.namingSchema, p);
    let set = left.get(p.namingSchema);
    if (!set) left.set(p.namingSchema, (set = new Set()));
    set.add(p.name);
  }
  const deleteBefore = toMinute(nowWallMs);
  const destroy: string[] = [];
  for (const p of parsed.values()) {
    const snapshotOwners = owners.filter((o) => o.namingSchema === p.namingSchema && scheduleMatches(o.schedule, p.wallMs));
    if (snapshotOwners.length === 0) continue;
    const retained = snapshotOwners.some((o) => toMinute(p.wallMs) >= deleteBefore - o.lifetimeMs);
    if (retained) continue;
    destroy.push(p.name);
    left.get(p.namingSchema)?.delete(p.name);
  }
  for (const [schema, names] of left) {
    if (names.size > 0) continue;
    const keep = newest.get(schema)?.name;
    const i = keep === undefined ? -1 : destroy.indexOf(keep);
    if (i >= 0) destroy.splice(i, 1);
  }
  return { destroy: destroy.sort(), warning: null };
}

/**
 * Decides which snapshots the tasks' retention destroys at local time `nowWallMs` (wall ms in
 * `timeZone`, the zone names are written in). `snapshots` may include any snapshots at all: those no
 * task owns are left alone.
 */
export function snapshotsToDestroy(args: {
  nowWallMs: number;
  tasks: readonly RetentionTask[];
  snapshots: readonly SnapshotRef[];
  timeZone: string;
}): RetentionPlan {
  const byDataset = new Map<string, string[]>();
  for (const s of args.snapshots) {
    let list = byDataset.get(s.dataset);
    if (!list) byDataset.set(s.dataset, (list = []));
    list.push(s.snapshotName);
  }
  const destroy: SnapshotRef[] = [];
  const warnings: string[] = [];
  for (const dataset of [...byDataset.keys()].sort()) {
    const owners = args.tasks.filter((t) => ownsDataset(t, dataset));
    if (owners.length === 0) continue;
    const plan = planDataset(byDataset.get(dataset) ?? [], owners, args.nowWallMs, args.timeZone);
    if (plan.warning) warnings.push(`${dataset}: ${plan.warning}`);
    for (const snapshotName of plan.destroy) destroy.push({ dataset, snapshotName });
  }
  return { destroy, warnings };
}

/**
 * The datasets whose snapshot a run of the task creates: the dataset, or (recursive) every dataset
 * of its tree that is not excluded. `datasets` is the list of existing dataset names.
 */
export function taskSnapshotDatasets(task: Pick<RetentionTask, 'dataset' | 'recursive' | 'exclude'>, datasets: readonly string[]): string[] {
  if (!task.recursive) return [task.dataset];
  return datasets.filter((d) => ownsDataset(task, d)).sort();
}
