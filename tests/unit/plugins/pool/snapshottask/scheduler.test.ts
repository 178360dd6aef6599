/**
 * The scheduler with a hand-driven cron source: which ticks start a run (window, day rules, DST,
 * busy tasks), and that schedules follow task changes. One test checks the real node-cron wiring.
 */
import t from 'tap';
import pino from 'pino';
import { nodeCronFactory, TaskScheduler, type CronFactory } from '../../../../../plugins/pool/snapshottask/scheduler.js';
import type { TaskRow } from '../../../../../plugins/pool/snapshottask/schemas.js';
import { DEFAULT_SCHEDULE, type TaskSchedule } from '../../../../../plugins/pool/snapshottask/schedule.js';
import { taskData } from '../../../../helpers/snapshot-task.js';

const log = pino({ level: 'silent' });

function row(id: number, schedule: Partial<TaskSchedule> = {}, enabled = true): TaskRow {
  return { id, ...taskData({ schedule: { ...DEFAULT_SCHEDULE, ...schedule }, enabled }), state: { state: 'PENDING' } };
}

function harness(timeZone = 'UTC') {
  const crons: Array<{ expression: string; timeZone: string; fire: (d: Date) => void; stopped: boolean }> = [];
  const cron: CronFactory = (expression, tz, onTick) => {
    const c = { expression, timeZone: tz, fire: onTick, stopped: false };
    crons.push(c);
    return { stop: () => void (c.stopped = true) };
  };
  const triggered: number[] = [];
  /** The scheduled instant of each trigger, ISO. */
  const instants: string[] = [];
  const running = new Set<number>();
  const trigger = async (id: number, at: number) => void (triggered.push(id), instants.push(new Date(at).toISOString()));
  const scheduler = new TaskScheduler({ cron, timeZone, log, isRunning: (id) => running.has(id), trigger });
  return { crons, triggered, instants, running, scheduler, live: () => crons.filter((c) => !c.stopped) };
}

t.test('one schedule per enabled task, rebuilt on change', async (t) => {
  const h = harness('Europe/Berlin');
  h.scheduler.sync([row(1), row(2, { minute: '*/5' }), row(3, {}, false)]);
  t.same(h.scheduler.scheduledIds(), [1, 2]);
  t.same(h.live().map((c) => [c.expression, c.timeZone]), [['00 * * * *', 'Europe/Berlin'], ['*/5 * * * *', 'Europe/Berlin']]);
  h.scheduler.sync([row(1), row(2, { minute: '*/10' }), row(3)]);
  t.same(h.live().map((c) => c.expression), ['00 * * * *', '*/10 * * * *', '00 * * * *'], 'changed schedule rebuilt, enabled task added, unchanged kept');
  h.scheduler.sync([row(2, { minute: '*/10' })]);
  t.same(h.scheduler.scheduledIds(), [2], 'deleted tasks stop');
  h.scheduler.stop();
  t.same(h.live(), []);
});

t.test('ticks outside the window or on the wrong day are ignored', async (t) => {
  const h = harness();
  h.scheduler.sync([row(1, { minute: '0', begin: '22:00', end: '02:00', dom: '1', dow: '0' })]);
  const fire = (iso: string) => h.crons[0]?.fire(new Date(iso));
  fire('2025-01-06T23:00:00Z'); // Monday the 6th: neither the 1st nor a Sunday
  fire('2025-01-05T12:00:00Z'); // Sunday, outside the window
  fire('2025-01-05T23:00:00Z'); // Sunday, in the window
  fire('2025-02-01T01:00:00.042Z'); // the 1st (a Saturday), in the window after midnight (node-cron fires a little late)
  t.same(h.triggered, [1, 1]);
  t.same(h.instants, ['2025-01-05T23:00:00.000Z', '2025-02-01T01:00:00.000Z'], 'each run is given its tick\'s minute (the snapshot name)');
});

t.test('a busy task skips the tick; another task is not delayed by it', async (t) => {
  const h = harness();
  h.scheduler.sync([row(1, { minute: '*' }), row(2, { minute: '*' })]);
  h.running.add(1);
  h.crons[0]?.fire(new Date('2025-01-01T10:00:00Z'));
  h.crons[1]?.fire(new Date('2025-01-01T10:00:00Z'));
  t.same(h.triggered, [2]);
  h.running.delete(1);
  h.crons[0]?.fire(new Date('2025-01-01T10:01:00Z'));
  t.same(h.triggered, [2, 1]);
});

t.test('DST: the repeated local hour does not fire twice; the skipped hour never fires', async (t) => {
  const h = harness('Europe/Berlin');
  h.scheduler.sync([row(1, { minute: '30', hour: '2' })]);
  const fire = (iso: string) => h.crons[0]?.fire(new Date(iso));
  // 2025-10-26: 02:30 local happens at 00:30Z (CEST) and again at 01:30Z (CET).
  fire('2025-10-26T00:30:00Z');
  fire('2025-10-26T01:30:00Z');
  t.same(h.triggered, [1], 'second 02:30 skipped');
  // 2025-03-30: 02:00–02:59 local does not exist; node-cron fires 01:30Z = 03:30 CEST at most, which does not match.
  fire('2025-03-30T01:30:00Z');
  t.same(h.triggered, [1]);
  fire('2025-10-27T01:30:00Z'); // next day 02:30 CET
  t.same(h.triggered, [1, 1]);
});

t.test('the node-cron factory fires with the scheduled instant', async (t) => {
  const fired = await new Promise<Date>((resolve) => {
    const handle = nodeCronFactory(log)('* * * * * *', 'UTC', (d) => {
      handle.stop();
      resolve(d);
    });
  });
  t.ok(fired instanceof Date);
  t.equal(fired.getUTCMilliseconds(), 0, 'on a whole second');
});
