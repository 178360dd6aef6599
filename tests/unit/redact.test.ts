import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../daemon/log.js';
import { REDACTED, isSecretField, redactSecrets } from '../../daemon/redact.js';

t.test('secret field names, at any depth', async (t) => {
  for (const n of ['password', 'Password', 'api_key', 'api-key', 'vcenter_password', 'token', 'Authorization', 'cookie', 'key', 'secret', 'private_key']) t.ok(isSecretField(n), n);
  for (const n of ['keyboard', 'monkey', 'username', 'hostname', 'keys', 'tokens_left']) t.notOk(isSecretField(n), n);
  const input = { a: { b: [{ password: 'p', ok: 1 }, { c: { api_key: 'k' } }] }, token: '', when: new Date(0) };
  const out = redactSecrets(input) as typeof input;
  t.same(out, { a: { b: [{ password: REDACTED, ok: 1 }, { c: { api_key: REDACTED } }] }, token: '', when: new Date(0) });
  t.equal(input.a.b[0]!.password, 'p', 'the input is not modified');
  const cyclic: Record<string, unknown> = { password: 'x' };
  cyclic.self = cyclic;
  t.same(redactSecrets(cyclic), { password: REDACTED, self: '[…]' });
});

t.test('the logger redacts records and child bindings', async (t) => {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) });
  const log = createLogger('info', sink);
  log.child({ password: 'bound-secret' }).info({ request: { headers: { authorization: 'Bearer abc' }, body: { vmware: { password: 'hunter2' } } } }, 'login');
  t.notMatch(text, /hunter2|Bearer abc|bound-secret/);
  t.match(text, /"password":"\*\*\*\*\*\*\*\*"/);
});
