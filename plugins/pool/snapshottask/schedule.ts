/**
 * Periodic snapshot task schedules: TrueNAS's cron fields plus a begin/end window (zettarepl
 * `CronSchedule`). Cron syntax is read with node-cron's parser; matching follows croniter, which
 * zettarepl uses: when both day-of-month and day-of-week are restricted, either one matching is
 * enough. The window is inclusive and may wrap midnight (`begin > end`, e.g. 22:00–06:00).
 * Matching works on naive local time (wall ms, see wall-time.ts), at minute precision.
 */
import { parse as parseCron } from 'node-cron';
import { toMinute } from './wall-time.js';

/** A task's `schedule` as stored and sent on the wire. */
export interface TaskSchedule {
  readonly minute: string;
  readonly hour: string;
  readonly dom: string;
  readonly month: string;
  readonly dow: string;
  readonly begin: string;
  readonly end: string;
}

/** TrueNAS defaults (`PoolSnapshotTaskCron`). */
export const DEFAULT_SCHEDULE: TaskSchedule = { minute: '00', hour: '*', dom: '*', month: '*', dow: '*', begin: '00:00', end: '23:59' };

/** A schedule ready for matching. */
export interface CompiledSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly doms: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday. */
  readonly dows: ReadonlySet<number>;
  readonly domRestricted: boolean;
  readonly dowRestricted: boolean;
  /** Window bounds in minutes of the day. */
  readonly begin: number;
  readonly end: number;
  /** The 5-field expression handed to node-cron (matches a superset; {@link scheduleMatches} decides). */
  readonly cron: string;
}

/** One schedule problem: `field` null means the schedule as a whole. */
export interface ScheduleProblem {
  /** The schedule field at fault (`minute` … `dow`, `begin`, `end`), or null for the schedule as a whole. */
  readonly field: 'minute' | 'hour' | 'dom' | 'month' | 'dow' | 'begin' | 'end' | null;
  readonly message: string;
}

const TIME = /^(\d{1,2}):(\d{2})$/;

/** Minutes of the day for `H:MM`, or null when it is not a 24-hour time. */
export function parseTimeOfDay(text: string): number | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 23 && min <= 59 ? h * 60 + min : null;
}

function cronFields(s: TaskSchedule): string[] {
  return [s.minute, s.hour, s.dom, s.month, s.dow];
}

const CRON_FIELDS = ['minute', 'hour', 'dom', 'month', 'dow'] as const;

/** A cron field's name in a task's `schedule`. */
export type CronFieldName = (typeof CRON_FIELDS)[number];

/** TrueNAS's prefix of a cron syntax error. */
const CRON_SYNTAX = 'Please ensure fields match cron syntax - ';

/** TrueNAS's message for a bad `begin`/`end`. */
const TIME_OF_DAY = 'Time should be in 24 hour format like "18:00"';

/**
 * What is wrong with one cron field on its own (TrueNAS's text), or null. Used by the input schemas,
 * so a bad field is reported together with every other field's error.
 */
export function cronFieldProblem(name: CronFieldName, value: string): string | null {
  const i = CRON_FIELDS.indexOf(name);
  const problem = fieldProblem(CRON_FIELDS.map((_, j) => (j === i ? value : '*')), i);
  return problem === null ? null : `${CRON_SYNTAX}${problem}`;
}

/** What is wrong with a `begin`/`end` time of day (TrueNAS's text), or null. */
export function timeOfDayProblem(value: string): string | null {
  return parseTimeOfDay(value) === null ? TIME_OF_DAY : null;
}

/** What is wrong with field `i` of `raw` on its own (the others read as `*`), or null. */
function fieldProblem(raw: readonly string[], i: number): string | null {
  const v = raw[i] ?? '';
  const name = CRON_FIELDS[i];
  if (v.trim() === '' || /\s/.test(v)) return `${name} ${JSON.stringify(v)} must be one cron field without spaces`;
  let parsed;
  try {
    parsed = parseCron(CRON_FIELDS.map((_, j) => (j === i ? v : '*')).join(' '));
  } catch (err) {
    return (err as Error).message;
  }
  const values = [parsed.minute, parsed.hour, parsed.dayOfMonth, parsed.month, parsed.dayOfWeek][i] ?? [];
  return values.some((x) => typeof x !== 'number') ? `${v} uses a token vsnapd does not support in ${name} (L, W and # are not cron syntax)` : null;
}

