/**
 * A test daemon never outlives the process that started it (tests/helpers/daemon.ts gives it a stdin
 * pipe and VSNAPD_EXIT_WITH_PARENT=1): when that process dies, even by SIGKILL, the daemon stops
 * gracefully by itself. Without the variable, end-of-file on stdin (systemd's /dev/null) changes nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { Client } from '../../../client/index.js';
import { processAlive } from '../../../daemon/process-alive.js';
import { REPO_ROOT } from '../../helpers/daemon.js';

interface ParentLine {
  pid: number;
  socketPath: string;
  dataDir: string;
  tmpDir: string;
}

/** Polls until `pid` is gone; false if it still runs after `ms`. */
async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!processAlive(pid)) return true;
    await sleep(100);
  }
  return !processAlive(pid);
}

t.test('SIGKILL of the parent: the daemon stops gracefully by itself', async (t) => {
  const parent = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tests/helpers/daemon-parent.ts')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const parentExit = new Promise((resolve) => parent.once('exit', resolve));
  t.teardown(async () => {
    parent.kill('SIGKILL');
    await parentExit;
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: parent.stdout }).once('line', resolve);
    parent.once('exit', (code) => reject(new Error(`daemon-parent exited (code ${code}) before its daemon was ready`)));
  });
  const d = JSON.parse(line) as ParentLine;
  // Nobody is left to remove the daemon's folder: this test does, and stops the daemon if it failed to.
  t.teardown(() => {
    if (processAlive(d.pid)) process.kill(d.pid, 'SIGKILL');
    rmSync(d.tmpDir, { recursive: true, force: true });
  });
  const root = await Client.connect({ socketPath: d.socketPath });
  t.equal(await root.call('core.ping'), 'pong', 'the daemon answers while its parent lives');
  t.teardown(() => root.close());

  parent.kill('SIGKILL');
  await parentExit;
  t.ok(await gone(d.pid, 30_000), `daemon pid ${d.pid} has exited`);
  await root.closed;
  t.notOk(existsSync(d.socketPath), 'its socket file is removed (a graceful stop, not a crash)');
  t.same(
    readdirSync(d.dataDir).filter((f) => f.endsWith('.lock')),
    [],
    'its datastore lock is released',
  );
});

t.test('without VSNAPD_EXIT_WITH_PARENT, end-of-file on stdin does not stop the daemon', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-test-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const socketPath = join(tmp, 'vsnapd.sock');
  writeFileSync(
    join(tmp, 'vsnapd.json'),
    JSON.stringify({ listen: { host: '127.0.0.1', port: 0, socket: socketPath }, data_dir: join(tmp, 'data') }),
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VSNAPD_|MIDCLT_)/.test(k)));
  // stdin is /dev/null, as under systemd: end-of-file at the first read.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'daemon/main.ts'), '--config', join(tmp, 'vsnapd.json')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  for (let i = 0; i < 300 && !output.includes('"msg":"vsnapd ready"') && child.exitCode === null; i++) await sleep(100);
  t.match(output, /"msg":"vsnapd ready"/, 'the daemon got ready');
  const root = await Client.connect({ socketPath });
  t.teardown(() => root.close());
  // Several round trips after stdin's end-of-file: the daemon is still serving.
  for (let i = 0; i < 5; i++) t.equal(await root.call('core.ping'), 'pong');
  t.notMatch(output, /shutting down/, 'no shutdown was started');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM still stops it cleanly');
});
