/**
 * The daemon logger redacts secrets wherever a plugin may put them: inside logged errors (own
 * fields and `cause`), in child-logger bindings at any depth (pino would pass those through), and
 * under camelCase names; non-secret neighbours such as `tls.ca` and the error's message and stack stay.
 */
import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../daemon/log.js';
import { isSecretField } from '../../daemon/redact.js';

const SECRET = 'Hunter2-secret-9d1c';

function capture(): { log: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) });
  return { log: createLogger('trace', sink), text: () => text, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

t.test('errors carrying secrets', async (t) => {
  const { log, text, lines } = capture();
  const withEntry = Object.assign(new Error('login failed'), { entry: { hostname: 'vc1', password: SECRET, tls: { ca: 'PEM' } } });
  log.error({ err: withEntry }, 'a');
  log.error({ err: new Error('wrapped', { cause: { request: { body: { password: SECRET } } } }) }, 'b');
  log.error({ err: Object.assign(new Error('deep'), { a: { b: { c: { d: { apiKey: SECRET } } } } }) }, 'c');
  t.notMatch(text(), SECRET);
  const [a] = lines();
  t.match(a, { err: { type: 'Error', message: 'login failed', stack: /^Error: login failed/, entry: { hostname: 'vc1', password: '********', tls: { ca: 'PEM' } } } });
});

t.test('child bindings at any depth, grandchildren included', async (t) => {
  const { log, text, lines } = capture();
  const child = log.child({ component: 'vmware', entry: { session: { cookie: SECRET } } });
  child.child({ run: { targets: [{ vc: { password: SECRET } }] } }).info({ ok: 1 }, 'grandchild');
  child.info('child');
  t.notMatch(text(), SECRET);
  t.match(lines()[0], { component: 'vmware', entry: { session: { cookie: '********' } }, run: { targets: [{ vc: { password: '********' } }] }, ok: 1 });
});

t.test('secret field names', async (t) => {
  for (const n of ['vcenterPassword', 'apiKey', 'privateKey', 'pass', 'pwd', 'X-Api-Key', 'sessionToken']) t.ok(isSecretField(n), n);
  for (const n of ['bypass', 'hostname', 'keyboard', 'passthrough', 'ca', 'thumbprint']) t.notOk(isSecretField(n), n);
});