/** The five fields expanded, or every field's problem (each field is checked, so all are reported at once). */
function expand(s: TaskSchedule): { fields: number[][]; errors: { field: (typeof CRON_FIELDS)[number]; message: string }[] } {
  const raw = cronFields(s);
  const errors = CRON_FIELDS.flatMap((field, i) => {
    const message = fieldProblem(raw, i);
    return message === null ? [] : [{ field, message }];
  });
  if (errors.length > 0) return { fields: [], errors };
  const parsed = parseCron(raw.join(' '));
  const fields = [parsed.minute, parsed.hour, parsed.dayOfMonth, parsed.month, parsed.dayOfWeek];
  return { fields: fields.map((f) => (f ?? []).map(Number)), errors: [] };
}

/** True when `minuteOfDay` lies in the window [begin, end] (which may wrap midnight). */
export function inWindow(c: Pick<CompiledSchedule, 'begin' | 'end'>, minuteOfDay: number): boolean {
  return c.begin <= c.end ? minuteOfDay >= c.begin && minuteOfDay <= c.end : minuteOfDay >= c.begin || minuteOfDay <= c.end;
}

/**
 * Checks a schedule with TrueNAS's messages: cron syntax ("Please ensure fields match cron syntax -
 * …"), `begin`/`end` format, and that some minute of the day both matches and lies in the window.
 */
export function scheduleProblems(s: TaskSchedule): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  for (const field of ['begin', 'end'] as const) {
    const message = timeOfDayProblem(s[field]);
    if (message) problems.push({ field, message });
  }
  for (const e of expand(s).errors) problems.push({ field: e.field, message: `${CRON_SYNTAX}${e.message}` });
  if (problems.length === 0) {
    const c = compileSchedule(s);
    const hits = [...c.hours].some((h) => [...c.minutes].some((m) => inWindow(c, h * 60 + m)));
    if (!hits) problems.push({ field: null, message: 'Specified schedule does not match specified time interval' });
  }
  return problems;
}

/** Compiles a valid schedule (call {@link scheduleProblems} first; throws on invalid input). */
export function compileSchedule(s: TaskSchedule): CompiledSchedule {
  const { fields, errors } = expand(s);
  const begin = parseTimeOfDay(s.begin);
  const end = parseTimeOfDay(s.end);
  if (errors.length > 0 || begin === null || end === null) throw new Error(`Invalid schedule: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'bad begin/end time'}`);
  const [minutes = [], hours = [], doms = [], months = [], dows = []] = fields;
  const domRestricted = s.dom.trim() !== '*';
  const dowRestricted = s.dow.trim() !== '*';
  // node-cron ANDs day-of-month and day-of-week; croniter ORs them when both are set, so let
  // node-cron fire on every such day and decide in scheduleMatches.
  const both = domRestricted && dowRestricted;
  const cron = [s.minute, s.hour, both ? '*' : s.dom, s.month, both ? '*' : s.dow].join(' ');
  return {
    minutes: new Set(minutes),
    hours: new Set(hours),
    doms: new Set(doms),
    months: new Set(months),
    dows: new Set(dows.map((d) => d % 7)),
    domRestricted,
    dowRestricted,
    begin,
    end,
    cron,
  };
}

/** zettarepl `CronSchedule.should_run`: does the schedule fire at this naive local minute? */
export function scheduleMatches(c: CompiledSchedule, wallMs: number): boolean {
  const d = new Date(toMinute(wallMs));
  if (!inWindow(c, d.getUTCHours() * 60 + d.getUTCMinutes())) return false;
  if (!c.minutes.has(d.getUTCMinutes()) || !c.hours.has(d.getUTCHours()) || !c.months.has(d.getUTCMonth() + 1)) return false;
  const domOk = c.doms.has(d.getUTCDate());
  const dowOk = c.dows.has(d.getUTCDay());
  return c.domRestricted && c.dowRestricted ? domOk || dowOk : domOk && dowOk;
}
