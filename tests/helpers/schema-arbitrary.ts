/**
 * fast-check arbitraries for the property-based API test (tests/integration/robustness/property.test.ts),
 * built from the JSON Schemas `core.get_methods` lists (zod 4's `toJSONSchema` output, one schema
 * per positional argument):
 * - {@link paramsArbitrary}: plausible params (schema-valid as far as the schema says; ids are small
 *   so they sometimes name rows that exist);
 * - {@link refusedArbitrary}: params that break the schema for certain (a wrong JSON type, a string
 *   past `maxLength`, a number out of range, an unknown or missing field, an item of the wrong type,
 *   too many or too few arguments, nesting past `api.max_nesting`), so the daemon must refuse them
 *   before any handler runs;
 * - {@link mixedArbitrary}: plausible params, refused ones, and plausible params with one value
 *   anywhere in them replaced by a {@link hostileValue} (which may or may not break the schema).
 *
 * A generated call is JSON text (`paramsText`), since `1e999` and nesting past the daemon's limit
 * are part of the input. Pure data, no I/O.
 */
import fc from 'fast-check';
import { jsonType, nested, typesOf, type SchemaNode } from './malformed-params.js';

/** The schema keywords read here besides {@link SchemaNode}'s. */
export interface FuzzSchema extends SchemaNode {
  properties?: Record<string, FuzzSchema>;
  anyOf?: FuzzSchema[];
  oneOf?: FuzzSchema[];
  items?: FuzzSchema | boolean;
  prefixItems?: FuzzSchema[];
  minItems?: number;
  minLength?: number;
  pattern?: string;
  propertyNames?: FuzzSchema;
  examples?: unknown[];
}

/** One generated call's params and whether they break the schema for certain. */
export interface FuzzParams {
  /** JSON text of the `params` member (usually an array; not one for the "params is not a list" case). */
  readonly paramsText: string;
  /** True when the daemon must refuse the call (the schema forbids it, or the envelope is too deep). */
  readonly refused: boolean;
  /** What was done, for reports (`wrong type`, `unknown field`, `hostile value` …). */
  readonly label: string;
}

/** `api.max_nesting`'s default: a message nested deeper is refused with -32600 before parsing. */
export const MAX_NESTING = 64;

/** Strings that are valid JSON but awkward: lone and reversed UTF-16 surrogates, NUL and controls, bidi overrides, line separators, paths, format directives. */
export const AWKWARD_STRINGS: readonly string[] = [
  '\ud800',
  '\udfff',
  'x\udc00\ud800y',
  'a\ud83d',
  'a\u0000b',
  '\u0001\u001f\u007f\u0085',
  '\u202egnp.exe',
  '\u2028\u2029',
  '\ufeff\ufffe\uffff',
  '😀'.repeat(40),
  '../../etc/passwd',
  '%s%n%x',
  '${jndi:x}',
  "'; DROP TABLE x; --",
  '__proto__',
  ' ',
  '',
];

/** Lengths of the "huge string" values: past every `maxLength` in the API (64 KiB), and 1 MiB. */
const HUGE_LENGTHS: readonly number[] = [65_537, 1024 * 1024];
/** Items in the "huge list" value. */
const HUGE_LIST_ITEMS = 10_000;

/** Strings: short ASCII, any code point (lone surrogates included), and the awkward ones. */
function stringArb(min: number, max: number): fc.Arbitrary<string> {
  const hi = Math.max(min, Math.min(max, 40));
  const awkward = AWKWARD_STRINGS.filter((s) => s.length >= min && s.length <= max);
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: hi }) },
    { weight: 2, arbitrary: fc.string({ minLength: min, maxLength: hi, unit: 'binary' }) },
    ...(awkward.length ? [{ weight: 1, arbitrary: fc.constantFrom(...awkward) }] : []),
  );
}

/**
 * The arbitraries of {@link patternArb}, by pattern and bounds: building one is costly (fast-check
 * tests its character classes against a dictionary of strings, about 0.3 s per negated class), and
 * the fuzz test asks for each method's arbitraries once per run.
 */
