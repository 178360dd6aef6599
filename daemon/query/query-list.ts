/**
 * `queryList`: the one query engine behind every `*.query(filters, options)`. Order of application,
 * as TrueNAS `filter_list`: filter → select → count → order → get → offset → limit.
 */
import { ValidationErrors } from '../errors.js';
import { compileFilters, matchesFilters } from './filters.js';
import { MatchNotFound, orderRows, QueryOptions, selectFields, type QueryOptionsIn, type QueryOptionsT } from './options.js';

/**
 * Parses options (`undefined`/`null` = defaults).
 * @throws ValidationErrors with `options.<field>` attributes.
 */
export function parseQueryOptions(options: unknown, attribute = 'options'): QueryOptionsT {
  const r = QueryOptions.safeParse(options ?? {});
  if (r.success) return r.data;
  const v = new ValidationErrors();
  for (const issue of r.error.issues) {
    const at = [attribute, ...issue.path.map(String)].join('.');
    // As pydantic (and the method registry) report them: one entry per unknown key.
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) v.add(`${at}.${key}`, 'Extra inputs are not permitted');
    else v.add(at, issue.message);
  }
  throw v;
}

/**
 * Runs a query over `items` (not modified).
 * @param filters a TrueNAS filters list (validated here too, so in-process callers get the same errors).
 * @param options TrueNAS query options; already-parsed options are accepted as they are.
 * @returns the matching rows (a list), one row (`get`), or a number (`count`).
 * @throws ValidationErrors for bad filters/options (`filters.<i>`, `options.<field>`);
 *   {@link MatchNotFound} for `get` without a match; CallError EINVAL for a `select` path through a list.
 */
export function queryList<T>(items: readonly T[], filters?: readonly unknown[] | null, options?: QueryOptionsIn | null): unknown {
  const compiled = compileFilters(filters);
  const opts = parseQueryOptions(options);

  let rows: unknown[] = compiled.compiled.length > 0 ? items.filter((i) => matchesFilters(i, compiled)) : [...items];
  if (opts.select.length > 0) rows = rows.map((r) => selectFields(r, opts.select));
  if (opts.count) return rows.length;
  if (opts.order_by.length > 0) rows = orderRows(rows, opts.order_by);
  if (opts.get) {
    if (rows.length === 0) throw new MatchNotFound();
    return rows[0];
  }
  if (opts.offset > 0) rows = rows.slice(opts.offset);
  if (opts.limit > 0) rows = rows.slice(0, opts.limit);
  return rows;
}
