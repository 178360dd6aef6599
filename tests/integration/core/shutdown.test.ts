/** Graceful shutdown on SIGTERM/SIGINT: jobs get a bounded grace time, the db is flushed, exit 0. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startTestDaemon } from '../../helpers/daemon.js';

t.test('SIGTERM lets a short job finish, replies reach the client, then exit 0', async (t) => {
  const d = await startTestDaemon(t, { config: { jobs: { shutdown_grace_seconds: 20 } } });
  const root = await d.root();
  const id = await root.call<number>('test.job', { steps: 5, step_ms: 100 });
  const waiting = root.call('core.job_wait', id);
  d.kill('SIGTERM');
  t.same(await waiting, { steps: 5 }, 'the job finished during the grace time');
  t.same(await d.exited, { code: 0, signal: null });
  t.notOk(existsSync(d.socketPath), 'the socket file is removed');
  t.match(d.output(), /"msg":"stopped"/);
});

t.test('a job that outlives the grace time is aborted; SIGINT works too', async (t) => {
  const d = await startTestDaemon(t, { config: { jobs: { shutdown_grace_seconds: 0.5 } } });
  const root = await d.root();
  const id = await root.call<number>('test.job', { steps: 1000, step_ms: 50 });
  const outcome = root.call('core.job_wait', id).then(
    () => 'finished',
    (err: { errname?: string; message: string }) => err.errname ?? err.message,
  );
  d.kill('SIGINT');
  t.equal(await outcome, 'ECANCELED', 'the waiting client learns the job was aborted');
  t.same(await d.exited, { code: 0, signal: null });
  t.match(d.output(), /aborting jobs still running after the grace time/);
});

t.test('data written just before SIGTERM is on disk after a restart', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'vsnapd-data-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const first = await startTestDaemon(t, { config: { data_dir: data } });
  const root = await first.root();
  const created = await root.call<{ id: number }>('api_key.create', { name: 'survives' });
  first.kill('SIGTERM');
  t.equal((await first.exited).code, 0);
  const second = await startTestDaemon(t, { config: { data_dir: data } });
  const again = await second.root();
  t.same(await again.call('api_key.query', [['id', '=', created.id]], { select: ['name'] }), [{ name: 'survives' }]);
});
