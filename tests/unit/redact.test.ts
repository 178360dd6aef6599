import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../daemon/log.js';
import { REDACTED, isSecretField, redactSecrets, redactUrls } from '../../daemon/redact.js';

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

t.test('redactUrls: userinfo and query values of every URL in a text', async (t) => {
  t.equal(
    redactUrls('TypeError: Request cannot be constructed from a URL that includes credentials: https://user:tok3n@hooks.example.com/a/b?x=1'),
    'TypeError: Request cannot be constructed from a URL that includes credentials: https://********@hooks.example.com/a/b?x=********',
  );
  t.equal(redactUrls('POST http://h:1/p?token=abc&sig=def#frag failed; retry https://a@b/'), 'POST http://h:1/p?token=********&sig=********#frag failed; retry https://********@b/');
  t.equal(redactUrls('"https://u:p@h:8/x/y@z?flag"'), '"https://********@h:8/x/y@z?flag"', 'an @ in the path is not userinfo; a bare flag has no value');
  t.equal(redactUrls('no url here a=b&c=d, host 10.0.0.1:443'), 'no url here a=b&c=d, host 10.0.0.1:443', 'text without URLs is left alone');
});
