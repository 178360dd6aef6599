/** Events: core.subscribe / core.unsubscribe, collection_update notifications, `*`, unknown events. */
import t from 'tap';
import type { CollectionUpdate } from '../../../client/index.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';

t.test('events', async (t) => {
  const d = await startTestDaemon(t);
  const root = await d.root();

  t.test('collection_update notifications on the wire (TrueNAS shape)', async (t) => {
    const raw = await openRaw({ socketPath: d.socketPath });
    t.teardown(() => raw.close());
    raw.sendJson({ jsonrpc: '2.0', id: 1, method: 'core.subscribe', params: ['test.query'] });
    const sub = (await raw.next()) as { result: string };
    t.match(sub.result, /^[0-9a-f-]{36}$/);
    await root.call('test.publish', { msg: 'changed', id: 7, fields: { state: 'RUNNING' } });
    t.same(await raw.next(), {
      jsonrpc: '2.0',
      method: 'collection_update',
      params: { collection: 'test.query', msg: 'changed', id: 7, fields: { state: 'RUNNING' } },
    });
    raw.sendJson({ jsonrpc: '2.0', id: 2, method: 'core.unsubscribe', params: [sub.result] });
    t.same(await raw.next(), { jsonrpc: '2.0', id: 2, result: null });
    await root.call('test.publish', { msg: 'removed', id: 7 });
    raw.sendJson({ jsonrpc: '2.0', id: 3, method: 'core.ping' });
    t.same(await raw.next(), { jsonrpc: '2.0', id: 3, result: 'pong' }, 'no event after unsubscribe');
  });

  t.test('CRUD collections publish added/removed (api_key.query)', async (t) => {
    const c = await d.tcp({ apiKey: await d.apiKey() });
    const updates: CollectionUpdate[] = [];
    const sub = await c.subscribe('api_key.query', (u) => updates.push(u));
    const created = await root.call<{ id: number }>('api_key.create', { name: 'evt' });
    await root.call('api_key.delete', created.id);
    await c.call('core.ping'); // events were sent before this reply
    t.same(updates, [
      { msg: 'added', collection: 'api_key.query', id: created.id },
      { msg: 'removed', collection: 'api_key.query', id: created.id },
    ]);
    await sub.unsubscribe();
  });

  t.test('`*` receives every event; two subscriptions, one connection', async (t) => {
    const all: string[] = [];
    const only: string[] = [];
    const c = await d.root();
    const s1 = await c.subscribe('*', (u) => all.push(u.collection));
    const s2 = await c.subscribe('test.query', (u) => only.push(u.collection));
    await root.call('test.publish', { msg: 'added', id: 1 });
    await root.call('api_key.create', { name: 'star' });
    await c.call('core.ping');
    t.same(only, ['test.query']);
    t.ok(all.includes('test.query') && all.includes('api_key.query'));
    await s1.unsubscribe();
    await s2.unsubscribe();
  });

  t.test('unknown events and bad arguments', async (t) => {
    await t.rejects(root.call('core.subscribe', 'no.such_event'), { name: 'ClientCallError', errname: 'ENOENT', reason: /does not exist/ });
    await t.rejects(root.call('core.subscribe'), { errors: [{ attribute: 'event', message: 'Field required' }] });
    t.equal(await root.call('core.unsubscribe', 'not-a-subscription'), null, 'unknown ids are ignored');
    const events = await root.call<Record<string, { roles: string[] }>>('core.get_events');
    t.same(events['test.query']?.roles, ['TEST_READ']);
    t.ok(events['core.get_jobs'] && events['api_key.query']);
  });

  t.test('subscriptions end with their connection', async (t) => {
    const c = await d.root();
    await c.subscribe('test.query', () => undefined);
    await c.close();
    t.equal(await root.call('test.publish', { msg: 'added', id: 2 }), null, 'publishing to a closed subscriber is harmless');
  });
});
