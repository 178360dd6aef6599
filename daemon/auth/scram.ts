/**
 * SCRAM-SHA-512 server side (RFC 5802, with RFC 7677's rules applied to SHA-512), as TrueNAS 26
 * frames it for API keys: the user name is `<username>:<api key id>`, nonces are raw bytes (a 32-byte
 * client nonce; the server appends 32 bytes of its own and sends the base64 of the 64) and channel
 * binding is `tls-server-end-point` (RFC 5929). Reference for the framing: truenas_api_client's
 * `py_scram` package (client_first.py, server_first.py, client_final.py).
 *
 * The primitives are node:crypto's, shared with the client (client/scram.ts; PBKDF2 on libuv's thread
 * pool, off the event loop); only the message grammar is ours. Nothing here logs, and no error text carries a key, a proof or a nonce.
 */
import { randomBytes } from 'node:crypto';
import { CB_TLS_SERVER_END_POINT, DIGEST_BYTES, NONCE_BYTES, hmac, saltedKeys, sameBytes, sha512, xor } from '../../client/scram.js';

export { CB_TLS_SERVER_END_POINT };

/** Salt size, bytes. */
export const SALT_BYTES = 16;
/** Iteration bounds TrueNAS's clients accept (SCRAM_MIN_ITERS / SCRAM_MAX_ITERS): fewer or more are refused by them. */
export const MIN_ITERATIONS = 50_000;
export const MAX_ITERATIONS = 5_000_000;

/** What the server stores per secret (RFC 5802 §3): never the secret itself. Bytes as base64. */
export interface ScramVerifier {
  readonly salt: string;
  readonly iterations: number;
  /** H(ClientKey), base64. */
  readonly stored_key: string;
  /** HMAC(SaltedPassword, "Server Key"), base64. */
  readonly server_key: string;
}

/**
 * Derives the verifier of `secret` with a fresh salt: PBKDF2-HMAC-SHA512 over `iterations` rounds
 * (async, on the thread pool; ~1 s per 1,000,000 rounds on one core).
 */
export async function deriveVerifier(secret: string, iterations: number): Promise<ScramVerifier> {
  const salt = randomBytes(SALT_BYTES);
  const { clientKey, serverKey } = await saltedKeys(secret, salt, iterations);
  return { salt: salt.toString('base64'), iterations, stored_key: sha512(clientKey).toString('base64'), server_key: serverKey.toString('base64') };
}

/** The gs2 header's channel-binding flag (RFC 5802 §7 gs2-cbind-flag). */
export type CbindFlag = { readonly flag: 'n' } | { readonly flag: 'y' } | { readonly flag: 'p'; readonly name: string };

/** A parsed client-first-message. */
export interface ClientFirst {
  /** `n,,` / `y,,` / `p=<name>,,`: part of the `c=` value the client must send back. */
  readonly gs2Header: string;
  readonly cbind: CbindFlag;
  /** client-first-message-bare (part of the AuthMessage). */
  readonly bare: string;
  /** The user name before `:`. */
  readonly username: string;
  /** The API key id after `:` (TrueNAS's extension). */
  readonly keyId: number;
  readonly nonce: Buffer;
}

/** Thrown for a message that does not follow the grammar; the text names the part, never a value. */
export class ScramSyntaxError extends Error {
  override readonly name = 'ScramSyntaxError';
}

/** Strict base64 (RFC 4648 alphabet, padded) → bytes; throws ScramSyntaxError naming `what`. */
function base64(value: string, what: string): Buffer {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) {
    throw new ScramSyntaxError(`${what} is not base64`);
  }
  return Buffer.from(value, 'base64');
}

/** `k=v,k=v` attributes in order; throws on an empty or `=`-less part. */
function attributes(text: string, what: string): [string, string][] {
  return text.split(',').map((part) => {
    const m = /^([A-Za-z])=(.+)$/s.exec(part);
    if (!m) throw new ScramSyntaxError(`${what}: malformed attribute`);
    return [m[1]!, m[2]!];
  });
}

/**
 * Parses a client-first-message `gs2-header client-first-message-bare`:
 * `n,,n=<user>:<key id>,r=<base64 32-byte nonce>` (`p=tls-server-end-point,,…` with channel binding).
 * Throws ScramSyntaxError.
 */
