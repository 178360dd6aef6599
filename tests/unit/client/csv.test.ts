/** midclt --csv: header from the union of keys, RFC 4180 quoting, dates and lists flattened, non-tabular results refused. */
import t from 'tap';
import { toCsv } from '../../../client/csv.js';

t.test('rows, quoting and flattening', async (t) => {
  const csv = toCsv([
    { name: 'db, primary', at: { $date: Date.UTC(2026, 0, 2, 3, 4, 5) }, stores: ['ds1', 'ds2'], reason: 'said "no"\nthen left', n: 3 },
    { name: 'web', at: null, extra: { a: 1 } },
  ]);
  t.equal(
    csv,
    'name,at,stores,reason,n,extra\n' +
      '"db, primary",2026-01-02T03:04:05.000Z,ds1;ds2,"said ""no""\nthen left",3,\n' +
      'web,,,,,"{""a"":1}"\n',
  );
  t.equal(toCsv({ a: 1 }), 'a\n1\n', 'one object is one line');
  t.equal(toCsv([]), '\n', 'no rows: an empty header');
  t.throws(() => toCsv(5), /--csv needs a result that is an object or a list of objects/);
  t.throws(() => toCsv([1, 2]), TypeError);
});
