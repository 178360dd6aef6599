/**
 * Malformed-params generator for the robustness tests: from a method's `core.get_methods` JSON
 * Schema (`accepts`, one schema per positional argument) it derives calls that a caller could send
 * by mistake or on purpose: wrong JSON types at every level (arguments, object fields, list items),
 * unknown fields, null, 1 MiB strings, 10 000-item lists, deep nesting, out-of-range and
 * non-integer numbers, strings with NUL, control characters or lone UTF-16 surrogates, Infinity
 * (`1e999`), and too many arguments. Each case says what the daemon must answer:
 * - `invalid`: the params break the schema, so the reply must be -32602 with a validation error on
 *   `attribute` or under it, before any handler runs;
 * - `odd`: the params may be schema-valid (a NUL in a free-text field, a negative id); any clear
 *   answer is fine (a result, -32602, or a -32001 CallError), never an unexpected error.
 *
 * Mutations are made one at a time on an otherwise plausible call (each object's required fields
 * filled from the schema or from `examples` given by the test), so a mutation of an optional field
 * is not drowned by "Field required" errors. Pure data, no I/O.
 */

/** The part of a JSON Schema node the generator reads (zod 4's `toJSONSchema` output). */
export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode | boolean;
  maxItems?: number;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  /** Argument name (validation attribute prefix), on top-level argument schemas only. */
  _name_?: string;
  _required_?: boolean;
}

/** One malformed call. */
export interface MalformedCase {
  /** Human-readable label for assertion messages (`vmware_create.tls.verify: wrong type string`). */
  readonly label: string;
  /** The positional params (ignored when `raw` is set). */
  readonly params: unknown[];
  /** JSON text of the params array, for values JSON.stringify cannot write (`1e999`). */
  readonly raw?: string;
  readonly expect: 'invalid' | 'odd';
  /** For `invalid`: the reply's validation errors include this attribute or one under it (`""` = the call). */
  readonly attribute?: string;
}

/** 1 MiB of text. */
export const HUGE_STRING = 'A'.repeat(1024 * 1024);
/** Items in the "huge list" case. */
export const HUGE_LIST_ITEMS = 10_000;
/** Valid JSON strings that are awkward: NUL and control characters, a lone high surrogate, a reversed surrogate pair, a path. */
export const ODD_STRINGS: readonly string[] = ['a\u0000b\u0001\u001f\u007f', '\ud800', 'x\udc00\ud800y', '../../etc/passwd'];
/** Numbers tried wherever a number is accepted. */
const NUMBERS: readonly number[] = [-1, 0, -0.5, 1.5, 2 ** 53 + 2, -(2 ** 53) - 2, 1e308, -1e308];

/** JSON types a node accepts; null when it accepts anything. With `expandInteger`, `integer` implies `number`. */
export function typesOf(node: SchemaNode, expandInteger = true): Set<string> | null {
  const variants = node.anyOf ?? node.oneOf;
  if (variants) {
    const out = new Set<string>();
    for (const v of variants) {
      const t = typesOf(v, expandInteger);
      if (!t) return null;
      for (const x of t) out.add(x);
    }
    return out;
  }
  if (node.type !== undefined) {
    const out = new Set(Array.isArray(node.type) ? node.type : [node.type]);
    if (expandInteger && out.has('integer')) out.add('number');
    return out;
  }
  if (node.const !== undefined) return new Set([jsonType(node.const)]);
  if (node.enum) return new Set(node.enum.map(jsonType));
  return null;
}

/** The JSON type name of a value. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** One value of each JSON type. */
const TYPE_SAMPLES: readonly [string, unknown][] = [
  ['string', '12345'],
  ['number', 12345.5],
  ['integer', 12345],
  ['boolean', true],
  ['array', []],
  ['object', {}],
  ['null', null],
];

