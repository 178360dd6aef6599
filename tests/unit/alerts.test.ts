import t from 'tap';
import { z } from 'zod';
import { AlertEntrySchema, AlertManager, createAlerts, formatAlertText, type AlertEntry } from '../../daemon/alerts/index.js';
import { Errno, InstanceNotFound } from '../../daemon/errors.js';
import type { AlertClassSpec, CollectionUpdate, EventBus, PluginContext } from '../../daemon/plugin.js';
import type { AnyMethodDef, CallContext } from '../../daemon/registry/method.js';
import { alertPlugin } from '../../plugins/alert/index.js';
import { openTemp, silentLog, tempDir } from '../helpers/tmp-datastore.js';

const LOGIN: AlertClassSpec = {
  name: 'VMWareLoginFailed',
  title: 'VMWare Login Failed',
  text: 'VMWare login to %(hostname)s failed: %(error)s.',
  level: 'WARNING',
  category: 'TASKS',
};
const CREATE: AlertClassSpec = {
  name: 'VMWareSnapshotCreateFailed',
  title: 'Creating VMWare Snapshot Failed',
  text: 'Creating VMWare snapshot %(snapshot)s of VM %(vm)s at %(hostname)s failed: %(error)s.',
  level: 'WARNING',
  category: 'TASKS',
};
const TASK: AlertClassSpec = { name: 'SnapshotTaskFailed', title: 'Snapshot Task Failed', text: 'Task %(id)d failed', level: 'ERROR', category: 'TASKS' };

/** In-process event bus fake that records what is published. */
function recorder(): EventBus & { seen: CollectionUpdate[] } {
  const seen: CollectionUpdate[] = [];
  return {
    seen,
    define: () => undefined,
    publish: (u) => void seen.push(u),
    on: () => ({ dispose: () => undefined }),
  };
}

async function setup(t: { teardown(fn: () => unknown): void }, opts: { maxAlerts?: number } = {}) {
  const dir = tempDir(t);
  const db = await openTemp(t, dir);
  const events = recorder();
  let clock = 1_000_000;
  const alerts = createAlerts({ db, events, log: silentLog, now: () => clock, ...opts });
  for (const c of [LOGIN, CREATE, TASK]) alerts.defineClass(c);
  return { dir, db, events, alerts, tick: (ms = 1000) => (clock += ms), now: () => clock };
}

t.test('raising an alert: TrueNAS alert.list shape, formatted text, added event', async (t) => {
  const { alerts, events } = await setup(t);
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'vc1', error: 'bad password' }, 'vc1');
  const [a] = alerts.list();
  t.ok(AlertEntrySchema.safeParse(a).success, 'matches the entry schema');
  t.match(a, {
    uuid: /^[0-9a-f-]{36}$/,
    source: '',
    klass: 'VMWareLoginFailed',
    args: { hostname: 'vc1', error: 'bad password' },
    node: 'Controller A',
    key: '"vc1"',
    datetime: { $date: 1_000_000 },
    last_occurrence: { $date: 1_000_000 },
    dismissed: false,
    mail: null,
    text: LOGIN.text,
    level: 'WARNING',
    formatted: 'VMWare login to vc1 failed: bad password.',
    one_shot: true,
  });
  t.equal(a.id, a.uuid);
  t.same(events.seen, [{ msg: 'added', collection: 'alert.list', id: a.uuid, fields: a }]);
});

t.test('the same key replaces: uuid, datetime and dismissed kept, args and last_occurrence updated', async (t) => {
  const { alerts, events, tick } = await setup(t);
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'vc1', error: 'e1' }, 'vc1');
  const first = alerts.list()[0];
  await alerts.dismiss(first.uuid);
  tick();
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'vc1', error: 'e2' }, 'vc1');
  const list = alerts.list();
  t.equal(list.length, 1);
  t.match(list[0], { uuid: first.uuid, datetime: first.datetime, last_occurrence: { $date: 1_001_000 }, dismissed: true, formatted: /failed: e2\./ });
  t.same(events.seen.map((e) => e.msg), ['added', 'changed', 'changed']);
});

t.test('without a key, the args are the key: identical args de-duplicate, different args add', async (t) => {
  const { alerts } = await setup(t);
  const args = { snapshot: 'u1', vm: 'web', hostname: 'vc1', error: 'x' };
  await alerts.oneshotCreate('VMWareSnapshotCreateFailed', args);
  await alerts.oneshotCreate('VMWareSnapshotCreateFailed', { error: 'x', hostname: 'vc1', vm: 'web', snapshot: 'u1' });
  t.equal(alerts.list().length, 1, 'key order does not matter');
  await alerts.oneshotCreate('VMWareSnapshotCreateFailed', { ...args, snapshot: 'u2' });
  t.equal(alerts.list().length, 2);
  t.equal(alerts.list()[0].key, '{"error":"x","hostname":"vc1","snapshot":"u1","vm":"web"}');
});

