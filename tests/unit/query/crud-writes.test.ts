// crudWrites: the create/update/delete declarations of a namespace (names, argument tuples, results,
// roles), and that a delete returns true only once its handler has finished.
import t from 'tap';
import { z } from 'zod';
import { crudWrites } from '../../../daemon/query/index.js';
import type { CallContext } from '../../../daemon/registry/method.js';

const Entry = z.strictObject({ id: z.number().int(), name: z.string() });
const ctx: CallContext = {
  credentials: { type: 'INTERNAL', username: 'root', roles: new Set(['FULL_ADMIN']) },
  job: null,
  signal: new AbortController().signal,
};
const writes = crudWrites({ namespace: 'thing', roles: ['THING_WRITE'], entry: Entry, id: z.number().int() });

t.test('create and update: TrueNAS names, argument names, the entry as result', async (t) => {
  const create = writes.create({ description: 'adds', arg: 'thing_create', schema: z.strictObject({ name: z.string() }), handler: (_c, d) => ({ id: 1, ...d }) });
  const update = writes.update({ description: 'changes', arg: 'thing_update', schema: z.strictObject({ name: z.string() }), secretPaths: ['1.name'], handler: (_c, id, p) => ({ id, ...p }) });
  t.match(create, { name: 'thing.create', roles: ['THING_WRITE'], result: Entry, kind: 'method' });
  t.same(create.args.map((a) => a.name), ['thing_create']);
  t.notOk('secretPaths' in create, 'no secretPaths unless given');
  t.match(update, { name: 'thing.update', secretPaths: ['1.name'] });
  t.same(update.args.map((a) => a.name), ['id', 'thing_update']);
  t.same(await update.handler(ctx, 4, { name: 'x' }), { id: 4, name: 'x' });
});

t.test('delete: one argument or two, true after the handler, its errors passed on', async (t) => {
  const deleted: number[] = [];
  const del = writes.delete({ description: 'removes', handler: async (_c, id) => void deleted.push(id) });
  t.same(del.args.map((a) => a.name), ['id']);
  t.equal(del.result.safeParse(true).success, true);
  t.equal(await del.handler(ctx, 7), true);
  t.same(deleted, [7]);

  const Options = z.strictObject({ force: z.boolean().default(false) }).prefault({});
  const seen: unknown[] = [];
  const withOptions = writes.deleteWithOptions({ description: 'removes', options: Options, handler: (_c, id, o) => void seen.push([id, o]) });
  t.same(withOptions.args.map((a) => a.name), ['id', 'options']);
  t.equal(await withOptions.handler(ctx, 8, { force: true }), true);
  t.same(seen, [[8, { force: true }]]);

  const failing = writes.delete({ description: 'removes', handler: async () => Promise.reject(new Error('not there')) });
  await t.rejects(async () => failing.handler(ctx, 9), { message: 'not there' }, 'no true when the handler fails');
});

t.test('action: <namespace>.<verb>(arg) with the namespace roles, its own result, private and job passed on', async (t) => {
  const Result = z.strictObject({ ran: z.number().int() });
  const run = writes.action({
    verb: 'run',
    description: 'runs',
    arg: 'id',
    schema: z.number().int(),
    result: Result,
    private: true,
    job: { lock: ([id]) => `thing.run:${id}`, abortable: false },
    handler: (_c, id) => ({ ran: id }),
  });
  t.match(run, { name: 'thing.run', roles: ['THING_WRITE'], result: Result, private: true, kind: 'method' });
  t.same(run.args.map((a) => a.name), ['id']);
  t.equal(run.job?.lock?.([3]), 'thing.run:3');
  t.equal(run.job?.abortable, false);
  t.same(await run.handler(ctx, 3), { ran: 3 });

  const test = writes.action({ verb: 'test', description: 'tries', arg: 'data', schema: z.string(), result: z.literal(true), secretPaths: ['0'], handler: () => true as const });
  t.match(test, { name: 'thing.test', secretPaths: ['0'] });
  t.notOk('private' in test || 'job' in test, 'no private or job unless given');
});
