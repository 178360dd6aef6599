/** Transports: TCP and the Unix socket (0600, root), IPv6, the /api/current path, browser origins. */
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import t from 'tap';
import { Client, ClientConnectionError } from '../../../client/index.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';

function httpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === '::1'));

t.test('TCP and Unix socket', async (t) => {
  const d = await startTestDaemon(t, { config: { api: { allowed_origins: ['https://nas.example.com'] } } });

  t.test('the Unix socket is mode 0600 and trusted as root', async (t) => {
    t.equal(statSync(d.socketPath).mode & 0o777, 0o600);
    t.ok(statSync(d.socketPath).isSocket());
    const root = await d.root();
    const me = await root.call<{ pw_name: string; account_attributes: string[] }>('auth.me');
    t.equal(me.pw_name, 'root');
    t.same(me.account_attributes, ['LOCAL', 'UNIX_SOCKET']);
  });

  t.test('TCP serves /api/current on 127.0.0.1', async (t) => {
    t.match(d.url, /^ws:\/\/127\.0\.0\.1:\d+\/api\/current$/);
    const c = await d.tcp();
    t.equal(await c.call('core.ping'), 'pong');
  });

  t.test('other paths answer 404, plain HTTP on an endpoint 426, /api/versions lists the version', async (t) => {
    await t.rejects(openRaw({ url: `ws://127.0.0.1:${d.port}/api/v25.04.0` }), { name: 'Error', statusCode: 404 });
    await t.rejects(openRaw({ url: `ws://127.0.0.1:${d.port}/nope` }), { name: 'Error', statusCode: 404 });
    const versioned = await openRaw({ url: `ws://127.0.0.1:${d.port}/api/v25.10.0` });
    versioned.sendJson({ jsonrpc: '2.0', id: 1, method: 'core.ping' });
    t.same(await versioned.next(), { jsonrpc: '2.0', id: 1, result: 'pong' }, '/api/v25.10.0 is /api/current');
    versioned.close();
    t.equal(await httpGet(d.port, '/'), 404);
    t.equal(await httpGet(d.port, '/api/current'), 426);
    t.equal(await httpGet(d.port, '/websocket'), 426);
    t.equal(await httpGet(d.port, '/api/versions'), 200);
  });

  t.test('cross-site origins must be on the allow list; no Origin and same-origin connect', async (t) => {
    await t.rejects(openRaw({ url: d.url }, { Origin: 'https://evil.example.org' }), { name: 'Error', statusCode: 403 });
    await t.rejects(openRaw({ url: d.url }, { Origin: 'null' }), { name: 'Error', statusCode: 403 });
    await t.rejects(Client.connect({ url: d.url }, { headers: { Origin: 'http://localhost:8080' } }), ClientConnectionError);
    const allowed = await openRaw({ url: d.url }, { Origin: 'https://NAS.example.com/' });
    allowed.sendJson({ jsonrpc: '2.0', id: 1, method: 'core.ping' });
    t.same(await allowed.next(), { jsonrpc: '2.0', id: 1, result: 'pong' });
    allowed.close();
    const noOrigin = await openRaw({ url: d.url });
    noOrigin.close();
    // What TrueNAS's midclt (websocket-client) sends: Origin http://<Host>.
    const sameOrigin = await openRaw({ url: d.url }, { Origin: `http://127.0.0.1:${d.port}` });
    sameOrigin.sendJson({ jsonrpc: '2.0', id: 2, method: 'core.ping' });
    t.same(await sameOrigin.next(), { jsonrpc: '2.0', id: 2, result: 'pong' });
    sameOrigin.close();
  });

  t.test('a second daemon on the same socket refuses to start, the first keeps running', async (t) => {
    await t.rejects(
      startTestDaemon(t, { config: { listen: { socket: d.socketPath } } }),
      /another daemon is already listening/,
    );
    const root = await d.root();
    t.equal(await root.call('core.ping'), 'pong');
  });
});

t.test('IPv6 loopback', { skip: hasIpv6Loopback ? false : 'no ::1 on this machine' }, async (t) => {
  const d = await startTestDaemon(t, { config: { listen: { host: '::1' } } });
  t.match(d.url, /^ws:\/\/\[::1\]:\d+\/api\/current$/);
  const c = await d.tcp();
  t.equal(await c.call('core.ping'), 'pong');
});
