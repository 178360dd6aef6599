/**
 * The datastore file format and its migrations.
 *
 * ```json
 * { "version": 1,
 *   "key_check": {"$secret": "v1:…"},
 *   "collections": { "vmware": { "next_id": 3, "rows": [ {"id": 1, …}, {"id": 2, …} ] } } }
 * ```
 * Version 1 is the first format. A change of format (renaming a field, splitting a collection,
 * adding a default to old rows) adds a {@link Migration} to {@link MIGRATIONS} with the next version;
 * `openDatastore` backs the old file up and runs the missing migrations in order at start-up.
 */
import { z } from 'zod';

/** One collection as stored. */
export interface DbCollection {
  /** The id the next insert gets (ids are never reused). */
  next_id: number;
  rows: DbRow[];
}

/** A stored row (secret fields sealed). */
export type DbRow = { id: number } & Record<string, unknown>;

/** The whole file. */
export interface DbFile {
  version: number;
  /** A sealed constant proving the key file matches this datastore (see secrets.ts). */
  key_check?: { $secret: string };
  collections: Record<string, DbCollection>;
}

/** One step of the format: `up` turns a version `version - 1` document into a version `version` one. */
export interface Migration {
  readonly version: number;
  /** What changes, for the log. */
  readonly description: string;
  /** Mutates `data` in place or returns a new document; `version` is set by the runner. */
  up(data: DbFile): DbFile | void;
}

/** vsnapd's migrations, oldest first. Empty while the format is at version 1. */
export const MIGRATIONS: readonly Migration[] = [];

/**
 * The version a list of migrations brings a file to (1 when the list is empty).
 * @throws Error when versions are not 2, 3, 4 … in order (a programming error).
 */
export function targetVersion(migrations: readonly Migration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 2) throw new Error(`datastore migration #${i} has version ${m.version}; expected ${i + 2} (versions start at 2 and increase by 1)`);
  });
  return migrations.length + 1;
}

const RowSchema = z.looseObject({ id: z.number().int().min(1) });

const CollectionSchema = z
  .strictObject({ next_id: z.number().int().min(1), rows: z.array(RowSchema) })
  .superRefine((c, ctx) => {
    const seen = new Set<number>();
    c.rows.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rows', i, 'id'], message: `duplicate id ${r.id}` });
      if (r.id >= c.next_id) ctx.addIssue({ code: 'custom', path: ['rows', i, 'id'], message: `id ${r.id} is not below next_id ${c.next_id}` });
      seen.add(r.id);
    });
  });

/** Shape check of a whole file (unknown top-level keys are kept, for forward compatibility). */
export const DbFileSchema = z.looseObject({
  version: z.number().int().min(1),
  key_check: z.strictObject({ $secret: z.string() }).optional(),
  collections: z.record(z.string(), CollectionSchema),
});

/** The first problem in `data` as `path: message`, or undefined when it has the {@link DbFile} shape. */
export function shapeProblem(data: unknown): string | undefined {
  const r = DbFileSchema.safeParse(data);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  return `${issue.path.join('.') || '(top level)'}: ${issue.message}`;
}
