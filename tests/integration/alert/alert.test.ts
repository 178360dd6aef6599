/**
 * alert.* over real WebSocket connections to a real daemon: list/dismiss/restore, the private
 * oneshot methods, `alert.list` events, authorisation, and alerts surviving a restart.
 * The daemon runs with VSNAPD_TEST_METHODS=1, which makes the alert plugin define `TestAlert`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { CollectionUpdate } from '../../../client/index.js';
import { AlertEntrySchema, type AlertEntry } from '../../../daemon/alerts/index.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';

t.test('alert API', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vsnapd-alert-data-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const d = await startTestDaemon(t, { config: { data_dir: dataDir } });
  const root = await d.root();

  t.test('raise, list, dismiss, restore and delete, with alert.list events', async (t) => {
    const admin = await d.tcp({ apiKey: await d.apiKey() });
    const updates: CollectionUpdate[] = [];
    const sub = await admin.subscribe('alert.list', (u) => updates.push(u));

    t.equal(await root.call('alert.oneshot_create', 'TestAlert', { subject: 'vc1', error: 'login refused' }, 'vc1'), null);
    const raw = await openRaw({ socketPath: d.socketPath });
    t.teardown(() => raw.close());
    raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'alert.list', params: [] });
    const wire = (await raw.next()) as { result: unknown[] };
    t.equal(wire.result.length, 1);
    t.ok(AlertEntrySchema.safeParse(wire.result[0]).success, 'the wire entry has the TrueNAS alert.list shape');
    t.match(wire.result[0], { datetime: { $date: Number }, last_occurrence: { $date: Number }, node: 'Controller A', mail: null, source: '' });

    const [alert] = await admin.call<AlertEntry[]>('alert.list');
    t.ok((alert.datetime as unknown) instanceof Date, 'the client turns {"$date"} into a Date');
    t.match(alert, {
      klass: 'TestAlert',
      args: { subject: 'vc1', error: 'login refused' },
      key: '"vc1"',
      dismissed: false,
      level: 'WARNING',
      text: 'Test alert about %(subject)s: %(error)s.',
      formatted: 'Test alert about vc1: login refused.',
      one_shot: true,
    });
    t.equal(alert.id, alert.uuid);

    await root.call('alert.oneshot_create', 'TestAlert', { subject: 'vc1', error: 'again' }, 'vc1');
    const replaced = await admin.call<AlertEntry[]>('alert.list');
    t.equal(replaced.length, 1, 'same key: replaced, not added');
    t.equal(replaced[0].uuid, alert.uuid);

    t.equal(await admin.call('alert.dismiss', alert.uuid), null);
    t.equal((await admin.call<AlertEntry[]>('alert.list'))[0].dismissed, true);
    t.equal(await admin.call('alert.restore', alert.uuid), null);
    t.equal((await admin.call<AlertEntry[]>('alert.list'))[0].dismissed, false);
    await root.call('alert.oneshot_delete', 'TestAlert', 'vc1');
    t.same(await admin.call('alert.list'), []);

    await admin.call('core.ping'); // every event above was sent before this reply
    t.same(
      updates.map((u) => [u.msg, u.collection, u.id, (u.fields as AlertEntry | undefined)?.dismissed]),
      [
        ['added', 'alert.list', alert.uuid, false],
        ['changed', 'alert.list', alert.uuid, false],
        ['changed', 'alert.list', alert.uuid, true],
        ['changed', 'alert.list', alert.uuid, false],
        ['removed', 'alert.list', alert.uuid, undefined],
      ],
    );
    t.match(updates[0].fields, { formatted: 'Test alert about vc1: login refused.' });
    await sub.unsubscribe();
  });

  t.test('bad input', async (t) => {
    await t.rejects(root.call('alert.dismiss', 'no-such-uuid'), {
      code: -32602,
      errors: [{ attribute: null, message: 'Alert no-such-uuid does not exist', errno: 2 }],
    });
    await t.rejects(root.call('alert.dismiss'), { code: -32602, errors: [{ attribute: 'uuid' }] });
    await t.rejects(root.call('alert.dismiss', 5), { code: -32602, errors: [{ attribute: 'uuid' }] });
    await t.rejects(root.call('alert.list', 1), { code: -32602 });
    await t.rejects(root.call('alert.oneshot_create', 'NoSuchClass', {}), {
      code: -32602,
      errors: [{ attribute: 'klass', message: /Unknown alert class 'NoSuchClass'; defined: .*TestAlert/ }],
    });
  });

  t.test('authorisation', async (t) => {
    const anon = await d.tcp();
    await t.rejects(anon.call('alert.list'), { name: 'ClientCallError', errname: 'ENOTAUTHENTICATED' });
    await t.rejects(anon.call('core.subscribe', 'alert.list'), { name: 'ClientCallError', errname: 'ENOTAUTHENTICATED' });
    const admin = await d.tcp({ apiKey: await d.apiKey() });
    await t.rejects(admin.call('alert.oneshot_create', 'TestAlert', {}), { code: -32601 }, 'private methods are not reachable over TCP');
  });

  t.test('alerts are kept across a restart', async (t) => {
    await root.call('alert.oneshot_create', 'TestAlert', { subject: 'persist', error: 'x' });
    const before = await root.call<AlertEntry[]>('alert.list');
    t.equal(before.length, 1);
    t.equal(await d.stop(), 0, 'clean shutdown');
    const d2 = await startTestDaemon(t, { config: { data_dir: dataDir } });
    const root2 = await d2.root();
    t.same(await root2.call('alert.list'), before);
  });
});
