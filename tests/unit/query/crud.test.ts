import t from 'tap';
import { z } from 'zod';
import { Errno, InstanceNotFound, ValidationErrors } from '../../../daemon/errors.js';
import type { CollectionUpdate, EventBus } from '../../../daemon/plugin.js';
import { definedOnly, publishCrud, queryMethods } from '../../../daemon/query/index.js';
import type { CallContext } from '../../../daemon/registry/method.js';
import { WireDateSchema } from '../../../daemon/wire/date.js';

const Entry = z.strictObject({ id: z.number().int(), hostname: z.string(), created: WireDateSchema });
type Entry = z.output<typeof Entry>;
const entries: Entry[] = [
  { id: 1, hostname: 'vc1', created: { $date: 1000 } },
  { id: 2, hostname: 'vc2', created: { $date: 2000 } },
];

const ctx: CallContext = {
  credentials: { type: 'INTERNAL', username: 'root', roles: new Set(['FULL_ADMIN']) },
  job: null,
  signal: new AbortController().signal,
};

let listCalls = 0;
const [query, getInstance] = queryMethods({
  namespace: 'vmware',
  verboseName: 'VMWare',
  roles: ['SNAPSHOT_TASK_READ'],
  entry: Entry,
  description: 'Query VMware hosts',
  list: async (c) => {
    listCalls++;
    t.equal(c, ctx, 'list gets the call context');
    return entries;
  },
});

/** Parses wire params the way the registry does (each arg through its schema), then calls the handler. */
async function call(def: typeof query | typeof getInstance, ...params: unknown[]): Promise<unknown> {
  const args = def.args.map((a, i) => a.schema.parse(params[i]));
  const result = await (def.handler as (c: CallContext, ...a: unknown[]) => unknown)(ctx, ...args);
  def.result.parse(result);
  return result;
}

t.test('names, roles, descriptions', async (t) => {
  t.equal(query.name, 'vmware.query');
  t.equal(getInstance.name, 'vmware.get_instance');
  t.same(query.roles, ['SNAPSHOT_TASK_READ']);
  t.same(getInstance.roles, ['SNAPSHOT_TASK_READ']);
  t.same(query.args.map((a) => a.name), ['filters', 'options']);
  t.same(getInstance.args.map((a) => a.name), ['id', 'options']);
  t.equal(query.description, 'Query VMware hosts');
  t.match(getInstance.description, /VMWare <id> does not exist/);
});

t.test('query: omitted params default, results validate against the result schema', async (t) => {
  t.same(await call(query), entries);
  t.same(await call(query, [['hostname', '=', 'vc2']]), [entries[1]]);
  t.same(await call(query, [], { get: true, order_by: ['-id'] }), entries[1]);
  t.equal(await call(query, [], { count: true }), 2);
  t.same(await call(query, [], { select: [['hostname', 'h']] }), [{ h: 'vc1' }, { h: 'vc2' }]);
  t.ok(listCalls > 0);
});

t.test('query: bad params are refused by the arg schemas', async (t) => {
  t.throws(() => query.args[0].schema.parse([['hostname', 'bad', 1]]));
  t.throws(() => query.args[1].schema.parse({ limit: 'x' }));
  t.throws(() => query.args[1].schema.parse({ unknown: true }));
});

t.test('get_instance', async (t) => {
  t.same(await call(getInstance, 2), entries[1]);
  t.same(await call(getInstance, 1, { select: ['hostname'] }), { hostname: 'vc1' });
  t.same(await call(getInstance, 1, { limit: 5, offset: 3 }), entries[0], 'paging options cannot hide the instance');
  const err = await call(getInstance, 5).then(
    () => t.fail('should throw'),
    (e: unknown) => e,
  );
  t.ok(err instanceof InstanceNotFound && err instanceof ValidationErrors);
  t.same((err as InstanceNotFound).errors, [{ attribute: null, message: 'VMWare 5 does not exist', errno: Errno.ENOENT }]);
  t.throws(() => getInstance.args[0].schema.parse('x'), 'id must be an integer by default');
});

t.test('string ids', async (t) => {
  const [, gi] = queryMethods({
    namespace: 'thing',
    verboseName: 'Thing',
    roles: [],
    entry: z.object({ id: z.string() }),
    description: 'things',
    list: () => [{ id: 'a' }],
    id: z.string(),
  });
  t.same(await (gi.handler as (c: CallContext, ...a: unknown[]) => Promise<unknown>)(ctx, 'a', gi.args[1].schema.parse(undefined)), { id: 'a' });
});

t.test('JSON Schemas for core.get_methods', async (t) => {
  const f = z.toJSONSchema(query.args[0].schema, { io: 'input' }) as Record<string, unknown>;
  t.equal(f.type, 'array');
  t.match(f.description, /OR/);
  const o = z.toJSONSchema(query.args[1].schema, { io: 'input' }) as { properties: Record<string, unknown> };
  t.same(Object.keys(o.properties).sort(), ['count', 'extra', 'force_sql_filters', 'get', 'limit', 'offset', 'order_by', 'relationships', 'select']);
  t.doesNotThrow(() => z.toJSONSchema(query.result, { io: 'output' }));
  t.doesNotThrow(() => z.toJSONSchema(getInstance.result, { io: 'output' }));
});

t.test('publishCrud', async (t) => {
  const seen: CollectionUpdate[] = [];
  const events = { publish: (u: CollectionUpdate) => seen.push(u) } as unknown as EventBus;
  publishCrud(events, 'vmware.query', 'added', 3);
  publishCrud(events, 'pool.snapshottask.query', 'changed', 4, { state: { state: 'RUNNING' } });
  t.same(seen, [
    { msg: 'added', collection: 'vmware.query', id: 3 },
    { msg: 'changed', collection: 'pool.snapshottask.query', id: 4, fields: { state: { state: 'RUNNING' } } },
  ]);
  t.notOk('fields' in seen[0], 'no fields key when none supplied (TrueNAS CRUD sends just the id)');
});

t.test('definedOnly keeps the given fields of an update patch (null included) and drops undefined ones', async (t) => {
  const old = { a: 1, b: 'x', c: true as boolean | null };
  const patch = { a: undefined, b: 'y', c: null };
  t.same(definedOnly(patch), { b: 'y', c: null });
  t.same({ ...old, ...definedOnly(patch) }, { a: 1, b: 'y', c: null }, 'an omitted field keeps its old value');
  t.same(definedOnly({}), {});
});
