import t from 'tap';
import {
  fnmatch,
  lifetimeMs,
  ownsDataset,
  snapshotsToDestroy,
  taskSnapshotDatasets,
  type RetentionTask,
  type SnapshotRef,
} from '../../../../../plugins/pool/snapshottask/retention.js';
import { compileSchedule, DEFAULT_SCHEDULE, type TaskSchedule } from '../../../../../plugins/pool/snapshottask/schedule.js';

const SCHEMA = 'auto-%Y-%m-%d_%H-%M';
const task = (over: Partial<Omit<RetentionTask, 'schedule'>> & { schedule?: Partial<TaskSchedule> } = {}): RetentionTask => ({
  id: 1,
  dataset: 'tank/vms',
  recursive: false,
  exclude: [],
  namingSchema: SCHEMA,
  lifetimeMs: lifetimeMs(2, 'HOUR'),
  ...over,
  schedule: compileSchedule({ ...DEFAULT_SCHEDULE, ...over.schedule }),
});
const snaps = (dataset: string, ...names: string[]): SnapshotRef[] => names.map((snapshotName) => ({ dataset, snapshotName }));
const now = Date.UTC(2025, 0, 1, 12, 0, 30);
const plan = (tasks: RetentionTask[], snapshots: SnapshotRef[]) => snapshotsToDestroy({ nowWallMs: now, tasks, snapshots, timeZone: 'UTC' });
const names = (refs: SnapshotRef[]) => refs.map((r) => `${r.dataset}@${r.snapshotName}`);

t.test('destroys exactly the expired snapshots the task owns', async (t) => {
  const result = plan([task()], snaps('tank/vms',
    'auto-2025-01-01_08-00', 'auto-2025-01-01_09-00', 'auto-2025-01-01_10-00', 'auto-2025-01-01_11-00',
    'auto-2025-01-01_09-30', // not on the schedule (minute 00): not owned
    'manual-keep', 'auto-garbage'));
  t.same(names(result.destroy), ['tank/vms@auto-2025-01-01_08-00', 'tank/vms@auto-2025-01-01_09-00']);
  t.same(result.warnings, []);
});

t.test('the boundary is minute-truncated and inclusive (retained while time >= now - lifetime)', async (t) => {
  const result = plan([task()], snaps('tank/vms', 'auto-2025-01-01_10-00', 'auto-2025-01-01_12-00'));
  t.same(result.destroy, [], '10:00 is exactly now(12:00) - 2h');
});

t.test('keeps the newest snapshot of a schema even when all expired', async (t) => {
  const result = plan([task({ lifetimeMs: lifetimeMs(1, 'HOUR') })], snaps('tank/vms', 'auto-2024-12-01_00-00', 'auto-2024-12-02_00-00'));
  t.same(names(result.destroy), ['tank/vms@auto-2024-12-01_00-00']);
});

t.test('several owners: the longest lifetime wins', async (t) => {
  const short = task({ id: 1, lifetimeMs: lifetimeMs(1, 'HOUR') });
  const long = task({ id: 2, lifetimeMs: lifetimeMs(1, 'DAY') });
  const list = snaps('tank/vms', 'auto-2025-01-01_09-00', 'auto-2025-01-01_12-00');
  t.same(names(plan([short], list).destroy), ['tank/vms@auto-2025-01-01_09-00']);
  t.same(plan([short, long], list).destroy, []);
  const dailyLong = task({ id: 3, lifetimeMs: lifetimeMs(1, 'DAY'), schedule: { hour: '0' } });
  t.same(names(plan([short, dailyLong], list).destroy), ['tank/vms@auto-2025-01-01_09-00'], 'an owner must have fired at that time');
});

t.test('dataset trees: recursion, exclusion, other datasets untouched', async (t) => {
  const tree = task({ recursive: true, exclude: ['tank/vms/scratch'] });
  const list = [
    ...snaps('tank/vms', 'auto-2025-01-01_08-00', 'auto-2025-01-01_12-00'),
    ...snaps('tank/vms/a', 'auto-2025-01-01_08-00', 'auto-2025-01-01_12-00'),
    ...snaps('tank/vms/scratch', 'auto-2025-01-01_08-00', 'auto-2025-01-01_12-00'),
    ...snaps('tank/vms/scratch/x', 'auto-2025-01-01_08-00', 'auto-2025-01-01_12-00'),
    ...snaps('tank/vmsother', 'auto-2025-01-01_08-00', 'auto-2025-01-01_12-00'),
    ...snaps('tank', 'auto-2025-01-01_08-00', 'auto-2025-01-01_12-00'),
  ];
  t.same(names(plan([tree], list).destroy), ['tank/vms@auto-2025-01-01_08-00', 'tank/vms/a@auto-2025-01-01_08-00']);
  t.same(names(plan([task()], list).destroy), ['tank/vms@auto-2025-01-01_08-00'], 'non-recursive: only the dataset');
});

t.test('names two schemas read differently make the dataset untouchable, with a warning', async (t) => {
  const a = task({ id: 1, namingSchema: 'x-%Y-%m-%d_%H-%M' });
  const b = task({ id: 2, namingSchema: 'x-%Y-%d-%m_%H-%M' });
  const result = plan([a, b], snaps('tank/vms', 'x-2024-01-02_00-00', 'x-2024-01-01_00-00'));
  t.same(result.destroy, []);
  t.match(result.warnings[0], /parsed ambiguously/);
});

t.test('tree helpers', async (t) => {
  t.ok(fnmatch('tank/vms/tmp-1', 'tank/vms/tmp-*'));
  t.ok(fnmatch('tank/a', 'tank/[ab]'));
  t.notOk(fnmatch('tank/c', 'tank/[!c]'));
  t.ok(ownsDataset({ dataset: 'tank', recursive: true, exclude: ['tank/*/cache'] }, 'tank/x'));
  t.notOk(ownsDataset({ dataset: 'tank', recursive: true, exclude: ['tank/*/cache'] }, 'tank/x/cache'));
  t.same(taskSnapshotDatasets({ dataset: 'tank', recursive: true, exclude: ['tank/b'] }, ['tank', 'tank/a', 'tank/b', 'tank/b/c', 'other']), ['tank', 'tank/a']);
  t.same(taskSnapshotDatasets({ dataset: 'tank', recursive: false, exclude: [] }, ['tank', 'tank/a']), ['tank']);
});
