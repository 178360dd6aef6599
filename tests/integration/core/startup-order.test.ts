/**
 * Start-up as systemd runs it: the order (config, datastore, listeners bound, THEN the snapshot-task
 * scheduler and the start-up vCenter sweep), readiness (`READY=1` on `$NOTIFY_SOCKET` only once both
 * listeners accept connections), the datastore lock after a reboot (an old lock file whose pid now
 * names another live process does not stop the daemon), and the journal's priorities on the lines it
 * writes when its stdout is the journal stream. Real daemon processes, a real datagram socket (a
 * python3 listener standing in for systemd).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, utimesSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { REPO_ROOT, childEnv, runDaemonCommand, startTestDaemon } from '../../helpers/daemon.js';
import { tempDir } from '../../helpers/tmp-datastore.js';

const SCHEDULER = 'snapshot task scheduler started';
const SWEEP = 'vmware.sweep started (start-up)';

t.test('a second instance whose port is taken exits before starting the scheduler or sweeping vCenter', async (t) => {
  const first = await startTestDaemon(t);
  t.match(first.output(), SCHEDULER, 'control: a daemon that binds starts the scheduler');
  t.match(first.output(), SWEEP, 'control: … and sweeps');
  const dir = tempDir(t, 'vsnapd-second-');
  const config = join(dir, 'vsnapd.json');
  writeFileSync(config, JSON.stringify({ listen: { host: '127.0.0.1', port: first.port, socket: join(dir, 'vsnapd.sock') }, data_dir: join(dir, 'data') }));
  const r = await runDaemonCommand(['--config', config]);
  t.equal(r.code, 2, 'exit code 2: a taken port is a configuration error, which systemd does not restart');
  t.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/, `the reason: ${r.stderr.trim()}`);
  t.notMatch(r.stdout, SCHEDULER, 'the scheduler never started');
  t.notMatch(r.stdout, SWEEP, 'no start-up sweep ran');
});

t.test('after a reboot, an old lock file naming a live foreign pid does not stop the daemon', async (t) => {
  const dir = tempDir(t, 'vsnapd-reboot-lock-');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  const foreign = spawn('sleep', ['300'], { stdio: 'ignore' });
  t.teardown(() => void foreign.kill('SIGKILL'));
  await once(foreign, 'spawn');
  // Written by the daemon that ran before the reboot (pid-only format of earlier versions, mtime
  // before this boot); its pid now belongs to `sleep`.
  const lock = join(dataDir, 'vsnapd.db.json.lock');
  writeFileSync(lock, `${foreign.pid}\n`);
  const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  utimesSync(lock, btime - 600, btime - 600);
  const d = await startTestDaemon(t, { config: { data_dir: dataDir } });
  t.equal(await (await d.root()).call('core.ping'), 'pong', 'the daemon started and answers');
  t.match(readFileSync(lock, 'utf8'), new RegExp(`^${d.pid} `), 'the lock now names the daemon');
  t.equal(foreign.exitCode, null, 'the foreign process was left alone');
});

t.test('READY=1 reaches $NOTIFY_SOCKET only once both listeners accept connections', async (t) => {
  const dir = tempDir(t, 'vsnapd-notify-');
  const notifySocket = join(dir, 'notify');
  const apiSocket = join(dir, 'api.sock');
  // Stands in for systemd: receives each datagram and, at once, tries both listeners of the daemon.
  const listener = spawn(
    'python3',
    [
      '-c',
      `
import json, re, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps({"bound": True}), flush=True)
while True:
    msg = s.recv(4096).decode()
    out = {"msg": msg}
    if "READY=1" in msg.split("\\n"):
        def can(family, addr):
            c = socket.socket(family, socket.SOCK_STREAM)
            try:
                c.connect(addr); return True
            except OSError:
                return False
            finally:
                c.close()
        port = re.search(r"ws://127\\.0\\.0\\.1:(\\d+)/", msg)
        out["unix"] = can(socket.AF_UNIX, sys.argv[2])
        out["tcp"] = bool(port) and can(socket.AF_INET, ("127.0.0.1", int(port.group(1))))
    print(json.dumps(out), flush=True)
`,
      notifySocket,
      apiSocket,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => void listener.kill('SIGKILL'));
  const lines = createInterface({ input: listener.stdout })[Symbol.asyncIterator]();
  t.same(JSON.parse((await lines.next()).value as string), { bound: true }, 'the notify socket is bound');
  const d = await startTestDaemon(t, { env: { NOTIFY_SOCKET: notifySocket }, config: { listen: { socket: apiSocket } } });
  const got = JSON.parse((await lines.next()).value as string) as { msg: string; unix: boolean; tcp: boolean };
  t.match(got.msg, /^READY=1$/m, `READY=1 sent: ${JSON.stringify(got.msg)}`);
  t.match(got.msg, new RegExp(`^MAINPID=${d.pid}$`, 'm'), 'in the name of the daemon process');
  t.match(got.msg, new RegExp(`^STATUS=listening on ws://127\\.0\\.0\\.1:${d.port}/api/current and ${apiSocket}$`, 'm'), 'with a status line');
  t.equal(got.unix, true, 'the Unix socket accepted a connection when READY=1 arrived');
  t.equal(got.tcp, true, 'the TCP port accepted a connection when READY=1 arrived');
  t.match(d.output(), SCHEDULER, 'the scheduler had started by then');
});

t.test('under systemd (stdout is the journal stream) every line carries its syslog priority', async (t) => {
  const dir = tempDir(t, 'vsnapd-journal-');
  const out = join(dir, 'journal');
  const fd = openSync(out, 'w');
  t.teardown(() => closeSync(fd));
  const st = fstatSync(fd);
  const env = childEnv({ JOURNAL_STREAM: `${st.dev}:${st.ino}`, VSNAPD_EXIT_WITH_PARENT: '1' });
  const config = join(dir, 'vsnapd.json');
  // `bogus` is a section nobody reads: a warning.
  writeFileSync(config, JSON.stringify({ listen: { host: '127.0.0.1', port: 0, socket: join(dir, 'api.sock') }, data_dir: join(dir, 'data'), bogus: {} }));
  const spawnDaemon = () =>
    spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'daemon/main.ts'), '--config', config], { cwd: REPO_ROOT, env, stdio: ['pipe', fd, fd] });
  const daemon = spawnDaemon();
  t.teardown(() => void daemon.kill('SIGKILL'));
  const written = () => readFileSync(out, 'utf8');
  await new Promise<void>((resolve) => {
    const watcher = watch(out, () => written().includes('vsnapd ready') && (watcher.close(), resolve()));
    if (written().includes('vsnapd ready')) (watcher.close(), resolve());
  });
  const port = /vsnapd ready url=ws:\/\/127\.0\.0\.1:(\d+)\//.exec(written())?.[1];
  // A second instance on the same port (own data folder): its refusal is an error for journalctl -p err.
  writeFileSync(config, JSON.stringify({ listen: { host: '127.0.0.1', port: Number(port), socket: join(dir, 'api2.sock') }, data_dir: join(dir, 'data2') }));
  const second = spawnDaemon();
  t.equal((await once(second, 'exit'))[0], 2, 'the second instance exits 2 (a configuration error: no restart loop)');
  daemon.kill('SIGTERM');
  t.equal((await once(daemon, 'exit'))[0], 0, 'the first stops cleanly');
  const lines = written().trimEnd().split('\n');
  t.same(lines.filter((l) => !/^<[0-7]>/.test(l)), [], 'every line starts with a <N> priority');
  t.ok(lines.some((l) => /^<6>vsnapd ready url=ws:\/\/127\.0\.0\.1:\d+\/api\/current socket=/.test(l)), 'readiness at info (6)');
  t.ok(lines.some((l) => /^<4>config section is not used by the core or any plugin section=bogus /.test(l)), 'the unused section at warning (4)');
  t.ok(lines.some((l) => /^<3>vsnapd: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/.test(l)), 'the refused start at err (3)');
  t.notOk(lines.some((l) => l.includes('"level":')), 'no JSON records');
});
