import t from 'tap';
import { span } from '../../../client/console/src/format.js';

t.test('span: ages and intervals, coarse', async (t) => {
  t.equal(span(null), '—');
  t.equal(span(999), '0 s');
  t.equal(span(45_000), '45 s');
  t.equal(span(12 * 60_000 + 59_000), '12 min');
  t.equal(span(3_600_000), '1 h');
  t.equal(span(3 * 3_600_000 + 5 * 60_000), '3 h 5 min');
  t.equal(span(47 * 3_600_000), '47 h');
  t.equal(span(48 * 3_600_000), '2 d');
  t.equal(span(52 * 3_600_000), '2 d 4 h');
  t.equal(span(366 * 86_400_000), '366 d');
});
