/** The demo's pure parts: command display (seed layout), wrapping, tables, the undo list. */
import t from 'tap';
import { inlineJson, seedJson, shellQuote, table, wrap } from '../../demo/output.js';
import { midcltCommandLine } from '../../demo/midclt.js';
import { Teardown } from '../../demo/teardown.js';

t.test('commands are shown as the seed writes them', async (t) => {
  t.equal(inlineJson({ minute: '0', hour: '0' }), '{"minute": "0", "hour": "0"}');
  t.equal(inlineJson([['method', '=', 'x']]), '[["method", "=", "x"]]');
  t.equal(seedJson({ path: '/mnt/tank/vmware', networks: ['192.168.1.0/24'] }), '{\n  "path": "/mnt/tank/vmware",\n  "networks": ["192.168.1.0/24"]\n}');
  t.equal(midcltCommandLine('vmware.dataset_has_vms', ['tank/vmware']), `midclt call vmware.dataset_has_vms '"tank/vmware"'`);
  t.equal(midcltCommandLine('pool.snapshottask.run', [1], true), 'midclt call -j pool.snapshottask.run 1');
  t.equal(midcltCommandLine('vmware.plan', ['tank/vmware', true]), `midclt call vmware.plan '"tank/vmware"' true`);
  t.equal(midcltCommandLine('vmware.query', []), 'midclt call vmware.query');
  t.equal(shellQuote('tank/vmware@auto-1'), 'tank/vmware@auto-1');
  t.equal(shellQuote("it's"), `'it'\\''s'`);
});

t.test('long lines wrap at spaces with a hanging indent; tables wrap their last column', async (t) => {
  t.same(wrap('short', 20), ['short']);
  t.same(wrap('aaaa bbbb cccc dddd', 10), ['aaaa bbbb', '  cccc', '  dddd']);
  t.same(wrap('averyveryverylongword x', 5), ['averyveryverylongword', '  x'], 'a word longer than the width stays whole');
  t.equal(table(['VM', 'WHY'], [['web01', ''], ['db01', 'off']]), 'VM     WHY\nweb01\ndb01   off');
  const long = table(['A', 'B'], [['x', `${'word '.repeat(40)}end`]]);
  const lines = long.split('\n');
  t.ok(lines.length > 2, 'the last column wrapped');
  t.ok(lines.slice(2).every((l) => l.startsWith('   word') || l.startsWith('   end')), 'continuations align under the column');
});

t.test('the undo list runs last-in first-out, once, past failures', async (t) => {
  const td = new Teardown();
  const order: string[] = [];
  td.add('pool', () => order.push('pool'));
  td.add('vcsim', () => {
    order.push('vcsim');
    throw new Error('already gone');
  });
  td.teardown(() => order.push('daemon'));
  const [a, b] = await Promise.all([td.run(), td.run()]);
  t.same(order, ['daemon', 'vcsim', 'pool']);
  t.same(a, ['vcsim: already gone']);
  t.equal(a, b, 'a second run returns the first one\'s outcome');
  t.ok(td.started);
});
