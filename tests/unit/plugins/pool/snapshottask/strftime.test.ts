import t from 'tap';
import { strptime } from '../../../../../plugins/pool/snapshottask/strftime.js';

t.test('strptime follows Python', async (t) => {
  t.same(strptime('2000-02-29 07:40:05.25 PM', '%Y-%m-%d %I:%M:%S.%f %p'), {
    year: 2000, month: 2, day: 29, hour: 19, minute: 40, second: 5, microsecond: 250000, offsetMinutes: null,
  });
  t.equal(strptime('69', '%y').year, 1969);
  t.equal(strptime('68', '%y').year, 2068);
  t.equal(strptime('12AM', '%I%p').hour, 0);
  t.equal(strptime('Mar', '%b').month, 3);
  t.equal(strptime('-0130', '%z').offsetMinutes, -90);
  t.equal(strptime('+05:30', '%z').offsetMinutes, 330);
  t.equal(strptime('2024 060', '%Y %j').day, 29, 'day of year when no month/day');
  t.equal(strptime('a    b', 'a b').year, 1900, 'whitespace in the format matches runs of spaces');
  t.throws(() => strptime('2000', '%Y-%m'), { message: "time data '2000' does not match format '%Y-%m'" });
  t.throws(() => strptime('20001', '%Y'), { message: 'unconverted data remains: 1' });
  t.throws(() => strptime('x', '%Q'), { message: "'Q' is a bad directive in format '%Q'" });
  t.throws(() => strptime('x', 'x%'), { message: "stray % in format 'x%'" });
  t.throws(() => strptime('2023-02-29', '%Y-%m-%d'), { message: 'day is out of range for month' });
});
