/** The run history store: records on disk, retention by count and age, late removals, protection fold, damaged files. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { CollectionUpdate, EventBus } from '../../../../../daemon/plugin.js';
import { runEntry, runState } from '../../../../../plugins/vmware/history/build.js';
import type { RunEntry } from '../../../../../plugins/vmware/history/schema.js';
import { RunHistory } from '../../../../../plugins/vmware/history/store.js';
import type { SyncReport, VmReport } from '../../../../../plugins/vmware/sync/report.js';

const DAY = 86_400_000;

function vm(name: string, action: VmReport['action'], extra: Partial<VmReport> = {}): VmReport {
  return {
    name,
    moref: `vm-${name}`,
    action,
    kind: action === 'snapshotted' ? 'quiesced' : null,
    planned_kind: action === 'skipped' ? null : 'quiesced',
    code: action === 'skipped' ? 'powered_off' : null,
    rule: null,
    mode: 'quiesce',
    mode_rule: null,
    reason: action === 'snapshotted' ? null : `${name} trouble`,
    warnings: [],
    attempts: action === 'skipped' ? 0 : 1,
    snapshot: action === 'snapshotted' ? `snapshot-${name}` : null,
    removed: action === 'snapshotted' ? true : null,
    timings: { create_ms: 5, remove_ms: 5 },
    vmx_path: `[ds] ${name}/${name}.vmx`,
    uuid: null,
    datastores: ['ds'],
    held_ms: action === 'snapshotted' ? 10 : null,
    held_source: action === 'snapshotted' ? 'vsphere' : null,
    late: null,
    ...extra,
  };
}

function report(runId: string, vms: VmReport[], vmsynced: SyncReport['vmsynced']): SyncReport {
  const count = (a: string) => vms.filter((v) => v.action === a).length;
  return {
    run_id: runId,
    snapshot: `tank/vm@${runId}`,
    recursive: false,
    vmsynced,
    deadline_hit: false,
    counts: { snapshotted: count('snapshotted'), skipped: count('skipped'), failed: count('failed'), leftover: 0 },
    timings: { vmware_phase_ms: 100, zfs_ms: 1, removal_ms: 10, window_ms: 50, held_ms: null },
    scripts: { pre: null, post: null },
    entries: [{ id: 1, hostname: 'vc', datastores: ['ds'], status: 'ok', error: null, warnings: [], vms }],
  };
}

function run(runId: string, endedAt: number, vms: VmReport[], vmsynced: SyncReport['vmsynced'] = 'full', error: string | null = null): RunEntry {
  return runEntry({
    runId,
    dataset: 'tank/vm',
    snapshotName: runId,
    recursive: false,
    trigger: { type: 'manual', task_id: null },
    startedAt: endedAt - 1000,
    endedAt,
    report: report(runId, vms, vmsynced),
    error,
  });
}

function bus(): EventBus & { seen: CollectionUpdate[] } {
  const seen: CollectionUpdate[] = [];
  return { seen, define: () => undefined, publish: (u) => void seen.push(u), on: () => ({ dispose: () => undefined }) };
}

t.test('the state rule', async (t) => {
  t.equal(runState(report('aaaaaa', [vm('a', 'snapshotted')], 'full'), null), 'SUCCESS');
  t.equal(runState(report('aaaaaa', [vm('a', 'snapshotted'), vm('b', 'failed')], 'partial'), null), 'PARTIAL');
  t.equal(runState(report('aaaaaa', [vm('b', 'failed')], 'none'), null), 'NONE');
  t.equal(runState(report('aaaaaa', [vm('c', 'skipped')], 'none'), null), 'SUCCESS', 'nothing needed a snapshot');
  t.equal(runState(report('aaaaaa', [vm('a', 'snapshotted')], 'full'), 'EEXIST'), 'FAILED');
  t.equal(runState(null, 'broke off'), 'FAILED');
  t.equal(run('aaaaaa', 1000, [vm('a', 'snapshotted')], 'full', 'zfs failed').vmsynced, null, 'no vmsynced without the ZFS snapshot');
});

t.test('records persist, retention by count and by age, events', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-history-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let now = 100 * DAY;
  const events = bus();
  const open = (max_runs: number) => RunHistory.open({ dir, config: { max_runs, max_age_days: 10 }, events, log: pino({ level: 'silent' }), now: () => now });
  const h = await open(3);
  await h.add(run('run001', now - 20 * DAY, [vm('a', 'snapshotted')]));
  await h.add(run('run002', now - 2 * DAY, [vm('a', 'failed')], 'none'));
  await h.add(run('run003', now - DAY, [vm('a', 'snapshotted')]));
  await h.add(run('run004', now, [vm('a', 'snapshotted')]));
  await h.prune();
  t.same(h.list().map((r) => r.id), ['run002', 'run003', 'run004'], 'the one beyond the age went (and count holds)');
  t.notOk(existsSync(join(dir, 'run001.json')));
  t.ok(events.seen.some((e) => e.msg === 'removed' && e.id === 'run001'));
  await h.stop();

  // Reopened with a smaller count: the oldest goes; a damaged file is skipped, not fatal.
  writeFileSync(join(dir, 'zzzzzz.json'), '{ not json');
  now += 0;
  const h2 = await open(2);
  t.same(h2.list().map((r) => r.id), ['run002', 'run003', 'run004'], 'loaded (the damaged file skipped)');
  t.equal(await h2.prune(), 1);
  t.same(h2.list().map((r) => r.id), ['run003', 'run004']);
  now += 30 * DAY;
  t.equal(await h2.prune(), 2, 'everything is older than 10 days now');
  await h2.stop();
  await t.rejects(h2.add({ ...run('run005', now, []), id: '../x' }), /not a run id/);
});

t.test('protection status: last VM-consistent snapshot survives later failures and retention', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-history-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const h = await RunHistory.open({ dir, config: { max_runs: 1, max_age_days: 10 }, events: bus(), log: pino({ level: 'silent' }), now: () => 5 * DAY });
  await h.add(run('good01', 5 * DAY - 10, [vm('a', 'snapshotted'), vm('b', 'skipped'), vm('o', 'skipped', { code: 'other_datastore' })]));
  await h.add(run('bad002', 5 * DAY, [vm('a', 'failed')], 'none'));
  await h.prune();
  t.same(h.list().map((r) => r.id), ['bad002']);
  const [a, b, ...rest] = h.protection();
  t.same(rest, [], 'a VM with no disk on the datastores is not listed');
  t.match(a, { id: 'vc/vm-a', protected: false, last_snapshot: 'tank/vm@good01', last_kind: 'quiesced', last_run_id: 'bad002', last_state: 'NONE', last_action: 'failed', last_reason: 'a trouble' });
  t.equal(a?.last_snapshot_at?.$date, 5 * DAY - 10 - 1000 + 100, 'the time the ZFS snapshot was requested');
  t.match(b, { id: 'vc/vm-b', protected: false, last_snapshot: null, last_action: 'skipped' });
  await h.stop();
  const again = await RunHistory.open({ dir, config: { max_runs: 1, max_age_days: 10 }, events: bus(), log: pino({ level: 'silent' }), now: () => 5 * DAY });
  t.same(again.protection(), h.protection(), 'persisted');
});

t.test('a late removal amends the record', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vsnapd-history-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const events = bus();
  const h = await RunHistory.open({ dir, config: { max_runs: 10, max_age_days: 10 }, events, log: pino({ level: 'silent' }), now: () => DAY });
  const r = run('late01', DAY, [vm('a', 'failed', { removed: false })], 'none');
  r.counts.leftover = 1;
  await h.add(r);
  await h.noteSweptRemoval('late01', { hostname: 'vc', vm: 'vm-a', createdAt: DAY + 500, removedAt: DAY + 4500, source: 'vsphere' });
  await h.noteSweptRemoval('nope01', { hostname: 'vc', vm: 'vm-a', createdAt: null, removedAt: DAY, source: 'observed' });
  const got = h.get('late01');
  t.match(got?.entries[0]?.vms[0], { removed: true, held_ms: 4000, held_source: 'vsphere', late: { created_at: { $date: DAY + 500 }, removed_at: { $date: DAY + 4500 } } });
  t.equal(got?.counts.leftover, 0);
  t.ok(events.seen.some((e) => e.msg === 'changed' && e.id === 'late01'));
  await h.stop();
});
