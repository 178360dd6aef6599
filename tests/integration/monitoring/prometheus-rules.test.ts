/**
 * The operators' alerting rules (etc/prometheus/vsnapd-rules.yml, shipped in the .deb) with
 * Prometheus's own promtool (from Debian's `prometheus` package, put in place by provisioning:
 * tests/setup/promtool.ts):
 * `promtool check rules` accepts them, `promtool test rules` passes the unit tests in
 * tests/fixtures/prometheus/vsnapd-rules.test.yml, every alert is tested both firing and quiet,
 * and each alert's firing case really depends on it (the tests fail with that rule removed).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { REPO_ROOT, childEnv } from '../../helpers/daemon.js';
import { PROMTOOL } from '../../setup/promtool.js';

const exec = promisify(execFile);

const RULES = join(REPO_ROOT, 'etc/prometheus/vsnapd-rules.yml');
const TESTS = join(REPO_ROOT, 'tests/fixtures/prometheus/vsnapd-rules.test.yml');

/** Runs promtool; resolves with its exit code and output. */
async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  return exec(PROMTOOL, args, { env: childEnv() }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number | string; stdout?: string; stderr?: string }) => {
      if (typeof e.code !== 'number') throw new Error(`${PROMTOOL} cannot run (${e.code}): provisioning puts it there (node --import tsx tests/setup/provision.ts)`);
      return { code: e.code, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    },
  );
}

const rulesText = readFileSync(RULES, 'utf8');
const testsText = readFileSync(TESTS, 'utf8');
/** The alert names of the rules file (`- alert: Name` lines). */
const alerts = [...rulesText.matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]!);

t.test('promtool check rules accepts the rules file', async (t) => {
  const r = await promtool('check', 'rules', RULES);
  t.equal(r.code, 0, r.out);
  t.match(r.out, `SUCCESS: ${alerts.length} rules found`, `${alerts.length} rules`);
  t.ok(alerts.length >= 5, 'failed/partial runs, unprotected VMs, vCenter unreachable, leftovers, daemon down');
});

t.test('promtool test rules: the unit tests pass, each alert tested firing and quiet', async (t) => {
  const r = await promtool('test', 'rules', TESTS);
  t.equal(r.code, 0, r.out);
  // The test file's cases: `alertname: X` followed by `exp_alerts: []` (quiet) or a list (firing).
  const cases = [...testsText.matchAll(/alertname: (\w+)\n\s+exp_alerts:( \[\])?/g)].map((m) => ({ alert: m[1]!, fires: m[2] === undefined }));
  for (const alert of alerts) {
    t.ok(cases.some((c) => c.alert === alert && c.fires), `${alert}: a case where it fires`);
    t.ok(cases.some((c) => c.alert === alert && !c.fires), `${alert}: a case where it stays quiet`);
  }
  t.same([...new Set(cases.map((c) => c.alert))].sort(), [...alerts].sort(), 'the tests name only alerts of the rules file');
});

t.test('each rule is needed by the unit tests (they fail without it)', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-promtool-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const tests = join(tmp, 'rules.test.yml');
  const pointed = testsText.replace(/^rule_files:\n\s+- .*$/m, 'rule_files:\n  - rules.yml');
  t.not(pointed, testsText, 'the copy of the tests reads rules.yml beside it');
  writeFileSync(tests, pointed);
  for (const alert of alerts) {
    // The rule's block: from its `- alert:` line to the next one (or the end).
    const without = rulesText.replace(new RegExp(`\\n\\s*- alert: ${alert}\\n[\\s\\S]*?(?=\\n\\s*- alert: |\\n*$)`), '');
    t.not(without, rulesText, `${alert} removed`);
    writeFileSync(join(tmp, 'rules.yml'), without);
    const r = await promtool('test', 'rules', tests);
    t.not(r.code, 0, `without ${alert}, promtool test rules fails`);
  }
});
