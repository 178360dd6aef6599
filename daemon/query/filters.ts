/**
 * Query filters, the first argument of every `*.query(filters, options)`: a list of conditions that
 * must all hold. Source: TrueNAS `filter_list.py` (`eval_filter`, `filterop`) and
 * `api/base/validators/filters.py` (`validate_filters`, MAX_FILTERS_DEPTH = 3).
 *
 * - condition `[field, op, value]`: `field` a dotted path (see path.ts), `op` one of {@link OPERATORS};
 * - disjunction `["OR", [branch, …]]`: a branch is a filter, or a list of filters (an AND group);
 * - `<path>.$date` fields compare epoch ms against an ISO-8601 string value (`=` `!=` `>` `>=` `<` `<=`).
 *   Our rows hold datetimes as `{"$date": ms}` objects (see daemon/wire/date.ts), so `created.$date`
 *   reaches the number; rows holding a `Date` work too.
 */
import { z } from 'zod';
import { ValidationErrors } from '../errors.js';
import { parseIsoTimestamp } from './iso-date.js';
import { applyOperator, casefold, DATE_OPERATORS, OPERATORS, type BaseOperator, type Operator } from './operators.js';
import { someAtPath, splitPath } from './path.js';
import { compilePythonRegex, PatternError } from './python-regex.js';

/** `[field, operator, value]`. */
export type QueryCondition = readonly [field: string, op: Operator, value: unknown];
/** `["OR", [branch, …]]`; a branch that is a list of filters is an AND group. */
export type QueryOr = readonly ['OR', readonly (QueryFilter | readonly QueryFilter[])[]];
/** One element of the filters list. */
export type QueryFilter = QueryCondition | QueryOr;

/** Deepest OR/AND-group nesting TrueNAS accepts. */
export const MAX_FILTERS_DEPTH = 3;

const TIMESTAMP_DESIGNATOR = '.$date';

/** A problem in a filters list: `path` indexes into it (`[0, 1, 2]` = branch 2 of the OR at 0). */
export interface FilterIssue {
  path: number[];
  message: string;
}

type Compiled =
  | { kind: 'cond'; steps: string[]; op: BaseOperator; fold: boolean; value: unknown }
  | { kind: 'or'; branches: Compiled[][] };

/** A validated filters list, ready to test rows with {@link matchesFilters}. */
export interface CompiledFilters {
  readonly compiled: readonly Compiled[];
}

const FILTER_SHAPE = 'a filter is [field, operator, value] or ["OR", [filter, …]]';
const describeOps = (): string => OPERATORS.join(' ');

function compileCondition(f: readonly unknown[], path: number[], issues: FilterIssue[]): Compiled | undefined {
  const [field, rawOp, rawValue] = f;
  const fail = (message: string): undefined => {
    issues.push({ path, message });
    return undefined;
  };
  if (typeof field !== 'string' || field === '') return fail(`Field name must be a non-empty string (${FILTER_SHAPE})`);
  if (typeof rawOp !== 'string') return fail(`Operator must be a string; valid: ${describeOps()}`);
  if (rawOp === 'C~') return fail("Invalid operator 'C~': the regex operator has no case-insensitive form; use '~' with a (?i) pattern");
  if (!(OPERATORS as readonly string[]).includes(rawOp)) return fail(`Invalid operator '${rawOp}'; valid: ${describeOps()}`);
  const fold = rawOp.length > 1 && rawOp.startsWith('C');
  const op = (fold ? rawOp.slice(1) : rawOp) as BaseOperator;
  let value: unknown = fold ? casefold(rawValue) : rawValue;

  if (field.endsWith(TIMESTAMP_DESIGNATOR)) {
    if (!DATE_OPERATORS.includes(op)) return fail(`Operator '${rawOp}' cannot be used on timestamp field '${field}'; valid: ${DATE_OPERATORS.join(' ')}`);
    const ms = typeof rawValue === 'string' ? parseIsoTimestamp(rawValue) : undefined;
    if (ms === undefined) return fail(`${JSON.stringify(rawValue)}: must be an ISO-8601 formatted timestamp string (e.g. "2024-05-01T10:00:00Z") to compare with '${field}'`);
    value = ms;
  } else if (op === '~') {
    if (typeof rawValue !== 'string') return fail(`The value of '~' must be a regular expression string`);
    try {
      value = compilePythonRegex(rawValue);
    } catch (e) {
      return fail(`Invalid regular expression ${JSON.stringify(rawValue)}: ${e instanceof PatternError ? e.message : String(e)}`);
    }
  } else if ((op === 'in' || op === 'nin') && !Array.isArray(rawValue) && typeof rawValue !== 'string') {
    return fail(`The value of '${rawOp}' must be a list (or a string for a substring test)`);
  }
  return { kind: 'cond', steps: splitPath(field), op, fold, value };
}

