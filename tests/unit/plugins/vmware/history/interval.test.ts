import t from 'tap';
import { DEFAULT_SCHEDULE } from '../../../../../plugins/pool/snapshottask/schedule.js';
import { scheduleIntervalMs } from '../../../../../plugins/vmware/history/interval.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (s: Partial<typeof DEFAULT_SCHEDULE>) => scheduleIntervalMs({ ...DEFAULT_SCHEDULE, ...s });

t.test('regular schedules: the gap between fire times', async (t) => {
  t.equal(at({}), HOUR, 'TrueNAS default: hourly at minute 00');
  t.equal(at({ minute: '*' }), MIN, 'every minute');
  t.equal(at({ minute: '*/15' }), 15 * MIN);
  t.equal(at({ minute: '0', hour: '0' }), DAY, 'once a day');
  t.equal(at({ minute: '30', hour: '*/6' }), 6 * HOUR);
});

t.test('irregular schedules: the longest gap', async (t) => {
  t.equal(at({ minute: '0', hour: '9,17' }), 16 * HOUR, '09:00 and 17:00: the night is the longest gap');
  t.equal(at({ minute: '0', hour: '0', dow: '1-5' }), 3 * DAY, 'Monday–Friday: the weekend');
  t.equal(at({ minute: '0', hour: '0', dow: '0' }), 7 * DAY, 'weekly');
  t.equal(at({ minute: '0', hour: '0', dom: '1' }), 31 * DAY, 'monthly: the longest month');
  t.equal(at({ minute: '0', hour: '0', dom: '31' }), 61 * DAY, 'the 31st: March 31 to May 31 (and three more pairs) is 61 days')
  t.equal(at({ minute: '0', hour: '*', begin: '08:00', end: '18:00' }), 14 * HOUR, 'a window: 18:00 to 08:00');
  t.equal(at({ minute: '0', hour: '0', dom: '1', dow: '1' }), 7 * DAY, 'dom and dow both set: either one (croniter)');
  t.equal(at({ minute: '0', hour: '0', dom: '29', month: '2' }), 1461 * DAY, 'February 29: every 4 years');
});

t.test('a schedule whose window leaves no minute of the day has no interval', async (t) => {
  t.equal(at({ minute: '0', hour: '0', begin: '08:00', end: '09:00' }), null);
});
