/**
 * Lenient readers over the generic {@link VimValue} tree. Each returns `undefined` (or an empty
 * list) when the value is absent or of another shape, so typed decoders never throw on a server
 * that omits a field or sends a newer subtype.
 */
import { MoRefValue, type MoRef, type VimObject, type VimValue } from './values.js';

/** The value as a data object, else undefined. */
export function obj(v: VimValue | undefined): VimObject | undefined {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof MoRefValue)
    ? v
    : undefined;
}

/**
 * The value as a list: arrays as they are, a single value as a one-element list, absent as `[]`.
 * Needed because a repeated field with one occurrence cannot be told apart from a scalar on the wire.
 */
export function list(v: VimValue | undefined): VimValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The value as a string (leaves are strings on the wire), else undefined. */
export function str(v: VimValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `xsd:boolean` (`true`/`false`/`1`/`0`), else undefined. */
export function bool(v: VimValue | undefined): boolean | undefined {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/** `xsd:int`/`xsd:long`/`xsd:short` as a number, else undefined. Longs above 2^53 lose precision. */
export function num(v: VimValue | undefined): number | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The value as a plain `{type, value}` moref, else undefined. */
export function ref(v: VimValue | undefined): MoRef | undefined {
  return v instanceof MoRefValue ? { type: v.type, value: v.value } : undefined;
}

/** What `read` makes of each item of a list-like value, skipping the items it reads as undefined. */
function readEach<T>(v: VimValue | undefined, read: (item: VimValue) => T | undefined): T[] {
  const out: T[] = [];
  for (const item of list(v)) {
    const r = read(item);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** Every moref in a list-like value (non-morefs are skipped). */
export function refs(v: VimValue | undefined): MoRef[] {
  return readEach(v, ref);
}

/** Every string in a list-like value. */
export function strs(v: VimValue | undefined): string[] {
  return list(v).filter((s): s is string => typeof s === 'string');
}

/** Every data object in a list-like value. */
export function objs(v: VimValue | undefined): VimObject[] {
  return readEach(v, obj);
}

/** Follows a dotted path (`summary.config.name`) through nested data objects. */
export function path(v: VimValue | undefined, dotted: string): VimValue | undefined {
  let cur: VimValue | undefined = v;
  for (const part of dotted.split('.')) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[part];
  }
  return cur;
}