const PATTERN_ARBS = new Map<string, fc.Arbitrary<string>>();

/** A string the pattern accepts (fast-check builds it from the regular expression), or any string when it cannot. */
function patternArb(pattern: string, min: number, max: number): fc.Arbitrary<string> {
  const key = `${min} ${max} ${pattern}`;
  let arb = PATTERN_ARBS.get(key);
  if (!arb) {
    arb = buildPatternArb(pattern, min, max);
    PATTERN_ARBS.set(key, arb);
  }
  return arb;
}

function buildPatternArb(pattern: string, min: number, max: number): fc.Arbitrary<string> {
  for (const flags of ['u', '']) {
    try {
      return fc.stringMatching(new RegExp(pattern, flags)).filter((s) => s.length >= min && s.length <= max);
    } catch {
      /* a syntax fast-check does not read: try the next, then fall back */
    }
  }
  return stringArb(min, max);
}

/** Query filters `[field, op, value]` (and OR groups) as `*.query` takes them, well- and ill-formed. */
const FILTER_OPS = ['=', '!=', '>', '>=', '<', '<=', '~', 'in', 'nin', 'rin', 'rnin', '^', '!^', '$', '!$', 'C=', 'Cin', 'C~', '=~', ''];
const filterArb: fc.Arbitrary<unknown> = fc.letrec<{ filter: unknown }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(
      fc.constantFrom('id', 'name', 'enabled', 'hostname', 'dataset', 'state', 'a.b.0', 'x\\.y', 'created.$date', '__proto__', ''),
      fc.constantFrom(...FILTER_OPS),
      fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('(a+)+$', '.*', '[', '2026-01-01T00:00:00Z', '\ud800')),
    ),
    fc.tuple(fc.constant('OR'), fc.array(fc.array(tie('filter'), { maxLength: 2 }), { maxLength: 2 })),
  ),
})).filter;

/** A value the node accepts (best effort: zod refinements the schema does not show may still refuse it). */
export function validArb(node: FuzzSchema | boolean | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (node === undefined || typeof node === 'boolean') return fc.jsonValue({ maxDepth: 1 });
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.enum?.length) return fc.constantFrom(...node.enum);
  const variants = node.anyOf ?? node.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => validArb(v, depth + 1)));
  const examples = node.examples?.length ? [fc.constantFrom(...node.examples)] : [];
  const types = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
  if (types.length === 0) return fc.oneof(...examples, fc.jsonValue({ maxDepth: 2 }));
  return fc.oneof(...examples, ...types.map((t) => typedArb(node, t, depth)));
}

function typedArb(node: FuzzSchema, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': {
      const min = node.minLength ?? 0;
      const max = node.maxLength ?? 1024;
      return node.pattern ? patternArb(node.pattern, min, max) : stringArb(min, max);
    }
    case 'integer': {
      const min = Math.max(node.minimum ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
      const max = Math.min(node.maximum ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      // Small values name rows that exist (id 1, 2 …); bounds and wide values test the ranges.
      // (fc.integer draws 32-bit values; the bounds themselves cover the rest of the range.)
      const small = fc.integer({ min: Math.max(min, -2), max: Math.min(max, 8) });
      const wide = fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) });
      return min > 8 || max < -2 ? fc.constantFrom(min, max) : fc.oneof(small, fc.constantFrom(min, max), wide);
    }
    case 'number':
      return fc.double({ min: node.minimum ?? -1e308, max: node.maximum ?? 1e308, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (node.prefixItems) return fc.tuple(...node.prefixItems.map((p) => validArb(p, depth + 1)));
      const item = node._name_ === 'filters' ? filterArb : validArb(node.items, depth + 1);
      const minLength = node.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(node.maxItems ?? 3, depth > 3 ? 1 : 3)) });
    }
    case 'object': {
      const props = node.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, p] of Object.entries(props)) model[k] = validArb(p, depth + 1);
      const record = fc.record(model, { requiredKeys: (node.required ?? []).filter((k) => k in props) });
      const extra = node.additionalProperties;
      if (typeof extra !== 'object' || depth > 4) return record;
      const keys = node.propertyNames ? (validArb(node.propertyNames, depth + 1) as fc.Arbitrary<string>) : fc.string({ maxLength: 12 });
      return fc.tuple(record, fc.dictionary(keys, validArb(extra, depth + 1), { maxKeys: 3 })).map(([r, d]) => ({ ...d, ...r }));
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/**
 * Rewrites generated params before they are sent (e.g. points every host name at loopback), so a
 * call that succeeds cannot reach anything outside the test. Applied to plausible params and again
 * after a hostile value was put in; must return a value of the same shape.
 */
