/**
 * Query options, the second argument of every `*.query(filters, options)`, and the steps they drive
 * (select, order, get/offset/limit). Source: TrueNAS `filter_list.py` (`do_select`, `do_order`,
 * `do_get`) and `api/base/validators/options.py` (MAX_LIMIT = 10000).
 */
import { z } from 'zod';
import { CallError, Errno } from '../errors.js';
import { compareStrings, pyCompare } from './operators.js';
import { isPlainObject, splitPath, valueAtPath } from './path.js';
import { boundedString, MAX_NAME } from '../registry/bounds.js';

/** Largest `limit` TrueNAS accepts. */
export const MAX_LIMIT = 10000;

const NULLS_FIRST = 'nulls_first:';
const NULLS_LAST = 'nulls_last:';

const OrderBy = boundedString(MAX_NAME)
  .refine((s) => parseOrderBy(s).path !== '', { message: 'order_by entries name a field: "name", "-name", "nulls_first:name", "nulls_last:-name"' })
  .describe('Field to sort by: `-` prefix for descending, `nulls_first:`/`nulls_last:` prefix to place nulls');

const Select = z
  .union([boundedString(MAX_NAME).min(1), z.tuple([boundedString(MAX_NAME).min(1), boundedString(MAX_NAME).min(1)])])
  .describe('A field name or dotted path, or [path, alias]');

/** zod schema of the `options` argument (unknown keys are rejected, as TrueNAS 25.10+). */
export const QueryOptions = z
  .strictObject({
    get: z.boolean().default(false).describe('Return the first match as an object (MatchNotFound when none)'),
    count: z.boolean().default(false).describe('Return the number of matches'),
    limit: z.number().int().min(0).max(MAX_LIMIT).default(0).describe(`Return at most this many (0 = no limit, at most ${MAX_LIMIT})`),
    offset: z.number().int().min(0).default(0).describe('Skip this many matches'),
    order_by: z.array(OrderBy).default([]).describe('Sort keys, the first one primary'),
    select: z.array(Select).default([]).describe('Fields to return (default: all)'),
    extra: z.record(z.string(), z.unknown()).default({}).describe('Method-specific options'),
    relationships: z.boolean().default(true).describe('Accepted for TrueNAS compatibility; no effect'),
    force_sql_filters: z.boolean().default(false).describe('Accepted for TrueNAS compatibility; no effect'),
  })
  .superRefine((o, ctx) => {
    if (o.get && (o.limit > 1 || o.offset > 0)) {
      ctx.addIssue({ code: 'custom', path: ['get'], message: '"get" cannot be combined with "limit" > 1 or "offset"; use one or the other' });
    }
  })
  .describe('Query options: get, count, limit, offset, order_by, select, extra');

/** Parsed options, every field present. */
export type QueryOptionsT = z.output<typeof QueryOptions>;
/** Options as a caller may write them (every field optional). */
export type QueryOptionsIn = z.input<typeof QueryOptions>;

/** `get` found nothing: TrueNAS's `MatchNotFound`, a -32001 with reason `MatchNotFound()` and errno ENOENT. */
export class MatchNotFound extends CallError {
  constructor() {
    super('MatchNotFound()', Errno.ENOENT);
  }
}

interface OrderKey {
  path: string;
  desc: boolean;
  nulls: 'first' | 'last' | 'default';
}

function parseOrderBy(s: string): OrderKey {
  let nulls: OrderKey['nulls'] = 'default';
  if (s.startsWith(NULLS_FIRST)) [nulls, s] = ['first', s.slice(NULLS_FIRST.length)];
  else if (s.startsWith(NULLS_LAST)) [nulls, s] = ['last', s.slice(NULLS_LAST.length)];
  const desc = s.startsWith('-');
  return { path: desc ? s.slice(1) : s, desc, nulls };
}

/** Sort rank of a kind of value, SQLite's: null < number/boolean < string < anything else. */
function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date || (isPlainObject(v) && typeof v.$date === 'number')) return 1;
  if (typeof v === 'string') return 2;
  return 3;
}

/** A total order over JSON values, so sorting never throws whatever the rows hold. */
function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  return pyCompare(a, b) ?? compareStrings(JSON.stringify(a), JSON.stringify(b));
}

/**
 * Sorts by each `order_by` key, the first one primary (SQL `ORDER BY` semantics, what TrueNAS's
 * datastore-backed queries do). Nulls and missing fields sort as the smallest value (first ascending,
 * last descending, as SQLite) unless `nulls_first:`/`nulls_last:` says otherwise. Stable.
 */
export function orderRows<T>(rows: readonly T[], orderBy: readonly string[]): T[] {
  const keys = orderBy.map(parseOrderBy).map((k) => ({ ...k, steps: splitPath(k.path) }));
  const cmp = (x: T, y: T): number => {
    for (const k of keys) {
      const a = valueAtPath(x, k.steps) ?? null;
      const b = valueAtPath(y, k.steps) ?? null;
      if (k.nulls !== 'default' && (a === null) !== (b === null)) return (a === null ? -1 : 1) * (k.nulls === 'first' ? 1 : -1);
      const c = compareValues(a, b) * (k.desc ? -1 : 1);
      if (c !== 0) return c;
    }
    return 0;
  };
  return [...rows].sort(cmp);
}

/**
 * Projects one row onto `select`: a path builds the same nesting in the result (`state.state` →
 * `{state: {state}}`), `[path, alias]` puts the value under `alias`; missing fields are left out.
 * @throws CallError EINVAL when a path steps into a list (TrueNAS: "Selecting by list index is not supported").
 */
export function selectFields(row: unknown, select: readonly (string | readonly [string, string])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of select) {
    const [path, alias] = typeof s === 'string' ? [s, undefined] : s;
    const steps = splitPath(path);
    let cur: unknown = row;
    let found = true;
    for (const step of steps) {
      if (Array.isArray(cur)) throw new CallError(`Cannot select "${path}": selecting by list index is not supported`, Errno.EINVAL);
      if (!isPlainObject(cur) || !Object.hasOwn(cur, step)) {
        found = false;
        break;
      }
      cur = cur[step];
    }
    if (!found) continue;
    if (alias !== undefined) {
      setOwn(out, alias, cur);
      continue;
    }
    let target = out;
    for (const step of steps.slice(0, -1)) {
      if (!Object.hasOwn(target, step) || !isPlainObject(target[step])) setOwn(target, step, {});
      target = target[step] as Record<string, unknown>;
    }
    setOwn(target, steps[steps.length - 1], cur);
  }
  return out;
}

/** Sets an own property even for keys such as `__proto__` (which plain assignment would not). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
