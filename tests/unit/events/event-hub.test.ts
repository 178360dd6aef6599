import { pino } from 'pino';
import t from 'tap';
import { EventHub } from '../../../daemon/events/event-hub.js';
import type { CollectionUpdate } from '../../../daemon/plugin.js';
import { expandRoles } from '../../../daemon/registry/roles.js';

const reader = { type: 'API_KEY' as const, username: 'r', roles: expandRoles(['A_READ']) };

t.test('role checks per event; `*` filters per delivery; failing listeners are isolated', async (t) => {
  const hub = new EventHub(pino({ level: 'silent' }));
  hub.define('a.query', { description: 'a', roles: ['A_READ'] });
  hub.define('b.query', { description: 'b', roles: ['B_READ'] });
  t.throws(() => hub.define('a.query', { description: 'again', roles: [] }), /already defined/);
  t.throws(() => hub.subscribe('b.query', reader, 's', () => undefined), { errno: 13, message: 'Not authorized' });
  t.throws(() => hub.subscribe('c.query', reader, 's', () => undefined), { name: 'CallError', errno: 2 });
  const star: string[] = [];
  const direct: CollectionUpdate[] = [];
  hub.subscribe('*', reader, 's', (u) => star.push(u.collection));
  const d = hub.subscribe('a.query', reader, 's', (u) => direct.push(u));
  hub.on('a.query', 'plugin', () => {
    throw new Error('listener bug');
  });
  hub.publish({ msg: 'added', collection: 'a.query', id: 1 });
  hub.publish({ msg: 'added', collection: 'b.query', id: 2 });
  t.same(star, ['a.query'], 'b.query is not delivered to a reader of A only');
  t.equal(direct.length, 1);
  d.dispose();
  hub.publish({ msg: 'removed', collection: 'a.query', id: 1 });
  t.equal(direct.length, 1, 'disposed');
  t.same(hub.list().map((e) => e.name), ['a.query', 'b.query']);
});
