import t from 'tap';
import { parseIsoTimestamp } from '../../../daemon/query/iso-date.js';
import { compilePythonRegex, PatternError } from '../../../daemon/query/python-regex.js';

t.test('ISO-8601 timestamps (Python datetime.fromisoformat forms; naive = UTC)', async (t) => {
  const cases: [string, number | undefined][] = [
    ['2024-05-01', Date.UTC(2024, 4, 1)],
    ['2024-05-01T10:20', Date.UTC(2024, 4, 1, 10, 20)],
    ['2024-05-01 10:20:30', Date.UTC(2024, 4, 1, 10, 20, 30)],
    ['2024-05-01T10:20:30.5', Date.UTC(2024, 4, 1, 10, 20, 30, 500)],
    ['2024-05-01T10:20:30,123456', Date.UTC(2024, 4, 1, 10, 20, 30, 123)],
    ['2024-05-01T10:20:30Z', Date.UTC(2024, 4, 1, 10, 20, 30)],
    ['2024-05-01T10:20:30+02:00', Date.UTC(2024, 4, 1, 8, 20, 30)],
    ['2024-05-01T10:20:30-0130', Date.UTC(2024, 4, 1, 11, 50, 30)],
    ['0050-01-01', -60589296000000],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2023-02-29', undefined],
    ['2024-13-01', undefined],
    ['2024-05-01T24:00', undefined],
    ['2024-5-1', undefined],
    ['yesterday', undefined],
    ['', undefined],
  ];
  for (const [s, want] of cases) t.equal(parseIsoTimestamp(s), want, s);
});

t.test('Python regex translation', async (t) => {
  const m = (p: string, s: string): boolean => compilePythonRegex(p).test(s);
  t.ok(m('ab', 'abc'), 'match at start');
  t.notOk(m('bc', 'abc'), 'no search');
  t.ok(m('(?i)AB', 'abc'));
  t.ok(m('(?s)a.b', 'a\nb'));
  t.notOk(m('a.b', 'a\nb'));
  t.ok(m('(?P<x>a)b', 'ab'), 'named groups');
  t.throws(() => compilePythonRegex('(?P<x>a)(?P=x)'), { message: /backreferences .* not supported/ }, 'no backreferences (linear-time matching)');
  t.throws(() => compilePythonRegex('a(?=b)'), { message: /lookarounds are not supported/ });
  t.ok(m('\\Aab\\Z', 'ab'));
  t.notOk(m('ab\\Z', 'abc'));
  t.ok(m('[]a]+$', ']a]'), '] first in a class is literal');
  t.ok(m('[^]a]', 'b'));
  t.ok(m('[\\]]', ']'));
  t.throws(() => compilePythonRegex('(?x)a'), PatternError);
  t.throws(() => compilePythonRegex('(?L)a'), PatternError);
  t.throws(() => compilePythonRegex('(?P=x'), PatternError);
  t.throws(() => compilePythonRegex('[a'), PatternError);
  t.throws(() => compilePythonRegex('a'.repeat(1025)), { message: /longer than 1024 characters/ });
  // Catastrophic backtracking patterns run in linear time (a backtracking engine would take hours).
  t.notOk(m('(a+)+$', `${'a'.repeat(40)}!`));
  t.notOk(m('(?i)(A|a)*$', `${'a'.repeat(40)}!`));
  t.notOk(m('.*.*.*.*.*.*.*.*X', 'b'.repeat(500)));
});
