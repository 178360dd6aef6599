/**
 * "Every command in the README is run by a test." The commands are the lines of README.md's ```bash
 * blocks (a command continues over lines while a single quote is open). Each runs here, in README
 * order, with bash, against the demo's world (tests/demo/world.ts: zfs-fuse `tank/vmware`, vcsim, the
 * real daemon; `midclt` on PATH, VSNAPD_SOCKET set), and must exit 0. The README's example names are
 * mapped onto that world by {@link SUBSTITUTIONS} only; a command still naming an example host or a
 * `<placeholder>` after that fails, so README commands stay real.
 *
 * Three commands are run by other tests, checked here to still do so ({@link ELSEWHERE}): `npm ci`
 * and `npm test` (.ci/run), `npm run demo` (tests/integration/demo/demo.test.ts). `npm start` runs
 * here with the documented VSNAPD_* overrides (a temporary socket, port and data folder).
 *
 * The ```sh block of the production install changes the host (apt install of the .deb) and is not
 * run; it must stay exactly {@link HOST_INSTALL}. The package test (tests/integration/package/deb.test.ts)
 * builds that .deb, installs it into a temporary root and starts its unit's ExecStart; here the unit
 * in the repository passes `systemd-analyze verify` with its /usr/lib/vsnapd paths pointed at this
 * checkout (bin/vsnapd is the same launcher).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT } from '../../helpers/daemon.js';
import { writeMidcltWrapper } from '../../demo/midclt.js';
import { Teardown } from '../../demo/teardown.js';
import { buildWorld, type DemoWorld } from '../../demo/world.js';

/** A fenced block of README.md. */
interface Block {
  readonly lang: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly commands: string[];
}

