import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import t from 'tap';
import { z } from 'zod';
import { EventHub } from '../../../daemon/events/event-hub.js';
import { JobManager } from '../../../daemon/jobs/job-manager.js';
import type { CollectionUpdate } from '../../../daemon/plugin.js';
import { defineMethod, type AnyMethodDef } from '../../../daemon/registry/method.js';
import { INTERNAL_ROOT, expandRoles } from '../../../daemon/registry/roles.js';
import { validateArgs } from '../../../daemon/registry/validate.js';

const log = pino({ level: 'silent' });

function setup(maxFinished = 100) {
  const events = new EventHub(log);
  const updates: CollectionUpdate[] = [];
  events.on('core.get_jobs', 'test', (u) => updates.push(u));
  const jobs = new JobManager({ events, log, maxFinished, validateArgs: (def, p) => validateArgs(def.args, p) });
  return { jobs, updates };
}

const work = defineMethod({
  name: 'x.work',
  description: 'work',
  args: [{ name: 'opts', schema: z.strictObject({ ms: z.number().default(0), group: z.string().default('k'), api_key: z.string().optional(), fail: z.boolean().default(false) }).prefault({}) }],
  result: z.string(),
  roles: [],
  job: { lock: ([o]) => o.group },
  async handler(ctx, o) {
    ctx.job!.setProgress(50, 'half', { n: 1 });
    ctx.job!.log('working');
    await sleep(o.ms, undefined, { signal: ctx.signal });
    if (o.fail) throw new Error('broken');
    return 'done';
  },
});
const def = work as unknown as AnyMethodDef;

t.test('start: runs as INTERNAL root, redacts secret arguments, streams events', async (t) => {
  const { jobs, updates } = setup();
  const started = await jobs.start(work, { api_key: '1-secret' });
  t.equal(await started.result, 'done');
  const [rec] = jobs.list(INTERNAL_ROOT);
  t.match(rec, { id: started.id, state: 'SUCCESS', progress: { percent: 100, description: 'half', extra: { n: 1 } }, logs_excerpt: 'working', credentials: { type: 'INTERNAL' } });
  t.same(rec!.arguments, [{ ms: 0, group: 'k', fail: false, api_key: '********' }]);
  t.same(updates.map((u) => [u.msg, (u.fields as { state: string }).state]), [
    ['added', 'WAITING'],
    ['changed', 'RUNNING'],
    ['changed', 'RUNNING'],
    ['changed', 'SUCCESS'],
  ]);
  await t.rejects(jobs.start(work, { ms: 'x' as unknown as number }), { name: 'ValidationErrors' });
});

t.test('locks serialise; abort while waiting and while running', async (t) => {
  const { jobs } = setup();
  const a = jobs.submit(def, [{ ms: 10_000, group: 'L', fail: false }], { credentials: INTERNAL_ROOT });
  const b = jobs.submit(def, [{ ms: 0, group: 'L', fail: false }], { credentials: INTERNAL_ROOT });
  await sleep(10);
  t.equal(a.record.state, 'RUNNING');
  t.equal(b.record.state, 'WAITING');
  jobs.abort(b.record.id, INTERNAL_ROOT);
  t.equal(b.record.state, 'ABORTED');
  jobs.abort(a.record.id, INTERNAL_ROOT);
  await t.rejects(a.done, { name: 'CallError', errno: 125 });
  t.equal(a.record.state, 'ABORTED');
  t.throws(() => jobs.abort(999, INTERNAL_ROOT), { name: 'CallError', errno: 2 });
});

t.test('visibility: non-admins see only their own jobs', async (t) => {
  const { jobs } = setup();
  const user = { type: 'API_KEY' as const, username: 'bob', roles: expandRoles(['X_WRITE']) };
  const mine = jobs.submit(def, [{ ms: 0, group: 'a', fail: false }], { credentials: user });
  jobs.submit(def, [{ ms: 0, group: 'b', fail: false }], { credentials: INTERNAL_ROOT });
  await mine.done;
  t.same(jobs.list(user).map((j) => j.id), [mine.record.id]);
  t.equal(jobs.list(INTERNAL_ROOT).length, 2);
  await t.rejects(jobs.wait(2, user), { name: 'CallError', errno: 2 }, 'someone else\'s job does not exist for bob');
});

t.test('unexpected errors fail the job with the class name in exc_info', async (t) => {
  const { jobs } = setup();
  const j = jobs.submit(def, [{ ms: 0, group: 'k', fail: true }], { credentials: INTERNAL_ROOT });
  await t.rejects(j.done, /broken/);
  t.match(j.record, { state: 'FAILED', error: 'broken', exc_info: { type: 'Error', errno: null } });
});

t.test('shutdown: waits up to the grace time, then aborts; refuses new jobs', async (t) => {
  const { jobs } = setup();
  const quick = jobs.submit(def, [{ ms: 20, group: 'q', fail: false }], { credentials: INTERNAL_ROOT });
  const slow = jobs.submit(def, [{ ms: 60_000, group: 's', fail: false }], { credentials: INTERNAL_ROOT });
  await jobs.shutdown(200);
  t.equal(quick.record.state, 'SUCCESS');
  t.equal(slow.record.state, 'ABORTED');
  t.match(slow.record.error, /shutting down/);
  t.throws(() => jobs.submit(def, [{}], { credentials: INTERNAL_ROOT }), { name: 'CallError', errno: 16 });
});

t.test('retention drops the oldest finished jobs', async (t) => {
  const { jobs, updates } = setup(1);
  for (let i = 0; i < 3; i++) await jobs.submit(def, [{ ms: 0, group: 'r', fail: false }], { credentials: INTERNAL_ROOT }).done;
  t.same(jobs.list(INTERNAL_ROOT).map((j) => j.id), [3]);
  t.same(updates.filter((u) => u.msg === 'removed').map((u) => u.id), [1, 2]);
});
