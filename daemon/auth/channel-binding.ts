/**
 * RFC 5929 §4.1 `tls-server-end-point` channel-binding data: the server certificate (DER) hashed with
 * the hash of its own signature algorithm, MD5 and SHA-1 promoted to SHA-256. Node 20's
 * X509Certificate does not expose the signature algorithm, so it is read from the DER here: the
 * certificate is SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, … }, … }.
 */
import { createHash } from 'node:crypto';

/** Signature algorithm OID → hash (RFC 5929 §4.1 promotion applied). RSASSA-PSS and EdDSA are not supported. */
const HASH_OF_SIGNATURE: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** One DER TLV header at `at`: tag, where the value starts and ends. Throws on truncation. */
function tlv(der: Buffer, at: number): { tag: number; start: number; end: number } {
  if (at + 2 > der.length) throw new Error('truncated certificate');
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) throw new Error('malformed certificate length');
    len = der.subarray(start, start + n).reduce((v, b) => v * 256 + b, 0);
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated certificate');
  return { tag, start, end: start + len };
}

/** Dotted form of a DER OBJECT IDENTIFIER value. */
function oid(value: Buffer): string {
  const parts = [Math.floor(value[0]! / 40), value[0]! % 40];
  let n = 0;
  for (const b of value.subarray(1)) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/**
 * The channel-binding data of certificate `der`. Throws Error (naming the OID) when the signature
 * algorithm has no single hash (RSASSA-PSS, EdDSA) or the DER is malformed.
 */
export function tlsServerEndPoint(der: Buffer): Buffer {
  const cert = tlv(der, 0);
  const tbs = tlv(der, cert.start);
  const alg = tlv(der, tbs.end);
  const id = tlv(der, alg.start);
  if (cert.tag !== 0x30 || tbs.tag !== 0x30 || alg.tag !== 0x30 || id.tag !== 0x06) throw new Error('not a DER X.509 certificate');
  const algorithm = oid(der.subarray(id.start, id.end));
  const hash = HASH_OF_SIGNATURE[algorithm];
  if (!hash) throw new Error(`tls-server-end-point is not defined for signature algorithm ${algorithm}`);
  return createHash(hash).update(der).digest();
}
