/** Authentication over TCP: refused until login, API keys, the admin password, logout, rate limit. */
import t from 'tap';
import { Client, ClientCallError } from '../../../client/index.js';
import { runDaemonCommand, startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';
import { scramClient } from '../../helpers/scram-client.js';

const PASSWORD = 'correct horse battery staple';

t.test('auth', async (t) => {
  const hashed = await runDaemonCommand(['hash-password'], { input: `${PASSWORD}\n` });
  t.equal(hashed.code, 0, hashed.stderr);
  const hash = hashed.stdout.trim();
  t.match(hash, /^scrypt\$32768\$8\$1\$/);
  const d = await startTestDaemon(t, {
    config: { auth: { admin: { username: 'admin', password_hash: hash }, login_rate_limit: { max_failures: 3, window_seconds: 60 } } },
  });

  t.test('an unauthenticated TCP connection gets ENOTAUTHENTICATED for protected methods', async (t) => {
    const raw = await openRaw({ url: d.url });
    t.teardown(() => raw.close());
    raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'core.get_methods' });
    t.same(await raw.next(), {
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32001,
        message: 'Method call error',
        data: { error: 207, errname: 'ENOTAUTHENTICATED', reason: '[ENOTAUTHENTICATED] Not authenticated', trace: null, extra: null },
      },
    });
    const anon = await d.tcp();
    for (const method of ['api_key.query', 'core.get_jobs', 'auth.me', 'core.subscribe', 'auth.logout']) {
      await t.rejects(anon.call(method), { name: 'ClientCallError', errno: 207, errname: 'ENOTAUTHENTICATED' }, method);
    }
    t.equal(await anon.call('core.ping'), 'pong', 'core.ping is public');
    t.same(await anon.call('core.set_options', { legacy_jobs: false }), { legacy_jobs: false, private_methods: false, py_exceptions: false }, 'core.set_options is public and returns the options');
    t.same(await anon.call('auth.mechanism_choices'), ['SCRAM', 'API_KEY_PLAIN', 'PASSWORD_PLAIN']);
    await t.rejects(anon.call('test.private_ping'), { code: -32601 }, 'private methods do not exist over TCP');
  });

  t.test('API keys: created once, stored hashed, log in with login_ex or login_with_api_key', async (t) => {
    const root = await d.root();
    const created = await root.call<{ id: number; key: string; name: string; username: string }>('api_key.create', { name: 'ci' });
    t.match(created.key, new RegExp(`^${created.id}-[A-Za-z0-9]{64}$`));
    t.equal(created.username, 'root');
    const listed = await root.call<Record<string, unknown>[]>('api_key.query', [['name', '=', 'ci']]);
    t.equal(listed.length, 1);
    t.notOk('key' in listed[0]! || 'key_hash' in listed[0]!, 'query never shows the key or its hash');
    await t.rejects(root.call('api_key.create', { name: 'ci' }), { errors: [{ attribute: 'api_key_create.name' }] });
    await t.rejects(root.call('api_key.create', { name: 'x', secret: 1 }), { errors: [{ attribute: 'api_key_create.secret', message: 'Extra inputs are not permitted' }] });

    const c1 = await d.tcp();
    t.same(await c1.call('auth.login_ex', { mechanism: 'API_KEY_PLAIN', username: 'root', api_key: created.key }), {
      response_type: 'SUCCESS',
      user_info: await root.call('auth.me').then((me) => ({ ...(me as object), account_attributes: ['LOCAL', 'API_KEY'] })),
      authenticator: 'LEVEL_1',
    });
    t.equal((await c1.call<unknown[]>('api_key.query')).length >= 1, true, 'protected methods work after login');

    const c2 = await d.tcp();
    t.equal(await c2.call('auth.login_with_api_key', created.key), true);
    t.equal((await c2.call<{ pw_name: string }>('auth.me')).pw_name, 'root');

    const c3 = await d.tcp({ apiKey: created.key });
    t.equal(await c3.call('auth.logout'), true);
    await t.rejects(c3.call('auth.me'), { name: 'ClientCallError', errno: 207 }, 'logged out');

    t.equal(await root.call('api_key.delete', created.id), true);
    const c4 = await d.tcp();
    t.equal(await c4.call('auth.login_with_api_key', created.key), false, 'a deleted key no longer works');
    await t.rejects(root.call('api_key.get_instance', created.id), { errors: [{ attribute: null, message: `API Key ${created.id} does not exist`, errno: 2 }] });
    await t.rejects(root.call('api_key.delete', created.id), { errors: [{ message: `API Key ${created.id} does not exist` }] });
  });

  t.test('10 concurrent api_key.create with one name store one key; the other 9 get EEXIST', async (t) => {
    const root = await d.root();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => root.call('api_key.create', { name: 'race' })));
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    t.equal(refused.length, 9);
    for (const r of refused) t.match(r.reason, { errors: [{ attribute: 'api_key_create.name', message: 'API key with this name already exists', errno: 17 }] });
    t.equal((await root.call<unknown[]>('api_key.query', [['name', '=', 'race']])).length, 1, 'one key stored');
  });

  t.test('the admin logs in with PASSWORD_PLAIN', async (t) => {
    const c = await d.tcp();
    const r = await c.call<{ response_type: string; user_info: { pw_name: string; account_attributes: string[] } }>('auth.login_ex', {
      mechanism: 'PASSWORD_PLAIN',
      username: 'admin',
      password: PASSWORD,
    });
    t.equal(r.response_type, 'SUCCESS');
    t.equal(r.user_info.pw_name, 'admin');
    t.same(r.user_info.account_attributes, ['LOCAL', 'PASSWORD_LOGIN']);
    const key = await c.call<{ username: string }>('api_key.create', { name: 'admin-key' });
    t.equal(key.username, 'admin', 'a key belongs to its creator');
    const viaClient = await d.tcp({ username: 'admin', password: PASSWORD });
    t.equal((await viaClient.call<{ pw_name: string }>('auth.me')).pw_name, 'admin');
    const legacy = await d.tcp();
    t.equal(await legacy.call('auth.login', 'admin', PASSWORD), true);
  });

  t.test('bad login data is a validation error, a wrong secret AUTH_ERR', async (t) => {
    const c = await d.tcp();
    await t.rejects(c.call('auth.login_ex', { mechanism: 'TOKEN_PLAIN', token: 'x' }), { code: -32602 });
    await t.rejects(c.call('auth.login_ex', { mechanism: 'PASSWORD_PLAIN', username: 'admin' }), {
      errors: [{ attribute: 'login_data.password', message: 'Field required' }],
    });
  });

  t.test('failed logins are rate limited per address', async (t) => {
    const c = await d.tcp();
    for (let i = 0; i < 3; i++) {
      t.same(await c.call('auth.login_ex', { mechanism: 'PASSWORD_PLAIN', username: 'admin', password: 'wrong' }), { response_type: 'AUTH_ERR' });
    }
    const other = await d.tcp();
    await t.rejects(other.call('auth.login_ex', { mechanism: 'PASSWORD_PLAIN', username: 'admin', password: PASSWORD }), {
      name: 'ClientCallError',
      errno: 16,
      errname: 'EBUSY',
      reason: '[EBUSY] Rate Limit Exceeded',
    }, 'even the right password is refused from that address');
    await t.rejects(other.call('auth.login_with_api_key', '1-x'), { name: 'ClientCallError', errname: 'EBUSY' });
    await t.rejects(Client.connect({ url: d.url }, { apiKey: '1-x' }), ClientCallError);
    const root = await d.root();
    t.equal(await root.call('auth.login_with_api_key', '1-x'), false, 'the Unix socket is not rate limited');
  });
});

