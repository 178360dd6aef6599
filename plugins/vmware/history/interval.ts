/**
 * A periodic snapshot task's expected interval: the longest gap between two consecutive times its
 * schedule fires (TrueNAS cron fields plus the begin/end window, matched as zettarepl/croniter do,
 * plugins/pool/snapshottask/schedule.ts). The longest gap, not the typical one: a Monday–Friday
 * task's interval is the weekend (3 days), so a VM is not called overdue every Monday morning.
 * Naive local time (no DST), minute precision.
 */
import { compileSchedule, inWindow, scheduleMatches, type TaskSchedule } from '../../pool/snapshottask/schedule.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;
/** Days scanned: 8 years from 2024-01-01 (two leap days, every weekday on every date). */
const SCAN_DAYS = 2922;
const SCAN_START = Date.UTC(2024, 0, 1);

/**
 * The longest gap between consecutive fire times of `schedule`, in ms (60 000 for every minute,
 * 86 400 000 for once a day, 259 200 000 for 00:00 Monday–Friday); null when the schedule fires
 * fewer than twice in 8 years.
 * @throws Error when the schedule is invalid (as compileSchedule; stored tasks are valid).
 */
export function scheduleIntervalMs(schedule: TaskSchedule): number | null {
  const c = compileSchedule(schedule);
  const times: number[] = [];
  for (const h of [...c.hours].sort((a, b) => a - b)) {
    for (const m of [...c.minutes].sort((a, b) => a - b)) if (inWindow(c, h * 60 + m)) times.push(h * 60 + m);
  }
  const [first] = times;
  if (first === undefined) return null;
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  let lastDay: number | null = null;
  let fires = 0;
  for (let day = 0; day < SCAN_DAYS; day++) {
    // The time of day already fits the schedule, so this asks whether the day does (month, dom, dow).
    if (!scheduleMatches(c, SCAN_START + (day * DAY_MINUTES + first) * MINUTE_MS)) continue;
    if (lastDay !== null) longest = Math.max(longest, (day - lastDay) * DAY_MINUTES + first - times[times.length - 1]!);
    lastDay = day;
    fires += times.length;
  }
  return fires < 2 ? null : longest * MINUTE_MS;
}
