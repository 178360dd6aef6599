import t from 'tap';
import { timeZoneProblem, wallMsOf, wallTimeOf } from '../../../../../plugins/pool/snapshottask/wall-time.js';

t.test('local fields and offsets, across DST', async (t) => {
  const summer = wallTimeOf(Date.UTC(2025, 6, 1, 12, 0), 'Europe/Berlin');
  t.equal(summer.hour, 14);
  t.equal(summer.offsetMinutes, 120);
  const winter = wallTimeOf(Date.UTC(2025, 0, 1, 12, 0), 'Europe/Berlin');
  t.equal(winter.offsetMinutes, 60);
  t.equal(winter.weekday, 3, '2025-01-01 is a Wednesday');
  // 2025-10-26: 02:30 local happens twice in Berlin (at 00:30Z and 01:30Z).
  const first = wallTimeOf(Date.UTC(2025, 9, 26, 0, 30), 'Europe/Berlin');
  const second = wallTimeOf(Date.UTC(2025, 9, 26, 1, 30), 'Europe/Berlin');
  t.equal(wallMsOf(first), wallMsOf(second), 'both read 02:30 local');
  t.not(first.offsetMinutes, second.offsetMinutes);
  t.equal(timeZoneProblem('UTC'), null);
  t.match(timeZoneProblem('Mars/Olympus'), /Unknown time zone/);
});
