/**
 * `npm run demo` as a user runs it: a real process (npm → node tests/demo/demo.ts) building the real
 * world (zfs-fuse, vcsim, the daemon, midclt processes). It must pass, print the key lines, and leave
 * nothing behind: no process of its session, no pool of its own, no mount, no temporary folder.
 * Then `--keep` with Ctrl-C (SIGINT to its process group, as a terminal sends it): the world answers
 * midclt while kept, and the signal tears it down just as completely.
 *
 * The demo runs in its own session (`detached`), so "processes it spawned" = processes of that
 * session: zfs-fuse, the only part started in a new session on purpose, is checked separately.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { ZFS_BIN, zfsDaemonRunning } from '../../fixtures/zfs/daemon.js';
import { zpool } from '../../fixtures/zfs/pool.js';
import { REPO_ROOT, runMidclt } from '../../helpers/daemon.js';

interface DemoRun {
  readonly pid: number;
  /** Resolves when the process exits. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  output(): string;
  /** Sends `signal` to the demo's whole process group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
}

/** The environment a user would have: no VSNAPD_/MIDCLT_ variables of the test runner. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VSNAPD_|MIDCLT_|TAP)/.test(k)) env[k] = v;
  return env;
}

function startDemo(command: string, args: string[], env: Record<string, string> = {}): DemoRun {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...userEnv(), ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, output })),
  );
  return {
    pid: child.pid!,
    done,
    output: () => output,
    signalGroup: (signal) => process.kill(-child.pid!, signal),
  };
}

/** Pids of live processes whose session id is `sid` (field 6 of /proc/<pid>/stat). */
function sessionMembers(sid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid && fields[0] !== 'Z') pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** The demo's folder and pool, read from its output (`zpool create … -m <dir>/mnt/<pool> <pool> <vdev>`). */
function worldOf(output: string): { dir: string; pool: string } {
  const m = /zpool create -o cachefile=none -m (\S+)\/mnt\/(\S+) \S+ \S+/.exec(output);
  if (!m) throw new Error(`no zpool create line in the demo output:\n${output}`);
  return { dir: m[1]!, pool: m[2]! };
}

async function assertNothingLeft(t: Test, run: DemoRun, output: string): Promise<void> {
  const { dir, pool } = worldOf(output);
  // Processes the demo started and stopped are reaped a moment after it exits.
  let left = sessionMembers(run.pid);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await sleep(100);
    left = sessionMembers(run.pid);
  }
  t.same(left, [], 'no process of the demo\'s session is left');
  const pools = (await zfsDaemonRunning()) ? (await zpool('list', '-H', '-o', 'name')).split('\n') : [];
  t.notOk(pools.includes(pool), `pool ${pool} is gone`);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(dir));
  t.same(mounts, [], 'nothing is mounted under the demo folder');
  t.notOk(existsSync(dir), 'the demo folder is removed');
  for (const m of output.matchAll(/\(pid (\d+)\)/g)) {
    t.throws(() => process.kill(Number(m[1]), 0), `pid ${m[1]} has exited`);
  }
}

