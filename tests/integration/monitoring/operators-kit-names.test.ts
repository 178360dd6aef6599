/**
 * The operators' kit (etc/prometheus/vsnapd-rules.yml and etc/grafana/vsnapd-dashboard.json) uses
 * only metrics the daemon really exports: a real test daemon is scraped (`GET /metrics` on
 * loopback) and every metric name in the rules' and the dashboard's PromQL must be a family of its
 * exposition (each family is declared by `# TYPE` even before it has samples); `_bucket`, `_sum` and
 * `_count` must belong to a histogram, `_sum` and `_count` may belong to a summary. `up` is
 * Prometheus's own. Also: the dashboard is well-formed JSON with unique panel ids and a query in
 * every panel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT, startTestDaemon } from '../../helpers/daemon.js';
import { parseExposition } from '../../helpers/prometheus.js';

/** A Grafana panel, as far as this test reads it. */
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

const rules = readFileSync(join(REPO_ROOT, 'etc/prometheus/vsnapd-rules.yml'), 'utf8');
const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'etc/grafana/vsnapd-dashboard.json'), 'utf8')) as { panels: readonly Panel[]; templating: { list: readonly { query?: unknown }[] } };

/** PromQL expressions: the rules' `expr:` lines, the dashboard's targets and template queries. */
const ruleExprs = [...rules.matchAll(/^\s*expr: (.+)$/gm)].map((m) => m[1]!);
const dashboardExprs = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr)),
  ...dashboard.templating.list.flatMap((v) => (typeof v.query === 'object' && v.query !== null && 'query' in v.query ? [String(v.query.query)] : [])),
];

/** Metric names in an expression: vsnapd's own and prom-client's default process and nodejs metrics. */
const metricNames = (expr: string): string[] => [...expr.matchAll(/\b(?:vsnapd|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0]);

t.test('every metric the rules and the dashboard query is in the daemon\'s exposition', async (t) => {
  const d = await startTestDaemon(t);
  const res = await fetch(`http://127.0.0.1:${d.port}/metrics`);
  t.equal(res.status, 200);
  const families = parseExposition(await res.text()).types;
  t.ok(families.size > 10, `${families.size} metric families exported`);

  /** The family of a sample name, or why it has none. */
  const familyOf = (name: string): { family: string } | { problem: string } => {
    if (families.has(name)) return { family: name };
    const m = /^(.+)_(bucket|sum|count)$/.exec(name);
    const type = m ? families.get(m[1]!) : undefined;
    if (m && (type === 'histogram' || (type === 'summary' && m[2] !== 'bucket'))) return { family: m[1]! };
    return { problem: m && type ? `${m[1]} is a ${type}, it has no _${m[2]}` : 'not exported' };
  };

  for (const [what, exprs] of [['rules', ruleExprs], ['dashboard', dashboardExprs]] as const) {
    const names = [...new Set(exprs.flatMap(metricNames))].sort();
    t.ok(names.length >= 5, `the ${what} query ${names.length} metrics`);
    for (const name of names) {
      const f = familyOf(name);
      t.ok('family' in f, `${what}: ${name} ${'family' in f ? `(family ${f.family}, ${families.get(f.family)})` : f.problem}`);
    }
  }
  // The rules' alerts need the series of the issue: runs, protection, vCenter health, leftovers.
  for (const name of ['vsnapd_vmware_runs_total', 'vsnapd_vmware_vm_last_protected_timestamp_seconds', 'vsnapd_vmware_entry_up', 'vsnapd_vmware_leftover_snapshots']) {
    t.ok(ruleExprs.some((e) => metricNames(e).includes(name)), `a rule uses ${name}`);
  }
  t.ok(ruleExprs.some((e) => /\bup\{job="vsnapd"\}/.test(e)), 'a rule watches the scrape itself (up)');
});

t.test('the dashboard is well-formed', async (t) => {
  const ids = dashboard.panels.map((p) => p.id);
  t.equal(new Set(ids).size, ids.length, 'unique panel ids');
  for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
    t.ok((p.targets ?? []).length > 0 && p.targets!.every((x) => x.expr.trim() !== ''), `panel "${p.title}" has queries`);
  }
  for (const title of ['Runs by outcome', 'VMware snapshot held time', 'Phase durations', 'vCenter health']) {
    t.ok(dashboard.panels.some((p) => p.title === title), `panel "${title}"`);
  }
});