t.test('concurrent raises of one key make one alert', async (t) => {
  const { alerts } = await setup(t);
  await Promise.all(Array.from({ length: 20 }, (_, i) => alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'vc1', error: `e${i}` }, 'vc1')));
  t.equal(alerts.list().length, 1);
  t.match(alerts.list()[0].formatted, /e19/, 'the last one wins');
});

t.test('oneshotDelete by key, or every alert of the class', async (t) => {
  const { alerts, events } = await setup(t);
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'vc1', error: 'x' }, 'vc1');
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'vc2', error: 'x' }, 'vc2');
  await alerts.oneshotCreate('SnapshotTaskFailed', { id: 3 });
  const vc1 = alerts.list().find((a) => a.key === '"vc1"') as AlertEntry;
  events.seen.length = 0;
  await alerts.oneshotDelete('VMWareLoginFailed', 'vc1');
  t.same(events.seen, [{ msg: 'removed', collection: 'alert.list', id: vc1.uuid }]);
  t.same(alerts.list().map((a) => a.key).sort(), ['"vc2"', '{"id":3}']);
  await alerts.oneshotDelete('VMWareLoginFailed', 'nope');
  await alerts.oneshotDelete('VMWareLoginFailed');
  t.same(alerts.list().map((a) => a.klass), ['SnapshotTaskFailed']);
});

t.test('dismiss and restore', async (t) => {
  const { alerts, events } = await setup(t);
  await alerts.oneshotCreate('SnapshotTaskFailed', { id: 1 });
  const { uuid } = alerts.list()[0];
  events.seen.length = 0;
  await alerts.dismiss(uuid);
  t.equal(alerts.list()[0].dismissed, true);
  await alerts.dismiss(uuid);
  t.equal(events.seen.length, 1, 'dismissing twice sends one event');
  t.match(events.seen[0], { msg: 'changed', id: uuid, fields: { dismissed: true } });
  await alerts.restore(uuid);
  t.equal(alerts.list()[0].dismissed, false);
  t.match(events.seen[1], { msg: 'changed', id: uuid, fields: { dismissed: false } });
  const err = await alerts.dismiss('no-such-uuid').catch((e: unknown) => e);
  t.ok(err instanceof InstanceNotFound);
  t.same((err as InstanceNotFound).errors, [{ attribute: null, message: 'Alert no-such-uuid does not exist', errno: Errno.ENOENT }]);
  await t.rejects(alerts.restore('no-such-uuid'), { message: /Alert no-such-uuid does not exist/ });
});

t.test('list order: most severe first, then class title, then first occurrence', async (t) => {
  const { alerts, tick } = await setup(t);
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'b', error: 'x' }, 'b');
  tick();
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'a', error: 'x' }, 'a');
  await alerts.oneshotCreate('VMWareSnapshotCreateFailed', { snapshot: 's', vm: 'v', hostname: 'h', error: 'e' });
  await alerts.oneshotCreate('SnapshotTaskFailed', { id: 1 });
  t.same(
    alerts.list().map((a) => [a.level, a.klass, a.key]),
    [
      ['ERROR', 'SnapshotTaskFailed', '{"id":1}'],
      ['WARNING', 'VMWareSnapshotCreateFailed', '{"error":"e","hostname":"h","snapshot":"s","vm":"v"}'],
      ['WARNING', 'VMWareLoginFailed', '"b"'],
      ['WARNING', 'VMWareLoginFailed', '"a"'],
    ],
  );
});

t.test('alerts are kept in the datastore across restarts', async (t) => {
  const { dir, db, alerts } = await setup(t);
  await alerts.oneshotCreate('VMWareLoginFailed', { hostname: 'vc1', error: 'x' }, 'vc1');
  const before = alerts.list();
  await db.close();
  const db2 = await openTemp(t, dir);
  const again = createAlerts({ db: db2, events: recorder(), log: silentLog });
  t.same(again.list(), before, 'listed even before the class is defined again');
  again.defineClass(LOGIN);
  await again.oneshotDelete('VMWareLoginFailed', 'vc1');
  t.same(again.list(), []);
});

t.test('the list is bounded: the oldest dismissed alerts go first', async (t) => {
  const { alerts, tick } = await setup(t, { maxAlerts: 3 });
  for (let i = 1; i <= 3; i++) {
    await alerts.oneshotCreate('SnapshotTaskFailed', { id: i });
    tick();
  }
  await alerts.dismiss(alerts.list().find((a) => a.key === '{"id":2}')?.uuid ?? '');
  await alerts.oneshotCreate('SnapshotTaskFailed', { id: 4 });
  t.same(alerts.list().map((a) => a.key), ['{"id":1}', '{"id":3}', '{"id":4}']);
  await alerts.oneshotCreate('SnapshotTaskFailed', { id: 5 });
  t.same(alerts.list().map((a) => a.key), ['{"id":3}', '{"id":4}', '{"id":5}'], 'then the oldest');
});