t.test('npm run demo passes and leaves nothing behind', async (t) => {
  const run = startDemo('npm', ['run', '--silent', 'demo']);
  t.teardown(() => {
    if (sessionMembers(run.pid).length > 0) run.signalGroup('SIGTERM');
  });
  const { code, output } = await run.done;
  if (code !== 0) t.comment(output);
  t.equal(code, 0, 'exit code 0');
  for (const line of [
    /== 1\. The NAS: a ZFS pool with the dataset tank\d?\/vmware/,
    /\$ midclt call sharing\.nfs\.create '\{\n\s+"path": ".*\/mnt\/tank\d?\/vmware",/,
    /\$ midclt call vmware\.create '\{\n\s+"hostname": "127\.0\.0\.1",/,
    /vmware_create\.tls: [\s\S]*?not trusted/,
    /"tls": \{"thumbprint": "([0-9A-F]{2}:){31}[0-9A-F]{2}"\}/,
    /✓ entry 1 created; datastore "vmware-nfs" found from tank\d?\/vmware/,
    /\$ midclt call vmware\.query\n/,
    /\$ midclt call vmware\.match_datastores_with_datasets 1\n/,
    /\$ midclt call vmware\.dataset_has_vms '"tank\d?\/vmware"'\n\s+true/,
    /\$ midclt call pool\.snapshottask\.create '\{[\s\S]*"vmware_sync": true\n\s+\}'/,
    /\$ midclt call vmware\.plan '"tank\d?\/vmware"' true/,
    /\$ midclt call -j pool\.snapshottask\.run 1\n[\s\S]*\[100%\] Finished: tank\d?\/vmware@auto-/,
    /web01\s+quiesced snapshot\s+snapshot-\d+\s+yes/,
    /app01\s+crash-consistent snapshot\s+snapshot-\d+\s+yes/,
    /test01\s+skipped: powered_off/,
    /win2022-template\s+skipped: template/,
    /vsnapd:vmsynced\s+full\s+local/,
    /✓ 7 VMs, no snapshot on any of them/,
    /Demo passed in [\d.]+ s/,
  ]) {
    t.match(output, line, `prints ${line.source.slice(0, 60)}`);
  }
  t.notMatch(output, /\x1b\[/, 'no colour codes when stdout is not a terminal');
  t.notMatch(output, /✗/, 'no failed check');
  await assertNothingLeft(t, run, output);
});

t.test('--keep keeps the world for midclt until Ctrl-C, then tears it down', async (t) => {
  const run = startDemo(process.execPath, ['--import', 'tsx', 'tests/demo/demo.ts', '--keep']);
  t.teardown(() => {
    if (sessionMembers(run.pid).length > 0) run.signalGroup('SIGTERM');
  });
  const deadline = Date.now() + 150_000;
  while (!/To tear everything down/.test(run.output()) && Date.now() < deadline) {
    const exited = await Promise.race([run.done.then(() => true), sleep(200).then(() => false)]);
    if (exited) break;
  }
  const kept = run.output();
  if (!/To tear everything down/.test(kept)) t.comment(kept);
  t.match(kept, /To tear everything down: press Ctrl-C here/, 'the world is kept and the way out is printed');
  const socket = /VSNAPD_SOCKET=(\S+)/.exec(kept)?.[1];
  t.ok(socket, 'prints the socket to use');
  const plan = await runMidclt(['call', 'vmware.plan', JSON.stringify(/midclt call vmware\.plan '"(\S+)"'/.exec(kept)?.[1] ?? ''), 'true'], {
    env: { VSNAPD_SOCKET: socket ?? '' },
  });
  t.equal(plan.code, 0, `midclt reaches the kept daemon: ${plan.stderr}`);
  t.match(JSON.parse(plan.stdout || '{}'), { summary: { snapshot: 3, skip: 4 } }, 'the kept world answers as in the demo');
  run.signalGroup('SIGINT');
  const { code, output } = await run.done;
  if (code !== 0) t.comment(output.slice(-3000));
  t.equal(code, 0, 'Ctrl-C after --keep is the normal way out (exit 0)');
  t.match(output, /== \d+\. Tear down/);
  t.match(output, /Demo passed in/);
  await assertNothingLeft(t, run, output);
});

t.test('a failing step fails the demo (exit 1) and still tears everything down', async (t) => {
  // A real failure, no hook in the demo: the zfs binary the fixtures use (VSNAPD_TEST_ZFS) is a
  // wrapper that refuses `zfs get vsnapd:…`, which only the evidence step runs.
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-demo-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wrapper = join(dir, 'zfs');
  writeFileSync(wrapper, `#!/bin/sh\ncase "$1 $2" in "get vsnapd:"*) echo "cannot get properties: injected by the demo test" >&2; exit 1;; esac\nexec ${ZFS_BIN} "$@"\n`, { mode: 0o755 });
  const run = startDemo(process.execPath, ['--import', 'tsx', 'tests/demo/demo.ts'], { VSNAPD_TEST_ZFS: wrapper });
  t.teardown(() => {
    if (sessionMembers(run.pid).length > 0) run.signalGroup('SIGTERM');
  });
  const { code, output } = await run.done;
  t.equal(code, 1, 'exit code 1');
  t.match(output, /✓ vmsynced=full/, 'the steps before the failure ran');
  t.match(output, /✗ FAILED: .*cannot get properties: injected by the demo test/, 'the failure names the step\'s error');
  t.match(output, /== \d+\. Tear down/, 'teardown ran');
  t.match(output, /Demo FAILED after [\d.]+ s/);
  await assertNothingLeft(t, run, output);
});
