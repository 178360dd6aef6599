/** Configuration: file < environment < flags, clear errors with exit code 2, --help, hash-password. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { freePort, runDaemonCommand, startTestDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait.js';

t.test('flags win over environment variables, which win over the file', async (t) => {
  const envPort = await freePort();
  const flagPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const envSocket = join(dir, 'env.sock');
  const flagSocket = join(dir, 'flag.sock');

  const byEnv = await startTestDaemon(t, { env: { VSNAPD_PORT: String(envPort), VSNAPD_SOCKET: envSocket, VSNAPD_DATA_DIR: join(dir, 'env-data') } });
  t.equal(byEnv.port, envPort, 'VSNAPD_PORT beats the file (port 0)');
  t.equal(byEnv.socketPath, envSocket, 'VSNAPD_SOCKET beats the file');
  t.ok(existsSync(join(dir, 'env-data', 'vsnapd.db.json')), 'VSNAPD_DATA_DIR beats the file');
  await byEnv.stop();

  const byFlag = await startTestDaemon(t, {
    env: { VSNAPD_PORT: String(envPort), VSNAPD_SOCKET: envSocket, VSNAPD_LOG_LEVEL: 'nonsense', VSNAPD_HOST: '0.0.0.0' },
    args: ['--port', String(flagPort), '--socket', flagSocket, '--data-dir', join(dir, 'flag-data'), '--log-level', 'debug', '--host', '127.0.0.1'],
  });
  t.equal(byFlag.port, flagPort, '--port beats VSNAPD_PORT');
  t.equal(byFlag.socketPath, flagSocket, '--socket beats VSNAPD_SOCKET');
  t.match(byFlag.url, /^ws:\/\/127\.0\.0\.1:/, '--host beats VSNAPD_HOST');
  t.ok(existsSync(join(dir, 'flag-data', 'vsnapd.db.json')));
  const c = await byFlag.root();
  await c.call('core.ping');
  // The daemon's log reaches us through a pipe, after the reply: wait for the line, don't race it.
  const debugLine = await waitFor('a debug log line', () => /"level":20/.exec(byFlag.output()));
  t.ok(debugLine, '--log-level debug beats VSNAPD_LOG_LEVEL (debug lines appear)');
});

t.test('VSNAPD_HOST=0.0.0.0 listens on every interface', async (t) => {
  const d = await startTestDaemon(t, { env: { VSNAPD_HOST: '0.0.0.0' } });
  t.match(d.url, /^ws:\/\/0\.0\.0\.0:\d+\/api\/current$/);
  const c = await d.tcp({ timeoutMs: 5000 }).catch(() => null);
  t.ok(c === null || (await c.call('core.ping')) === 'pong');
});

t.test('invalid configuration exits 2 with one clear line and no stack trace (details: tests/unit/config)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"listen": {"port": "x"}}');
  const plugin = join(dir, 'plugin.json');
  writeFileSync(plugin, '{"auth": {"admin": {"password_hash": "hunter2"}}}');
  const cases: [string[], Record<string, string>, RegExp][] = [
    [[], { VSNAPD_CONFIG: bad }, /bad\.json: listen\.port: Invalid input: expected number/],
    [['--config', plugin], {}, /plugin\.json: auth\.admin\.password_hash: expected a hash printed by/],
    [['--port', 'http'], {}, /--port: expected a TCP port number 0–65535, got "http"/],
  ];
  await Promise.all(
    cases.map(async ([args, env, message]) => {
      const r = await runDaemonCommand(args, { env: { VSNAPD_DATA_DIR: join(dir, 'data'), VSNAPD_SOCKET: join(dir, 's.sock'), ...env } });
      t.equal(r.code, 2, `${args.join(' ')} ${JSON.stringify(env)} exits 2`);
      t.match(r.stderr, message);
      t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }),
  );
  t.notOk(existsSync(join(dir, 's.sock')), 'nothing started');
});

t.test('a config file with several bad sections: every error at once, the core\'s and the plugins\'', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const plugins = { auth: { admin: { password_hash: 'hunter2' } }, vmware: { poll_interval_seconds: 'often' }, pool: { timezone: 5 } };
  const both = join(dir, 'both.json');
  writeFileSync(both, JSON.stringify({ listen: { port: 'x' }, ...plugins }));
  const onlyPlugins = join(dir, 'plugins.json');
  writeFileSync(onlyPlugins, JSON.stringify(plugins));
  for (const [file, core] of [[both, true], [onlyPlugins, false]] as const) {
    const r = await runDaemonCommand(['--config', file], { env: { VSNAPD_DATA_DIR: join(dir, 'data'), VSNAPD_SOCKET: join(dir, 's.sock') } });
    t.equal(r.code, 2);
    if (core) t.match(r.stderr, /listen\.port/, 'the core section');
    for (const attr of ['auth.admin.password_hash', 'vmware.poll_interval_seconds', 'pool.timezone']) t.match(r.stderr, attr, `${file.endsWith('both.json') ? 'with' : 'without'} a core error: ${attr}`);
  }
});

t.test('a data_dir that is a file, or under a file: exit 2 with a clear message, not a raw EEXIST', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'not-a-folder');
  writeFileSync(file, 'x');
  for (const [dataDir, message] of [
    [file, /data_dir \S+not-a-folder exists but is not a folder \(a file is in the way\)/],
    [join(file, 'data'), /data_dir \S+: a parent of it is a file, not a folder/],
  ] as const) {
    const r = await runDaemonCommand([], { env: { VSNAPD_DATA_DIR: dataDir, VSNAPD_SOCKET: join(dir, 's.sock'), VSNAPD_PORT: '0' } });
    t.equal(r.code, 2);
    t.match(r.stderr, message);
    t.notMatch(r.stderr, /EEXIST|mkdir|\n\s+at /, 'no raw error, no stack');
  }
});

t.test('--help and hash-password', async (t) => {
  const help = await runDaemonCommand(['--help']);
  t.equal(help.code, 0);
  for (const name of ['--config', 'VSNAPD_CONFIG', '--host', 'VSNAPD_HOST', '--port', 'VSNAPD_PORT', '--socket', 'VSNAPD_SOCKET', '--data-dir', 'VSNAPD_DATA_DIR', '--log-level', 'VSNAPD_LOG_LEVEL']) {
    t.match(help.stdout, name);
  }
  const empty = await runDaemonCommand(['hash-password'], { input: '' });
  t.equal(empty.code, 2);
  t.match(empty.stderr, /no password on stdin/);
});
