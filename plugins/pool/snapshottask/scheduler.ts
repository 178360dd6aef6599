/**
 * Fires periodic snapshot tasks: one node-cron schedule per enabled task, in the configured time
 * zone, rebuilt whenever tasks change. Each tick checks the full schedule (window, croniter's
 * day-of-month/day-of-week OR) on the local wall clock and starts the task's run as its own job,
 * so a slow task never delays another. A tick is skipped while the task's previous run is still
 * going, and when the local minute already fired (the clock went back: DST end, or a time change),
 * so the same snapshot name is never attempted twice by the schedule.
 *
 * The cron source is injectable ({@link CronFactory}): unit tests fire ticks by hand.
 */
import { createTask } from 'node-cron';
import type { Logger } from 'pino';
import { compileSchedule, scheduleMatches, scheduleProblems, type CompiledSchedule } from './schedule.js';
import type { TaskRow } from './schemas.js';
import { toMinute, wallMsOf, wallTimeOf } from './wall-time.js';

/** A running cron schedule. */
export interface CronHandle {
  stop(): void;
}

/** Starts a 5-field cron schedule in `timeZone`, calling `onTick` with the scheduled instant. */
export type CronFactory = (expression: string, timeZone: string, onTick: (firedAt: Date) => void) => CronHandle;

/**
 * node-cron as the cron source, its messages (e.g. "missed execution") going to `log` instead of
 * the console.
 */
export function nodeCronFactory(log: Logger): CronFactory {
  const logger = {
    info: (m: string) => log.info(`node-cron: ${m}`),
    warn: (m: string) => log.warn(`node-cron: ${m}`),
    error: (m: string | Error, err?: Error) => log.error({ err: err ?? m }, 'node-cron error'),
    debug: (m: string | Error) => log.debug({ msg: String(m) }, 'node-cron'),
  };
  return (expression, timeZone, onTick) => {
    const task = createTask(expression, (ctx) => onTick(ctx.date), { timezone: timeZone, noOverlap: false, logger });
    void task.start();
    return {
      stop: () => {
        void task.destroy();
      },
    };
  };
}

/** What the scheduler drives. */
export interface SchedulerDeps {
  readonly cron: CronFactory;
  readonly timeZone: string;
  readonly log: Logger;
  /** True while task `id` runs (its tick is skipped). */
  isRunning(id: number): boolean;
  /** Starts a run of task `id` (as a job) for the tick at `scheduledAt` (ms, the minute's start); must not throw synchronously for long work. */
  trigger(id: number, scheduledAt: number): Promise<void>;
}

interface Scheduled {
  readonly key: string;
  readonly handle: CronHandle;
  readonly schedule: CompiledSchedule;
}

/** The per-task schedules. */
export class TaskScheduler {
  readonly #deps: SchedulerDeps;
  readonly #scheduled = new Map<number, Scheduled>();
  /** Last local wall minute each task fired at. */
  readonly #lastFired = new Map<number, number>();

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  /** Ids of the tasks with a live schedule. */
  scheduledIds(): number[] {
    return [...this.#scheduled.keys()].sort((a, b) => a - b);
  }

  /** Makes the schedules match `tasks`: enabled ones scheduled, changed ones rebuilt, others stopped. */
  sync(tasks: readonly TaskRow[]): void {
    const wanted = new Map<number, TaskRow>();
    for (const t of tasks) if (t.enabled && scheduleProblems(t.schedule).length === 0) wanted.set(t.id, t);
    for (const [id, s] of this.#scheduled) {
      const t = wanted.get(id);
      if (!t || JSON.stringify(t.schedule) !== s.key) {
        s.handle.stop();
        this.#scheduled.delete(id);
        if (!t) this.#lastFired.delete(id);
      }
    }
    for (const [id, t] of wanted) {
      if (this.#scheduled.has(id)) continue;
      const schedule = compileSchedule(t.schedule);
      const handle = this.#deps.cron(schedule.cron, this.#deps.timeZone, (firedAt) => this.tick(id, firedAt));
      this.#scheduled.set(id, { key: JSON.stringify(t.schedule), handle, schedule });
    }
  }

  /** Handles one cron tick of task `id` at instant `firedAt` (public for tests). */
  tick(id: number, firedAt: Date): void {
    const s = this.#scheduled.get(id);
    if (!s) return;
    const wall = toMinute(wallMsOf(wallTimeOf(firedAt.getTime(), this.#deps.timeZone)));
    if (!scheduleMatches(s.schedule, wall)) return;
    const last = this.#lastFired.get(id);
    if (last !== undefined && wall <= last) {
      this.#deps.log.info({ task: id, local: new Date(wall).toISOString().slice(0, 16) }, 'local minute already fired (clock went back); tick skipped');
      return;
    }
    this.#lastFired.set(id, wall);
    if (this.#deps.isRunning(id)) {
      this.#deps.log.warn({ task: id }, 'previous run still in progress; tick skipped');
      return;
    }
    this.#deps.trigger(id, Math.floor(firedAt.getTime() / 60_000) * 60_000).catch((err: unknown) => this.#deps.log.error({ err, task: id }, 'could not start scheduled run'));
  }

  /** Stops every schedule. */
  stop(): void {
    for (const s of this.#scheduled.values()) s.handle.stop();
    this.#scheduled.clear();
  }
}
