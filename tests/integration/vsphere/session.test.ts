// Integration: session expiry (vcsim terminates every session) is healed by one re-login and a
// retry, also for concurrent calls; an idle session is kept alive with CurrentTime.
import t from 'tap';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { connectClient, eventually } from '../../helpers/vsphere.js';

const vc = await startVcsim({ hostsPerCluster: 2, bulkVms: { count: 3, datastore: 'LocalDS_0' } }, { t });

t.test('an expired session is re-established once and the call retried', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  const before = (await c.inventory()).hosts.length;
  const { expired } = await vc.control({ action: 'expireSessions' });
  t.ok((expired ?? 0) >= 1);
  const logins = c.session.callsByMethod.get('Login') ?? 0;
  const inv = await c.inventory();
  t.equal(inv.hosts.length, before, 'same answer after re-login');
  t.equal(c.session.generation, 2);
  t.equal(c.session.callsByMethod.get('Login'), logins + 1, 'exactly one extra Login');
});

t.test('concurrent calls hitting an expired session share one re-login', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  await vc.control({ action: 'expireSessions' });
  const logins = c.session.callsByMethod.get('Login') ?? 0;
  const results = await Promise.all(Array.from({ length: 6 }, () => c.inventory()));
  t.equal(results.length, 6);
  t.ok(results.every((r) => r.hosts.length > 0));
  t.equal(c.session.callsByMethod.get('Login'), logins + 1, 'single-flight re-login');
});

t.test('a failing re-login (credentials revoked meanwhile) surfaces InvalidLogin, no loop', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  await vc.control({ action: 'injectFault', fault: 'InvalidLogin', methods: ['Login'], as: 'soap', times: 1 });
  t.teardown(() => vc.control({ action: 'clearFaults' }));
  await vc.control({ action: 'expireSessions' });
  const logins = c.session.callsByMethod.get('Login') ?? 0;
  await t.rejects(c.inventory(), { name: 'SoapFaultError', faultType: 'InvalidLogin', category: 'auth' });
  t.equal(c.session.callsByMethod.get('Login'), logins + 1, 'one attempt');
  t.ok((await c.inventory()).hosts.length > 0, 'the next call logs in again once Login works');
});

t.test('a closed client refuses calls', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  await c.close();
  await t.rejects(c.inventory(), { name: 'VsphereError', message: /closed/ });
});

t.test('tasks being waited for survive a session expiry (collector rebuilt if lost)', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 0 });
  await vc.control({ action: 'slowTasks', ms: 1500 });
  t.teardown(() => vc.control({ action: 'slowTasks', ms: 0 }));
  const vms = vc.inventory.vms.map((v) => ({ type: 'VirtualMachine', value: v.moref }));
  const pending = c.createSnapshots(vms.map((vm) => ({ vm, name: 'across-expiry' })), { deadlineMs: 30_000 });
  await new Promise((r) => setTimeout(r, 400));
  await vc.control({ action: 'expireSessions' });
  const made = await pending;
  t.same(made.map((r) => r.ok), vms.map(() => true), String(made.flatMap((r) => (r.ok ? [] : [r.error.message]))));
  const removed = await c.removeSnapshots(made.flatMap((r) => (r.ok ? [{ snapshot: r.snapshot }] : [])), { deadlineMs: 30_000 });
  t.ok(removed.every((r) => r.ok));
  t.ok(c.session.generation >= 2, 'the session was re-established');
});

t.test('keepalive: an idle session sends CurrentTime', async (t) => {
  const c = await connectClient(t, vc, { keepaliveMs: 150 });
  const sent = await eventually(() => (c.session.callsByMethod.get('CurrentTime') ?? 0) >= 2, 10_000);
  t.ok(sent, 'CurrentTime was sent while idle (at least twice: it re-arms itself)');
});