export function parseClientFirst(rfc: string): ClientFirst {
  const m = /^(n|y|p=([A-Za-z0-9.-]+)),(a=[^,]*)?,(.*)$/s.exec(rfc);
  if (!m) throw new ScramSyntaxError('client-first-message: malformed gs2 header');
  if (m[3]) throw new ScramSyntaxError('client-first-message: authorization identity (a=) is not supported');
  const cbind: CbindFlag = m[1] === 'n' ? { flag: 'n' } : m[1] === 'y' ? { flag: 'y' } : { flag: 'p', name: m[2]! };
  const bare = m[4]!;
  const attrs = attributes(bare, 'client-first-message');
  if (attrs.length !== 2 || attrs[0]![0] !== 'n' || attrs[1]![0] !== 'r') {
    throw new ScramSyntaxError('client-first-message: expected n=<user>:<key id>,r=<nonce>');
  }
  const user = /^([^:,=]+):(\d{1,15})$/.exec(attrs[0]![1]);
  if (!user) throw new ScramSyntaxError('client-first-message: user name must be <username>:<api key id>');
  const nonce = base64(attrs[1]![1], 'client nonce');
  if (nonce.length !== NONCE_BYTES) throw new ScramSyntaxError(`client nonce must be ${NONCE_BYTES} bytes`);
  return { gs2Header: rfc.slice(0, rfc.length - bare.length), cbind, bare, username: user[1]!, keyId: Number(user[2]), nonce };
}

/** The server's half of one exchange, kept between the two messages. */
export interface ServerFirst {
  /** server-first-message `r=<base64 client+server nonce>,s=<salt>,i=<iterations>`. */
  readonly rfc: string;
  /** base64 of the combined nonce, as the client-final-message must repeat it. */
  readonly nonce: string;
}

/** Builds the server-first-message for `client` with the verifier's salt and iteration count. */
export function serverFirst(client: ClientFirst, verifier: ScramVerifier): ServerFirst {
  const nonce = Buffer.concat([client.nonce, randomBytes(NONCE_BYTES)]).toString('base64');
  return { rfc: `r=${nonce},s=${verifier.salt},i=${verifier.iterations}`, nonce };
}

/**
 * Checks a client-final-message `c=<base64 gs2 header + cb data>,r=<nonce>,p=<proof>` against the
 * exchange so far. `channelBinding` is the connection's tls-server-end-point data (null without TLS).
 * Returns the server-final-message `v=<signature>` on success, null when the proof, the nonce or the
 * channel binding is wrong. Throws ScramSyntaxError for a malformed message.
 */
export function verifyClientFinal(
  rfc: string,
  first: ClientFirst,
  server: ServerFirst,
  verifier: ScramVerifier,
  channelBinding: Buffer | null,
): string | null {
  const attrs = attributes(rfc, 'client-final-message');
  if (attrs.length !== 3 || attrs[0]![0] !== 'c' || attrs[1]![0] !== 'r' || attrs[2]![0] !== 'p') {
    throw new ScramSyntaxError('client-final-message: expected c=<binding>,r=<nonce>,p=<proof>');
  }
  const cb = base64(attrs[0]![1], 'channel binding');
  const proof = base64(attrs[2]![1], 'client proof');
  if (proof.length !== DIGEST_BYTES) throw new ScramSyntaxError(`client proof must be ${DIGEST_BYTES} bytes`);
  if (attrs[1]![1] !== server.nonce) return null;
  const expectedCb = Buffer.concat([Buffer.from(first.gs2Header, 'utf8'), first.cbind.flag === 'p' ? (channelBinding ?? Buffer.alloc(0)) : Buffer.alloc(0)]);
  if (!sameBytes(cb, expectedCb)) return null;
  const withoutProof = rfc.slice(0, rfc.lastIndexOf(',p='));
  const authMessage = `${first.bare},${server.rfc},${withoutProof}`;
  const storedKey = Buffer.from(verifier.stored_key, 'base64');
  const clientKey = xor(proof, hmac(storedKey, authMessage));
  if (!sameBytes(sha512(clientKey), storedKey)) return null;
  return `v=${hmac(Buffer.from(verifier.server_key, 'base64'), authMessage).toString('base64')}`;
}
