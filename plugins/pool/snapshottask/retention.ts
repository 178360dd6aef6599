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

/** One token of a shell pattern: `*`, `?`, a character set `[…]`/`[!…]`, or a literal character. */
type GlobToken = { kind: 'star' } | { kind: 'any' } | { kind: 'set'; negate: boolean; test: (c: string) => boolean } | { kind: 'char'; c: string };

function globTokens(pattern: string): GlobToken[] {
  const out: GlobToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (out.at(-1)?.kind !== 'star') out.push({ kind: 'star' });
    } else if (c === '?') out.push({ kind: 'any' });
    else if (c === '[' && pattern.indexOf(']', i + 2) >= 0) {
      // As fnmatch.translate: a `]` right after `[` or `[!` is part of the set.
      const close = pattern.indexOf(']', i + 2);
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j]!, body[j + 2]!]);
          j += 2;
        } else ranges.push([body[j]!, body[j]!]);
      }
      out.push({ kind: 'set', negate, test: (ch) => ranges.some(([lo, hi]) => ch >= lo && ch <= hi) });
      i = close;
    } else out.push({ kind: 'char', c });
  }
  return out;
}

function tokenMatches(t: GlobToken, c: string): boolean {
  if (t.kind === 'any') return true;
  if (t.kind === 'char') return t.c === c;
  if (t.kind === 'set') return t.test(c) !== t.negate;
  return false;
}

/**
 * Shell-style pattern match (`*`, `?`, `[…]`, `[!…]`), as Python's fnmatch (case-sensitive, `*`
 * also crosses `/`). Matched with the classic greedy-star algorithm, at most O(name × pattern)
 * steps: the regular expression it replaced backtracked exponentially on patterns such as
 * `*a*a*a*a*a*a*a*a*a*a*x`, freezing the daemon during a snapshot run.
 */
export function fnmatch(name: string, pattern: string): boolean {
  const tokens = globTokens(pattern);
  const chars = [...name];
  let ti = 0;
  let ci = 0;
  let starAt = -1;
  let starChar = 0;
  while (ci < chars.length) {
    const t = tokens[ti];
    if (t && t.kind !== 'star' && tokenMatches(t, chars[ci]!)) {
      ti++;
      ci++;
    } else if (t?.kind === 'star') {
      starAt = ti++;
      starChar = ci;
    } else if (starAt >= 0) {
      ti = starAt + 1;
      ci = ++starChar;
    } else return false;
  }
  while (tokens[ti]?.kind === 'star') ti++;
  return ti === tokens.length;
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
