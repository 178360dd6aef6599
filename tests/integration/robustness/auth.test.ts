/**
 * Authentication as an attacker would probe it, through real TCP WebSocket connections:
 * - every method that core.get_methods lists and that is not public is refused on an
 *   unauthenticated connection with errno 207 ENOTAUTHENTICATED — whatever the params, as a
 *   request, a notification (which must not run either) or a batch member — and leaks nothing
 *   about validation; private methods do not exist over TCP;
 * - cross-site browser origins must be on api.allowed_origins (exact scheme://host[:port], `null`
 *   refused); same-origin ones only with a Host naming this server (DNS rebinding); the Unix socket
 *   takes any Origin;
 * - failed logins are rate limited per peer address, across every login method and across
 *   connections, while other addresses may still log in;
 * - auth.logout really ends the session: protected calls fail and event subscriptions stop;
 * - a deleted API key stops working at once, for new logins AND for connections already logged in
 *   with it (they become anonymous; TrueNAS revokes keys the same way).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import WebSocket from 'ws';
import type { Client, CollectionUpdate } from '../../../client/index.js';
import { hashPassword } from '../../../daemon/auth/password.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';
import { callError } from '../../helpers/validation.js';

const ADMIN_PASSWORD = 'rob-ustness-admin-pw';

interface Reply {
  id: unknown;
  result?: unknown;
  error?: { code: number; data?: { error: number; errname: string; reason: string; extra: unknown; trace: unknown } };
}

/** A raw TCP connection from a chosen local address (127.0.0.x), for per-peer rate limit tests. */
async function rawFrom(url: string, localAddress: string): Promise<{ call(method: string, params: unknown[]): Promise<Reply>; close(): void }> {
  const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  let id = 0;
  const pending = new Map<number, (r: Reply) => void>();
  ws.on('message', (d: Buffer) => {
    const r = JSON.parse(d.toString()) as Reply;
    pending.get(r.id as number)?.(r);
  });
  return {
    call: (method, params) =>
      new Promise((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      }),
    close: () => ws.close(),
  };
}

