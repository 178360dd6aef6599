/**
 * Dotted field paths of the TrueNAS query language (`state.state`, `datastores.0`, `a\.b` for a key
 * that holds a dot). Source: TrueNAS `middlewared/utils/filter_list.py` (`partition`, `get_impl`).
 */

/** Splits `a.b\.c.0` into `['a', 'b.c', '0']`; only `\.` is an escape, other backslashes stay as they are. */
export function splitPath(path: string): string[] {
  const steps: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && path[i + 1] === '.') {
      cur += '.';
      i++;
    } else if (ch === '.') {
      steps.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  steps.push(cur);
  return steps;
}

const INDEX = /^\d+$/;

/** A plain JSON object (not an array, Date or null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * Walks `steps` from `value` and returns whether `test` holds for ANY value the path reaches.
 * - object: own key only (so `constructor`/`__proto__` never resolve); missing key → false.
 * - list: a numeric step indexes it (past the end gives `null` on the last step, as TrueNAS's
 *   `get_impl`, and nothing deeper); `*` or any other step tries every element (the spec's
 *   "a path step hitting a list matches if any element matches").
 * - `Date` with step `$date`: its epoch ms, so `field.$date` works on rows holding Dates as well as
 *   on rows holding `{"$date": ms}` objects.
 * - anything else (string, number, null) cannot be stepped into → false.
 */
export function someAtPath(value: unknown, steps: readonly string[], test: (v: unknown) => boolean, from = 0): boolean {
  if (from === steps.length) return test(value);
  const step = steps[from];
  if (Array.isArray(value)) {
    if (INDEX.test(step)) {
      const i = Number(step);
      if (i < value.length) return someAtPath(value[i], steps, test, from + 1);
      return from + 1 === steps.length ? test(null) : false;
    }
    const next = step === '*' ? from + 1 : from;
    return value.some((el) => someAtPath(el, steps, test, next));
  }
  if (value instanceof Date) return step === '$date' ? someAtPath(value.getTime(), steps, test, from + 1) : false;
  if (isPlainObject(value) && Object.hasOwn(value, step)) return someAtPath(value[step], steps, test, from + 1);
  return false;
}

/**
 * The single value at `steps` for sorting: numeric steps index lists, a missing key or a non-numeric
 * step on a list gives `undefined` (sorted like null).
 */
export function valueAtPath(value: unknown, steps: readonly string[]): unknown {
  let cur = value;
  for (const step of steps) {
    if (Array.isArray(cur)) {
      if (!INDEX.test(step)) return undefined;
      cur = cur[Number(step)];
    } else if (cur instanceof Date) {
      if (step !== '$date') return undefined;
      cur = cur.getTime();
    } else if (isPlainObject(cur) && Object.hasOwn(cur, step)) {
      cur = cur[step];
    } else {
      return undefined;
    }
  }
  return cur;
}
