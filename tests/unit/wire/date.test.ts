import t from 'tap';
import { fromWireDate, isWireDate, toWireDate, WireDateSchema } from '../../../daemon/wire/date.js';

t.test('toWireDate / fromWireDate', async (t) => {
  const d = new Date(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
  t.same(toWireDate(d), { $date: d.getTime() });
  t.same(toWireDate(1714557600123.9), { $date: 1714557600123 }, 'whole ms');
  t.equal(fromWireDate({ $date: d.getTime() }).getTime(), d.getTime());
  t.equal(fromWireDate(d.getTime()).getTime(), d.getTime());
  t.equal(fromWireDate(d).getTime(), d.getTime());
  t.throws(() => toWireDate(new Date('nope')), RangeError);
  t.throws(() => fromWireDate({ $date: Number.NaN }), RangeError);
  t.throws(() => fromWireDate({ date: 1 } as never), /not a \{"\$date": ms\} value/);
  t.equal(JSON.stringify(toWireDate(0)), '{"$date":0}');
});

t.test('isWireDate and the schema', async (t) => {
  t.ok(isWireDate({ $date: 5 }));
  t.notOk(isWireDate({ $date: '5' }));
  t.notOk(isWireDate({ $date: 5, x: 1 }));
  t.notOk(isWireDate(null));
  t.notOk(isWireDate([5]));
  t.ok(WireDateSchema.safeParse({ $date: 5 }).success);
  t.notOk(WireDateSchema.safeParse({ $date: 5.5 }).success);
  t.notOk(WireDateSchema.safeParse({ $date: 5, extra: 1 }).success);
});
