import t from 'tap';
import { ValidationErrors } from '../../../daemon/errors.js';
import { checkFilters, compileFilters, matchesFilters, queryList, QueryFilters } from '../../../daemon/query/index.js';

const rows = [
  {
    id: 1,
    hostname: 'vc1.example.com',
    port: 443,
    enabled: true,
    datastores: ['ds1', 'ds2'],
    state: { state: 'SUCCESS', error: null },
    disks: [{ name: 'a', size: 10 }, { name: 'b', size: 20 }],
    created: { $date: Date.UTC(2024, 4, 1, 10, 0, 0) },
    'a.b': 'dotted-key',
    comment: null,
  },
  {
    id: 2,
    hostname: 'VC2.example.org',
    port: 8443,
    enabled: false,
    datastores: [],
    state: { state: 'ERROR', error: 'Login failed' },
    disks: [{ name: 'c', size: 30 }],
    created: { $date: Date.UTC(2024, 4, 2, 10, 0, 0) },
    comment: 'Straße',
  },
  {
    id: 3,
    hostname: 'esx3',
    port: 443,
    enabled: true,
    datastores: ['ds3'],
    state: null,
    disks: [],
    created: new Date(Date.UTC(2024, 4, 3, 10, 0, 0)),
  },
];

const ids = (filters: unknown[]): unknown => (queryList(rows, filters) as { id: number }[]).map((r) => r.id);

// [description, filters, expected ids]
const cases: [string, unknown[], number[]][] = [
  ['no filters → all', [], [1, 2, 3]],
  ['=', [['port', '=', 443]], [1, 3]],
  ['!=', [['port', '!=', 443]], [2]],
  ['>', [['port', '>', 443]], [2]],
  ['>=', [['port', '>=', 443]], [1, 2, 3]],
  ['<', [['id', '<', 2]], [1]],
  ['<=', [['id', '<=', 2]], [1, 2]],
  ['> on strings is code-point order (uppercase sorts first)', [['hostname', '>', 'e']], [1, 3]],
  ['> on mismatched types is false, not an error', [['hostname', '>', 5]], []],
  ['= on booleans', [['enabled', '=', true]], [1, 3]],
  ['= deep on lists', [['datastores', '=', ['ds1', 'ds2']]], [1]],
  ['= null', [['comment', '=', null]], [1]],
  ['~ anchors at start (re.match)', [['hostname', '~', 'vc']], [1]],
  ['~ does not search mid-string', [['hostname', '~', 'example']], []],
  ['~ with .*', [['hostname', '~', '.*example']], [1, 2]],
  ['~ with (?i) flag', [['hostname', '~', '(?i)vc']], [1, 2]],
  ['~ with a Python named group', [['hostname', '~', '(?P<h>esx)\\d']], [3]],
  ['~ with \\Z end anchor', [['hostname', '~', 'esx3\\Z']], [3]],
  ['~ on null field matches as ""', [['comment', '~', '^$']], [1]],
  ['in', [['port', 'in', [8443, 80]]], [2]],
  ['in with a string is substring', [['hostname', 'in', 'xx esx3 yy']], [3]],
  ['nin', [['port', 'nin', [8443]]], [1, 3]],
  ['nin never matches null', [['comment', 'nin', ['x']]], [2]],
  ['rin (value in list field)', [['datastores', 'rin', 'ds2']], [1]],
  ['rin on string field is substring', [['hostname', 'rin', 'example']], [1, 2]],
  ['rnin', [['datastores', 'rnin', 'ds2']], [2, 3]],
  ['^', [['hostname', '^', 'vc1']], [1]],
  ['!^', [['hostname', '!^', 'vc1']], [2, 3]],
  ['$', [['hostname', '$', '.org']], [2]],
  ['!$', [['hostname', '!$', '.org']], [1, 3]],
  ['^ on null is false', [['comment', '^', '']], [2]],
  ['!^ on null is false', [['comment', '!^', 'x']], [2]],
  ['C= case-insensitive', [['hostname', 'C=', 'vc2.EXAMPLE.org']], [2]],
  ['C^', [['hostname', 'C^', 'VC']], [1, 2]],
  ['C$', [['hostname', 'C$', '.COM']], [1]],
  ['C!=', [['hostname', 'C!=', 'ESX3']], [1, 2]],
  ['Cin folds both sides', [['hostname', 'Cin', ['ESX3', 'nope']]], [3]],
  ['Crin', [['hostname', 'Crin', 'EXAMPLE']], [1, 2]],
  ['C= folds ß to ss (casefold)', [['comment', 'C=', 'STRASSE']], [2]],
  ['dotted path', [['state.state', '=', 'ERROR']], [2]],
  ['dotted path through null → false', [['state.state', '!=', 'x']], [1, 2]],
  ['missing field → false even for !=', [['nope', '!=', 1]], []],
  ['numeric index into a list', [['datastores.1', '=', 'ds2']], [1]],
  ['index past the end is null (TrueNAS get_impl)', [['datastores.5', '=', null]], [1, 2, 3]],
  ['step into a list matches if any element matches', [['disks.name', '=', 'b']], [1]],
  ['* step into a list', [['disks.*.size', '>', 25]], [2]],
  ['escaped dot names a key with a dot', [['a\\.b', '=', 'dotted-key']], [1]],
  ['prototype keys never resolve', [['constructor', '!=', null]], []],
  ['conditions are ANDed', [['port', '=', 443], ['enabled', '=', true], ['id', '>', 1]], [3]],
  ['OR of conditions', [['OR', [['id', '=', 1], ['id', '=', 3]]]], [1, 3]],
  ['OR with an AND group', [['OR', [['id', '=', 1], [['port', '=', 443], ['hostname', '^', 'esx']]]]], [1, 3]],
  ['OR nested in OR', [['OR', [['id', '=', 2], ['OR', [['id', '=', 3]]]]]], [2, 3]],
  ['OR ANDed with a condition', [['OR', [['id', '=', 1], ['id', '=', 2]]], ['enabled', '=', false]], [2]],
  ['.$date > on {"$date"} rows and Date rows', [['created.$date', '>', '2024-05-01T12:00:00Z']], [2, 3]],
  ['.$date = with offset', [['created.$date', '=', '2024-05-02T12:00:00+02:00']], [2]],
  ['.$date <= date-only (UTC midnight)', [['created.$date', '<=', '2024-05-02']], [1]],
  ['.$date naive time is UTC', [['created.$date', '<', '2024-05-01 10:00:01']], [1]],
];