export type Neutralise = (params: unknown) => unknown;

/** Plausible positional params: every required argument, then a random number of the optional ones. */
export function paramsArbitrary(accepts: readonly FuzzSchema[], fix: Neutralise = (p) => p): fc.Arbitrary<unknown[]> {
  const required = accepts.filter((a) => a._required_ !== false).length;
  return fc
    .tuple(fc.tuple(...accepts.map((a) => validArb(a))), fc.integer({ min: required, max: accepts.length }))
    .map(([args, n]) => fix(args.slice(0, n)) as unknown[]);
}

/** The "all arguments" form of {@link paramsArbitrary}, which {@link refusedArbitrary} mutates. */
function fullParamsArbitrary(accepts: readonly FuzzSchema[], fix: Neutralise): fc.Arbitrary<unknown[]> {
  return fc.tuple(...accepts.map((a) => validArb(a))).map((p) => fix(p) as unknown[]);
}

/** Large values, made once (they are only read). */
const BIG = { string: 'A'.repeat(HUGE_LENGTHS[0]!), arrays: nested('array', 40), objects: nested('object', 40), list: new Array<number>(HUGE_LIST_ITEMS).fill(0) };

/** Values of the JSON types a node does not accept (the node's own wrong types), or null when it accepts anything. */
const TYPE_SAMPLES: readonly unknown[] = ['12345', '', 12345, 12345.5, -1, true, false, [], [1], {}, { a: 1 }, null];
function wrongTypeArb(node: FuzzSchema): fc.Arbitrary<unknown> | null {
  const types = typesOf(node);
  if (!types) return null;
  const integerOnly = !typesOf(node, false)?.has('number');
  const wrong = TYPE_SAMPLES.filter((v) => {
    const t = jsonType(v);
    return !(types.has(t) || (t === 'integer' && types.has('number')) || (t === 'number' && types.has('number') && !integerOnly));
  });
  const big: unknown[] = [];
  if (!types.has('string')) big.push(BIG.string);
  if (!types.has('array')) big.push(BIG.arrays, BIG.list);
  if (!types.has('object')) big.push(BIG.objects);
  const all = [...wrong, ...big];
  return all.length ? fc.constantFrom(...all) : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Values that break `node` for certain, built on `value` (a plausible value of it): wrong type, past
 * a bound, and, for a plain object or list, one field or item broken the same way (recursively),
 * an unknown field where none are allowed, or a required field left out. Null when nothing can be
 * broken for certain (the node accepts anything). Unions are only broken by type: breaking inside
 * one variant may make another one match.
 */
export function brokenArb(node: FuzzSchema, value: unknown, depth = 0): fc.Arbitrary<unknown> | null {
  const options: fc.Arbitrary<unknown>[] = [];
  const wrong = wrongTypeArb(node);
  if (wrong) options.push(wrong);
  if (node.anyOf || node.oneOf) return wrong;
  if (node.const !== undefined) options.push(fc.constant(typeof node.const === 'string' ? `${node.const}\ud800` : ['not', node.const]));
  if (node.enum?.length && node.enum.every((e) => typeof e === 'string')) options.push(fc.constantFrom('NOT_IN_ENUM', '\ud800', (node.enum[0] as string).toLowerCase() + '\u0000'));
  const types = typesOf(node);
  if (types?.has('string') && !node.enum && node.const === undefined) {
    if (node.maxLength !== undefined) options.push(fc.constantFrom('x'.repeat(node.maxLength + 1), 'é'.repeat(Math.min(HUGE_LENGTHS[1]!, Math.max(node.maxLength + 1, HUGE_LENGTHS[0]!)))));
    if ((node.minLength ?? 0) > 0) options.push(fc.constant(''));
  }
  if (types?.has('number')) {
    if (node.minimum !== undefined && node.minimum > Number.MIN_SAFE_INTEGER) options.push(fc.constantFrom(node.minimum - 1, -1e308));
    if (node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER) options.push(fc.constantFrom(node.maximum + 1, 1e308));
    if (!typesOf(node, false)?.has('number')) options.push(fc.constantFrom(0.5, 2 ** 53 + 2));
  }
  if (depth < 6 && isRecord(value) && node.properties) {
    const props = node.properties;
    for (const k of Object.keys(value)) {
      const child = props[k];
      const inner = child && brokenArb(child, value[k], depth + 1);
      if (inner) options.push(inner.map((v) => ({ ...value, [k]: v })));
    }
    if (node.additionalProperties === false) {
      // A computed key defines an own property, `__proto__` included.
      const unknown = ['__vsnapd_unknown', 'constructor', '__proto__', '\ud800', ''].filter((k) => !(k in props));
      options.push(fc.tuple(fc.constantFrom(...unknown), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => ({ ...value, [k]: v })));
    }
    const required = (node.required ?? []).filter((k) => k in value);
    if (required.length) options.push(fc.constantFrom(...required).map((k) => Object.fromEntries(Object.entries(value).filter(([key]) => key !== k))));
  }
  if (depth < 6 && Array.isArray(value) && typeof node.items === 'object' && !node.prefixItems) {
    const items = node.items;
    if (value.length > 0) {
      const inner = brokenArb(items, value[0], depth + 1);
      if (inner) options.push(inner.map((v) => [v, ...value.slice(1)]));
    }
    if (node.maxItems !== undefined && node.maxItems < HUGE_LIST_ITEMS) options.push(fc.constant(new Array<unknown>(node.maxItems + 1).fill(value[0] ?? null)));
  }
  return options.length ? fc.oneof(...options) : null;
}

/** JSON text of a params array whose element `i` is replaced by raw JSON text. */
function withRaw(params: readonly unknown[], i: number, raw: string): string {
  return `[${params.map((p, j) => (j === i ? raw : JSON.stringify(p))).join(',')}]`;
}

/** Params that every method must refuse (see the module comment). */
export function refusedArbitrary(accepts: readonly FuzzSchema[], fix: Neutralise = (p) => p): fc.Arbitrary<FuzzParams> {
  const full = fullParamsArbitrary(accepts, fix);
  const required = accepts.filter((a) => a._required_ !== false).length;
  const tooMany = (p: unknown[]) =>
    fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 3 }).map((more): FuzzParams => ({ paramsText: JSON.stringify([...p, ...more]), refused: true, label: 'too many arguments' }));
  const some: fc.Arbitrary<FuzzParams>[] = [
    full.chain(tooMany),
    full.map((p) => ({ paramsText: JSON.stringify([...p.slice(0, -1), nested('array', MAX_NESTING + 2)]), refused: true, label: `nesting past ${MAX_NESTING}` })),
    // JSON-RPC allows by-name params (an object): vsnapd's methods take positional ones only. Other types break the envelope.
    fc.constantFrom('{"value":1}', '{}', '"x"', '1', 'null', 'true').map((paramsText) => ({ paramsText, refused: true, label: 'params not a list' })),
  ];
  if (required > 0) some.push(full.map((p) => ({ paramsText: JSON.stringify(p.slice(0, required - 1)), refused: true, label: 'a required argument missing' })));
  // Most calls break one argument: that is where the schemas differ. (An argument that accepts
  // anything cannot be broken: those calls get one argument too many instead.)
  const broken: fc.Arbitrary<FuzzParams>[] = [];
  accepts.forEach((arg, i) => {
    broken.push(
      full.chain((p) => {
        const b = brokenArb(arg, p[i]);
        return b ? b.map((v): FuzzParams => ({ paramsText: JSON.stringify([...p.slice(0, i), v, ...p.slice(i + 1)]), refused: true, label: `argument ${i} broken` })) : tooMany(p);
      }),
    );
    if (typesOf(arg) !== null) some.push(fc.tuple(full, fc.constantFrom('1e999', '-1e999')).map(([p, inf]) => ({ paramsText: withRaw(p, i, inf), refused: true, label: 'Infinity' })));
  });
  return fc.oneof(
    { weight: 1, arbitrary: fc.oneof(...some) },
    ...(broken.length ? [{ weight: 3, arbitrary: fc.oneof(...broken) }] : []),
  );
}

