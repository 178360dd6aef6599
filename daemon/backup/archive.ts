/**
 * The configuration backup archive: the datastore file and the secret key in one passphrase-encrypted
 * file (TrueNAS's `config.save` with `secretseed` plays the same part). Without the key every stored
 * vCenter password is lost, so the two travel together, and never in clear.
 *
 * Format (JSON, one object): `{"format": "vsnapd-config-backup", "version": 1, "created_at": ISO,
 * "kdf": {"name": "scrypt", "N", "r", "p", "salt"}, "cipher": "aes-256-gcm", "iv", "tag", "data"}`
 * (binary fields base64). The key is scrypt(passphrase, salt); the plaintext is the JSON
 * `{"db": <the datastore file's text>, "secret_key": <base64 of the 32-byte key>}`; the header fields
 * are the additional authenticated data, so none can be altered unnoticed.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { KEY_BYTES } from '../datastore/secrets.js';

/** The `format` field. */
export const BACKUP_FORMAT = 'vsnapd-config-backup';
/** Shortest passphrase accepted (characters). */
export const MIN_PASSPHRASE = 8;
/** scrypt cost: N=2^15, r=8 (32 MiB, about 0.1 s), p=1. */
const KDF = { N: 32768, r: 8, p: 1 } as const;

/** What an archive holds. */
export interface BackupContents {
  /** The datastore file (vsnapd.db.json), as text. */
  readonly db: string;
  /** The secret key (secret.key), 32 bytes. */
  readonly secretKey: Buffer;
}

/** A bad passphrase, a damaged or foreign archive. `message` says which. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** The archive's header: everything but the ciphertext and its tag. */
interface Header {
  format: string;
  version: number;
  created_at: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
}

/** scrypt as a promise (maxmem above the 32 MiB the default cost needs). */
function deriveKey(passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r };
  return new Promise((resolve, reject) => scrypt(passphrase, salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** The header as authenticated data (its JSON). */
const aad = (h: Header) => Buffer.from(JSON.stringify([h.format, h.version, h.created_at, h.kdf, h.cipher, h.iv]));

/**
 * Encrypts `contents` under `passphrase`; returns the archive's text.
 * @throws BackupError when the passphrase is shorter than {@link MIN_PASSPHRASE} characters.
 */
export async function sealBackup(contents: BackupContents, passphrase: string, now = new Date()): Promise<string> {
  if (passphrase.length < MIN_PASSPHRASE) throw new BackupError(`the passphrase must have at least ${MIN_PASSPHRASE} characters (got ${passphrase.length})`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: Header = {
    format: BACKUP_FORMAT,
    version: 1,
    created_at: now.toISOString(),
    kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
  };
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, salt, KDF), iv);
  cipher.setAAD(aad(header));
  const plain = JSON.stringify({ db: contents.db, secret_key: contents.secretKey.toString('base64') });
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${JSON.stringify({ ...header, tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') }, null, 1)}\n`;
}

/**
 * Decrypts an archive's text.
 * @throws BackupError: not a vsnapd backup, an unknown version, a wrong passphrase or an altered file.
 */
export async function openBackup(text: string, passphrase: string): Promise<BackupContents> {
  let a: Header & { tag: string; data: string };
  try {
    a = JSON.parse(text) as typeof a;
  } catch {
    throw new BackupError('not a vsnapd configuration backup (the file is not JSON)');
  }
  if (a?.format !== BACKUP_FORMAT) throw new BackupError(`not a vsnapd configuration backup (format is ${JSON.stringify(a?.format)}, expected "${BACKUP_FORMAT}")`);
  if (a.version !== 1 || a.kdf?.name !== 'scrypt' || a.cipher !== 'aes-256-gcm') {
    throw new BackupError(`backup version ${JSON.stringify(a.version)} is not one this vsnapd reads (1); use the vsnapd that wrote it`);
  }
  let plain: string;
  try {
    const key = await deriveKey(passphrase, Buffer.from(a.kdf.salt, 'base64'), a.kdf);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(a.iv, 'base64'));
    decipher.setAAD(aad(a));
    decipher.setAuthTag(Buffer.from(a.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(a.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new BackupError('the backup does not decrypt: wrong passphrase, or the file was altered');
  }
  const inner = JSON.parse(plain) as { db: string; secret_key: string };
  const secretKey = Buffer.from(inner.secret_key, 'base64');
  if (typeof inner.db !== 'string' || secretKey.length !== KEY_BYTES) throw new BackupError('the backup decrypts but its contents are incomplete');
  return { db: inner.db, secretKey };
}
