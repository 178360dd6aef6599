import t from 'tap';
import pino from 'pino';
import type { HealthOutcome, VmwareEntries } from '../../../../plugins/vmware/entries-service.js';
import { describeError } from '../../../../plugins/vmware/errors.js';
import { HealthPoller } from '../../../../plugins/vmware/poller.js';
import { emptyHealth, type VmwareEntryRecord } from '../../../../plugins/vmware/store.js';
import { VsphereTransportError } from '../../../../plugins/vmware/vsphere/index.js';
import { inventory, vm } from '../../../helpers/fake-inventory.js';

function entry(over: Partial<VmwareEntryRecord> = {}): VmwareEntryRecord {
  return {
    id: 1, hostname: 'vc', port: 443, username: 'u', password: 'p', filesystem: 'tank/vm', datastores: ['ds1'],
    tls: { verify: true, ca: null, thumbprint: null }, enabled: true, state: { state: 'PENDING' }, health: emptyHealth(), ...over,
  };
}

/** A stand-in for the entries service: records what the poller does. */
function fakeEntries(rows: VmwareEntryRecord[], connect: () => Promise<unknown>) {
  const calls: string[] = [];
  const outcomes: HealthOutcome[] = [];
  const svc = {
    list: () => rows,
    get: (id: number) => rows.find((r) => r.id === id),
    connect: async () => connect(),
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
  const f = fakeEntries([entry()], async () => Promise.reject(new VsphereTransportError('refused', { errno: 111 })));
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
