/** Jobs over the wire: ids vs results (legacy_jobs), progress events, waiting, failures, abort, locks, retention. */
import t from 'tap';
import type { Client, CollectionUpdate } from '../../../client/index.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';

interface Job {
  id: number;
  method: string;
  arguments: unknown[];
  state: string;
  progress: { percent: number | null; description: string; extra: unknown };
  result: unknown;
  error: string | null;
  exc_info: { type: string; errno: number | null; extra: unknown } | null;
  logs_excerpt: string | null;
  time_started: Date;
  time_finished: Date | null;
  abortable: boolean;
  credentials: { type: string; data: { username: string } };
  message_ids: unknown[];
}

const getJob = (c: Client, id: number) => c.call<Job>('core.get_jobs', [['id', '=', id]], { get: true });

async function until(c: Client, id: number, pred: (j: Job) => boolean): Promise<Job> {
  for (;;) {
    const j = await getJob(c, id);
    if (pred(j)) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('jobs', async (t) => {
  const d = await startTestDaemon(t, { config: { jobs: { max_finished: 50 } } });
  const root = await d.root();

  t.test('legacy_jobs (default): the call returns the job id; job_wait returns the result', async (t) => {
    const updates: CollectionUpdate[] = [];
    await root.subscribe('core.get_jobs', (u) => updates.push(u));
    const id = await root.call<number>('test.job', { steps: 2, step_ms: 10, password: 'hunter2', result: { ok: true } });
    t.type(id, 'number');
    t.same(await root.call('core.job_wait', id), { ok: true });
    const job = await getJob(root, id);
    t.match(job, {
      id,
      method: 'test.job',
      state: 'SUCCESS',
      result: { ok: true },
      error: null,
      exc_info: null,
      abortable: true,
      progress: { percent: 100, description: 'step 2/2', extra: { step: 2 } },
      logs_excerpt: 'step 1\nstep 2',
      credentials: { type: 'UNIX_SOCKET', data: { username: 'root' } },
    });
    t.equal((job.arguments[0] as { password: string }).password, '********', 'secrets in arguments are redacted');
    t.type(job.time_started, Date, 'time_started is a {"$date"} on the wire');
    t.ok(job.time_finished! >= job.time_started);
    const mine = updates.filter((u) => u.id === id);
    t.equal(mine[0]?.msg, 'added');
    t.same(mine.map((u) => (u.fields as unknown as Job).state).filter((s, i, a) => a.indexOf(s) === i), ['WAITING', 'RUNNING', 'SUCCESS']);
    t.same(
      mine.map((u) => (u.fields as unknown as Job).progress.percent),
      [0, 0, 50, 100, 100],
      'added, running, each step, final',
    );
  });

  t.test('legacy_jobs false: the reply waits for the result; events carry message_ids', async (t) => {
    const raw = await openRaw({ socketPath: d.socketPath });
    t.teardown(() => raw.close());
    raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'core.set_options', params: [{ legacy_jobs: false }] });
    t.same(await raw.next(), { jsonrpc: '2.0', id: 1, result: { legacy_jobs: false, private_methods: false, py_exceptions: false } });
    raw.sendJson({ jsonrpc: '2.0', id: 2, method: 'core.subscribe', params: ['core.get_jobs'] });
    await raw.next();
    raw.sendJson({ jsonrpc: '2.0', id: 'req-3', method: 'test.job', params: [{ steps: 1, step_ms: 1, result: 'done' }] });
    const seen: { method?: string; params?: { msg: string; fields: { message_ids: unknown[] } }; id?: unknown; result?: unknown }[] = [];
    for (;;) {
      const m = (await raw.next()) as (typeof seen)[number];
      seen.push(m);
      if (m.id === 'req-3') break;
    }
    t.equal(seen.at(-1)?.result, 'done');
    const added = seen.find((m) => m.method === 'collection_update' && m.params?.msg === 'added');
    t.same(added?.params?.fields.message_ids, ['req-3']);

    raw.sendJson({ jsonrpc: '2.0', id: 'req-4', method: 'test.job', params: [{ steps: 0, fail: 'nope', fail_errno: 5 }] });
    let reply;
    do reply = (await raw.next()) as { id?: unknown; error?: { code: number; data: { errname: string; reason: string } } };
    while (reply.id !== 'req-4');
    t.equal(reply.error?.code, -32001);
    t.equal(reply.error?.data.errname, 'EIO');
    t.equal(reply.error?.data.reason, '[EIO] nope');
  });

  t.test('failed jobs: FAILED with error and exc_info; job_wait rethrows', async (t) => {
    const id = await root.call<number>('test.job', { steps: 0, fail: 'disk on fire', fail_errno: 28 });
    await t.rejects(root.call('core.job_wait', id), { code: -32001, errno: 28, errname: 'ENOSPC', reason: '[ENOSPC] disk on fire' });
    t.match(await getJob(root, id), { state: 'FAILED', error: '[ENOSPC] disk on fire', exc_info: { type: 'CallError', errno: 28 } });

    const vid = await root.call<number>('test.job', { steps: 0, validation_error: 'name' });
    await t.rejects(root.call('core.job_wait', vid), { code: -32602, errors: [{ attribute: 'test_job.name', message: 'Invalid value', errno: 22 }] });
    t.match(await getJob(root, vid), { state: 'FAILED', exc_info: { type: 'VALIDATION', errno: 22, extra: [['test_job.name', 'Invalid value', 22]] } });
  });

  t.test('abort: a running job ends ABORTED; job_wait fails ECANCELED; unabortable jobs refuse', async (t) => {
    const id = await root.call<number>('test.job', { steps: 1000, step_ms: 20 });
    await until(root, id, (j) => j.state === 'RUNNING');
    t.equal(await root.call('core.job_abort', id), null);
    await t.rejects(root.call('core.job_wait', id), { name: 'ClientCallError', errname: 'ECANCELED' });
    t.match(await getJob(root, id), { state: 'ABORTED', exc_info: { errno: 125 } });

    const u = await root.call<number>('test.unabortable_job', { steps: 2, step_ms: 10 });
    await t.rejects(root.call('core.job_abort', u), { name: 'ClientCallError', errname: 'EINVAL', reason: /not abortable/ });
    t.same(await root.call('core.job_wait', u), { steps: 2 });
  });

  t.test('jobs with the same lock queue (WAITING) and a queued job aborts at once', async (t) => {
    const first = await root.call<number>('test.job', { steps: 1000, step_ms: 10, lock: 'L' });
    const second = await root.call<number>('test.job', { steps: 1, step_ms: 1, lock: 'L' });
    const third = await root.call<number>('test.job', { steps: 1, step_ms: 1, lock: 'L' });
    const other = await root.call<number>('test.job', { steps: 1, step_ms: 1, lock: 'M' });
    t.same(await root.call('core.job_wait', other), { steps: 1 }, 'another lock is not blocked');
    t.equal((await getJob(root, second)).state, 'WAITING');
    await root.call('core.job_abort', third);
    t.equal((await getJob(root, third)).state, 'ABORTED', 'aborted while queued');
    await root.call('core.job_abort', first);
    t.same(await root.call('core.job_wait', second), { steps: 1 }, 'runs once the lock is free');
  });

  t.test('Client.callJob reports progress and returns the result', async (t) => {
    const seen: (number | null)[] = [];
    const r = await root.callJob('test.job', [{ steps: 4, step_ms: 5 }], (p) => seen.push(p.percent));
    t.same(r, { steps: 4 });
    t.same([...new Set(seen)], [0, 25, 50, 75, 100]);
    await t.rejects(root.callJob('test.job', [{ steps: 0, fail: 'x' }]), { name: 'ClientCallError', errname: 'EFAULT' });
  });

  t.test('core.get_jobs supports the query language', async (t) => {
    const failed = await root.call<Job[]>('core.get_jobs', [['state', '=', 'FAILED']], { order_by: ['-id'] });
    t.ok(failed.length >= 2);
    t.ok(failed.every((j) => j.state === 'FAILED'));
    t.ok(failed[0]!.id > failed[1]!.id);
    t.type(await root.call('core.get_jobs', [], { count: true }), 'number');
    await t.rejects(root.call('core.get_jobs', [['state', 'bogus', 1]]), { code: -32602 });
  });
});

t.test('finished jobs are retained up to jobs.max_finished', async (t) => {
  const d = await startTestDaemon(t, { config: { jobs: { max_finished: 2 } } });
  const root = await d.root();
  const removed: unknown[] = [];
  await root.subscribe('core.get_jobs', (u) => u.msg === 'removed' && removed.push(u.id));
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const id = await root.call<number>('test.job', { steps: 0 });
    await root.call('core.job_wait', id);
    ids.push(id);
  }
  // Other plugins may run jobs of their own at start-up (vmware.sweep): look at test.job only.
  t.same((await root.call<Job[]>('core.get_jobs', [['method', '=', 'test.job']])).map((j) => j.id), ids.slice(2));
  t.same(removed.filter((id) => ids.includes(id as number)), ids.slice(0, 2));
  await t.rejects(root.call('core.job_wait', ids[0]), { name: 'ClientCallError', errname: 'ENOENT' });
});
