/**
 * The embedded datastore: one lowdb JSON file (see schema.ts for its shape) with schema migrations,
 * a lock file, atomic serialised writes and secret fields encrypted under a key file.
 *
 * Start-up refuses, with an error naming the file and the problem and without touching the file,
 * when the file is not JSON, has a damaged shape, was written by a newer vsnapd (unknown version),
 * or when the key file is missing or is not the key the file's secrets were sealed with.
 */
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from 'pino';
import type { Collection, CollectionSpec, Datastore, Row } from '../plugin.js';
import { DatastoreCollection } from './collection.js';
import { AtomicJsonFile, DatastoreFileError } from './json-file.js';
import { acquireLock } from './lock.js';
import { MIGRATIONS, shapeProblem, targetVersion, type DbFile, type Migration } from './schema.js';
import { createKeyFile, readKeyFile, SecretBox, SecretDecryptError } from './secrets.js';
import { WriteQueue } from './write-queue.js';

/** Options of {@link openDatastore}. */
export interface OpenDatastoreOptions {
  /** The JSON file (created with its folder when missing), e.g. `<dataDir>/vsnapd.db.json`. */
  readonly file: string;
  /** The secret key file (created 0600 when missing and the file holds no secrets), e.g. `<dataDir>/secret.key`. */
  readonly keyFile: string;
  readonly log: Logger;
  /** Format migrations (default: vsnapd's {@link MIGRATIONS}); tests pass their own. */
  readonly migrations?: readonly Migration[];
}

const KEY_CHECK_CONTEXT = 'vsnapd:key_check';
const KEY_CHECK_VALUE = 'vsnapd secret key check';
const NAME = /^[A-Za-z0-9_.-]+$/;

/** The {@link Datastore} implementation, with the shutdown hooks the daemon core needs. */
export class DatastoreImpl implements Datastore {
  /** The datastore file. */
  readonly file: string;
  readonly #queue: WriteQueue;
  readonly #box: SecretBox;
  readonly #log: Logger;
  readonly #release: () => Promise<void>;
  readonly #collections = new Map<string, DatastoreCollection<Row>>();
  #closed = false;

  constructor(file: string, queue: WriteQueue, box: SecretBox, log: Logger, release: () => Promise<void>) {
    this.file = file;
    this.#queue = queue;
    this.#box = box;
    this.#log = log;
    this.#release = release;
  }

  /** The format version of the open file. */
  get version(): number {
    return this.#queue.data.version;
  }

