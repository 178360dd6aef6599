/**
 * The package's life under a real systemd (tests/fixtures/systemd/), shared by the test files of each
 * Debian release: one booted system, the .deb installed with `dpkg -i`, then in order: readiness only
 * after READY=1, the installed midclt, journal priorities, a SIGKILL restarted with start-up recovery,
 * `systemctl restart` keeping the data, a config error (exit 2) not restarted, a clean stop within
 * TimeoutStopSec, and purge removing everything.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { DebianSuite } from '../fixtures/debian/roots.js';
import { bootSystemd } from '../fixtures/systemd/boot.js';
import { installDeb, journal, readyGate, seedConfig, unitProps } from '../fixtures/systemd/vsnapd.js';
import { waitFor } from './wait.js';

/** A config section no part of vsnapd reads: the daemon warns about it at every start (daemon/daemon.ts). */
const UNUSED_SECTION = 'x_unused_by_the_systemd_test';

/** Runs every check against `deb` in a booted `suite`; `packagedDefault` is the repository's etc/vsnapd.json. */
export async function lifecycleChecks(t: Test, suite: DebianSuite, deb: Promise<string>, packagedDefault: string): Promise<void> {
  const sys = await bootSystemd(t, suite);
  const state = await sys.run(['systemctl', 'is-system-running', '--wait']);
  t.equal(state.stdout.trim(), 'running', `${suite} booted: systemctl is-system-running → ${state.stdout.trim()}`);
  const version = await sys.must(['systemctl', 'show', '--property=Version', '--value']);
  t.pass(`systemd ${version} is PID 1 (host pid ${sys.pid})`);

  seedConfig(sys, packagedDefault, { listen: { host: '127.0.0.1', port: 0, socket: '/run/vsnapd/vsnapd.sock' }, [UNUSED_SECTION]: {} });
  const conf = join(sys.root, 'etc/vsnapd/vsnapd.json');
  const goodConfig = readFileSync(conf, 'utf8');
  const ping = () => sys.run(['midclt', 'call', 'core.ping']);

  await t.test('dpkg -i starts vsnapd.service, active only after READY=1', async (t) => {
    const gate = await readyGate(sys);
    const install = installDeb(sys, await deb);
    // dpkg -i ends first only when the service never got as far as READY=1: fail then, do not wait.
    const first = await Promise.race([gate.called().then(() => 'notify' as const, () => 'dpkg' as const), install.then(() => 'dpkg' as const, () => 'dpkg' as const)]);
    if (first === 'dpkg') {
      const out = await install;
      t.fail(`dpkg -i ended before the daemon ran systemd-notify: ${out}\n${(await sys.run(['journalctl', '-u', 'vsnapd', '--no-pager'])).stdout}`);
      return;
    }
    const held = await unitProps(sys, 'ActiveState', 'SubState');
    t.same(held, { ActiveState: 'activating', SubState: 'start' }, 'READY=1 held back: the unit is still activating');
    t.same(await ping(), { exitCode: 0, stdout: 'pong', stderr: '' }, 'while the daemon already answers core.ping');
    await gate.release();
    await install;
    const up = await unitProps(sys, 'ActiveState', 'SubState', 'Type', 'StatusText', 'MainPID');
    t.match(up, { ActiveState: 'active', SubState: 'running', Type: 'notify', StatusText: /^listening on / }, `READY=1 sent: active (status "${up.StatusText}")`);
  });

  await t.test('the installed midclt answers with nothing on stderr', async (t) => {
    t.same(await ping(), { exitCode: 0, stdout: 'pong', stderr: '' }, 'midclt call core.ping → pong, stderr empty');
  });

  await t.test('journalctl -u vsnapd -p warning shows only warnings and errors', async (t) => {
    const all = await journal(sys);
    const warnings = await journal(sys, '-p', 'warning');
    const ready = all.find((e) => e.MESSAGE.startsWith('vsnapd ready'));
    t.equal(ready?.PRIORITY, '6', 'the ready line is info (6)');
    const unused = warnings.find((e) => e.MESSAGE.includes(UNUSED_SECTION));
    t.match(unused, { PRIORITY: '4', MESSAGE: /^config section is not used by the core or any plugin/ }, `the daemon's warning is there: ${unused?.MESSAGE}`);
    t.same(warnings.filter((e) => Number(e.PRIORITY) > 4), [], 'nothing below warning');
    t.notOk(warnings.some((e) => e.MESSAGE.startsWith('vsnapd ready')), 'no info line');
  });

  const keyName = `systemd-${suite}`;
  let keyId = 0;
  const keyFile = join(sys.root, 'var/lib/vsnapd/secret.key');
  const digest = () => createHash('sha256').update(readFileSync(keyFile)).digest('hex');
  const keys = async () => (JSON.parse(await sys.must(['midclt', 'call', 'api_key.query', JSON.stringify([['name', '=', keyName]])])) as { id: number }[]).map((k) => k.id);

  await t.test('systemctl restart keeps the data', async (t) => {
    keyId = (JSON.parse(await sys.must(['midclt', 'call', 'api_key.create', JSON.stringify({ name: keyName })])) as { id: number }).id;
    const before = { key: digest(), pid: (await unitProps(sys, 'MainPID')).MainPID };
    await sys.must(['systemctl', 'restart', 'vsnapd']);
    const after = await unitProps(sys, 'ActiveState', 'MainPID');
    t.equal(after.ActiveState, 'active', 'active again');
    t.not(after.MainPID, before.pid, `a new process (pid ${before.pid} → ${after.MainPID})`);
    t.same(await keys(), [keyId], 'the API key made before the restart is there');
    t.equal(digest(), before.key, 'the secret key is unchanged');
  });

  await t.test('systemctl kill -s KILL: restarted by systemd, start-up recovery runs', async (t) => {
    const before = await unitProps(sys, 'MainPID', 'NRestarts', 'InvocationID');
    await sys.must(['systemctl', 'kill', '-s', 'KILL', 'vsnapd']);
    const after = await waitFor(
      'vsnapd.service restarted after SIGKILL',
      async () => {
        const p = await unitProps(sys, 'ActiveState', 'SubState', 'MainPID', 'NRestarts', 'InvocationID');
        return p.ActiveState === 'active' && p.InvocationID !== before.InvocationID ? p : null;
      },
      60_000,
      200,
    );
    t.equal(Number(after.NRestarts), Number(before.NRestarts) + 1, `NRestarts ${before.NRestarts} → ${after.NRestarts}, pid ${before.MainPID} → ${after.MainPID}`);
    const systemdSaid = (await journal(sys)).map((e) => e.MESSAGE);
    t.ok(systemdSaid.includes('vsnapd.service: Main process exited, code=killed, status=9/KILL'), 'systemd: Main process exited, code=killed, status=9/KILL');
    t.ok(systemdSaid.some((m) => /^vsnapd\.service: Scheduled restart job, restart counter is at \d+\.$/.test(m)), 'systemd: Scheduled restart job');
    const newRun = (await journal(sys, `_SYSTEMD_INVOCATION_ID=${after.InvocationID}`)).map((e) => e.MESSAGE);
    const recovery = newRun.find((m) => m.startsWith('vmware.sweep started (start-up)'));
    t.ok(recovery, `the new process's start-up recovery: ${recovery}`);
    t.same(await keys(), [keyId], 'the data survived the kill');
  });

  await t.test('a config error (exit 2) is not restarted', async (t) => {
    writeFileSync(conf, JSON.stringify({ ...(JSON.parse(goodConfig) as object), listen: { port: 'eighty' } }));
    const r = await sys.run(['systemctl', 'restart', 'vsnapd']);
    t.not(r.exitCode, 0, 'systemctl restart fails');
    const p = await unitProps(sys, 'ActiveState', 'SubState', 'Result', 'ExecMainStatus', 'InvocationID');
    // A restart would show SubState=auto-restart (activating) at once; the unit is failed for good.
    t.same({ ...p, InvocationID: undefined }, { ActiveState: 'failed', SubState: 'failed', Result: 'exit-code', ExecMainStatus: '2', InvocationID: undefined }, 'failed, exit status 2, no restart scheduled');
    const errors = (await journal(sys, '-p', 'err', `_SYSTEMD_INVOCATION_ID=${p.InvocationID}`)).map((e) => e.MESSAGE);
    t.ok(errors.some((m) => m.includes('listen.port')), `the reason is in journalctl -p err: ${errors.find((m) => m.includes('listen.port'))}`);
    writeFileSync(conf, goodConfig);
    await sys.must(['systemctl', 'start', 'vsnapd']);
    t.same(await ping(), { exitCode: 0, stdout: 'pong', stderr: '' }, 'fixed config: started again');
  });

  await t.test('stop ends within TimeoutStopSec', async (t) => {
    const { TimeoutStopUSec } = await unitProps(sys, 'TimeoutStopUSec');
    const t0 = Date.now();
    await sys.must(['systemctl', 'stop', 'vsnapd']);
    const p = await unitProps(sys, 'ActiveState', 'Result', 'ExecMainCode', 'ExecMainStatus');
    // Past TimeoutStopSec systemd would SIGKILL it: Result=timeout, ExecMainCode=2 (killed), status 9.
    t.same(p, { ActiveState: 'inactive', Result: 'success', ExecMainCode: '1', ExecMainStatus: '0' }, `exited 0 on SIGTERM (took ${Date.now() - t0} ms, TimeoutStopSec ${TimeoutStopUSec})`);
  });

  await t.test('dpkg --purge removes everything', async (t) => {
    // The checks above started the unit six times within seconds on an idle machine: systemd's
    // default start limit (5 starts per 10 s, StartLimitBurst) would refuse this one.
    await sys.must(['systemctl', 'reset-failed', 'vsnapd']);
    await sys.must(['systemctl', 'start', 'vsnapd']);
    await sys.must(['dpkg', '--purge', 'vsnapd']);
    t.equal((await unitProps(sys, 'LoadState')).LoadState, 'not-found', 'the unit is gone');
    for (const path of ['usr/lib/vsnapd', 'etc/vsnapd', 'var/lib/vsnapd', 'usr/bin/midclt', 'usr/sbin/vsnapd', 'etc/systemd/system/multi-user.target.wants/vsnapd.service']) {
      t.notOk(existsSync(join(sys.root, path)), `/${path} removed`);
    }
    t.equal((await sys.run(['test', '-e', '/run/vsnapd'])).exitCode, 1, '/run/vsnapd removed');
    // [v]snapd: the pattern must not match this grep's own command line.
    const procs = await sys.run(['sh', '-c', 'grep -l "[v]snapd" /proc/[0-9]*/cmdline']);
    t.equal(procs.stdout, '', 'no vsnapd process left');
    t.match(await sys.run(['dpkg-query', '--show', 'vsnapd']), { exitCode: 1, stderr: /no packages found matching vsnapd/ }, 'dpkg knows no vsnapd');
  });
}
