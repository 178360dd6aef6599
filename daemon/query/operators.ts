/**
 * The filter operators of the TrueNAS query language, with Python's semantics carried over to JSON
 * values. Source: TrueNAS `middlewared/api/base/validators/filter_ops.py` (`opmap`).
 *
 * Where Python would raise (e.g. `None > 1`, `5 in "abc"`), the condition is simply false here, so
 * a query never fails on the data it meets, only on a badly formed filter.
 */
import { isWireDate } from '../wire/date.js';
import { isPlainObject } from './path.js';
import { PythonPattern } from './python-regex.js';

/** Operators without the `C` (case-insensitive) prefix. */
export const BASE_OPERATORS = ['=', '!=', '>', '>=', '<', '<=', '~', 'in', 'nin', 'rin', 'rnin', '^', '!^', '$', '!$'] as const;

/** One base operator. */
export type BaseOperator = (typeof BASE_OPERATORS)[number];

/** Any operator: a base one, or `C` + a base one other than `~` (TrueNAS refuses `C~`). */
export type Operator = BaseOperator | `C${Exclude<BaseOperator, '~'>}`;

/** Every valid operator string, in the order error messages list them. */
export const OPERATORS: readonly Operator[] = [
  ...BASE_OPERATORS,
  ...BASE_OPERATORS.filter((op) => op !== '~').map((op) => `C${op}` as Operator),
];

/** Operators allowed on `.$date` fields (TrueNAS validate_filters). */
export const DATE_OPERATORS: readonly BaseOperator[] = ['=', '!=', '>', '>=', '<', '<='];

/**
 * Python's `str.casefold` approximated: upper- then lower-casing folds `ß` → `ss` and the like.
 * Lists of strings fold element-wise; other values are returned unchanged.
 */
export function casefold(v: unknown): unknown {
  if (typeof v === 'string') return v.toUpperCase().toLowerCase();
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? casefold(x) : x));
  return v;
}

/** `{"$date": ms}` and `Date` compare as their epoch ms. */
function unwrapDate(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (isWireDate(v)) return v.$date;
  return v;
}

/** Deep JSON equality (Python `==` on dicts/lists); dates equal when their ms are equal. */
export function deepEqual(a: unknown, b: unknown): boolean {
  a = unwrapDate(a);
  b = unwrapDate(b);
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Compares strings by code point, as Python does (JS `<` compares UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/**
 * Python ordering between two values of the same kind: numbers (booleans count as 0/1), strings,
 * dates, lists (element-wise). `undefined` when they cannot be ordered (null, mixed kinds, objects).
 */
export function pyCompare(a: unknown, b: unknown): number | undefined {
  a = unwrapDate(a);
  b = unwrapDate(b);
  if (typeof a === 'boolean') a = Number(a);
  if (typeof b === 'boolean') b = Number(b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCompare(a[i], b[i]);
      if (c === undefined) return deepEqual(a[i], b[i]) ? 0 : undefined;
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return undefined;
}

/** `needle in haystack`: element of a list, substring of a string, key of an object; undefined if not applicable. */
function contains(haystack: unknown, needle: unknown): boolean | undefined {
  if (Array.isArray(haystack)) return haystack.some((x) => deepEqual(x, needle));
  if (typeof haystack === 'string') return typeof needle === 'string' ? haystack.includes(needle) : undefined;
  if (isPlainObject(haystack)) return typeof needle === 'string' ? Object.hasOwn(haystack, needle) : undefined;
  return undefined;
}

function stringOp(x: unknown, y: unknown, fn: (x: string, y: string) => boolean): boolean {
  return typeof x === 'string' && typeof y === 'string' && fn(x, y);
}

function ordered(x: unknown, y: unknown, fn: (c: number) => boolean): boolean {
  const c = pyCompare(x, y);
  return c !== undefined && fn(c);
}

/**
 * Applies a base operator: `x` is the field's value, `y` the filter's value (already case-folded for
 * `C` operators, already a compiled PythonPattern for `~`).
 */
export function applyOperator(op: BaseOperator, x: unknown, y: unknown): boolean {
  switch (op) {
    case '=':
      return deepEqual(x, y);
    case '!=':
      return !deepEqual(x, y);
    case '>':
      return ordered(x, y, (c) => c > 0);
    case '>=':
      return ordered(x, y, (c) => c >= 0);
    case '<':
      return ordered(x, y, (c) => c < 0);
    case '<=':
      return ordered(x, y, (c) => c <= 0);
    case '~': {
      // Python re.match: anchored at the start only; a null field is matched as "".
      const s = x === null ? '' : x;
      if (typeof s !== 'string' || !(y instanceof PythonPattern)) return false;
      return y.test(s);
    }
    case 'in':
      return contains(y, x) === true;
    case 'nin':
      return x !== null && contains(y, x) === false;
    case 'rin':
      return x !== null && contains(x, y) === true;
    case 'rnin':
      return x !== null && contains(x, y) === false;
    case '^':
      return stringOp(x, y, (a, b) => a.startsWith(b));
    case '!^':
      return stringOp(x, y, (a, b) => !a.startsWith(b));
    case '$':
      return stringOp(x, y, (a, b) => a.endsWith(b));
    case '!$':
      return stringOp(x, y, (a, b) => !a.endsWith(b));
  }
}
