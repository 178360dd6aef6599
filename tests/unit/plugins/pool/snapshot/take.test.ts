/**
 * The coordinator seam (snapshot-hook.ts) as pool drives it: the coordinator decides when the
 * snapshot is taken and adds properties; whatever it does, the snapshot is taken exactly once.
 */
import t from 'tap';
import { CallError, Errno } from '../../../../../daemon/errors.js';
import type { JobHandle } from '../../../../../daemon/registry/method.js';
import { createSnapshotHooks, jobSegment, type CoordinationRequest, type SnapshotCoordinator } from '../../../../../plugins/pool/snapshot-hook.js';
import { takeSnapshot, type TakeRequest } from '../../../../../plugins/pool/snapshot/take.js';
import type { ZfsAdapter } from '../../../../../plugins/pool/zfs/adapter.js';

function fakeZfs(fail?: CallError) {
  const calls: string[] = [];
  const zfs = {
    async createSnapshot(dataset: string, name: string, opts: { recursive?: boolean; properties?: Record<string, string> } = {}) {
      calls.push(`create ${dataset}@${name}${opts.recursive ? ' -r' : ''} ${JSON.stringify(opts.properties ?? {})}`);
      if (fail) throw fail;
    },
    async listDatasets() {
      return [{ name: 'tank/vms' }, { name: 'tank/vms/a' }, { name: 'tank/vms/tmp' }, { name: 'tank/vms/tmp/x' }];
    },
    async destroySnapshot(name: string, opts: { recursive?: boolean } = {}) {
      calls.push(`destroy ${name}${opts.recursive ? ' -r' : ''}`);
    },
  } as unknown as ZfsAdapter;
  return { zfs, calls };
}

const request = (over: Partial<TakeRequest> = {}): TakeRequest => ({
  dataset: 'tank/vms',
  name: 'auto-1',
  recursive: false,
  exclude: [],
  properties: { 'user:x': '1' },
  vmwareSync: true,
  source: 'task',
  taskId: 7,
  job: null,
  signal: new AbortController().signal,
  ...over,
});

function withCoordinator(c: SnapshotCoordinator) {
  const hooks = createSnapshotHooks();
  hooks.setCoordinator(c);
  return hooks;
}

t.test('the coordinator takes the snapshot with its properties', async (t) => {
  const { zfs, calls } = fakeZfs();
  let seen: CoordinationRequest | null = null;
  const hooks = withCoordinator({
    async coordinate(req) {
      seen = req;
      calls.push('vmware snapshots');
      await req.takeSnapshot({ 'vsnapd:run': '12', 'vsnapd:vmsynced': 'full', 'freenas:vmsynced': 'Y', 'user:x': '2' });
      calls.push('vmware cleanup');
      return { vmsynced: 'full', runId: 12, messages: ['2 VMs'] };
    },
  });
  const r = await takeSnapshot({ zfs, hooks }, request());
  t.same(calls, [
    'vmware snapshots',
    'create tank/vms@auto-1 {"user:x":"2","vsnapd:run":"12","vsnapd:vmsynced":"full","freenas:vmsynced":"Y"}',
    'vmware cleanup',
  ]);
  t.match(seen, { dataset: 'tank/vms', recursive: false, snapshotName: 'auto-1', source: 'task', taskId: 7, job: null });
  t.same(r, { coordinated: { vmsynced: 'full', runId: 12, messages: ['2 VMs'] }, coordinatorError: null });
});

t.test('no coordinator, or vmware_sync false: a plain snapshot', async (t) => {
  const { zfs, calls } = fakeZfs();
  const r = await takeSnapshot({ zfs, hooks: createSnapshotHooks() }, request());
  t.match(r.coordinatorError, /No VMware coordinator/);
  const off = await takeSnapshot({ zfs, hooks: withCoordinator({ coordinate: () => Promise.reject(new Error('must not run')) }) }, request({ vmwareSync: false, name: 'b' }));
  t.same(off, { coordinated: null, coordinatorError: null });
  t.equal(calls.length, 2);
});

t.test('a coordinator failing before the snapshot: it is taken anyway, without its properties', async (t) => {
  const { zfs, calls } = fakeZfs();
  const hooks = withCoordinator({ coordinate: () => Promise.reject(new Error('vCenter unreachable')) });
  const r = await takeSnapshot({ zfs, hooks }, request());
  t.same(calls, ['create tank/vms@auto-1 {"user:x":"1"}']);
  t.same(r, { coordinated: null, coordinatorError: 'VMware coordination failed: vCenter unreachable' });
});

