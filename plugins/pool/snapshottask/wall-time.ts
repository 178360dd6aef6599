/**
 * Wall-clock time in a time zone. Snapshot names, schedules and retention all work on the *naive*
 * local time of the configured zone, as zettarepl does (its TzClock): a schedule fires when the local
 * clock shows a matching minute, and a snapshot name records that local minute. We represent a naive
 * local time as "wall ms": `Date.UTC(y, m-1, d, H, M, S, ms)` of the local fields (not an instant).
 */

/** The calendar fields of a naive local date and time, to the second (shared with strptime's result). */
export interface CalendarFields {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  /** 0–23. */
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Local date/time fields of an instant in a zone. */
export interface WallTime extends CalendarFields {
  readonly millisecond: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  /** Offset from UTC in minutes (east positive), e.g. +60 for CET. */
  readonly offsetMinutes: number;
  /** The instant, in seconds since the epoch (for `%s`). */
  readonly epochSeconds: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Returns why `timeZone` is not a usable IANA zone name, or null. */
export function timeZoneProblem(timeZone: string): string | null {
  try {
    formatterFor(timeZone);
    return null;
  } catch {
    return `Unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as "Europe/Berlin" or "UTC")`;
  }
}

/** The zone the host is configured for (TZ or /etc/localtime), as Node sees it. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Local fields of `instantMs` in `timeZone`. */
export function wallTimeOf(instantMs: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const millisecond = ((instantMs % 1000) + 1000) % 1000;
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  const hour = parts.hour ?? 0;
  const minute = parts.minute ?? 0;
  const second = parts.second ?? 0;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    millisecond,
    weekday: new Date(wall).getUTCDay(),
    offsetMinutes: Math.round((wall - instantMs) / 60_000),
    epochSeconds: Math.floor(instantMs / 1000),
  };
}

/** Naive local time as wall ms. */
export function wallMsOf(w: Pick<WallTime, 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond'>): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
}

/**
 * A WallTime for naive wall ms with a given offset (no zone lookup): used for naming-schema checks
 * with fixed offsets, as zettarepl checks with `Etc/GMT±10`.
 */
export function fixedOffsetWallTime(wallMs: number, offsetMinutes: number): WallTime {
  const d = new Date(wallMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
    offsetMinutes,
    epochSeconds: Math.floor((wallMs - offsetMinutes * 60_000) / 1000),
  };
}

/** Truncates wall (or instant) ms to the minute: zettarepl's `idealized_datetime`. */
export function toMinute(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}
