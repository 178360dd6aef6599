import { createHash } from 'node:crypto';
import t from 'tap';
import { ApiKeyStore, type ApiKeyRow } from '../../../daemon/auth/api-keys.js';
import { hashPassword, isPasswordHash, verifyPassword } from '../../../daemon/auth/password.js';
import { LoginRateLimiter } from '../../../daemon/auth/rate-limit.js';
import type { Collection } from '../../../daemon/plugin.js';

/** An in-memory Collection (unit tests only; integration tests use the real datastore). */
function memoryCollection<T extends { id: number }>(): Collection<T> {
  const rows = new Map<number, T>();
  let next = 1;
  return {
    all: () => [...rows.values()].map((r) => ({ ...r })),
    get: (id) => (rows.has(id) ? { ...rows.get(id)! } : undefined),
    insert: async (data) => {
      const row = { ...data, id: next++ } as T;
      rows.set(row.id, row);
      return { ...row };
    },
    update: async (id, patch) => {
      const row = { ...rows.get(id)!, ...patch };
      rows.set(id, row);
      return row;
    },
    delete: async (id) => rows.delete(id),
  };
}

t.test('scrypt password hashes', async (t) => {
  const hash = await hashPassword('s3cret');
  t.ok(isPasswordHash(hash));
  t.equal(await verifyPassword('s3cret', hash), true);
  t.equal(await verifyPassword('s3cret ', hash), false);
  t.not(await hashPassword('s3cret'), hash, 'salted');
  t.equal(await verifyPassword('x', 'plain-text'), false, 'a malformed hash never matches');
  t.equal(await verifyPassword('x', 'scrypt$3$8$1$AAAA$AAAA'), false, 'N must be a power of two');
});

t.test('API keys: shown once, stored as a hash, checked in constant time', async (t) => {
  const rows = memoryCollection<ApiKeyRow>();
  const keys = new ApiKeyStore(rows, 50_000);
  const { row, key } = await keys.create('ci', 'root');
  t.match(key, /^1-[A-Za-z0-9]{64}$/, "TrueNAS's format: <id>-<64 alphanumerics>");
  t.notMatch(JSON.stringify(rows.all()), key.split('-')[1]!, 'the secret is not stored');
  t.equal(keys.verify(key)?.id, row.id);
  for (const bad of ['1-wrong', `2-${key.slice(2)}`, 'nonsense', '', `${key}x`]) t.equal(keys.verify(bad), null, bad);
  t.equal(await keys.delete(row.id), true);
  t.equal(keys.verify(key), null);
});

t.test('keys issued before the alphanumeric format (base64url secret, no verifier) keep working for plain logins', async (t) => {
  const rows = memoryCollection<ApiKeyRow>();
  const keys = new ApiKeyStore(rows, 50_000);
  const secret = 'q-Z_3xYk9-Aa_bb-cc_dd-ee_ff-gg_hh-ii_jj-kk_'; // what randomBytes(32).toString('base64url') gave
  const old = await rows.insert({ name: 'old', username: 'root', key_hash: createHash('sha256').update(secret).digest('hex'), created_at: 0 });
  t.equal(keys.verify(`${old.id}-${secret}`)?.id, old.id);
  t.equal(keys.scramVerifier(old.id, 'root'), null, 'no SCRAM without a verifier');
});

t.test('failed-login rate limit per address, sliding window', async (t) => {
  let now = 0;
  const l = new LoginRateLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
  l.fail('10.0.0.1');
  l.check('10.0.0.1');
  l.fail('10.0.0.1');
  t.throws(() => l.check('10.0.0.1'), { errno: 16, message: 'Rate Limit Exceeded' });
  l.check('10.0.0.2');
  now = 1001;
  t.doesNotThrow(() => l.check('10.0.0.1'), 'failures expire');
  l.fail('10.0.0.1');
  l.succeed('10.0.0.1');
  l.fail('10.0.0.1');
  t.doesNotThrow(() => l.check('10.0.0.1'), 'a success resets the count');
  for (let i = 0; i < 5; i++) l.fail('unix');
  t.doesNotThrow(() => l.check('unix'), 'the local socket is never limited');
});