t.test('a coordinator that never calls takeSnapshot', async (t) => {
  const { zfs, calls } = fakeZfs();
  const hooks = withCoordinator({ coordinate: async () => ({ vmsynced: 'none', runId: null, messages: [] }) });
  const r = await takeSnapshot({ zfs, hooks }, request());
  t.equal(calls.length, 1);
  t.match(r.coordinatorError, /did not take the snapshot/);
});

t.test('takeSnapshot twice is refused; a ZFS failure is the run error', async (t) => {
  const { zfs, calls } = fakeZfs();
  let second: unknown = null;
  const hooks = withCoordinator({
    async coordinate(req) {
      await req.takeSnapshot({});
      second = await req.takeSnapshot({}).catch((e: unknown) => e);
      return { vmsynced: 'full', runId: 1, messages: [] };
    },
  });
  await takeSnapshot({ zfs, hooks }, request());
  t.equal(calls.length, 1);
  t.match(second, { errno: Errno.EINVAL });

  const exists = new CallError("zfs snapshot: cannot create snapshot 'tank/vms@auto-1': dataset already exists", Errno.EEXIST);
  const failing = fakeZfs(exists);
  let cleanedUp = false;
  const hooks2 = withCoordinator({
    async coordinate(req) {
      try {
        await req.takeSnapshot({});
      } finally {
        cleanedUp = true;
      }
      return { vmsynced: 'full', runId: 1, messages: [] };
    },
  });
  await t.rejects(takeSnapshot({ zfs: failing.zfs, hooks: hooks2 }, request()), exists);
  t.ok(cleanedUp, 'the coordinator saw the failure and cleaned up');
  const swallowing = withCoordinator({
    async coordinate(req) {
      await req.takeSnapshot({}).catch(() => undefined);
      return { vmsynced: 'none', runId: 1, messages: [] };
    },
  });
  await t.rejects(takeSnapshot({ zfs: fakeZfs(exists).zfs, hooks: swallowing }, request()), exists, 'even if the coordinator swallows it');
});

t.test('recursive with exclude: one -r snapshot, excluded subtrees dropped', async (t) => {
  const { zfs, calls } = fakeZfs();
  await takeSnapshot({ zfs, hooks: createSnapshotHooks() }, request({ recursive: true, exclude: ['tank/vms/tmp'], vmwareSync: false }));
  t.same(calls, ['create tank/vms@auto-1 -r {"user:x":"1"}', 'destroy tank/vms/tmp@auto-1 -r']);
});

/** A job handle that records what reaches the job. */
function recordingJob() {
  const progress: Array<[number | null, string | undefined, unknown]> = [];
  const lines: string[] = [];
  const job: JobHandle = {
    id: 1,
    signal: new AbortController().signal,
    setProgress: (p, d, e) => progress.push([p, d, e]),
    log: (l) => lines.push(l),
  };
  return { job, progress, lines };
}

t.test('jobSegment maps 0–100 into its stage and never goes backwards', async (t) => {
  const { job, progress, lines } = recordingJob();
  const view = jobSegment(job, 20, 70);
  view.setProgress(0, 'start');
  view.setProgress(50, 'half', { n: 1 });
  view.setProgress(10, 'a later server added VMs'); // the stage's own estimate dropped
  view.setProgress(null, 'unknown');
  view.setProgress(150, 'over');
  view.log('line');
  t.same(progress, [
    [20, 'start', undefined],
    [45, 'half', { n: 1 }],
    [45, 'a later server added VMs', undefined],
    [45, 'unknown', undefined],
    [70, 'over', undefined],
  ]);
  t.same(lines, ['line']);
  t.equal(view.signal, job.signal);
  t.equal(view.id, job.id);
});

t.test('the coordinator reports through the segment pool set aside for it', async (t) => {
  const { zfs } = fakeZfs();
  const { job, progress } = recordingJob();
  const hooks = withCoordinator({
    async coordinate(req) {
      req.job?.setProgress(0, 'creating');
      await req.takeSnapshot({});
      req.job?.setProgress(100, 'done', { report: true });
      return { vmsynced: 'full', runId: 1, messages: [] };
    },
  });
  await takeSnapshot({ zfs, hooks }, request({ job, progress: { from: 20, to: 70 } }));
  t.same(progress, [
    [20, 'creating', undefined],
    [70, 'done', { report: true }],
  ]);
  const whole = recordingJob();
  await takeSnapshot({ zfs, hooks }, request({ job: whole.job, name: 'auto-2' }));
  t.same(whole.progress.map((p) => p[0]), [0, 100], 'without a segment: the whole job');
});
