import t from 'tap';
import { formatSize, parsePropertyRows, parseSize, parseSource } from '../../../../../plugins/pool/zfs/parse.js';

t.test('sizes in exact and human form', async (t) => {
  t.equal(parseSize('229376'), 229376);
  t.equal(parseSize('680K'), 680 * 1024);
  t.equal(parseSize('90.3M'), Math.round(90.3 * 2 ** 20));
  t.equal(parseSize('1.50G'), 1.5 * 2 ** 30);
  t.equal(parseSize('-'), 0);
  t.ok(Number.isNaN(parseSize('lots')));
  t.equal(formatSize(696320), '680K');
  t.equal(formatSize(512), '512B');
  t.equal(formatSize(94724096), '90.3M');
});

t.test('zfs get -H rows, values with tabs, sources', async (t) => {
  const rows = parsePropertyRows('tank/a@s\tvsnapd:run\t7\tlocal\ntank/a@s\tx:y\ta\tb\tinherited from tank\n\n');
  t.same(rows, [
    { name: 'tank/a@s', property: 'vsnapd:run', value: '7', source: 'LOCAL' },
    { name: 'tank/a@s', property: 'x:y', value: 'a\tb', source: 'INHERITED' },
  ]);
  t.equal(parseSource('-'), 'NONE');
  t.equal(parseSource('default'), 'DEFAULT');
  t.equal(parseSource('received'), 'RECEIVED');
});