function compileOne(f: unknown, path: number[], depth: number, issues: FilterIssue[]): Compiled | undefined {
  if (!Array.isArray(f)) {
    issues.push({ path, message: `Invalid filter ${JSON.stringify(f)}: ${FILTER_SHAPE}` });
    return undefined;
  }
  if (f.length === 3) return compileCondition(f, path, issues);
  if (f.length !== 2) {
    issues.push({ path, message: `Invalid filter with ${f.length} elements: ${FILTER_SHAPE}` });
    return undefined;
  }
  const [op, branches] = f as unknown[];
  if (op !== 'OR') {
    issues.push({ path, message: `Invalid operation ${JSON.stringify(op)}: a 2-element filter must be ["OR", [filter, …]]` });
    return undefined;
  }
  if (!Array.isArray(branches) || branches.length === 0) {
    issues.push({ path, message: 'OR filter requires a non-empty list of branches' });
    return undefined;
  }
  const out: Compiled[][] = [];
  branches.forEach((branch: unknown, j) => {
    const bpath = [...path, 1, j];
    const isAndGroup = Array.isArray(branch) && Array.isArray(branch[0]);
    if (Array.isArray(branch) && branch.length === 0) {
      issues.push({ path: bpath, message: 'An OR branch must not be empty' });
    } else {
      const group = compileList(isAndGroup ? (branch as unknown[]) : [branch], bpath, depth + 1, issues, !isAndGroup);
      if (group) out.push(group);
    }
  });
  return { kind: 'or', branches: out };
}

function compileList(filters: readonly unknown[], path: number[], depth: number, issues: FilterIssue[], single = false): Compiled[] | undefined {
  if (depth > MAX_FILTERS_DEPTH) {
    issues.push({ path, message: `query-filters max recursion depth exceeded (OR/AND groups nest at most ${MAX_FILTERS_DEPTH} deep)` });
    return undefined;
  }
  const out: Compiled[] = [];
  filters.forEach((f, i) => {
    const c = compileOne(f, single ? path : [...path, i], depth, issues);
    if (c) out.push(c);
  });
  return out;
}

/** Every problem in `filters` (empty when valid). Used by the {@link QueryFilters} schema. */
export function checkFilters(filters: unknown): FilterIssue[] {
  const issues: FilterIssue[] = [];
  if (!Array.isArray(filters)) return [{ path: [], message: `Filters must be a list of filters (${FILTER_SHAPE})` }];
  compileList(filters, [], 0, issues);
  return issues;
}

/**
 * Validates and compiles a filters list (`undefined`/`null` = no filters).
 * @param attribute prefix of the validation attributes (default `filters`, TrueNAS's argument name).
 * @throws ValidationErrors with one `<attribute>.<index…>` entry per problem.
 */
export function compileFilters(filters: unknown, attribute = 'filters'): CompiledFilters {
  if (filters === undefined || filters === null) return { compiled: [] };
  const issues: FilterIssue[] = Array.isArray(filters) ? [] : checkFilters(filters);
  const compiled = Array.isArray(filters) ? (compileList(filters, [], 0, issues) ?? []) : [];
  if (issues.length > 0) {
    const v = new ValidationErrors();
    for (const i of issues) v.add([attribute, ...i.path].join('.'), i.message);
    throw v;
  }
  return { compiled };
}

function evaluate(item: unknown, c: Compiled): boolean {
  if (c.kind === 'or') return c.branches.some((group) => group.every((g) => evaluate(item, g)));
  return someAtPath(item, c.steps, (v) => applyOperator(c.op, c.fold ? casefold(v) : v, c.value));
}

/** True when `item` satisfies every filter (a missing field makes its condition false). */
export function matchesFilters(item: unknown, filters: CompiledFilters): boolean {
  return filters.compiled.every((c) => evaluate(item, c));
}

/**
 * zod schema of the `filters` argument. Structure and operators are checked here, so a bad filter
 * is a -32602 naming `filters.<index>` and what would be right.
 */
export const QueryFilters = z
  .array(z.unknown())
  .superRefine((filters, ctx) => {
    for (const issue of checkFilters(filters)) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  })
  .meta({
    title: 'QueryFilters',
    description:
      'List of conditions, all of which must hold: [field, op, value] with op one of ' +
      `${describeOps()}; or ["OR", [filter | [filter, …], …]] (OR groups nest at most ${MAX_FILTERS_DEPTH} deep). ` +
      'Fields are dotted paths (numeric list index, `\\.` for a literal dot); `<field>.$date` compares with an ISO-8601 string.',
    examples: [[['id', '=', 1]], [['OR', [['enabled', '=', true], ['hostname', '^', 'vc']]]]],
  });
