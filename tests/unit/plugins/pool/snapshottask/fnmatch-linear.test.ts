/**
 * fnmatch (snapshot task `exclude` patterns) keeps Python's semantics and stays fast on patterns
 * that made the former backtracking RegExp run for hours (found by the robustness review).
 */
import t from 'tap';
import { fnmatch } from '../../../../../plugins/pool/snapshottask/retention.js';

t.test('Python fnmatch semantics', async (t) => {
  const cases: [string, string, boolean][] = [
    ['tank/vms/tmp-1', 'tank/vms/tmp-*', true],
    ['tank/a/b/c', 'tank/*/c', true],
    ['abc', 'a?c', true],
    ['abc', '*b', false],
    ['', '*', true],
    ['a', '', false],
    ['aaa', 'a*a*a', true],
    ['aa', 'a*a*a', false],
    ['tank/x5', 'tank/x[0-9]', true],
    ['tank/xa', 'tank/x[0-9]', false],
    ['tank/d', 'tank/[!c]', true],
    ['a]b', 'a[]]b', true],
    ['a-b', 'a[x-]b', true],
    ['a[b', 'a[b', true],
    ['axb', 'a.b', false],
  ];
  for (const [name, pattern, want] of cases) t.equal(fnmatch(name, pattern), want, `${name} ~ ${pattern}`);
});

t.test('no catastrophic backtracking', async (t) => {
  // Exponential for a backtracking regex (^.*a.*a…x$); the greedy-star matcher needs ~n×m steps.
  t.notOk(fnmatch('a'.repeat(255), '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*x'));
  t.ok(fnmatch(`${'a'.repeat(254)}x`, '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*x'));
});