t.test('operators, paths and OR groups', async (t) => {
  for (const [name, filters, expected] of cases) t.same(ids(filters), expected, name);
});

t.test('the zod schema accepts what the engine accepts', async (t) => {
  for (const [name, filters] of cases) t.ok(QueryFilters.safeParse(filters).success, name);
});

function issues(filters: unknown): [string, string][] {
  try {
    compileFilters(filters);
  } catch (e) {
    if (e instanceof ValidationErrors) return e.errors.map((x) => [x.attribute ?? '', x.message]);
    throw e;
  }
  return [];
}

t.test('bad filters are ValidationErrors naming filters.<index> and what would be right', async (t) => {
  const bad: [string, unknown, string, RegExp][] = [
    ['unknown operator', [['id', 'xx', 1]], 'filters.0', /Invalid operator 'xx'; valid: = != > >= < <= ~ in nin/],
    ['C~ refused', [['id', '=', 1], ['hostname', 'C~', 'x']], 'filters.1', /'C~'.*\(\?i\)/],
    ['not a list', [5], 'filters.0', /\[field, operator, value\]/],
    ['wrong length', [['id', '=']], 'filters.0', /Invalid operation "id"/],
    ['4 elements', [['id', '=', 1, 2]], 'filters.0', /4 elements/],
    ['field not a string', [[1, '=', 1]], 'filters.0', /Field name must be a non-empty string/],
    ['empty OR', [['OR', []]], 'filters.0', /non-empty list of branches/],
    ['OR value not a list', [['OR', 'x']], 'filters.0', /non-empty list of branches/],
    ['empty OR branch', [['OR', [[]]]], 'filters.0.1.0', /must not be empty/],
    ['bad condition inside OR', [['OR', [['id', '=', 1], ['id', '??', 2]]]], 'filters.0.1.1', /Invalid operator '\?\?'/],
    ['bad condition inside AND group', [['OR', [[['id', '=', 1], ['id', 'bad', 2]]]]], 'filters.0.1.0.1', /Invalid operator 'bad'/],
    ['bad regex', [['hostname', '~', '(']], 'filters.0', /Invalid regular expression "\(":/],
    ['regex value not a string', [['hostname', '~', 5]], 'filters.0', /regular expression string/],
    ['(?x) unsupported', [['hostname', '~', '(?x)a b']], 'filters.0', /\(\?x\) flag is not supported/],
    ['in needs a list', [['id', 'in', 5]], 'filters.0', /must be a list/],
    ['.$date needs ISO-8601', [['created.$date', '>', 'yesterday']], 'filters.0', /ISO-8601/],
    ['.$date impossible date', [['created.$date', '>', '2024-02-30']], 'filters.0', /ISO-8601/],
    ['.$date only comparisons', [['created.$date', '^', '2024-01-01']], 'filters.0', /cannot be used on timestamp field/],
    ['filters not a list', { id: 1 }, 'filters', /must be a list/],
  ];
  for (const [name, filters, attr, msg] of bad) {
    const got = issues(filters);
    t.equal(got.length, 1, `${name}: one error`);
    t.equal(got[0]?.[0], attr, `${name}: attribute`);
    t.match(got[0]?.[1], msg, `${name}: message`);
    if (Array.isArray(filters)) t.equal(QueryFilters.safeParse(filters).success, false, `${name}: schema refuses`);
  }
  t.same(issues(null), [], 'null means no filters');
  t.same(
    issues([['a', 'x', 1], ['b', 'y', 2]]).map((i) => i[0]),
    ['filters.0', 'filters.1'],
    'every problem is reported',
  );
});

