/**
 * One collection of the datastore: rows with integer ids, secret fields sealed on the way in and
 * opened on the way out, every change through the datastore's single {@link WriteQueue}.
 */
import { isDeepStrictEqual } from 'node:util';
import { CallError, Errno, ValidationErrors } from '../errors.js';
import type { Collection, CollectionSpec, Row, WriteOptions } from '../plugin.js';
import type { DbCollection, DbFile, DbRow } from './schema.js';
import { isSealed, SecretDecryptError, type SecretBox } from './secrets.js';
import type { WriteQueue } from './write-queue.js';

/** A JSON deep copy without `undefined` members (what the file will hold, so memory equals disk). */
function toJson<V>(value: V, what: string): V {
  try {
    return JSON.parse(JSON.stringify(value)) as V;
  } catch (e) {
    throw new CallError(`${what} cannot be stored: ${(e as Error).message}`, Errno.EINVAL, null, { cause: e });
  }
}

function ensure(draft: DbFile, name: string): DbCollection {
  if (!Object.hasOwn(draft.collections, name)) draft.collections[name] = { next_id: 1, rows: [] };
  return draft.collections[name];
}

/** {@link Collection} over a datastore file. */
export class DatastoreCollection<T extends Row> implements Collection<T> {
  readonly spec: CollectionSpec;
  readonly #queue: WriteQueue;
  readonly #box: SecretBox;
  readonly #secrets: readonly string[];

  constructor(spec: CollectionSpec, queue: WriteQueue, box: SecretBox) {
    this.spec = spec;
    this.#queue = queue;
    this.#box = box;
    this.#secrets = spec.secretFields ?? [];
    const sealedUnique = (spec.unique ?? []).flatMap((u) => u.fields).filter((f) => this.#secrets.includes(f));
    if (sealedUnique.length) throw new Error(`collection ${spec.name}: secret fields cannot be unique (${sealedUnique.join(', ')})`);
  }

  /**
   * Throws ValidationErrors (one EEXIST entry per clashing constraint) when `row` shares a unique
   * key with another row of `rows`. Runs inside the queued change, before the draft is mutated.
   */
  #checkUnique(rows: readonly DbRow[], row: Record<string, unknown>, opts: WriteOptions | undefined): void {
    const errors = new ValidationErrors();
    for (const u of this.spec.unique ?? []) {
      const clash = rows.some((r) => r.id !== row.id && u.fields.every((f) => isDeepStrictEqual(r[f], row[f])));
      if (clash) errors.add(`${opts?.schema ?? this.spec.name}.${u.fields.at(-1)}`, u.message, Errno.EEXIST);
    }
    errors.check();
  }

  #rows(): readonly DbRow[] {
    const c = this.#queue.data.collections;
    return Object.hasOwn(c, this.spec.name) ? c[this.spec.name].rows : [];
  }

  #context(field: string): string {
    return `${this.spec.name}:${field}`;
  }

  /** Seals the secret fields of a row (a fresh JSON copy) in place. */
  #seal(row: Record<string, unknown>): void {
    for (const f of this.#secrets) {
      if (Object.hasOwn(row, f) && row[f] !== null && !isSealed(row[f])) row[f] = this.#box.seal(row[f], this.#context(f));
    }
  }

  /** A deep copy of a stored row with its secrets opened. */
  #open(stored: DbRow): T {
    const row = structuredClone(stored) as Record<string, unknown>;
    for (const f of this.#secrets) {
      const v = row[f];
      if (!isSealed(v)) continue;
      try {
        row[f] = this.#box.open(v, this.#context(f));
      } catch (e) {
        const why = e instanceof SecretDecryptError ? e.message : String(e);
        throw new CallError(`Cannot decrypt ${this.spec.name} ${stored.id} field "${f}": ${why}`, Errno.EIO, null, { cause: e });
      }
    }
    return row as T;
  }

  /** True when some row holds a secret field in clear (e.g. a field newly declared secret). */
  hasClearSecrets(): boolean {
    return this.#rows().some((r) => this.#secrets.some((f) => Object.hasOwn(r, f) && r[f] !== null && !isSealed(r[f])));
  }

  /** Seals secret fields found in clear; resolves with how many rows changed. */
  sealClearSecrets(): Promise<number> {
    return this.#queue.run((draft) => {
      let n = 0;
      for (const row of ensure(draft, this.spec.name).rows) {
        const before = JSON.stringify(row);
        this.#seal(row);
        if (JSON.stringify(row) !== before) n++;
      }
      return { result: n, changed: n > 0 };
    });
  }

  all(): T[] {
    return this.#rows().map((r) => this.#open(r));
  }

  get(id: number): T | undefined {
    const r = this.#rows().find((x) => x.id === id);
    return r && this.#open(r);
  }

  async insert(data: Omit<T, 'id'>, opts?: WriteOptions): Promise<T> {
    const body = toJson(data, `A row of ${this.spec.name}`) as Record<string, unknown>;
    delete body.id;
    this.#seal(body);
    const stored = await this.#queue.run((draft) => {
      const c = ensure(draft, this.spec.name);
      const row = { id: c.next_id, ...body } as DbRow;
      this.#checkUnique(c.rows, row, opts);
      c.next_id += 1;
      c.rows.push(row);
      return { result: row, changed: true };
    });
    // Opened after the commit (committed rows are never mutated): a change must not throw after mutating the draft.
    return this.#open(stored);
  }

  async update(id: number, patch: Partial<Omit<T, 'id'>>, opts?: WriteOptions): Promise<T> {
    const body = toJson(patch, `An update of ${this.spec.name} ${id}`) as Record<string, unknown>;
    delete body.id;
    this.#seal(body);
    const stored = await this.#queue.run((draft) => {
      const rows = ensure(draft, this.spec.name).rows;
      const i = rows.findIndex((r) => r.id === id);
      if (i < 0) throw new CallError(`${this.spec.name} ${id} does not exist`, Errno.ENOENT);
      const next = { ...rows[i], ...body, id };
      this.#checkUnique(rows, next, opts);
      rows[i] = next;
      return { result: rows[i], changed: true };
    });
    return this.#open(stored);
  }

  delete(id: number): Promise<boolean> {
    return this.#queue.run((draft) => {
      if (!Object.hasOwn(draft.collections, this.spec.name)) return { result: false, changed: false };
      const rows = draft.collections[this.spec.name].rows;
      const i = rows.findIndex((r) => r.id === id);
      if (i < 0) return { result: false, changed: false };
      rows.splice(i, 1);
      return { result: true, changed: true };
    });
  }
}
