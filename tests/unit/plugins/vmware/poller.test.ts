import t from 'tap';
import pino from 'pino';
import type { HealthOutcome, VmwareEntries } from '../../../../plugins/vmware/entries-service.js';
import { describeError } from '../../../../plugins/vmware/errors.js';
import { HealthPoller } from '../../../../plugins/vmware/poller.js';
import { emptyHealth, type VmwareEntryRecord } from '../../../../plugins/vmware/store.js';
import { VsphereTransportError } from '../../../../vsphere/index.js';
import { inventory, vm } from '../../../helpers/fake-inventory.js';

function entry(over: Partial<VmwareEntryRecord> = {}): VmwareEntryRecord {
  return {
    id: 1, hostname: 'vc', port: 443, username: 'u', password: 'p', filesystem: 'tank/vm', datastores: ['ds1'],
    tls: { verify: true, ca: null, thumbprint: null }, enabled: true, state: { state: 'PENDING' }, health: emptyHealth(), ...over,
  };
}

/** A stand-in for the entries service: records what the poller does. */
function fakeEntries(rows: VmwareEntryRecord[], connect: (opts?: { signal?: AbortSignal }) => Promise<unknown>) {
  const calls: string[] = [];
  const outcomes: HealthOutcome[] = [];
  const svc = {
    list: () => rows,
    get: (id: number) => rows.find((r) => r.id === id),
    connect: async (_entry: VmwareEntryRecord, opts?: { signal?: AbortSignal }) => connect(opts),
    recordHealth: async (_id: number, o: HealthOutcome) => void outcomes.push(o),
    loginFailed: async () => void calls.push('loginFailed'),
    loginSucceeded: async () => void calls.push('loginSucceeded'),
    describeError,
  };
  return { svc: svc as unknown as VmwareEntries, calls, outcomes };
}
const client = (inv = inventory([vm()])) => ({ inventory: async () => inv, close: async () => undefined });
const log = pino({ level: 'silent' });

t.test('success records health with the summary; ERROR recovers to SUCCESS', async (t) => {
  const f = fakeEntries([entry({ state: { state: 'ERROR', error: 'x' } })], async () => client());
  const p = new HealthPoller({ entries: f.svc, intervalSeconds: 300, log });
  p.start();
  await p.checkNow(1);
  t.match(f.outcomes, [{ ok: true, summary: { vms: 1, protected_vms: 1 } }]);
  t.same(f.calls, ['loginSucceeded']);
  await p.stop();
});

t.test('failure records the class and raises the login alert', async (t) => {
  const f = fakeEntries([entry()], async () => Promise.reject(new VsphereTransportError('refused', { kind: 'refused' })));
  const p = new HealthPoller({ entries: f.svc, intervalSeconds: 300, log });
  p.start();
  await Promise.all([p.checkNow(1), p.checkNow(1)]);
  t.match(f.outcomes, [{ ok: false, error: { class: 'network', message: 'refused' } }], 'one check at a time per entry');
  t.same(f.calls, ['loginFailed']);
  await p.stop();
});

t.test('an entry changed or deleted during the check, or a stopped poller, records nothing', async (t) => {
  const rows = [entry()];
  const f = fakeEntries(rows, async () => {
    rows[0] = entry({ password: 'changed' });
    return client();
  });
  const p = new HealthPoller({ entries: f.svc, intervalSeconds: 300, log });
  p.start();
  await p.checkNow(1);
  t.same(f.outcomes, []);
  const g = fakeEntries([entry()], async () => client());
  const q = new HealthPoller({ entries: g.svc, intervalSeconds: 300, log });
  await q.checkNow(1);
  t.same(g.outcomes, [], 'never started (or stopped): no writes');
  await p.stop();
});

t.test('stop aborts a check that is still connecting; a restart connects with a fresh signal', async (t) => {
  const signals: AbortSignal[] = [];
  const f = fakeEntries([entry()], (opts) => {
    const signal = opts?.signal;
    if (signal) signals.push(signal);
    // A vCenter that never answers: only the signal ends the connect.
    return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
  });
  const p = new HealthPoller({ entries: f.svc, intervalSeconds: 300, log });
  p.start();
  const check = p.checkNow(1);
  await p.stop();
  await check; // ends because the connect was aborted
  t.equal(signals[0]?.aborted, true, 'the pending connect got the stop signal');
  t.same(f.outcomes, [], 'a stopping poller records nothing');
  t.same(f.calls, [], 'and raises no alert');

  p.start();
  const again = p.checkNow(1);
  t.equal(signals[1]?.aborted, false, 'after a restart the signal is fresh');
  await p.stop();
  await again;
});