t.test('nesting depth: 3 nested OR levels are fine, 4 are refused', async (t) => {
  const nest = (levels: number): unknown[] => {
    let f: unknown = ['id', '=', 1];
    for (let i = 0; i < levels; i++) f = ['OR', [f]];
    return [f];
  };
  t.same(issues(nest(3)), []);
  t.same(ids(nest(3)), [1]);
  const deep = issues(nest(4));
  t.equal(deep.length, 1);
  t.match(deep[0][1], /max recursion depth exceeded/);
  t.equal(deep[0][0], 'filters.0.1.0.1.0.1.0.1.0');
  // AND groups count as a level too.
  t.same(issues([['OR', [[['OR', [[['OR', [[['id', '=', 1]]]]]]]]]]]), []);
  t.match(issues([['OR', [[['OR', [[['OR', [[['OR', [['id', '=', 1]]]]]]]]]]]]])[0][1], /max recursion depth/);
  // Absurd nesting is refused without walking it all.
  t.equal(checkFilters(nest(10_000)).length, 1);
});

t.test('zod issues carry the index path', async (t) => {
  const r = QueryFilters.safeParse([['id', '=', 1], ['OR', [['x', 'nope', 1]]]]);
  t.equal(r.success, false);
  t.same(r.error?.issues.map((i) => i.path), [[1, 1, 0]]);
});

t.test('compiled filters are reusable', async (t) => {
  const f = compileFilters([['port', '=', 443]]);
  t.same(rows.filter((r) => matchesFilters(r, f)).map((r) => r.id), [1, 3]);
  t.same(rows.filter((r) => matchesFilters(r, f)).map((r) => r.id), [1, 3], 'regex/sticky state does not leak between calls');
  const re = compileFilters([['hostname', '~', 'vc']]);
  t.same(rows.filter((r) => matchesFilters(r, re)).map((r) => r.id), [1]);
  t.same(rows.filter((r) => matchesFilters(r, re)).map((r) => r.id), [1]);
});
