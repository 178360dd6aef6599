/**
 * `npm run demo` as a user runs it: a real process (npm → node tests/demo/demo.ts) building the real
 * world (zfs-fuse, vcsim, the daemon, midclt processes). It must pass, print the key lines, and leave
 * nothing behind: no process of its session, no pool of its own, no mount, no temporary folder.
 * Then `--keep` with Ctrl-C (SIGINT to its process group, as a terminal sends it): the world answers
 * midclt while kept, and the signal tears it down just as completely. (The failure path is in
 * demo-failure.test.ts, so each file stays well within tap's per-file time limit.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { runMidclt } from '../../helpers/daemon.js';
import { assertNothingLeft, sessionMembers, startDemo } from '../../helpers/demo-run.js';

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
    /\$ midclt call vmware\.plan_restore '\{/,
    /\$ midclt call -j vmware\.restore '\{[\s\S]*\[100%\] restore [0-9a-f]{8} ready/,
    /✓ restore [0-9a-f]{8}: web01-restore-[0-9a-f]{8} registered and powered on, 1 NIC\(s\) left disconnected/,
    /✓ web01-restore-[0-9a-f]{8} runs from \[vsnapd-restore-[0-9a-f]{8}\] web01\/web01\.vmx/,
    /✓ vCenter, ZFS and the exports are exactly as before the restore/,
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
