/**
 * Secrets at rest: AES-256-GCM under a 32-byte key kept in its own file (mode 0600), like TrueNAS's
 * `/data/pwenc_secret` but authenticated, so a wrong key or a tampered value is an error, never a
 * silently empty password (TrueNAS pwenc decrypts to "" in that case).
 *
 * Stored form of a secret field: `{"$secret": "v1:<base64(iv[12] | tag[16] | ciphertext)>"}`, the
 * plaintext being the JSON of the value (so strings, numbers and objects all round-trip). The
 * additional authenticated data binds a value to its `<collection>:<field>`, so a ciphertext copied
 * into another field does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/** Key length for AES-256 (bytes). */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1:';

/** A sealed value as stored in the db file. */
export interface SealedSecret {
  $secret: string;
}

/** True for `{"$secret": "…"}`. */
export function isSealed(v: unknown): v is SealedSecret {
  return typeof v === 'object' && v !== null && typeof (v as SealedSecret).$secret === 'string' && Object.keys(v).length === 1;
}

/** A value that does not decrypt under the key (wrong key file, or a damaged/tampered value). */
export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
}

/** Encrypts and decrypts secret fields under one key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new RangeError(`secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  /** Seals `value` (any JSON value) bound to `context` (e.g. `vmware:password`). */
  seal(value: unknown, context: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return { $secret: PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64') };
  }

  /**
   * Opens a sealed value.
   * @throws SecretDecryptError naming `context` when the format is unknown or authentication fails.
   */
  open(sealed: SealedSecret, context: string): unknown {
    const s = sealed.$secret;
    if (!s.startsWith(PREFIX)) throw new SecretDecryptError(`${context}: unknown secret format (expected "${PREFIX}…")`);
    const raw = Buffer.from(s.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretDecryptError(`${context}: sealed value is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const pt = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(pt.toString('utf8'));
    } catch {
      throw new SecretDecryptError(`${context}: does not decrypt with this key (wrong key file, or the value was altered)`);
    }
  }
}

/**
 * Reads the key file: 32 raw bytes (as written here), or their base64 on one line.
 * @returns undefined when the file does not exist.
 * @throws Error naming the file when it holds anything else.
 */
export async function readKeyFile(keyFile: string, log?: Logger): Promise<Buffer | undefined> {
  let raw: Buffer;
  try {
    raw = await readFile(keyFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read secret key file ${keyFile}: ${(e as Error).message}`, { cause: e });
  }
  const mode = (await stat(keyFile)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    log?.warn({ keyFile, mode: mode.toString(8) }, 'secret key file was readable by others; setting mode 0600');
    await chmod(keyFile, 0o600);
  }
  if (raw.length === KEY_BYTES) return raw;
  const text = raw.toString('utf8').trim();
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (decoded.length === KEY_BYTES) return decoded;
  throw new Error(`Secret key file ${keyFile} is not a ${KEY_BYTES}-byte key (it has ${raw.length} bytes); restore the original key file`);
}

/**
 * Creates a new random key file, mode 0600 (its folder 0700 when created here). Refuses to overwrite
 * an existing file (O_EXCL), so two starts cannot race to different keys.
 */
export async function createKeyFile(keyFile: string): Promise<Buffer> {
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  const fh = await open(keyFile, 'wx', 0o600);
  try {
    await fh.chmod(0o600); // the open() mode is filtered by the umask; make sure it is exactly 0600
    await fh.writeFile(key);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return key;
}
