/**
 * The client side of SCRAM-SHA-512 (RFC 5802 §3, RFC 7677) with TrueNAS 26's framing (user name
 * `<user>:<key id>`), written from the RFC with node:crypto so tests can drive each step by hand
 * and see what only the client knows (proof, ClientKey, SaltedPassword).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

const hmac = (key: Buffer, text: string) => createHmac('sha512', key).update(text).digest();

/** One step of the exchange as the client computes it. */
export interface ScramClientFinal {
  /** The client-final-message (`c=…,r=…,p=…`). */
  readonly rfc: string;
  /** What a correct server answers (`v=<ServerSignature>`). */
  readonly serverSignature: string;
  /** ClientProof, ClientKey and SaltedPassword, base64: secrets of the client. */
  readonly proof: string;
  readonly clientKey: string;
  readonly salted: string;
}

/**
 * A client for key `keyId` of `username` with the key's secret part `secret`. `gs2` is the GS2
 * header (`n,,` no channel binding, `p=tls-server-end-point,,` SCRAM-PLUS, `y,,`).
 */
export function scramClient(username: string, keyId: number, secret: string, gs2 = 'n,,') {
  const bare = `n=${username}:${keyId},r=${randomBytes(32).toString('base64')}`;
  return {
    /** The client-first-message. */
    first: `${gs2}${bare}`,
    /** The client-final-message for `serverFirst`; `cbData` is the channel binding data of SCRAM-PLUS. */
    final(serverFirst: string, key = secret, cbData = Buffer.alloc(0)): ScramClientFinal {
      const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      const salted = pbkdf2Sync(key, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 64, 'sha512');
      const clientKey = hmac(salted, 'Client Key');
      const withoutProof = `c=${Buffer.concat([Buffer.from(gs2), cbData]).toString('base64')},r=${attrs.r}`;
      const auth = `${bare},${serverFirst},${withoutProof}`;
      const signature = hmac(createHash('sha512').update(clientKey).digest(), auth);
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!)).toString('base64');
      return {
        rfc: `${withoutProof},p=${proof}`,
        serverSignature: `v=${hmac(hmac(salted, 'Server Key'), auth).toString('base64')}`,
        proof,
        clientKey: clientKey.toString('base64'),
        salted: salted.toString('base64'),
      };
    },
  };
}