/** Splits README.md into fenced blocks and their commands. */
function readmeBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const commands: string[] = [];
    let current: string | null = null;
    for (const line of body) {
      if (current === null && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
      current = current === null ? line : `${current}\n${line}`;
      const quotes = (current.match(/'/g) ?? []).length;
      if (quotes % 2 === 0 && !current.endsWith('\\')) {
        commands.push(current);
        current = null;
      }
    }
    if (current !== null) commands.push(current);
    blocks.push({ lang: open[1] ?? '', line: start + 1, commands });
  }
  return blocks;
}

/** The production install lines (```sh): they change the host and are not run here. */
const HOST_INSTALL = ['apt install ./vsnapd_0.1.0_amd64.deb'];

/** Commands another test runs: the file, and what it must contain to still run it. */
const ELSEWHERE: Record<string, { file: string; contains: string[] }> = {
  'npm ci': { file: '.ci/run', contains: ['npm ci'] },
  'npm test': { file: '.ci/run', contains: ['npm test'] },
  'npm run demo': { file: 'tests/integration/demo/demo.test.ts', contains: ["'run', '--silent', 'demo'"] },
  // The package tests install the run's shared .deb, made by npm run package's buildDeb.
  'npm run package': { file: 'tests/helpers/shared-deb.ts', contains: ['buildDeb('] },
};

/** The README's example names → the test world (applied in this order). */
const SUBSTITUTIONS: [RegExp, (w: DemoWorld) => string][] = [
  [/vcenter\.example\.com:443/g, (w) => `${w.vc.host}:${w.vc.port}`],
  [/"hostname": "vcenter\.example\.com"/g, (w) => `"hostname": "${w.vc.host}", "port": ${w.vc.port}`],
  [/\/mnt\/tank\/vmware/g, (w) => w.pool.mountpoint],
  [/(?<![\w/])tank\/vmware/g, (w) => w.pool.dataset],
  [/<SHA-256 fingerprint>/g, (w) => w.vc.thumbprintSha256],
  [/esx01\.example\.com/g, () => 'DC0_C0_H0'],
  // The example hook is not installed on the test host; a root-owned executable stands in for it.
  [/\/usr\/local\/lib\/vsnapd\/snap-hook/g, () => '/usr/bin/true'],
];

/** What some commands must print (stdout + stderr), beyond exiting 0. */
const EXPECT: [RegExp, RegExp][] = [
  [/^midclt ping$/, /^pong$/m],
  [/api_key\.create/, /"key": "1-/],
  [/vmware\.test/, /"sha256": "([0-9A-F]{2}:){31}[0-9A-F]{2}"[\s\S]*"class": "tls"/],
  [/^openssl s_client/, /sha256 Fingerprint=([0-9A-F]{2}:){31}[0-9A-F]{2}/i],
  [/sharing\.nfs\.create/, /"id": 1/],
  [/vmware\.create/, /"datastores": \["vmware-nfs"\]/],
  [/^midclt call vmware\.query$/, /"password": "\*{8}"/],
  [/match_datastores_with_datasets/, /"name": "vmware-nfs"[^}]*"filesystems": \["tank\d?\/vmware"\]/],
  [/dataset_has_vms/, /^True$/m],
  [/pool\.snapshottask\.create/, /"vmware_sync": true/],
  [/vmware\.plan '"tank\/vmware"' true$/, /"summary": \{"snapshot": 3, "skip": 4, "quiesced": 2\}/],
  [/vmware\.plan .*"rules"/, /"rule": "include\[0\] name \\"web\*\\""[\s\S]*"summary": \{"snapshot": 1, "skip": 6, "quiesced": 1\}/],
  [/vmware\.plan_restore/, /"ok": true/],
  [/-j vmware\.restore '/, /"state": "READY"[\s\S]*"powered_on": true/],
  [/vmware\.restore_cleanup/, /"state": "CLEANED"/],
  [/-j pool\.snapshottask\.run/, /\[100%\] Finished: tank\d?\/vmware@auto-/],
  [/^zfs list -t snapshot/, /@auto-\S+\s+full\s+Y/],
  [/^curl -s --unix-socket/, /^vsnapd_vmware_runs_total\{vmsynced="full"\} [1-9]/m],
  [/audit\.query/, /"event_data": \{"method": "[a-z_.]+"/],
  [/vmware\.sweep/, /"failed": \[\]/],
];

interface Ran {
  code: number | null;
  output: string;
}

function runBash(command: string, env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Starts `command` with bash in its own process group and, once "vsnapd ready" is logged, sends
 * `signal` to the first process (`kill <pid>`, as systemd does) or, with `group`, to the whole group
 * (Ctrl-C in a terminal). Resolves when the first process exits; the group is killed after 60 s.
 */
function startAndStop(
  command: string,
  env: NodeJS.ProcessEnv,
  how: { signal: NodeJS.Signals; group: boolean },
): Promise<{ ready: boolean; code: number | null; output: string; pgid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let ready = false;
    const onData = (d: Buffer) => {
      output += d.toString();
      if (!ready && output.includes('"msg":"vsnapd ready"')) {
        ready = true;
        if (how.group) process.kill(-child.pid!, how.signal);
        else child.kill(how.signal);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ready, code, output, pgid: child.pid! });
    });
  });
}

