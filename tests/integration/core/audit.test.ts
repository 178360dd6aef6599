/**
 * The audit log over the real daemon: write calls and logins (success and failure) are recorded with
 * who, from where, what (secrets redacted) and the outcome, read calls are not; audit.query filters
 * them like any query; each record is also an `audit` log line without the secrets.
 */
import t from 'tap';
import { runDaemonCommand, startTestDaemon } from '../../helpers/daemon.js';

const PASSWORD = 'audit admin password';

interface AuditRecord {
  username: string | null;
  address: string;
  service: string;
  service_data: { protocol: string; credentials: { credentials: string; credentials_data: { username: string; api_key: { id: number; name: string } | null } } | null };
  event: string;
  event_data: Record<string, unknown>;
  success: boolean;
}

t.test('audit log', async (t) => {
  const hashed = await runDaemonCommand(['hash-password'], { input: `${PASSWORD}\n` });
  const d = await startTestDaemon(t, { config: { auth: { admin: { username: 'admin', password_hash: hashed.stdout.trim() } } } });
  const root = await d.root();
  const created = await root.call<{ id: number; key: string }>('api_key.create', { name: 'audit-ci' });
  await root.call('api_key.query'); // a read: not audited

  const anon = await d.tcp();
  t.equal(await anon.call('auth.login', 'admin', 'wrong password'), false);
  t.same(await anon.call('auth.login_ex', { mechanism: 'API_KEY_PLAIN', username: 'root', api_key: `${created.id}-wrong` }), { response_type: 'AUTH_ERR' });
  const keyed = await d.tcp();
  t.equal(await keyed.call('auth.login_with_api_key', created.key), true);
  await t.rejects(keyed.call('vmware.create', { hostname: 'http://bad', username: 'u', password: 'hunter2-secret', filesystem: 'nope/nope' }), { name: 'ClientValidationError' });
  await t.rejects(anon.call('api_key.create', { name: 'x' }), { name: 'ClientCallError', errno: 207 }, 'refused before login');

  const all = await root.call<AuditRecord[]>('audit.query');
  const calls = all.filter((r) => r.event === 'METHOD_CALL');
  const logins = all.filter((r) => r.event === 'AUTHENTICATION');

  t.test('write calls: who, from where, what, outcome', async (t) => {
    t.same(calls.map((r) => r.event_data.method), ['api_key.create', 'vmware.create', 'api_key.create'], 'writes only, in order (no api_key.query, no audit.query)');
    t.match(calls[0], { username: 'root', address: 'unix', service: 'MIDDLEWARE', service_data: { protocol: 'UNIX', credentials: { credentials: 'UNIX_SOCKET' } }, success: true, event_data: { params: [{ name: 'audit-ci' }], error: null } });
    t.match(calls[1], {
      username: 'root',
      address: '127.0.0.1',
      service_data: { protocol: 'WEBSOCKET', credentials: { credentials: 'API_KEY', credentials_data: { username: 'root', api_key: { id: created.id, name: 'audit-ci' } } } },
      success: false,
      event_data: { params: [{ password: '********', hostname: 'http://bad' }], error: { errname: 'EINVAL' }, authenticated: true, authorized: true },
    });
    t.match(calls[2], { username: null, success: false, event_data: { authenticated: false, authorized: false, error: { errname: 'ENOTAUTHENTICATED' } } });
  });

  t.test('logins: failures with the claimed user, success with the key', async (t) => {
    t.same(
      logins.map((r) => [r.event_data.method, r.username, r.success]),
      [
        ['auth.login', 'admin', false],
        ['auth.login_ex', 'root', false],
        ['auth.login_with_api_key', 'root', true],
      ],
    );
    t.match(logins[1], { event_data: { credentials: { credentials: 'API_KEY_PLAIN' }, error: { errname: 'EACCES' } } });
    t.match(logins[2], { event_data: { credentials: { credentials_data: { api_key: { id: created.id, name: 'audit-ci' } } }, error: null } });
  });

  t.test('no secret anywhere: records, log lines', async (t) => {
    const text = JSON.stringify(all) + d.output();
    for (const secret of ['hunter2-secret', 'wrong password', created.key.split('-')[1]!, `${created.id}-wrong`]) t.notOk(text.includes(secret), `${secret.slice(0, 6)}… not stored or logged`);
    t.equal(d.output().split('\n').filter((l) => l.includes('"msg":"audit"')).length, all.length, 'one audit log line per record');
  });

  t.test('audit.query filters and selects like any query, also through midclt', async (t) => {
    const r = await d.midclt(['call', 'audit.query', '[["event", "=", "AUTHENTICATION"], ["success", "=", false]]', '{"select": ["id", "username", "address"], "order_by": ["-id"]}']);
    t.equal(r.code, 0, r.stderr);
    t.same((JSON.parse(r.stdout) as { username: string; address: string }[]).map((x) => [x.username, x.address]), [
      ['root', '127.0.0.1'],
      ['admin', '127.0.0.1'],
    ], 'newest first');
  });
});

t.test('a flood of anonymous calls never evicts the records of logged-in callers', async (t) => {
  const maxAnonymous = 10;
  const d = await startTestDaemon(t, { config: { audit: { max_entries: 100, max_anonymous_entries: maxAnonymous } } });
  const root = await d.root();
  const admin = await root.call<{ id: number; key: string }>('api_key.create', { name: 'before-the-flood' });
  const keyed = await d.tcp({ apiKey: admin.key });
  await t.rejects(keyed.call('vmware.delete', 424242), { name: 'ClientValidationError' }, 'a logged-in write (it fails: no such entry)');
  const anon = await d.tcp();
  // More than both budgets together; sequential so each is recorded before the next.
  for (let i = 0; i < 150; i++) await t.rejects(anon.call('vmware.delete', i), { name: 'ClientCallError', errno: 207 });
  await root.call('api_key.create', { name: 'after-the-flood' });

  const all = await root.call<AuditRecord[]>('audit.query');
  const known = all.filter((r) => r.service_data.credentials !== null);
  const anonymous = all.filter((r) => r.service_data.credentials === null);
  t.same(
    known.map((r) => [r.event, r.event_data.method, r.username]),
    [
      ['METHOD_CALL', 'api_key.create', 'root'],
      ['AUTHENTICATION', 'auth.login_with_api_key', 'root'],
      ['METHOD_CALL', 'vmware.delete', 'root'],
      ['METHOD_CALL', 'api_key.create', 'root'],
    ],
    'every record of a caller with credentials survives, in order',
  );
  t.equal(anonymous.length, maxAnonymous, 'the anonymous records keep their own budget');
  t.same(anonymous.map((r) => (r.event_data.params as number[])[0]), Array.from({ length: maxAnonymous }, (_, i) => 140 + i), 'the newest anonymous ones');
});
