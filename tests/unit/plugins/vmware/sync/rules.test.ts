import t from 'tap';
import { checkRules } from '../../../../../plugins/vmware/sync/rules/check.js';
import { decideVm } from '../../../../../plugins/vmware/sync/rules/evaluate.js';
import { containerPaths, tagKey, type RuleFacts } from '../../../../../plugins/vmware/sync/rules/facts.js';
import { mergeRules, SelectionRules } from '../../../../../plugins/vmware/sync/rules/schema.js';
import { classifyVms } from '../../../../../plugins/vmware/sync/select.js';
import { inventory, vm } from '../../../../helpers/fake-inventory.js';

const db = vm({ name: 'db-1', moref: { type: 'VirtualMachine', value: 'vm-1' }, instanceUuid: '5003aaaa-0000-0000-0000-000000000001', attributes: new Map([['backup', 'no']]) });
const web = vm({ name: 'web-1', moref: { type: 'VirtualMachine', value: 'vm-2' } });
const facts = (over: Partial<RuleFacts> = {}): RuleFacts => ({
  folderOf: new Map([
    ['vm-1', '/DC0/vm/Prod/DB'],
    ['vm-2', '/DC0/vm/Web'],
  ]),
  folders: ['/DC0/vm', '/DC0/vm/Prod', '/DC0/vm/Prod/DB', '/DC0/vm/Web'],
  attributeNames: ['backup'],
  tagsOf: new Map([['vm-2', new Set([tagKey('backup', 'gold')])]]),
  tags: [{ id: 't1', name: 'gold', category: 'backup' }],
  tagError: null,
  ...over,
});
const rules = (r: unknown) => SelectionRules.parse(r);

t.test('exclude wins over include and says so; each selector kind matches', async (t) => {
  const r = rules({ include: [{ folder: '/DC0/vm/Prod' }], exclude: [{ attribute: { name: 'backup', value: 'n*' } }] });
  const d = decideVm(r, db, facts());
  t.match(d, { selected: false, code: 'excluded', rule: 'exclude[0] attribute backup="n*"' });
  t.match(d.reason, /also matches include\[0\] folder \/DC0\/vm\/Prod; exclude wins over include/);
  t.match(decideVm(r, web, facts()), { selected: false, code: 'not_included', rule: null });
  t.equal(decideVm(rules({ include: [{ folder: '/DC0/vm/Pro' }] }), db, facts()).selected, false, 'a folder is matched by whole path segments');
  for (const [sel, vmx] of [
    [{ name: 'db-?' }, db],
    [{ moref: 'vm-2' }, web],
    [{ uuid: '5003AAAA-0000-0000-0000-000000000001' }, db],
    [{ tag: { category: 'backup', tag: 'gold' } }, web],
  ] as const) {
    t.match(decideVm(rules({ include: [sel] }), vmx, facts()), { selected: true, rule: /^include\[0\]/ }, JSON.stringify(sel));
  }
});

t.test('modes: first match wins; default quiesce; skip and crash_consistent reach the verdict', async (t) => {
  const r = rules({ modes: [{ match: { name: 'db-*' }, mode: 'crash_consistent' }, { match: { name: '*' }, mode: 'skip' }] });
  t.match(decideVm(r, db, facts()), { selected: true, mode: 'crash_consistent', modeRule: /^modes\[0\]/ });
  t.match(decideVm(rules({}), db, facts()), { selected: true, mode: 'quiesce', rule: null });
  const inv = inventory([db, web]);
  const byName = Object.fromEntries(classifyVms(inv, ['ds1'], { decide: (v) => decideVm(r, v, facts()) }).map((s) => [s.vm.name, s]));
  t.match(byName['db-1'], { protected: true, quiesce: false, mode: 'crash_consistent' });
  t.same(byName['db-1']?.warnings, [], 'crash-consistent by rule is not a warning');
  t.match(byName['web-1'], { protected: false, code: 'mode_skip' });
});

t.test('tags unreadable: tag selectors are left out, an include list of only tags includes everyone', async (t) => {
  const f = facts({ tagsOf: null, tags: null, tagError: 'no Automation API' });
  const r = rules({ include: [{ tag: { category: 'backup', tag: 'gold' } }], exclude: [{ name: 'web-*' }] });
  t.match(decideVm(r, db, f), { selected: true, rule: /include rules refused/ });
  t.match(decideVm(r, web, f), { selected: false, code: 'excluded' });
  t.match(checkRules(r, f, [db, web]).problems, [{ path: 'include.0.tag', message: /Tag rules are refused: no Automation API/ }]);
});

t.test('checks name what is missing with what exists; globs matching nothing are warnings', async (t) => {
  const r = rules({
    include: [{ folder: '/DC0/vm/Nope' }, { tag: { category: 'tier', tag: 'x' } }, { tag: { category: 'backup', tag: 'bronze' } }],
    exclude: [{ attribute: { name: 'owner', value: '*' } }, { name: 'zzz*' }],
  });
  const c = checkRules(r, facts(), [db, web]);
  t.same(
    c.problems.map((p) => p.path),
    ['include.0.folder', 'include.1.tag.category', 'include.2.tag.tag', 'exclude.0.attribute.name'],
  );
  t.match(c.problems[0]?.message, /folders: \/DC0\/vm, \/DC0\/vm\/Prod/);
  t.match(c.problems[2]?.message, /its tags: gold/);
  t.same(c.warnings, ['exclude[1] name "zzz*" matches no VM']);
});

t.test('selector shapes: exactly one key, bad values named', async (t) => {
  t.notOk(SelectionRules.safeParse({ include: [{ name: 'a', moref: 'vm-1' }] }).success, 'two keys');
  t.notOk(SelectionRules.safeParse({ include: [{ moref: 'host-1' }] }).success, 'not a VM moref');
  t.notOk(SelectionRules.safeParse({ include: [{ folder: 'Prod' }] }).success, 'relative folder');
  t.notOk(SelectionRules.safeParse({ modes: [{ match: { name: 'a' }, mode: 'memory' }] }).success, 'no memory mode');
});

t.test('merging entries: an entry without include keeps every VM included', async (t) => {
  const a = rules({ include: [{ name: 'a' }], exclude: [{ name: 'x' }] });
  const b = rules({ exclude: [{ name: 'y' }] });
  t.same(mergeRules([a, b]), { include: [], exclude: [{ name: 'x' }, { name: 'y' }], modes: [] });
  t.same(mergeRules([a, a]).include, [{ name: 'a' }, { name: 'a' }]);
});

t.test('folder paths leave out the root folder and survive cycles', async (t) => {
  const ref = (value: string) => ({ type: 'Folder', value });
  const paths = containerPaths([
    { moref: ref('root'), name: 'Datacenters', parent: undefined },
    { moref: ref('dc'), name: 'DC0', parent: ref('root') },
    { moref: ref('vmf'), name: 'vm', parent: ref('dc') },
    { moref: ref('p'), name: 'Prod', parent: ref('vmf') },
    { moref: ref('c1'), name: 'loop', parent: ref('c2') },
    { moref: ref('c2'), name: 'loop2', parent: ref('c1') },
  ]);
  t.equal(paths.get('p'), '/DC0/vm/Prod');
  t.equal(paths.get('root'), '');
  t.type(paths.get('c1'), 'string');
});
