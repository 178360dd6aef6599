/**
 * API keys: `<id>-<secret>` strings shown once by `api_key.create` (TrueNAS's format). The datastore
 * keeps only SHA-256 of the secret. A fast hash is enough here, unlike for passwords: the secret is
 * 256 random bits, so there is nothing to brute-force, and login stays cheap.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection, CollectionSpec, Row } from '../plugin.js';

/** A stored key (the secret itself is never stored). */
export interface ApiKeyRow extends Row {
  name: string;
  /** The user the key logs in as. */
  username: string;
  /** hex SHA-256 of the secret part. */
  key_hash: string;
  /** Creation time, ms since the epoch. */
  created_at: number;
}

/** The collection spec of stored keys: names are unique (checked inside the serialised write). */
export const API_KEY_COLLECTION: CollectionSpec = { name: 'api_key', unique: [{ fields: ['name'], message: 'API key with this name already exists' }] };

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Creates, checks and deletes API keys over a datastore collection. */
export class ApiKeyStore {
  readonly #rows: Collection<ApiKeyRow>;

  constructor(rows: Collection<ApiKeyRow>) {
    this.#rows = rows;
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
    const secret = randomBytes(32).toString('base64url');
    const row = await this.#rows.insert({ name, username, key_hash: digest(secret).toString('hex'), created_at: Date.now() }, { schema: 'api_key_create' });
    return { row, key: `${row.id}-${secret}` };
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
