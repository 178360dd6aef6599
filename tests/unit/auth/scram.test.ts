/**
 * SCRAM-SHA-512 logins (daemon/auth/scram.ts, plugins/auth/scram-login.ts) against an RFC 5802 client
 * written from the RFC with node:crypto (tests/helpers/scram-client.ts; the integration tests also
 * use TrueNAS's own client).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { LoginRateLimiter } from '../../../daemon/auth/rate-limit.js';
import { deriveVerifier, parseClientFirst, type ScramVerifier } from '../../../daemon/auth/scram.js';
import type { ApiKeyStore } from '../../../daemon/auth/api-keys.js';
import type { CallSession } from '../../../daemon/registry/method.js';
import { ScramLogins, SCRAM_STEP_TIMEOUT_MS } from '../../../plugins/auth/scram-login.js';
import { scramClient } from '../../helpers/scram-client.js';

const ITERATIONS = 50_000;
const SECRET = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01';
const client = (username: string, keyId: number, gs2 = 'n,,') => scramClient(username, keyId, SECRET, gs2);

function session(address: string, channelBinding: Buffer | null = null): CallSession {
  return { id: address, transport: 'tcp', remoteAddress: address, channelBinding, credentials: null, options: { legacy_jobs: true, private_methods: false }, setCredentials: () => undefined, subscribe: () => '', unsubscribe: () => false };
}

t.test('SCRAM-SHA-512', async (t) => {
  const verifier: ScramVerifier = await deriveVerifier(SECRET, ITERATIONS);
  t.notMatch(JSON.stringify(verifier), SECRET, 'the verifier does not hold the secret');
  t.equal(Buffer.from(verifier.salt, 'base64').length, 16);
  const keys = { scramVerifier: (id: number, user: string) => (id === 7 && user === 'root' ? verifier : null) } as unknown as ApiKeyStore;
  let now = 0;
  const limiter = new LoginRateLimiter({ maxFailures: 100, windowMs: 60_000 });
  const scram = new ScramLogins(keys, limiter, () => now);

  t.test('a full exchange logs in and proves the server knows the verifier', async (t) => {
    const s = session('10.0.0.1');
    const c = client('root', 7);
    const first = scram.first(s, c.first);
    t.equal(first.type, 'SERVER_FIRST_RESPONSE');
    if (first.type !== 'SERVER_FIRST_RESPONSE') return;
    t.match(first.rfc_str, new RegExp(`^r=[A-Za-z0-9+/=]{88},s=${verifier.salt.replace(/[+/]/g, '\\$&')},i=${ITERATIONS}$`), '64-byte combined nonce, salt, iterations');
    const f = c.final(first.rfc_str);
    const final = scram.final(s, f.rfc);
    t.same(final, { type: 'SERVER_FINAL_RESPONSE', rfc_str: f.serverSignature, keyId: 7, username: 'root' });
    t.same(scram.final(s, f.rfc), { type: 'AUTH_ERR' }, 'the same final message replayed fails: the exchange is used once');
  });

  t.test('SCRAM-PLUS: tls-server-end-point binds to the connection', async (t) => {
    const cb = randomBytes(32);
    const tls = session('10.0.0.2', cb);
    const c = client('root', 7, 'p=tls-server-end-point,,');
    const first = scram.first(tls, c.first);
    if (first.type !== 'SERVER_FIRST_RESPONSE') return t.fail('first refused');
    t.equal(scram.final(tls, c.final(first.rfc_str, SECRET, cb).rfc).type, 'SERVER_FINAL_RESPONSE');
    const c2 = client('root', 7, 'p=tls-server-end-point,,');
    const first2 = scram.first(tls, c2.first);
    if (first2.type !== 'SERVER_FIRST_RESPONSE') return t.fail('first refused');
    t.equal(scram.final(tls, c2.final(first2.rfc_str, SECRET, randomBytes(32)).rfc).type, 'AUTH_ERR', 'another certificate (a man in the middle) fails');
  });

  t.test('bad input answers AUTH_ERR', async (t) => {
    const s = session('10.0.0.3');
    const start = (c = client('root', 7)) => {
      const first = scram.first(s, c.first);
      if (first.type !== 'SERVER_FIRST_RESPONSE') throw new Error('first refused');
      return { c, first: first.rfc_str };
    };
    const { c, first } = start();
    t.same(scram.final(s, c.final(first, SECRET.replace('A', 'B')).rfc), { type: 'AUTH_ERR' }, 'wrong proof (wrong key)');
    t.same(scram.final(session('10.0.0.4'), 'c=biws,r=AAAA,p=AAAA'), { type: 'AUTH_ERR' }, 'a final message without a first');
    const a = start();
    const b = client('root', 7);
    t.same(scram.final(s, b.final(a.first).rfc), { type: 'AUTH_ERR' }, 'a final message for another exchange (reordered)');
    const old = start();
    start();
    t.same(scram.final(s, old.c.final(old.first).rfc), { type: 'AUTH_ERR' }, 'a new first message replaces the exchange under way');
    const late = start();
    now += SCRAM_STEP_TIMEOUT_MS + 1;
    t.same(scram.final(s, late.c.final(late.first).rfc), { type: 'AUTH_ERR' }, 'a final message after the step timeout');
    for (const [label, rfc] of [
      ['unknown key id', client('root', 8).first],
      ['key of another user', client('admin', 7).first],
      ['no key id', 'n,,n=root,r=' + randomBytes(32).toString('base64')],
      ['short nonce', 'n,,n=root:7,r=AAAA'],
      ['nonce not base64', 'n,,n=root:7,r=' + '!'.repeat(44)],
      ['no gs2 header', 'n=root:7,r=' + randomBytes(32).toString('base64')],
      ['authorization identity', 'n,a=admin,n=root:7,r=' + randomBytes(32).toString('base64')],
      ['extra attribute', 'n,,n=root:7,r=' + randomBytes(32).toString('base64') + ',x=1'],
      ['empty', ''],
      ['channel binding asked over plain ws://', client('root', 7, 'p=tls-server-end-point,,').first],
      ['an unknown channel binding type', client('root', 7, 'p=tls-unique,,').first],
    ] as const) {
      t.same(scram.first(s, rfc), { type: 'AUTH_ERR' }, label);
    }
    for (const bad of ['', 'c=biws', 'c=biws,r=x,p=!!!!', `c=biws,r=x,p=${randomBytes(32).toString('base64')}`, 'p=x,r=y,c=z']) {
      start();
      t.same(scram.final(s, bad), { type: 'AUTH_ERR' }, `malformed final ${JSON.stringify(bad)}`);
    }
    const y = client('root', 7, 'y,,');
    t.same(scram.first(session('10.0.0.5', randomBytes(32)), y.first), { type: 'AUTH_ERR' }, "'y' over TLS: a downgrade");
    t.equal(scram.first(session('10.0.0.5'), y.first).type, 'SERVER_FIRST_RESPONSE', "'y' without TLS is fine");
  });

  t.test('failures count for the rate limit; a limited address is refused before any work', async (t) => {
    const strict = new ScramLogins(keys, new LoginRateLimiter({ maxFailures: 2, windowMs: 60_000 }));
    const s = session('10.0.0.9');
    t.equal(strict.first(s, 'junk').type, 'AUTH_ERR');
    t.equal(strict.first(s, client('root', 99).first).type, 'AUTH_ERR');
    t.throws(() => strict.first(s, client('root', 7).first), { errno: 16, message: 'Rate Limit Exceeded' });
    t.throws(() => strict.final(s, 'c=biws'), { errno: 16, message: 'Rate Limit Exceeded' });
  });

  t.test('a key deleted or replaced between the first and the final message does not log in', async (t) => {
    let current: ScramVerifier | null = verifier;
    const store = { scramVerifier: (id: number, user: string) => (id === 7 && user === 'root' ? current : null) } as unknown as ApiKeyStore;
    const mid = new ScramLogins(store, new LoginRateLimiter({ maxFailures: 100, windowMs: 60_000 }));
    const s = session('10.0.0.10');
    const run = (between: () => void) => {
      current = verifier;
      const c = client('root', 7);
      const first = mid.first(s, c.first);
      if (first.type !== 'SERVER_FIRST_RESPONSE') throw new Error('first refused');
      between();
      return mid.final(s, c.final(first.rfc_str).rfc);
    };
    t.equal(run(() => undefined).type, 'SERVER_FINAL_RESPONSE', 'control: the key still exists');
    t.same(run(() => (current = null)), { type: 'AUTH_ERR' }, 'deleted mid-exchange');
    const other = await deriveVerifier(SECRET, ITERATIONS);
    t.same(run(() => (current = other)), { type: 'AUTH_ERR' }, 'id reused by a new verifier mid-exchange');
  });

  t.test('parseClientFirst keeps the gs2 header and bare message apart', async (t) => {
    const nonce = randomBytes(32).toString('base64');
    t.match(parseClientFirst(`p=tls-server-end-point,,n=root:12,r=${nonce}`), {
      gs2Header: 'p=tls-server-end-point,,',
      cbind: { flag: 'p', name: 'tls-server-end-point' },
      bare: `n=root:12,r=${nonce}`,
      username: 'root',
      keyId: 12,
    });
  });
});
