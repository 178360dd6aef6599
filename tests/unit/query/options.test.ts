import t from 'tap';
import { CallError, Errno, ValidationErrors } from '../../../daemon/errors.js';
import { MatchNotFound, parseQueryOptions, queryList, QueryOptions, type QueryOptionsIn } from '../../../daemon/query/index.js';

const rows = [
  { id: 1, name: 'b', size: 20, state: { state: 'SUCCESS', at: { $date: 3000 } }, tags: ['x'], note: null },
  { id: 2, name: 'a', size: 10, state: { state: 'ERROR', at: { $date: 1000 } }, tags: [], note: 'z' },
  { id: 3, name: 'c', size: 20, state: { state: 'SUCCESS', at: { $date: 2000 } }, tags: ['y'] },
  { id: 4, name: 'd', size: 5, state: { state: 'PENDING', at: { $date: 4000 } }, tags: [], note: 'a' },
];

const q = (options: QueryOptionsIn, filters: unknown[] = []): unknown => queryList(rows, filters, options);
const ids = (options: QueryOptionsIn, filters: unknown[] = []): number[] => (q(options, filters) as { id: number }[]).map((r) => r.id);

t.test('limit and offset', async (t) => {
  t.same(ids({ limit: 2 }), [1, 2]);
  t.same(ids({ offset: 1 }), [2, 3, 4]);
  t.same(ids({ offset: 1, limit: 2 }), [2, 3], 'offset before limit');
  t.same(ids({ limit: 0 }), [1, 2, 3, 4], 'limit 0 = no limit');
  t.same(ids({ offset: 10 }), []);
});

t.test('order_by', async (t) => {
  t.same(ids({ order_by: ['name'] }), [2, 1, 3, 4]);
  t.same(ids({ order_by: ['-name'] }), [4, 3, 1, 2]);
  t.same(ids({ order_by: ['size', 'name'] }), [4, 2, 1, 3], 'first key primary, second breaks ties');
  t.same(ids({ order_by: ['-size', '-name'] }), [3, 1, 2, 4]);
  t.same(ids({ order_by: ['size'] }), [4, 2, 1, 3], 'stable for equal keys');
  t.same(ids({ order_by: ['state.state'] }), [2, 4, 1, 3], 'dotted path');
  t.same(ids({ order_by: ['state.at'] }), [2, 3, 1, 4], '{"$date"} values sort by time');
  t.same(ids({ order_by: ['-state.at.$date'] }), [4, 1, 3, 2]);
  t.same(ids({ order_by: ['note'] }), [1, 3, 4, 2], 'null and missing sort first ascending (SQL)');
  t.same(ids({ order_by: ['-note'] }), [2, 4, 1, 3], '… and last descending');
  t.same(ids({ order_by: ['nulls_last:note'] }), [4, 2, 1, 3]);
  t.same(ids({ order_by: ['nulls_first:-note'] }), [1, 3, 2, 4]);
  t.same(ids({ order_by: ['nulls_last:-note'] }), [2, 4, 1, 3]);
  t.same(ids({ order_by: ['tags.0'] }), [2, 4, 1, 3], 'list index');
  const mixed = [{ id: 1, v: 'x' }, { id: 2, v: 3 }, { id: 3, v: null }, { id: 4, v: { a: 1 } }, { id: 5, v: true }];
  t.same((queryList(mixed, [], { order_by: ['v'] }) as { id: number }[]).map((r) => r.id), [3, 5, 2, 1, 4], 'mixed kinds never throw');
});

