/**
 * The query language (TrueNAS `filters` + `options`), one engine for every `*.query`:
 * import from here rather than from the individual files.
 */
export { checkFilters, compileFilters, matchesFilters, MAX_FILTERS_DEPTH, QueryFilters } from './filters.js';
export type { CompiledFilters, FilterIssue, QueryCondition, QueryFilter, QueryOr } from './filters.js';
export { OPERATORS } from './operators.js';
export type { BaseOperator, Operator } from './operators.js';
export { MatchNotFound, MAX_LIMIT, orderRows, QueryOptions, selectFields } from './options.js';
export type { QueryOptionsIn, QueryOptionsT } from './options.js';
export { parseQueryOptions, queryList } from './query-list.js';
export { definedOnly, publishCrud, queryMethods } from './crud.js';
export { crudWrites } from './crud-methods.js';
export type { CreateSpec, CrudBase, DeleteSpec, UpdateSpec } from './crud-methods.js';
export type { QueryMethodsSpec } from './crud.js';