/** Values whose JSON type the node does not accept (none when it accepts anything). */
export function wrongTypeValues(node: SchemaNode): unknown[] {
  const types = typesOf(node);
  if (!types) return [];
  return TYPE_SAMPLES.filter(([name, v]) => !types.has(name) && !(typeof v === 'number' && types.has('number'))).map(([, v]) => v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A plausible value for a node: its default, const, first enum value, required fields, or a type sample. */
export function exampleOf(node: SchemaNode): unknown {
  if (node.default !== undefined) return node.default;
  if (node.const !== undefined) return node.const;
  if (node.enum?.length) return node.enum[0];
  const variants = node.anyOf ?? node.oneOf;
  if (variants?.length) return exampleOf(variants[0]!);
  const types = typesOf(node);
  if (!types) return null;
  if (types.has('object')) return requiredOf(node);
  if (types.has('number')) return Math.max(node.minimum ?? 999_999, 999_999);
  if (types.has('string')) return 'x';
  if (types.has('boolean')) return false;
  if (types.has('array')) return [];
  return null;
}

/** An object variant's required fields (example values) and discriminator `const` fields. */
function requiredOf(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of node.required ?? []) out[k] = exampleOf(node.properties?.[k] ?? {});
  for (const [k, p] of Object.entries(node.properties ?? {})) if (p.const !== undefined) out[k] = p.const;
  return out;
}

/** A value nested `depth` levels deep (arrays or objects). */
export function nested(kind: 'array' | 'object', depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { deep: v };
  return v;
}

/** A position in the params that a case mutates. */
interface Site {
  /** Dotted validation attribute of this position. */
  readonly attribute: string;
  /** Under two object shapes that nothing tells apart: zod reports the union, not the field. */
  readonly ambiguous: boolean;
  /** The plausible value at this position (what the mutation replaces or extends). */
  readonly base: unknown;
  /** Builds the params with `value` at this position. */
  readonly put: (value: unknown) => unknown[];
}

/** The mutations of one position, appended to `out`. */
function casesAt(node: SchemaNode, site: Site, out: MalformedCase[], depth: number): void {
  const where = site.ambiguous ? site.attribute.split('.')[0]! : site.attribute;
  const invalid = (what: string, value: unknown, attribute = where) =>
    out.push({ label: `${site.attribute}: ${what}`, params: site.put(value), expect: 'invalid', attribute });
  const odd = (what: string, value: unknown) => out.push({ label: `${site.attribute}: ${what}`, params: site.put(value), expect: 'odd' });

  for (const v of wrongTypeValues(node)) invalid(`wrong type ${jsonType(v)}`, v);
  const types = typesOf(node);
  if (!types) return; // accepts anything: nothing is malformed here
  if (!types.has('array')) invalid('array nested 40 deep', nested('array', 40));

  if (types.has('string') && node.const === undefined && !node.enum) {
    if (node.maxLength !== undefined && node.maxLength < HUGE_STRING.length) invalid('1 MiB string', HUGE_STRING);
    else odd('1 MiB string', HUGE_STRING);
    for (const s of ODD_STRINGS) odd(`string ${JSON.stringify(s)}`, s);
  }
  if (types.has('number')) {
    const integerOnly = !typesOf(node, false)?.has('number');
    for (const n of NUMBERS) {
      const bad = n < (node.minimum ?? -Infinity) || n > (node.maximum ?? Infinity) || (integerOnly && !Number.isSafeInteger(n));
      if (bad) invalid(`number ${n}`, n);
      else odd(`number ${n}`, n);
    }
  }
  if (types.has('array') && typeof node.items === 'object' && depth < 3) {
    const items = node.items;
    const list = new Array<unknown>(HUGE_LIST_ITEMS).fill(exampleOf(items));
    if (node.maxItems !== undefined && node.maxItems < HUGE_LIST_ITEMS) invalid(`${HUGE_LIST_ITEMS} items`, list);
    else odd(`${HUGE_LIST_ITEMS} items`, list);
    for (const v of wrongTypeValues(items)) invalid(`item of wrong type ${jsonType(v)}`, [v], site.ambiguous ? where : `${site.attribute}.0`);
  }
  if (!types.has('object')) return;
  const variants = (node.anyOf ?? node.oneOf ?? [node]).filter((v) => typesOf(v)?.has('object') && v.properties);
  for (const variant of variants) {
    const discriminated = Object.values(variant.properties ?? {}).some((p) => p.const !== undefined);
    const ambiguous = site.ambiguous || (variants.length > 1 && !discriminated);
    const at = ambiguous ? site.attribute.split('.')[0]! : site.attribute;
    // The object to mutate: the plausible value when it is this variant (same discriminator), else the variant's required fields.
    const fits = isRecord(site.base) && Object.entries(variant.properties ?? {}).every(([k, p]) => p.const === undefined || (site.base as Record<string, unknown>)[k] === p.const);
    const skeleton = fits ? (site.base as Record<string, unknown>) : requiredOf(variant);
    if (variant.additionalProperties === false) {
      out.push({ label: `${site.attribute}: unknown field`, params: site.put({ ...skeleton, __vsnapd_unknown: 1 }), expect: 'invalid', attribute: ambiguous ? at : `${site.attribute}.__vsnapd_unknown` });
      out.push({ label: `${site.attribute}: unknown field nested 40 deep`, params: site.put({ ...skeleton, ...(nested('object', 40) as object) }), expect: 'invalid', attribute: at });
    }
    if (depth >= 3) continue;
    for (const [key, prop] of Object.entries(variant.properties ?? {})) {
      if (prop.const !== undefined) continue;
      casesAt(prop, {
        attribute: `${site.attribute}.${key}`,
        ambiguous,
        base: key in skeleton ? skeleton[key] : exampleOf(prop),
        put: (value) => site.put({ ...skeleton, [key]: value }),
      }, out, depth + 1);
    }
  }
}

/**
 * Every malformed case for a method whose argument schemas are `accepts`. `examples` (optional)
 * gives plausible values for the arguments; the others come from the schemas. Arguments after
 * the mutated one are left out.
 */
export function malformedCases(accepts: readonly SchemaNode[], examples: readonly unknown[] = []): MalformedCase[] {
  const out: MalformedCase[] = [];
  const plausible = accepts.map((a, i) => (i < examples.length ? examples[i] : exampleOf(a)));
  accepts.forEach((arg, i) => {
    casesAt(arg, { attribute: arg._name_ ?? `arg${i}`, ambiguous: false, base: plausible[i], put: (v) => [...plausible.slice(0, i), v] }, out, 0);
  });
  out.push({ label: 'one argument too many', params: [...plausible, 'extra'], expect: 'invalid', attribute: '' });
  out.push({ label: 'three arguments too many', params: [...plausible, null, 1, 'x'], expect: 'invalid', attribute: '' });
  const first = accepts[0];
  out.push({
    label: 'Infinity (1e999) as the first argument',
    params: [],
    raw: '[1e999]',
    expect: first && typesOf(first) === null ? 'odd' : 'invalid',
    attribute: first ? (first._name_ ?? 'arg0') : '',
  });
  return out;
}
