/**
 * Admin password hashing with scrypt (node:crypto). Hash format, self-describing so parameters can
 * grow later: `scrypt$<N>$<r>$<p>$<salt base64>$<key base64>` (64-byte key, 16-byte salt).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_BYTES = 64;
/** N=2^15, r=8, p=1: ~50 ms and 32 MiB per hash on a small NAS CPU (OWASP's scrypt floor is N=2^17 at p=1 for 128 MiB; we stay lighter because logins are rate limited). */
const DEFAULT = { N: 2 ** 15, r: 8, p: 1 } as const;

function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a password for `auth.admin.password_hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULT);
  return ['scrypt', DEFAULT.N, DEFAULT.r, DEFAULT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `hash` is in the format {@link hashPassword} writes (used to validate the config). */
export function isPasswordHash(hash: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(hash);
}

/** Checks `password` against `hash` in constant time. False for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isPasswordHash(hash)) return false;
  const [, n, r, p, salt, key] = hash.split('$') as [string, string, string, string, string, string];
  const expected = Buffer.from(key, 'base64');
  const N = Number(n);
  if (N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0) return false;
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N, r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