t.test('wiring errors', async (t) => {
  const { alerts } = await setup(t);
  t.doesNotThrow(() => alerts.defineClass({ ...LOGIN }), 'same spec again is fine');
  t.throws(() => alerts.defineClass({ ...LOGIN, level: 'ERROR' }), /already defined differently/);
  t.throws(() => alerts.defineClass({ ...LOGIN, name: 'X', level: 'LOUD' as never }), /unknown level LOUD/);
  await t.rejects(alerts.oneshotCreate('Nope', {}), /Alert class Nope is not defined/);
  await t.rejects(alerts.oneshotCreate('SnapshotTaskFailed', { id: 1n }), { name: 'CallError', errno: Errno.EINVAL });
  t.same(alerts.classes().map((c) => c.name), ['VMWareLoginFailed', 'VMWareSnapshotCreateFailed', 'SnapshotTaskFailed']);
});

t.test('text templates: Python %-format with a mapping', async (t) => {
  t.equal(formatAlertText('%(a)s and %(b)s', { a: 'x', b: 2 }), 'x and 2');
  t.equal(formatAlertText('%(n)d%%', { n: 99.7 }), '99%');
  t.equal(formatAlertText('%(s)r', { s: 'q' }), "'q'");
  t.equal(formatAlertText('%(o)s / %(z)s', { o: { k: [1] }, z: null }), '{"k":[1]} / None');
  t.equal(formatAlertText('%(missing)s stays', {}), '%(missing)s stays');
  t.equal(formatAlertText('no placeholders', { a: 1 }), 'no placeholders');
});

t.test('alert plugin: methods, roles and the alert.list event', async (t) => {
  const { alerts } = await setup(t);
  const registered: AnyMethodDef[] = [];
  const defined: [string, unknown][] = [];
  const ctx = {
    alerts,
    events: { define: (name: string, spec: unknown) => void defined.push([name, spec]) },
    registerMethods: (defs: readonly AnyMethodDef[]) => void registered.push(...defs),
  } as unknown as PluginContext;
  await alertPlugin.setup(ctx);
  t.same(defined, [['alert.list', { description: 'Alerts raised, changed (dismissed/restored) and removed', roles: ['ALERT_LIST_READ'] }]]);
  t.same(registered.map((d) => [d.name, d.roles, d.args.map((a) => a.name), d.private === true]), [
    ['alert.list', ['ALERT_LIST_READ'], [], false],
    ['alert.dismiss', ['ALERT_LIST_WRITE'], ['uuid'], false],
    ['alert.restore', ['ALERT_LIST_WRITE'], ['uuid'], false],
    ['alert.oneshot_create', ['ALERT_LIST_WRITE'], ['klass', 'args', 'key'], true],
    ['alert.oneshot_delete', ['ALERT_LIST_WRITE'], ['klass', 'key'], true],
  ]);
  const callCtx = { credentials: { type: 'INTERNAL', username: 'root', roles: new Set(['FULL_ADMIN']) }, job: null, signal: new AbortController().signal } as CallContext;
  const call = async (name: string, ...args: unknown[]): Promise<unknown> => {
    const def = registered.find((d) => d.name === name) as AnyMethodDef;
    const parsed = def.args.map((a, i) => a.schema.parse(args[i]));
    const out = await def.handler(callCtx, ...parsed);
    def.result.parse(out);
    return out;
  };
  t.equal(await call('alert.oneshot_create', 'SnapshotTaskFailed', { id: 7 }), null);
  await t.rejects(call('alert.oneshot_create', 'Nope', {}), { name: 'ValidationErrors', message: /klass: Unknown alert class 'Nope'; defined: VMWareLoginFailed, / });
  const list = (await call('alert.list')) as AlertEntry[];
  t.equal(list.length, 1);
  t.equal(await call('alert.dismiss', list[0].uuid), null);
  t.equal(((await call('alert.list')) as AlertEntry[])[0].dismissed, true);
  t.equal(await call('alert.restore', list[0].uuid), null);
  t.equal(((await call('alert.list')) as AlertEntry[])[0].dismissed, false);
  t.throws(() => registered[1].args[0].schema.parse(''), z.ZodError, 'empty uuid refused');
  t.equal(await call('alert.oneshot_delete', 'SnapshotTaskFailed'), null);
  t.same(await call('alert.list'), []);

  await t.rejects(alertPlugin.setup({ ...ctx, alerts: { defineClass() {}, oneshotCreate: async () => {}, oneshotDelete: async () => {} } } as unknown as PluginContext), /must be the AlertManager/);
  t.ok(alerts instanceof AlertManager);
});