/** True while some process of group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The runner's environment without VSNAPD_/MIDCLT_ settings, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VSNAPD_|MIDCLT_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

const blocks = readmeBlocks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
const bash = blocks.filter((b) => b.lang === 'bash').flatMap((b) => b.commands);

t.test('README command blocks: bash is run, sh is only the host install', async (t) => {
  t.ok(bash.length >= 15, `${bash.length} bash commands found`);
  t.same(blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.commands), HOST_INSTALL, 'the only sh block is the host install');
  const unknown = blocks.filter((b) => !['bash', 'sh', 'ts', ''].includes(b.lang)).map((b) => `${b.lang} at line ${b.line}`);
  t.same(unknown, [], 'no other block kind holds commands');
  const plain = blocks.filter((b) => b.lang === '' && b.commands.some((c) => /^(midclt|npm|zfs|zpool|node)\b/.test(c)));
  t.same(plain, [], 'no command hides in a block without a language');
  for (const [command, where] of Object.entries(ELSEWHERE)) {
    const text = readFileSync(join(REPO_ROOT, where.file), 'utf8');
    for (const needle of where.contains) t.ok(text.includes(needle), `\`${command}\` is run by ${where.file}`);
  }
});

t.test('the host install: the unit verifies; its ExecStart is the launcher this tree ships', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-readme-unit-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const unit = readFileSync(join(REPO_ROOT, 'etc/vsnapd.service'), 'utf8');
  writeFileSync(join(tmp, 'vsnapd.service'), unit.replaceAll('/usr/lib/vsnapd', REPO_ROOT));
  const verify = await runBash(`systemd-analyze verify ${join(tmp, 'vsnapd.service')}`, cleanEnv({}));
  t.equal(verify.code, 0, `systemd-analyze verify: ${verify.output}`);
  t.match(/^ExecStart=(.+)$/m.exec(unit)?.[1] ?? '', /^\/usr\/lib\/vsnapd\/bin\/vsnapd --config \/etc\/vsnapd\/vsnapd\.json$/, 'ExecStart: the packaged launcher, /etc/vsnapd/vsnapd.json');
  // The launcher the package installs as /usr/lib/vsnapd/bin/vsnapd is this tree's bin/vsnapd. That the
  // installed unit's ExecStart really starts the daemon is checked by running it, in
  // tests/integration/package/deb.test.ts (not by reading that test's source here, which proved nothing).
  const launcher = join(REPO_ROOT, 'bin/vsnapd');
  t.doesNotThrow(() => accessSync(launcher, constants.X_OK), 'ExecStart\'s launcher is bin/vsnapd here, and executable');
});

t.test('every README bash command runs against a real daemon, vcsim and zfs-fuse', async (t) => {
  const teardown = new Teardown();
  t.teardown(async () => {
    const problems = await teardown.run();
    if (problems.length > 0) throw new Error(`teardown: ${problems.join('; ')}`);
  });
  const world = await buildWorld(teardown);
  // `midclt` as the package installs it: the world's production build (the run's, tests/helpers/test-build.ts).
  const bin = await writeMidcltWrapper(world.dir, world.midclt);
  const env = cleanEnv({ PATH: `${bin}:${process.env.PATH ?? ''}`, VSNAPD_SOCKET: world.daemon.socketPath });

  for (const original of bash) {
    const title = original.split('\n')[0]!.slice(0, 100);
    if (original in ELSEWHERE) {
      t.pass(`${title}: run by ${ELSEWHERE[original]!.file}`);
      continue;
    }
    if (original === 'npm start') {
      const tmp = join(world.dir, 'npm-start');
      // Stopped as a user stops it: Ctrl-C, i.e. SIGINT to the terminal's process group. (npm's exit
      // code then reports its shell child's signal, so the daemon's own log is what is checked.)
      const env = cleanEnv({ VSNAPD_SOCKET: join(tmp, 'vsnapd.sock'), VSNAPD_PORT: '0', VSNAPD_DATA_DIR: join(tmp, 'data') });
      const r = await startAndStop('npm start', env, { signal: 'SIGINT', group: true });
      t.ok(r.ready, `npm start: the daemon got ready${r.ready ? '' : `:\n${r.output}`}`);
      t.match(r.output, /"msg":"stopped"/, 'npm start: Ctrl-C stops the daemon gracefully');
      t.notMatch(r.output, /second signal/, 'npm start: the daemon saw one signal');
      for (let i = 0; i < 50 && groupAlive(r.pgid); i++) await new Promise((res) => setTimeout(res, 100));
      t.notOk(groupAlive(r.pgid), 'npm start: no process is left');
      continue;
    }
    const command = SUBSTITUTIONS.reduce((c, [re, to]) => c.replace(re, to(world)), original);
    t.notMatch(command, /example\.com|<[A-Za-z][^>]*>/, `${title}: no example name or placeholder left`);
    const r = await runBash(command, env);
    t.equal(r.code, 0, `${title}${r.code === 0 ? '' : `\n${command}\n${r.output}`}`);
    for (const [which, expected] of EXPECT) if (which.test(original)) t.match(r.output, expected, `${title}: prints ${expected.source.slice(0, 50)}`);
  }
  t.ok(existsSync(world.pool.mountpoint), 'the world is still up at the end (teardown follows)');
});
