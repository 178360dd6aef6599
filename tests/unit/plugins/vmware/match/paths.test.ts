import t from 'tap';
import { isWithin, normalisePath, owningDataset } from '../../../../../plugins/vmware/match/paths.js';

t.test('normalisePath', async (t) => {
  const cases: [string, string | null][] = [
    ['/mnt/tank/vms', '/mnt/tank/vms'],
    ['/mnt/tank/vms/', '/mnt/tank/vms'],
    ['/mnt/tank/vms///', '/mnt/tank/vms'],
    ['//mnt//tank/./vms', '/mnt/tank/vms'],
    ['/mnt/tank/x/../vms', '/mnt/tank/vms'],
    ['mnt/tank/vms', '/mnt/tank/vms'],
    ['/', '/'],
    ['  /mnt/a/  ', '/mnt/a'],
    ['', null],
    ['   ', null],
  ];
  for (const [input, want] of cases) t.equal(normalisePath(input), want, JSON.stringify(input));
});

t.test('isWithin compares path components, never prefixes', async (t) => {
  t.ok(isWithin('/mnt/tank/vm', '/mnt/tank/vm'));
  t.ok(isWithin('/mnt/tank/vm/a', '/mnt/tank/vm'));
  t.notOk(isWithin('/mnt/tank/vmware', '/mnt/tank/vm'));
  t.notOk(isWithin('/mnt/tank', '/mnt/tank/vm'));
  t.ok(isWithin('/anything', '/'));
});

t.test('owningDataset: deepest mountpoint containing the path wins', async (t) => {
  const ds = [
    { name: 'tank', mountpoint: '/mnt/tank' },
    { name: 'tank/vm', mountpoint: '/mnt/tank/vm' },
    { name: 'tank/vm/db', mountpoint: '/mnt/tank/vm/db/' },
    { name: 'tank/vmware', mountpoint: '/mnt/tank/vmware' },
    { name: 'tank/moved', mountpoint: '/srv/moved' },
  ];
  const owner = (p: string) => owningDataset(p, ds)?.name;
  t.equal(owner('/mnt/tank/vm'), 'tank/vm');
  t.equal(owner('/mnt/tank/vm/'), 'tank/vm', 'trailing slash');
  t.equal(owner('/mnt/tank/vm/folder/sub'), 'tank/vm', 'sub-folder');
  t.equal(owner('/mnt/tank/vm/db'), 'tank/vm/db', 'child dataset mountpoint with trailing slash');
  t.equal(owner('/mnt/tank/vm/db/x'), 'tank/vm/db');
  t.equal(owner('/mnt/tank/vmware'), 'tank/vmware', 'not tank/vm by prefix');
  t.equal(owner('/mnt/tank/vmx'), 'tank', 'falls back to the parent dataset');
  t.equal(owner('/srv/moved/a'), 'tank/moved', 'custom mountpoint');
  t.equal(owner('/elsewhere'), undefined);
  t.equal(owner(''), undefined);
});