  /**
   * Opens a collection (the same object for the same name). Secret fields found in clear in the file
   * (a field newly declared secret) are sealed right away.
   * @throws Error for an invalid name, or the same name opened with different secret fields (wiring bugs).
   */
  collection<T extends Row>(spec: CollectionSpec): Collection<T> {
    if (!NAME.test(spec.name) || spec.name === '__proto__') throw new Error(`Invalid collection name ${JSON.stringify(spec.name)}: use letters, digits, _ . -`);
    const existing = this.#collections.get(spec.name);
    const secrets = JSON.stringify([...(spec.secretFields ?? [])].sort());
    if (existing) {
      if (JSON.stringify([...(existing.spec.secretFields ?? [])].sort()) !== secrets) {
        throw new Error(`Collection ${spec.name} opened twice with different secret fields`);
      }
      return existing as unknown as Collection<T>;
    }
    const c = new DatastoreCollection<Row>(spec, this.#queue, this.#box);
    this.#collections.set(spec.name, c);
    if (c.hasClearSecrets()) {
      c.sealClearSecrets().then(
        (n) => this.#log.info({ collection: spec.name, rows: n }, 'sealed secret fields that were stored in clear'),
        (e: unknown) => this.#log.error({ err: e, collection: spec.name }, 'cannot seal secret fields stored in clear'),
      );
    }
    return c as unknown as Collection<T>;
  }

  /** Resolves when every write queued so far is on disk. */
  flush(): Promise<void> {
    return this.#queue.flush();
  }

  /** Waits for queued writes, refuses new ones and releases the lock file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.close();
    await this.#release();
  }
}

async function migrate(file: string, data: DbFile, migrations: readonly Migration[], log: Logger): Promise<DbFile> {
  const from = data.version;
  const backup = `${file}.v${from}-${new Date().toISOString().replace(/[-:.]/g, '')}.bak`;
  await copyFile(file, backup);
  await chmod(backup, 0o600);
  log.info({ file, backup, from, to: migrations.length + 1 }, 'migrating datastore');
  let doc = structuredClone(data);
  for (const m of migrations.slice(from - 1)) {
    try {
      doc = m.up(doc) ?? doc;
    } catch (e) {
      throw new DatastoreFileError(`Datastore ${file}: migration to version ${m.version} (${m.description}) failed: ${(e as Error).message}; the file was left untouched (copy at ${backup})`, { cause: e });
    }
    doc.version = m.version;
  }
  return doc;
}

async function loadKey(file: string, keyFile: string, data: DbFile, log: Logger): Promise<{ box: SecretBox; created: boolean }> {
  const key = await readKeyFile(keyFile, log);
  if (data.key_check) {
    if (!key) throw new DatastoreFileError(`Datastore ${file} holds encrypted secrets but the key file ${keyFile} is missing; restore that file (its secrets cannot be read without it)`);
    const box = new SecretBox(key);
    try {
      if (box.open(data.key_check, KEY_CHECK_CONTEXT) !== KEY_CHECK_VALUE) throw new SecretDecryptError('unexpected key check value');
    } catch (e) {
      throw new DatastoreFileError(`Key file ${keyFile} is not the key datastore ${file} was encrypted with (${(e as Error).message}); restore the original key file`, { cause: e });
    }
    return { box, created: false };
  }
  if (key) return { box: new SecretBox(key), created: false };
  log.warn(
    { keyFile },
    'creating secret key file: back it up with the datastore (vsnapd backup --out FILE); without it the stored vCenter passwords cannot be decrypted',
  );
  return { box: new SecretBox(await createKeyFile(keyFile)), created: true };
}

/**
 * Opens (creating if needed) the datastore: lock, read, check version, back up + migrate, check shape,
 * check/create the key, write back if anything changed.
 * @throws DatastoreFileError naming the file and the problem; the file is then left as it was.
 */
export async function openDatastore(opts: OpenDatastoreOptions): Promise<DatastoreImpl> {
  const { file, keyFile, log } = opts;
  const migrations = opts.migrations ?? MIGRATIONS;
  const target = targetVersion(migrations);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const release = await acquireLock(file);
  try {
    const adapter = new AtomicJsonFile<DbFile>(file);
    const stored = await adapter.read();
    let data: DbFile = stored ?? { version: target, collections: {} };
    let dirty = stored === null;
    const version: unknown = data.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
      throw new DatastoreFileError(`Datastore ${file} has no valid "version" (found ${JSON.stringify(version)}); it was left untouched`);
    }
    if (version > target) {
      throw new DatastoreFileError(
        `Datastore ${file} has format version ${version}, newer than this vsnapd knows (${target}): it was written by a newer vsnapd. ` +
          'Upgrade vsnapd or restore an older backup; the file was left untouched',
      );
    }
    if (version < target) {
      data = await migrate(file, data, migrations, log);
      dirty = true;
    }
    const problem = shapeProblem(data);
    if (problem) throw new DatastoreFileError(`Datastore ${file} is damaged (${problem}); it was left untouched. Restore it from a backup`);

    const { box } = await loadKey(file, keyFile, data, log);
    if (!data.key_check) {
      data.key_check = box.seal(KEY_CHECK_VALUE, KEY_CHECK_CONTEXT) as { $secret: string };
      dirty = true;
    }
    const db = new Low<DbFile>(adapter, data);
    if (dirty) await db.write();
    return new DatastoreImpl(file, new WriteQueue(db), box, log, release);
  } catch (e) {
    await release();
    throw e;
  }
}

/** The datastore file and its key file in the data folder `dataDir` (absolute paths). */
export function datastoreFiles(dataDir: string): { file: string; keyFile: string } {
  return { file: join(dataDir, 'vsnapd.db.json'), keyFile: join(dataDir, 'secret.key') };
}