t.test('select', async (t) => {
  t.same(q({ select: ['id', 'name'], limit: 1 }), [{ id: 1, name: 'b' }]);
  t.same(q({ select: ['id', 'state.state'], limit: 1 }), [{ id: 1, state: { state: 'SUCCESS' } }], 'dotted path keeps the nesting');
  t.same(q({ select: ['id', ['state.state', 'st']], limit: 1 }), [{ id: 1, st: 'SUCCESS' }], 'alias');
  t.same(q({ select: ['id', 'note'], offset: 2, limit: 1 }), [{ id: 3 }], 'missing fields are left out');
  t.same(q({ select: ['state.state', 'state.at'], limit: 1 }), [{ state: { state: 'SUCCESS', at: { $date: 3000 } } }], 'paths merge');
  t.throws(() => q({ select: ['tags.0'] }), { name: 'CallError', errno: Errno.EINVAL, message: /list index is not supported/ });
  const evil = queryList([JSON.parse('{"id":1,"__proto__":{"polluted":true}}')], [], { select: ['__proto__'] }) as object[];
  t.equal(Object.getPrototypeOf(evil[0]), Object.prototype, 'a __proto__ key is copied as data, not as the prototype');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('count and get', async (t) => {
  t.equal(q({ count: true }), 4);
  t.equal(q({ count: true }, [['size', '=', 20]]), 2);
  t.equal(q({ count: true, limit: 1, offset: 1 }), 4, 'count comes before offset/limit');
  t.same(q({ get: true }), rows[0]);
  t.same(q({ get: true, order_by: ['-size', 'name'] }), rows[0], 'get after order');
  t.same(q({ get: true, order_by: ['-id'] }), rows[3]);
  t.same(q({ get: true, limit: 1 }, [['name', '=', 'c']]), rows[2], 'limit 1 is allowed with get');
  t.same(q({ get: true, select: [['name', 'n']] }, [['id', '=', 2]]), { n: 'a' }, 'get after select');
  const err = t.throws(() => q({ get: true }, [['id', '=', 99]])) as CallError;
  t.ok(err instanceof MatchNotFound && err instanceof CallError);
  t.equal(err.message, 'MatchNotFound()');
  t.equal(err.errno, Errno.ENOENT);
  t.equal(err.toString(), '[ENOENT] MatchNotFound()');
});

t.test('order of application: filter → select → count → order → get → offset → limit', async (t) => {
  // select before order: ordering by an alias works, ordering by an unselected field sees nulls.
  t.same(q({ select: ['id', ['name', 'n']], order_by: ['-n'], offset: 1, limit: 2 }), [{ id: 3, n: 'c' }, { id: 1, n: 'b' }]);
  t.same(q({ select: ['id'], order_by: ['-name'] }), [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
  // filter before select: filters see the whole row.
  t.same(q({ select: ['id'] }, [['state.state', '=', 'ERROR']]), [{ id: 2 }]);
  // count after select, regardless of order/offset/limit.
  t.equal(q({ select: ['id'], count: true, order_by: ['name'], offset: 3, limit: 1 }), 4);
  // order before offset/limit.
  t.same(ids({ order_by: ['-id'], offset: 1, limit: 2 }), [3, 2]);
});

function attrs(options: unknown): [string | null, string][] {
  try {
    parseQueryOptions(options);
  } catch (e) {
    if (e instanceof ValidationErrors) return e.errors.map((x) => [x.attribute, x.message]);
    throw e;
  }
  return [];
}

t.test('bad options are ValidationErrors naming options.<field>', async (t) => {
  t.match(attrs({ get: true, limit: 2 }), [['options.get', /cannot be combined with "limit" > 1 or "offset"/]]);
  t.match(attrs({ get: true, offset: 1 }), [['options.get', /cannot be combined/]]);
  t.match(attrs({ limit: 10001 }), [['options.limit', /10000/]]);
  t.match(attrs({ limit: -1 }), [['options.limit', /0/]]);
  t.match(attrs({ offset: 1.5 }), [['options.offset', /int/i]]);
  t.same(attrs({ bogus: 1, other: 2 }), [['options.bogus', 'Extra inputs are not permitted'], ['options.other', 'Extra inputs are not permitted']]);
  t.match(attrs({ order_by: ['-'] }), [['options.order_by.0', /order_by entries name a field/]]);
  t.match(attrs({ order_by: ['nulls_first:'] }), [['options.order_by.0', /name a field/]]);
  t.match(attrs({ select: [['a']] }), [['options.select.0', /.+/]]);
  t.match(attrs({ select: [5] }), [['options.select.0', /.+/]]);
  t.match(attrs({ count: 'yes' }), [['options.count', /boolean/]]);
  t.same(attrs({ extra: { anything: [1, 2] }, relationships: false, force_sql_filters: true }), [], 'extra and TrueNAS internals pass');
  t.same(attrs(undefined), []);
  t.throws(() => queryList(rows, [], { limit: -5 }), ValidationErrors, 'queryList validates options too');
});

t.test('defaults', async (t) => {
  t.same(QueryOptions.parse({}), {
    get: false,
    count: false,
    limit: 0,
    offset: 0,
    order_by: [],
    select: [],
    extra: {},
    relationships: true,
    force_sql_filters: false,
  });
  t.same(parseQueryOptions({ extra: { retrieve_children: false } }).extra, { retrieve_children: false });
});

t.test('items are not modified', async (t) => {
  const copy = structuredClone(rows);
  q({ order_by: ['-id'], select: ['id', 'state.state'] });
  t.same(rows, copy);
});
