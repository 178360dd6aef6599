/** The monitoring access rule (loopback/unix free, others need a bearer key) and /readyz's 503, on a real listener of their own. */
import { Registry } from 'prom-client';
import t from 'tap';
import { INTERNAL_ROOT } from '../../../daemon/registry/roles.js';
import { listenMonitoring, monitoringRoutes } from '../../../daemon/server/monitoring-routes.js';
import { isLoopback, monitoringAccess } from '../../../daemon/server/peer-access.js';
import { Readiness } from '../../../daemon/server/readiness.js';
import { silentLog } from '../../helpers/tmp-datastore.js';

t.test('isLoopback', async (t) => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) t.ok(isLoopback(a), a);
  for (const a of ['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '0.0.0.0', '', 'localhost']) t.notOk(isLoopback(a), a);
});

t.test('monitoringAccess', async (t) => {
  const check = (key: string) => (key === 'good' ? INTERNAL_ROOT : null);
  t.same(monitoringAccess({ transport: 'unix', address: 'unix', authorization: undefined }, null), { ok: true });
  t.same(monitoringAccess({ transport: 'tcp', address: '::ffff:127.0.0.1', authorization: undefined }, null), { ok: true });
  t.match(monitoringAccess({ transport: 'tcp', address: '192.0.2.9', authorization: undefined }, check), { ok: false, status: 401 });
  t.match(monitoringAccess({ transport: 'tcp', address: '192.0.2.9', authorization: 'Basic Zm9v' }, check), { ok: false, status: 401 });
  t.match(monitoringAccess({ transport: 'tcp', address: '192.0.2.9', authorization: 'Bearer bad' }, check), { ok: false, status: 401, reason: 'Invalid API key' });
  t.same(monitoringAccess({ transport: 'tcp', address: '192.0.2.9', authorization: 'bearer good' }, check), { ok: true });
  t.match(monitoringAccess({ transport: 'tcp', address: '192.0.2.9', authorization: 'Bearer good' }, null), { ok: false, status: 403 }, 'no key checker: refused');
});

t.test('monitoringAccess with metrics.require_auth: every peer needs the key, loopback and the Unix socket too', async (t) => {
  const seen: string[] = [];
  const check = (key: string, address: string) => (seen.push(address), key === 'good' ? INTERNAL_ROOT : null);
  for (const peer of [{ transport: 'unix', address: '' }, { transport: 'tcp', address: '127.0.0.1' }, { transport: 'tcp', address: '::1' }, { transport: 'tcp', address: '192.0.2.9' }] as const) {
    t.match(monitoringAccess({ ...peer, authorization: undefined }, check, true), { ok: false, status: 401, reason: /metrics\.require_auth/ }, `${peer.transport} ${peer.address}: no key`);
    t.match(monitoringAccess({ ...peer, authorization: 'Bearer bad' }, check, true), { ok: false, status: 401, reason: 'Invalid API key' });
    t.same(monitoringAccess({ ...peer, authorization: 'Bearer good' }, check, true), { ok: true });
  }
  t.same(seen.slice(0, 2), ['unix', 'unix'], 'the Unix socket is checked as "unix" (never rate limited)');
});

t.test('/readyz is 503 until every part is ready, and again while stopping', async (t) => {
  const readiness = new Readiness();
  const { url, server } = await listenMonitoring('127.0.0.1', 0, monitoringRoutes({ registry: new Registry(), readiness, bearer: () => null, log: silentLog }));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));

  readiness.set('datastore', true);
  readiness.set('listeners', true);
  const starting = await fetch(`${url}/readyz`);
  t.equal(starting.status, 503);
  t.same(await starting.json(), { ready: false, datastore: true, listeners: true, plugins: false });
  readiness.set('plugins', true);
  t.equal((await fetch(`${url}/readyz`)).status, 200);
  readiness.set('listeners', false);
  t.equal((await fetch(`${url}/readyz`)).status, 503, 'stopping');
  t.equal((await fetch(`${url}/other`)).status, 404, 'only the monitoring paths on this listener');
  t.equal((await fetch(`${url}/metrics`, { method: 'POST' })).status, 405);
  t.equal((await fetch(`${url}/healthz`)).status, 200, 'healthz is liveness only');
});