t.test('auth robustness', async (t) => {
  const d: TestDaemon = await startTestDaemon(t, {
    config: {
      auth: { admin: { username: 'admin', password_hash: await hashPassword(ADMIN_PASSWORD) }, login_rate_limit: { max_failures: 3, window_seconds: 600 } },
      api: { allowed_origins: ['https://nas.example.com', 'http://127.0.0.1:8080'], server_names: ['nas.example.com'] },
    },
  });
  const root = await d.root();
  const methods = await root.call<Record<string, { public: boolean; accepts: unknown[] }>>('core.get_methods');
  const dbFile = join(d.dataDir, 'vsnapd.db.json');

  t.test('every protected method is refused with 207 before login, whatever the params', async (t) => {
    const raw = await openRaw({ url: d.url });
    t.teardown(() => raw.close());
    const keysBefore = readFileSync(dbFile, 'utf8');
    let id = 0;
    const protectedNames = Object.entries(methods).filter(([, m]) => !m.public).map(([n]) => n);
    t.ok(protectedNames.length > 40, `${protectedNames.length} protected methods`);
    for (const name of protectedNames) {
      for (const params of [[], [{}], [null, 'x', 1, 2, 3], [{ name: 'sneaky', password: 'x' }], ['x'.repeat(10_000)]]) {
        raw.sendJson({ jsonrpc: '2.0', id: ++id, method: name, params });
        const r = (await raw.next()) as Reply;
        if (r.error?.data?.error !== 207 || r.error.code !== -32001 || r.error.data.extra !== null || r.error.data.trace !== null) {
          t.fail(`${name}(${JSON.stringify(params).slice(0, 40)}): ${JSON.stringify(r)}`);
        }
      }
      // As a notification it must not run either (no reply is sent, so check its effect below).
      raw.sendJson({ jsonrpc: '2.0', method: name, params: [{ name: `notified-${name}` }] });
    }
    // A batch: every member refused, the public one answered.
    raw.sendJson([
      { jsonrpc: '2.0', id: 'b1', method: 'api_key.create', params: [{ name: 'in-a-batch' }] },
      { jsonrpc: '2.0', id: 'b2', method: 'core.ping' },
      { jsonrpc: '2.0', id: 'b3', method: 'auth.me' },
    ]);
    const batch = (await raw.next()) as Reply[];
    t.same(batch.map((r) => [r.id, r.error?.data?.error ?? r.result]), [['b1', 207], ['b2', 'pong'], ['b3', 207]]);
    t.equal(((await openRawCall(raw, 'core.ping')) as Reply).result, 'pong', 'the connection is still usable');
    t.same(await root.call('api_key.query'), [], 'no API key was created by any refused call or notification');
    t.equal(readFileSync(dbFile, 'utf8'), keysBefore, 'the datastore is unchanged');
    // Public methods run (from another address: their failed logins count against the peer).
    const pub = await rawFrom(d.url, '127.0.0.4');
    const publicParams: Record<string, unknown[]> = {
      'core.set_options': [{}],
      'auth.login_ex': [{ mechanism: 'API_KEY_PLAIN', username: 'root', api_key: '1-x' }],
      'auth.login': ['nobody', 'x'],
      'auth.login_with_api_key': ['1-x'],
    };
    for (const [name, m] of Object.entries(methods)) {
      if (m.public) t.not((await pub.call(name, publicParams[name] ?? [])).error?.data?.error, 207, `${name} is public`);
    }
    pub.close();
    t.equal(((await openRawCall(raw, 'test.private_ping')) as Reply).error?.code, -32601, 'private methods do not exist over TCP');
    // core.set_options is public, but showing private methods does not let an anonymous caller run them.
    t.same(((await openRawCall(raw, 'core.set_options', [{ private_methods: true }])) as Reply).result, { legacy_jobs: true, private_methods: true, py_exceptions: false });
    for (const name of ['alert.oneshot_create', 'pool.snapshot.create_coordinated', 'test.private_ping']) {
      t.equal(((await openRawCall(raw, name, [])) as Reply).error?.data?.error, 207, `${name}: 207 with private_methods on`);
    }
  });

  t.test('cross-site origins must be on the allow list; same-origin needs a Host naming this server', async (t) => {
    for (const origin of ['https://evil.example', 'null', 'https://nas.example.com.evil.example', 'http://nas.example.com', 'https://nas.example.com:8443', 'http://127.0.0.1:8081', 'file://', `https://127.0.0.1:${d.port}`]) {
      await t.rejects(openRaw({ url: d.url }, { Origin: origin }), { name: 'Error', statusCode: 403 }, `Origin ${origin} refused`);
      const unix = await openRaw({ socketPath: d.socketPath }, { Origin: origin });
      unix.sendJson({ jsonrpc: '2.0', id: 1, method: 'core.ping' });
      t.same(((await unix.next()) as Reply).result, 'pong', `Origin ${origin} accepted over the Unix socket (no browser reaches it)`);
      unix.close();
    }
    // DNS rebinding: evil.example re-pointed at the NAS is same-origin with itself, but not this server's name.
    const rebound = `rebound.example:${d.port}`;
    await t.rejects(openRaw({ url: d.url }, { Origin: `http://${rebound}`, Host: rebound }), { name: 'Error', statusCode: 403 }, 'same-origin under a foreign name refused');
    for (const host of [`nas.example.com:${d.port}`, `localhost:${d.port}`, `127.0.0.1:${d.port}`]) {
      const ok = await openRaw({ url: d.url }, { Origin: `http://${host.toUpperCase()}`, Host: host });
      ok.sendJson({ jsonrpc: '2.0', id: 1, method: 'core.ping' });
      t.same(((await ok.next()) as Reply).result, 'pong', `same-origin ${host} (IP literal, localhost or api.server_names) connects`);
      ok.close();
    }
    for (const origin of ['https://nas.example.com', 'HTTPS://NAS.EXAMPLE.COM/', 'http://127.0.0.1:8080']) {
      const ok = await openRaw({ url: d.url }, { Origin: origin });
      ok.sendJson({ jsonrpc: '2.0', id: 1, method: 'auth.me' });
      t.equal(((await ok.next()) as Reply).error?.data?.error, 207, `Origin ${origin} connects, and still has to log in`);
      ok.close();
    }
  });

  t.test('failed logins are rate limited per peer address, across methods and connections', async (t) => {
    const key = await d.apiKey('rate-limit');
    const a1 = await rawFrom(d.url, '127.0.0.2');
    const fails: [string, unknown[]][] = [
      ['auth.login_with_api_key', ['1-wrong']],
      ['auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: 'admin', password: 'wrong' }]],
      ['auth.login', ['admin', 'wrong']],
    ];
    for (const [m, p] of fails) t.notOk((await a1.call(m, p)).result === true, `${m} fails`);
    a1.close();
    // A new connection from the same address: refused even with the right secrets.
    const a2 = await rawFrom(d.url, '127.0.0.2');
    for (const [m, p] of [
      ['auth.login_with_api_key', [key]],
      ['auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'root', api_key: key }]],
      ['auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: 'admin', password: ADMIN_PASSWORD }]],
    ] as [string, unknown[]][]) {
      const r = await a2.call(m, p);
      t.match(r.error?.data, { errname: 'EBUSY', reason: /Rate Limit Exceeded/ }, `${m} refused while limited`);
    }
    t.equal((await a2.call('auth.me', [])).error?.data?.error, 207, 'still not logged in');
    a2.close();
    // Another address is not affected; a success there resets only its own count.
    const b = await rawFrom(d.url, '127.0.0.3');
    t.equal((await b.call('auth.login_with_api_key', [key])).result, true, 'another peer logs in');
    b.close();
    t.equal(await root.call('core.ping'), 'pong', 'the Unix socket is never limited');
  });

  t.test('logout ends the session: protected calls and subscriptions', async (t) => {
    const admin: Client = await d.tcp({ username: 'admin', password: ADMIN_PASSWORD });
    const seen: CollectionUpdate[] = [];
    await admin.subscribe('api_key.query', (u) => seen.push(u));
    await admin.subscribe('*', (u) => seen.push(u));
    await root.call('api_key.create', { name: 'before-logout' });
    await until(() => seen.length > 0);
    t.ok(seen.length > 0, 'events arrive while logged in');
    t.equal(await admin.call('auth.logout'), true);
    const e = await callError(admin.call('api_key.query'));
    t.equal(e.errno, 207, 'protected calls fail after logout');
    await callError(admin.call('core.subscribe', 'api_key.query')).then((x) => t.equal(x.errno, 207, 'cannot subscribe again'));
    const mark = seen.length;
    await root.call('api_key.create', { name: 'after-logout' });
    await root.call('core.ping');
    await sleep(300); // events are delivered synchronously on publish; give the socket time to carry one
    t.same(seen.slice(mark), [], 'no event reaches the logged-out connection');
  });

  t.test('a deleted API key stops working, on existing connections too', async (t) => {
    const created = await root.call<{ id: number; key: string }>('api_key.create', { name: 'to-delete' });
    const user: Client = await d.tcp({ apiKey: created.key });
    const seen: CollectionUpdate[] = [];
    await user.subscribe('api_key.query', (u) => seen.push(u));
    t.match(await user.call('auth.me'), { pw_name: 'root' });
    t.equal(await root.call('api_key.delete', created.id), true);
    t.equal((await callError(user.call('auth.me'))).errno, 207, 'the connection logged in with the key is logged out');
    t.equal((await callError(user.call('api_key.query'))).errno, 207);
    const mark = seen.length;
    await root.call('api_key.create', { name: 'after-delete' });
    await sleep(300);
    t.same(seen.slice(mark), [], 'its subscriptions ended');
    const fresh = await d.tcp();
    t.equal(await fresh.call('auth.login_with_api_key', created.key), false, 'new logins with the key fail');
    // A connection logged in otherwise (admin password) is not affected by deleting a key.
    const admin = await d.tcp({ username: 'admin', password: ADMIN_PASSWORD });
    const other = await root.call<{ id: number }>('api_key.create', { name: 'unrelated' });
    t.equal(await root.call('api_key.delete', other.id), true);
    t.match(await admin.call('auth.me'), { pw_name: 'admin' }, 'the admin session is untouched');
  });
});

async function openRawCall(raw: Awaited<ReturnType<typeof openRaw>>, method: string, params: unknown[] = []): Promise<unknown> {
  const id = `c-${Math.random()}`;
  raw.sendJson({ jsonrpc: '2.0', id, method, params });
  for (;;) {
    const r = (await raw.next()) as Reply;
    if (r.id === id) return r;
  }
}

async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}
