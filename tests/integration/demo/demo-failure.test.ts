/**
 * The demo's failure path: a step that fails makes `npm run demo`'s entry exit 1 after printing what
 * failed, and the teardown still removes everything (processes, pool, mounts, folder).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ZFS_BIN } from '../../fixtures/zfs/daemon.js';
import { assertNothingLeft, sessionMembers, startDemo } from '../../helpers/demo-run.js';

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
