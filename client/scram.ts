/**
 * SCRAM-SHA-512 (RFC 5802, RFC 7677's rules with SHA-512) as TrueNAS 26 frames it for API keys: the
 * primitives both ends share (the daemon's verifier and checks in daemon/auth/scram.ts import them,
 * as the daemon shares client/wire.ts) and the client's half of the exchange. TrueNAS's framing: user
 * name `<username>:<api key id>`, raw-byte nonces (32 from each side; the server sends base64 of the
 * 64), `tls-server-end-point` channel binding (RFC 5929). Reference: truenas_api_client's py_scram.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** SHA-512 digest size, bytes: every key, proof and signature. */
export const DIGEST_BYTES = 64;
/** Nonce size of each side, bytes (TrueNAS's SCRAM_NONCE_SIZE). */
export const NONCE_BYTES = 32;
/** The channel-binding type TrueNAS uses (RFC 5929 §4). */
export const CB_TLS_SERVER_END_POINT = 'tls-server-end-point';

/** HMAC-SHA-512. */
export const hmac = (key: Buffer, text: string | Buffer): Buffer => createHmac('sha512', key).update(text).digest();
/** SHA-512. */
export const sha512 = (data: Buffer): Buffer => createHash('sha512').update(data).digest();

/** Byte-wise XOR of two equal-length buffers. */
export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** ClientKey and ServerKey of `secret` (RFC 5802 §3), PBKDF2 on libuv's thread pool (off the event loop). */
export async function saltedKeys(secret: string, salt: Buffer, iterations: number): Promise<{ clientKey: Buffer; serverKey: Buffer }> {
  const salted = await pbkdf2Async(Buffer.from(secret, 'utf8'), salt, iterations, DIGEST_BYTES, 'sha512');
  return { clientKey: hmac(salted, 'Client Key'), serverKey: hmac(salted, 'Server Key') };
}

/** Constant-time equality of two buffers (false for different lengths). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One `auth.login_ex` SCRAM round trip: sends `rfc_str` of `scram_type`, returns the reply. */
export type ScramSend = (scramType: 'CLIENT_FIRST_MESSAGE' | 'CLIENT_FINAL_MESSAGE', rfc: string) => Promise<{ response_type: string; rfc_str?: string }>;

/**
 * The client's exchange: logs in with key `<id>-<secret>` as `username`. `channelBinding` is the
 * server certificate's tls-server-end-point data over wss:// (SCRAM-PLUS), null otherwise. Resolves
 * true when the server accepted the proof and proved it holds the verifier; false on AUTH_ERR.
 * Throws Error when the server's messages are malformed or its signature is wrong (a server that
 * does not know the key).
 */
export async function scramLogin(send: ScramSend, username: string, key: string, channelBinding: Buffer | null): Promise<boolean> {
  const sep = key.indexOf('-');
  const gs2 = channelBinding ? `p=${CB_TLS_SERVER_END_POINT},,` : 'n,,';
  const bare = `n=${username}:${key.slice(0, sep)},r=${randomBytes(NONCE_BYTES).toString('base64')}`;
  const first = await send('CLIENT_FIRST_MESSAGE', `${gs2}${bare}`);
  if (first.response_type !== 'SCRAM_RESPONSE') return false;
  const attrs = new Map((first.rfc_str ?? '').split(',').map((p) => [p.slice(0, 1), p.slice(2)] as const));
  const [nonce, salt, iterations] = [attrs.get('r'), attrs.get('s'), Number(attrs.get('i'))];
  if (!nonce || !salt || !Number.isInteger(iterations) || iterations < 1) throw new Error('SCRAM: malformed server-first-message');
  const { clientKey, serverKey } = await saltedKeys(key.slice(sep + 1), Buffer.from(salt, 'base64'), iterations);
  const withoutProof = `c=${Buffer.concat([Buffer.from(gs2), channelBinding ?? Buffer.alloc(0)]).toString('base64')},r=${nonce}`;
  const authMessage = `${bare},${first.rfc_str},${withoutProof}`;
  const proof = xor(clientKey, hmac(sha512(clientKey), authMessage));
  const final = await send('CLIENT_FINAL_MESSAGE', `${withoutProof},p=${proof.toString('base64')}`);
  if (final.response_type !== 'SCRAM_RESPONSE') return false;
  const signature = Buffer.from((final.rfc_str ?? '').replace(/^v=/, ''), 'base64');
  if (!sameBytes(signature, hmac(serverKey, authMessage))) throw new Error('SCRAM: the server could not prove it knows the key');
  return true;
}