/** A value nobody should send: wrong types, huge strings and lists, deep nesting, awkward unicode, prototype keys, extreme numbers. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...TYPE_SAMPLES),
  fc.constantFrom(...AWKWARD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 200 }),
  // 1 MiB rarely: each costs the daemon a parse, a validation and an audit record.
  fc.oneof({ weight: 9, arbitrary: fc.constant(HUGE_LENGTHS[0]!) }, { weight: 1, arbitrary: fc.constant(HUGE_LENGTHS[1]!) }).chain((n) => fc.constantFrom('A'.repeat(n), '\ud83d'.repeat(n / 4), 'ß'.repeat(n / 2))),
  fc.integer({ min: 2, max: MAX_NESTING - 6 }).chain((n) => fc.constantFrom(nested('array', n), nested('object', n))),
  fc.constant(new Array<number>(HUGE_LIST_ITEMS).fill(7)),
  fc.constantFrom(-0, 2 ** 53 + 2, -(2 ** 64), 1e308, -1e308, 5e-324, 0.1),
  fc.constant(JSON.parse('{"__proto__": {"admin": true}, "constructor": {"prototype": {"polluted": 1}}}') as unknown),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Every place in a JSON value (as a path of keys and indexes), the root included. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (out.length > 200) return out;
  if (Array.isArray(v)) v.slice(0, 20).forEach((x, i) => paths(x, [...at, i], out));
  else if (isRecord(v)) for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** `v` with the value at `path` replaced (copies along the path). */
