import t from 'tap';
import {
  compileSchedule,
  DEFAULT_SCHEDULE,
  inWindow,
  scheduleMatches,
  scheduleProblems,
  type TaskSchedule,
} from '../../../../../plugins/pool/snapshottask/schedule.js';

const s = (over: Partial<TaskSchedule>): TaskSchedule => ({ ...DEFAULT_SCHEDULE, ...over });
const at = (y: number, mo: number, d: number, h: number, mi: number, sec = 0) => Date.UTC(y, mo - 1, d, h, mi, sec);

t.test('validation texts', async (t) => {
  t.same(scheduleProblems(DEFAULT_SCHEDULE), []);
  t.same(scheduleProblems(s({ begin: '25:00' })), [{ field: 'begin', message: 'Time should be in 24 hour format like "18:00"' }]);
  t.same(scheduleProblems(s({ end: 'noon' })), [{ field: 'end', message: 'Time should be in 24 hour format like "18:00"' }]);
  const cron = scheduleProblems(s({ minute: '99' }));
  t.equal(cron.length, 1);
  t.match(cron[0]?.message, /^Please ensure fields match cron syntax - /);
  t.match(scheduleProblems(s({ hour: '1 2' }))[0]?.message, /without spaces/);
  t.match(scheduleProblems(s({ dom: 'L' }))[0]?.message, /not support/);
  t.same(
    scheduleProblems(s({ minute: '99', hour: '24', dow: 'funday', end: 'noon' })).map((p) => p.field),
    ['end', 'minute', 'hour', 'dow'],
    'every bad field is reported at once',
  );
  t.same(scheduleProblems(s({ minute: '0', hour: '3', begin: '09:00', end: '18:00' })), [
    { field: null, message: 'Specified schedule does not match specified time interval' },
  ]);
  t.same(scheduleProblems(s({ minute: '0', hour: '3', begin: '22:00', end: '06:00' })), [], 'window wrapping midnight');
});

t.test('matching: minute precision, window, months, names', async (t) => {
  const hourly = compileSchedule(DEFAULT_SCHEDULE);
  t.ok(scheduleMatches(hourly, at(2025, 1, 1, 5, 0)));
  t.ok(scheduleMatches(hourly, at(2025, 1, 1, 5, 0, 42)), 'seconds are ignored');
  t.notOk(scheduleMatches(hourly, at(2025, 1, 1, 5, 1)));
  const office = compileSchedule(s({ minute: '*/15', begin: '09:00', end: '17:30', dow: 'mon-fri' }));
  t.ok(scheduleMatches(office, at(2025, 1, 6, 9, 0)), 'Monday 09:00');
  t.ok(scheduleMatches(office, at(2025, 1, 6, 17, 30)), 'end is inclusive');
  t.notOk(scheduleMatches(office, at(2025, 1, 6, 17, 45)));
  t.notOk(scheduleMatches(office, at(2025, 1, 4, 10, 0)), 'Saturday');
  const night = compileSchedule(s({ minute: '0', begin: '22:00', end: '02:00' }));
  t.ok(scheduleMatches(night, at(2025, 1, 1, 23, 0)));
  t.ok(scheduleMatches(night, at(2025, 1, 1, 1, 0)));
  t.notOk(scheduleMatches(night, at(2025, 1, 1, 12, 0)));
  t.ok(inWindow({ begin: 22 * 60, end: 120 }, 0));
  const jan = compileSchedule(s({ minute: '0', hour: '0', month: 'jan' }));
  t.ok(scheduleMatches(jan, at(2025, 1, 20, 0, 0)));
  t.notOk(scheduleMatches(jan, at(2025, 2, 20, 0, 0)));
});

t.test('day-of-month OR day-of-week when both are set (croniter), 7 is Sunday', async (t) => {
  const c = compileSchedule(s({ minute: '0', hour: '0', dom: '1', dow: '7' }));
  t.equal(c.cron, '0 0 * * *', 'node-cron fires daily; matching decides');
  t.ok(scheduleMatches(c, at(2025, 1, 1, 0, 0)), 'the 1st (a Wednesday)');
  t.ok(scheduleMatches(c, at(2025, 1, 5, 0, 0)), 'a Sunday');
  t.notOk(scheduleMatches(c, at(2025, 1, 6, 0, 0)), 'a Monday the 6th');
  const onlyDow = compileSchedule(s({ minute: '0', hour: '0', dow: '0' }));
  t.equal(onlyDow.cron, '0 0 * * 0');
  t.notOk(scheduleMatches(onlyDow, at(2025, 1, 1, 0, 0)));
});
