import t from 'tap';
import { DEFAULT_SCHEDULE } from '../../../../../plugins/pool/snapshottask/schedule.js';
import { withCoverage, type CoverageTask } from '../../../../../plugins/vmware/history/coverage.js';
import type { ProtectionEntry } from '../../../../../plugins/vmware/history/schema.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1, 12);
const vm = (name: string, datastores: string[], snapshotAgo: number | null): ProtectionEntry => ({
  id: `vc/${name}`,
  name,
  hostname: 'vc',
  moref: `vm-${name}`,
  uuid: null,
  vmx_path: null,
  datastores,
  protected: snapshotAgo !== null,
  last_snapshot: snapshotAgo === null ? null : 'tank/vm@s',
  last_snapshot_at: snapshotAgo === null ? null : { $date: NOW - snapshotAgo },
  last_kind: snapshotAgo === null ? null : 'quiesced',
  last_run_id: 'abcdef',
  last_run_at: { $date: NOW },
  last_state: 'SUCCESS',
  last_action: 'snapshotted',
  last_reason: null,
  last_held_ms: null,
  last_held_source: null,
});
const task = (id: number, dataset: string, over: Partial<CoverageTask> = {}): CoverageTask => ({ id, dataset, recursive: false, enabled: true, vmware_sync: true, schedule: DEFAULT_SCHEDULE, ...over });
const entries = [
  { hostname: 'vc', filesystem: 'tank/vm', datastores: ['vmstore'] },
  { hostname: 'vc', filesystem: 'tank/other/a', datastores: ['a'] },
];

t.test('the covering task, its interval, age and overdue', async (t) => {
  const daily = { ...DEFAULT_SCHEDULE, minute: '0', hour: '0' };
  const rows = withCoverage(
    [vm('fresh', ['vmstore'], HOUR), vm('late', ['vmstore'], 3 * HOUR), vm('never', ['vmstore'], null), vm('nobody', ['elsewhere'], HOUR), vm('deep', ['a'], 30 * HOUR)],
    [task(1, 'tank/vm', { schedule: daily }), task(2, 'tank/vm'), task(3, 'tank/other', { recursive: true, schedule: daily }), task(4, 'tank/vm', { enabled: false, schedule: { ...DEFAULT_SCHEDULE, minute: '*' } })],
    entries,
    NOW,
  );
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));
  t.match(by.fresh, { covered: true, task_id: 2, task_dataset: 'tank/vm', expected_interval_ms: HOUR, age_ms: HOUR, overdue: false }, 'the hourly task wins over the daily one; the disabled one does not count');
  t.match(by.late, { task_id: 2, age_ms: 3 * HOUR, overdue: true }, 'past 2 intervals');
  t.match(by.never, { task_id: 2, age_ms: null, overdue: true }, 'covered but never VM-consistent');
  t.match(by.nobody, { covered: false, task_id: null, expected_interval_ms: null, overdue: false }, 'no entry holds its datastore');
  t.match(by.deep, { task_id: 3, expected_interval_ms: 24 * HOUR, overdue: false }, 'a recursive task of a parent dataset');
  t.equal(by.fresh?.last_snapshot, 'tank/vm@s', 'the stored fields are kept');
});

t.test('a task without vmware_sync, or an entry of another server, covers nothing', async (t) => {
  const [a, b] = withCoverage([vm('x', ['vmstore'], HOUR), { ...vm('y', ['vmstore'], HOUR), hostname: 'other-vc' }], [task(1, 'tank/vm', { vmware_sync: false }), task(2, 'tank/vm')], entries, NOW);
  t.match(a, { task_id: 2 });
  t.match(b, { covered: false });
  t.match(withCoverage([vm('x', ['vmstore'], HOUR)], [task(1, 'tank/vm', { vmware_sync: false })], entries, NOW), [{ covered: false }]);
});
