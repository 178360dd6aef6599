/**
 * API keys: `<id>-<secret>` strings shown once by `api_key.create`, in TrueNAS's format: the secret
 * is 64 alphanumerics (TrueNAS 26+ clients refuse other characters before connecting). The datastore
 * keeps SHA-256 of the secret (for API_KEY_PLAIN logins: the secret is ~381 random bits, so a fast
 * hash is enough) and the SCRAM-SHA-512 verifier (salt, iterations, StoredKey, ServerKey; never the
 * secret). Keys issued before this format (base64url secrets, no verifier) keep working for plain
 * logins; SCRAM needs a key issued with a verifier.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Collection, CollectionSpec, Row } from '../plugin.js';
import { deriveVerifier, type ScramVerifier } from './scram.js';

/** Characters of a key's secret part (TrueNAS: `^\d+-[a-zA-Z0-9]+$`). */
const ALPHANUMERICS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Length of a new key's secret part, characters (TrueNAS's). */
export const SECRET_LENGTH = 64;

/** A stored key (the secret itself is never stored). */
export interface ApiKeyRow extends Row {
  name: string;
  /** The user the key logs in as. */
  username: string;
  /** hex SHA-256 of the secret part. */
  key_hash: string;
  /** SCRAM-SHA-512 verifier; absent on keys issued before SCRAM (they log in with API_KEY_PLAIN only). */
  scram?: ScramVerifier;
  /** Creation time, ms since the epoch. */
  created_at: number;
}

/** The collection spec of stored keys: names are unique (checked inside the serialised write). */
export const API_KEY_COLLECTION: CollectionSpec = { name: 'api_key', unique: [{ fields: ['name'], message: 'API key with this name already exists' }] };

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A fresh secret: SECRET_LENGTH characters drawn uniformly from ALPHANUMERICS (randomInt rejects bias). */
function newSecret(): string {
  let s = '';
  for (let i = 0; i < SECRET_LENGTH; i++) s += ALPHANUMERICS[randomInt(ALPHANUMERICS.length)];
  return s;
}

/** Creates, checks and deletes API keys over a datastore collection. */
export class ApiKeyStore {
  readonly #rows: Collection<ApiKeyRow>;
  readonly #iterations: number;

  /** `scramIterations`: PBKDF2 rounds of new keys' SCRAM verifiers (`auth.scram_iterations`). */
  constructor(rows: Collection<ApiKeyRow>, scramIterations: number) {
    this.#rows = rows;
    this.#iterations = scramIterations;
  }

  /** Every stored key, in id order. */
  all(): ApiKeyRow[] {
    return this.#rows.all();
  }

  /**
   * Stores a new key and returns its row and the full key (`<id>-<secret>`), which is not kept.
   * Throws ValidationErrors `[api_key_create.name, …, EEXIST]` when the name is taken, also by a concurrent create.
   */
  async create(name: string, username: string): Promise<{ row: ApiKeyRow; key: string }> {
    const secret = newSecret();
    const scram = await deriveVerifier(secret, this.#iterations);
    const row = await this.#rows.insert({ name, username, key_hash: digest(secret).toString('hex'), scram, created_at: Date.now() }, { schema: 'api_key_create' });
    return { row, key: `${row.id}-${secret}` };
  }

  /** The SCRAM verifier of key `id` when it belongs to `username` and has one; else null. */
  scramVerifier(id: number, username: string): ScramVerifier | null {
    const row = this.#rows.get(id);
    return row && row.username === username && row.scram ? row.scram : null;
  }

  /** The row a full key belongs to, or null when the key is malformed, unknown or wrong. Constant-time compare. */
  verify(key: string): ApiKeyRow | null {
    const m = /^(\d{1,15})-([A-Za-z0-9_-]{1,200})$/.exec(key);
    if (!m) return null;
    const row = this.#rows.get(Number(m[1]));
    if (!row) return null;
    const expected = Buffer.from(row.key_hash, 'hex');
    const actual = digest(m[2]!);
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? row : null;
  }

  /** Deletes a key; false when it did not exist. */
  delete(id: number): Promise<boolean> {
    return this.#rows.delete(id);
  }
}
