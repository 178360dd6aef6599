import t from 'tap';
import {
  assertSnapshotName,
  datasetNameProblem,
  isSameOrDescendant,
  poolNameProblem,
  snapshotNameProblem,
  userPropertyNameProblem,
  userPropertyValueProblem,
} from '../../../../../plugins/pool/zfs/names.js';
import { Errno } from '../../../../../daemon/errors.js';

t.test('dataset names follow ZFS rules and refuse option-looking input', async (t) => {
  for (const ok of ['tank', 'tank/vms', 'tank/a.b:c-d_e', 'tank/with space', 'Tank9/x']) t.equal(datasetNameProblem(ok), null, ok);
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['-tank', /start with a letter|starting with "-"/],
    ['tank/-o', /starting with "-"/],
    ['tank//a', /empty component/],
    ['tank/', /start or end/],
    ['/tank', /start or end/],
    ['tank/a@b', /snapshot/],
    ['tank/a#b', /bookmark/],
    ['tank/a$b', /invalid character "\$"/],
    ['tank/..', /".." component/],
    ['1tank', /start with a letter/],
    ['mirror1', /reserved word "mirror"/],
    ['c0d0', /"c" followed by a digit/],
    [`tank/${'a'.repeat(260)}`, /longer than 255/],
  ];
  for (const [name, why] of bad) t.match(datasetNameProblem(name), why, name);
  t.equal(poolNameProblem('tank'), null);
});

t.test('snapshot names are dataset@name', async (t) => {
  t.equal(snapshotNameProblem('tank/a@auto-2025-01-01_00-00'), null);
  t.match(snapshotNameProblem('tank/a'), /<dataset>@<snapshot>/);
  t.match(snapshotNameProblem('tank/a@'), /empty/);
  t.match(snapshotNameProblem('tank/a@b@c'), /may not contain/);
  t.match(snapshotNameProblem('tank/a@-r'), /starting with "-"/);
  t.match(snapshotNameProblem('-x@y'), /start with a letter|"-"/);
  t.throws(() => assertSnapshotName('tank@bad/x'), { errno: Errno.EINVAL, message: /Invalid snapshot name "tank@bad\/x"/ });
});

t.test('user properties', async (t) => {
  t.equal(userPropertyNameProblem('vsnapd:run'), null);
  t.match(userPropertyNameProblem('compression'), /must contain ":"/);
  t.match(userPropertyNameProblem('Vsnapd:Run'), /lowercase/);
  t.match(userPropertyNameProblem('-a:b'), /start with "-"/);
  t.equal(userPropertyValueProblem('any text: with = signs'), null);
  t.match(userPropertyValueProblem('a\tb'), /tabs/);
  t.match(userPropertyValueProblem('x'.repeat(9000)), /8192 bytes/);
});

t.test('tree relationship', async (t) => {
  t.ok(isSameOrDescendant('tank/a', 'tank/a'));
  t.ok(isSameOrDescendant('tank/a/b', 'tank/a'));
  t.notOk(isSameOrDescendant('tank/ab', 'tank/a'), 'a prefix is not a child');
});