t.test('parallel password guesses share the limit: attempts under way count before their scrypt runs', async (t) => {
  const hashed = await runDaemonCommand(['hash-password'], { input: `${PASSWORD}\n` });
  const d = await startTestDaemon(t, {
    config: { auth: { admin: { username: 'admin', password_hash: hashed.stdout.trim() }, login_rate_limit: { max_failures: 5, window_seconds: 600 } } },
  });
  const guesses = await Promise.all(Array.from({ length: 4 }, () => d.tcp()));
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) => guesses[i % 4]!.call('auth.login_ex', { mechanism: 'PASSWORD_PLAIN', username: 'admin', password: `guess ${i}` })),
  );
  const checked = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(checked.length, 5, 'only max_failures guesses are checked');
  for (const r of checked) t.same(r.value, { response_type: 'AUTH_ERR' });
  t.equal(refused.length, 7);
  for (const r of refused) t.match(r.reason, { name: 'ClientCallError', errno: 16, errname: 'EBUSY' });
  const audit = await (await d.root()).call<{ event: string; success: boolean }[]>('audit.query', [['event', '=', 'AUTHENTICATION']]);
  t.equal(audit.length, 12, 'every guess is in the audit log');
  t.equal(audit.filter((r) => r.success).length, 0);
});

t.test('a SCRAM login whose key is deleted between the first and the final message fails', async (t) => {
  const d = await startTestDaemon(t);
  const root = await d.root();
  let n = 0;
  const run = async (between: (id: number) => Promise<unknown>) => {
    const created = await root.call<{ id: number; key: string; username: string }>('api_key.create', { name: `scram-${++n}` });
    const c = await d.tcp();
    const sc = scramClient(created.username, created.id, created.key.slice(created.key.indexOf('-') + 1));
    const first = await c.call<{ response_type: string; rfc_str: string }>('auth.login_ex', { mechanism: 'SCRAM', scram_type: 'CLIENT_FIRST_MESSAGE', rfc_str: sc.first });
    t.equal(first.response_type, 'SCRAM_RESPONSE');
    await between(created.id);
    const final = await c.call<{ response_type: string }>('auth.login_ex', { mechanism: 'SCRAM', scram_type: 'CLIENT_FINAL_MESSAGE', rfc_str: sc.final(first.rfc_str).rfc });
    return { final, c };
  };
  const kept = await run(async () => undefined);
  t.equal(kept.final.response_type, 'SCRAM_RESPONSE', 'control: the key still exists, the login succeeds');
  t.equal((await kept.c.call<{ pw_name: string }>('auth.me')).pw_name, 'root');
  const deleted = await run((id) => root.call('api_key.delete', id));
  t.same(deleted.final, { response_type: 'AUTH_ERR' }, 'the key was deleted mid-exchange');
  await t.rejects(deleted.c.call('auth.me'), { name: 'ClientCallError', errno: 207 }, 'the connection is not logged in');
});