function replaceAt(v: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? replaceAt(x, rest, value) : x));
  if (isRecord(v)) return { ...v, [head!]: replaceAt(v[head!], rest, value) };
  return v;
}

/** Plausible params with one value (anywhere, the whole list included) replaced by a hostile one, or an extra field added. */
function hostileArbitrary(accepts: readonly FuzzSchema[], fix: Neutralise): fc.Arbitrary<FuzzParams> {
  return paramsArbitrary(accepts, fix).chain((p) => {
    const where = paths(p);
    return fc.tuple(fc.constantFrom(...where), hostileValue, fc.boolean()).map(([path, h, addField]) => {
      const target = path.length > 0 && addField ? path : null;
      const params = target ? replaceAt(p, target, isRecordAt(p, target) ? { ...(getAt(p, target) as object), extra_field: h } : h) : replaceAt(p, path, h);
      return { paramsText: JSON.stringify(fix(params)) ?? 'null', refused: false, label: 'hostile value' };
    });
  });
}

function getAt(v: unknown, path: readonly (string | number)[]): unknown {
  let node = v;
  for (const k of path) node = (node as Record<string | number, unknown>)[k];
  return node;
}

function isRecordAt(v: unknown, path: readonly (string | number)[]): boolean {
  return isRecord(getAt(v, path));
}

/** The mixed phase's calls: plausible params, hostile ones and refused ones. */
export function mixedArbitrary(accepts: readonly FuzzSchema[], fix: Neutralise = (p) => p): fc.Arbitrary<FuzzParams> {
  return fc.oneof(
    { weight: 3, arbitrary: paramsArbitrary(accepts, fix).map((p) => ({ paramsText: JSON.stringify(p), refused: false, label: 'plausible' })) },
    { weight: 3, arbitrary: hostileArbitrary(accepts, fix) },
    { weight: 2, arbitrary: refusedArbitrary(accepts, fix) },
  );
}
