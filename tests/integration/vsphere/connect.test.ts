// Integration: connect, log in and out against vcsim's vCenter (VPX) and ESXi (ESX) models; bad
// passwords and unreachable servers give typed errors; the password never shows up anywhere.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { inspect } from 'node:util';
import t from 'tap';
import { VsphereClient, SoapFaultError, VsphereTransportError, isVimFault } from '../../../vsphere/index.js';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { connectClient, optionsFor } from '../../helpers/vsphere.js';

const PASSWORD = 'Sup3r-s3cret-pässword';

t.test('VPX model: login, ServiceContent, logout ends the session', async (t) => {
  const vc = await startVcsim({ model: 'vpx', username: 'svc@vsphere.local', password: PASSWORD }, { t });
  const a = await VsphereClient.connect(optionsFor(vc));
  const b = await connectClient(t, vc);
  t.equal(a.about.apiType, 'VirtualCenter');
  t.equal(a.isVCenter, true);
  t.equal(a.apiVersion, vc.apiVersion, 'negotiated from vimServiceVersions.xml and about.apiVersion');
  t.equal(a.session.userSession.userName, 'svc@vsphere.local');
  t.equal(a.session.serviceContent.sessionManager?.value, 'SessionManager');
  t.equal(a.roundTrips, 2, 'RetrieveServiceContent + Login');

  await a.close();
  await a.close(); // idempotent
  t.equal(a.session.closed, true);
  await t.rejects(a.inventory(), { name: 'VsphereError', message: /session .* is closed/ });
  // Only b's session is left on the server: Logout really ended a's.
  const { expired } = await vc.control({ action: 'expireSessions' });
  t.equal(expired, 1);
  t.ok((await b.inventory()).hosts.length > 0, 'b re-logged in after expiry');
});

t.test('ESX model: different morefs read from ServiceContent; snapshots work there too', async (t) => {
  const vc = await startVcsim({ model: 'esx', bulkVms: { count: 2 } }, { t });
  const c = await connectClient(t, vc);
  t.equal(c.about.apiType, 'HostAgent');
  t.equal(c.isVCenter, false);
  t.equal(c.session.serviceContent.sessionManager?.value, 'ha-sessionmgr');
  t.equal(c.session.serviceContent.propertyCollector.value, 'ha-property-collector');
  const inv = await c.inventory();
  t.equal(inv.hosts.length, 1);
  t.equal(inv.hosts[0]?.name, 'localhost.localdomain');
  t.equal(inv.vms.length, 2);
  const made = await c.createSnapshots(inv.vms.map((v) => ({ vm: v.moref, name: 'esx-snap' })));
  t.ok(made.every((r) => r.ok), 'created through the private collector of ha-property-collector');
  const removed = await c.removeSnapshots(made.flatMap((r) => (r.ok ? [{ snapshot: r.snapshot }] : [])));
  t.ok(removed.every((r) => r.ok));
});

t.test('bad password: typed InvalidLogin, EPERM, no password in the error', async (t) => {
  const vc = await startVcsim({ password: PASSWORD }, { t });
  const wrong = `${PASSWORD}-wrong`;
  const err: unknown = await VsphereClient.connect(optionsFor(vc, { password: wrong })).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof SoapFaultError, 'a SoapFaultError');
  t.ok(isVimFault(err, 'InvalidLogin'));
  t.match(err, { faultType: 'InvalidLogin', kind: 'denied', category: 'auth', method: 'Login' });
  const text = `${inspect(err, { depth: 8 })} ${JSON.stringify(err)} ${(err as Error).stack}`;
  t.notOk(text.includes(wrong), 'the password is not in the error, its stack or its JSON');
});

t.test('the password is not reachable through the client object', async (t) => {
  const vc = await startVcsim({ password: PASSWORD }, { t });
  const c = await connectClient(t, vc);
  const text = `${inspect(c, { depth: 12, showHidden: true })} ${JSON.stringify(c.session.serviceContent)} ${JSON.stringify(c.session.userSession)}`;
  t.notOk(text.includes(PASSWORD));
});

t.test('unreachable server: ECONNREFUSED, typed', async (t) => {
  const vc = await startVcsim({}, { t });
  const port = vc.port;
  await vc.stop();
  await t.rejects(VsphereClient.connect(optionsFor(vc, { port })), { name: 'VsphereTransportError', kind: 'refused', category: 'network' });
  const err = await VsphereClient.connect(optionsFor(vc, { port })).catch((e: unknown) => e);
  t.ok(err instanceof VsphereTransportError);
  t.equal((err as Error).message, `Cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED)`, 'names the server, not the URL path');
});

t.test('a server that accepts TCP but never completes TLS: connect timeout (ETIMEDOUT)', async (t) => {
  const sockets = new Set<Socket>();
  const server = createServer((s) => sockets.add(s)); // real socket, silent peer
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  await t.rejects(
    VsphereClient.connect({ host: '127.0.0.1', port, username: 'u', password: 'p', connectTimeoutMs: 300 }),
    { name: 'VsphereTimeoutError', phase: 'connect', kind: 'timed-out', timeoutMs: 300 },
  );
});

t.test('a signal aborts a connect that hangs in the TLS handshake at once (ECANCELED)', async (t) => {
  const sockets = new Set<Socket>();
  const stop = new AbortController();
  const server = createServer((s) => {
    sockets.add(s);
    stop.abort(new Error('the daemon is stopping')); // the daemon stops while the connect hangs
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  // Without the signal this would wait for the 10-minute connect timeout.
  const opts = { host: '127.0.0.1', port, username: 'u', password: 'p', connectTimeoutMs: 600_000, signal: stop.signal };
  await t.rejects(VsphereClient.connect(opts), {
    name: 'VsphereError',
    kind: 'canceled',
    category: 'network',
    message: `Connecting to 127.0.0.1:${port}: aborted (the daemon is stopping)`,
  });
  await t.rejects(VsphereClient.connect(opts), { kind: 'canceled', message: /aborted/ }, 'an aborted signal refuses at once');
  t.equal(sockets.size, 1, 'the second connect opened no connection');
});

t.test('a signal aborts a login the server is slow to answer', async (t) => {
  const vc = await startVcsim({ delays: { Login: 60_000 } }, { t });
  const stop = new AbortController();
  const aborting = setTimeout(() => stop.abort(), 300);
  t.teardown(() => clearTimeout(aborting));
  await t.rejects(VsphereClient.connect(optionsFor(vc, { signal: stop.signal })), {
    kind: 'canceled',
    message: `Connecting to ${vc.host}:${vc.port}: aborted`,
  });
});

t.test('malformed TLS input: EINVAL naming the field, before any connection', async (t) => {
  await t.rejects(VsphereClient.connect({ host: '127.0.0.1', username: 'u', password: 'p', tls: { thumbprint: 'AB:CD' } }), {
    kind: 'invalid-argument',
    message: /^tls\.thumbprint:/,
  });
  await t.rejects(VsphereClient.connect({ host: '127.0.0.1', username: 'u', password: 'p', tls: { ca: 'nope' } }), {
    kind: 'invalid-argument',
    message: /^tls\.ca:/,
  });
});
