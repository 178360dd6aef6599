/**
 * The task store: wire entries, state changes as `changed {state}` events, and the start-up
 * recovery of runs the daemon died in (in-memory collection and event bus fakes).
 */
import t from 'tap';
import type { Collection, CollectionUpdate, EventBus } from '../../../../../daemon/plugin.js';
import { TaskStore, wireState } from '../../../../../plugins/pool/snapshottask/store.js';
import type { TaskData, TaskRow } from '../../../../../plugins/pool/snapshottask/schemas.js';
import { taskData } from '../../../../helpers/snapshot-task.js';

function memoryCollection(): Collection<TaskRow> {
  const rows = new Map<number, TaskRow>();
  let next = 1;
  const copy = <T>(v: T): T => structuredClone(v);
  return {
    all: () => [...rows.values()].map(copy),
    get: (id) => (rows.has(id) ? copy(rows.get(id)!) : undefined),
    async insert(data) {
      const row = { ...copy(data), id: next++ } as TaskRow;
      rows.set(row.id, row);
      return copy(row);
    },
    async update(id, patch) {
      const row = { ...rows.get(id)!, ...copy(patch) } as TaskRow;
      rows.set(id, row);
      return copy(row);
    },
    async delete(id) {
      return rows.delete(id);
    },
  };
}

function recordingBus(): { bus: EventBus; events: CollectionUpdate[] } {
  const events: CollectionUpdate[] = [];
  const bus: EventBus = {
    define: () => undefined,
    publish: (u) => void events.push(u),
    on: () => ({ dispose: () => undefined }),
  };
  return { bus, events };
}

const data: TaskData = taskData({ vmware_sync: true });

t.test('entries, state events, recovery after a crash', async (t) => {
  const { bus, events } = recordingBus();
  const store = new TaskStore(memoryCollection(), bus);
  const row = await store.insert(data);
  t.same(store.entry(row).state, { state: 'PENDING' });
  await store.setState(row.id, { state: 'RUNNING', datetime: 1000, last_snapshot: null });
  t.same(events.at(-1), { msg: 'changed', collection: 'pool.snapshottask.query', id: row.id, fields: { state: { state: 'RUNNING', datetime: { $date: 1000 }, last_snapshot: null } } });

  await store.recoverInterrupted(5000);
  t.same(store.get(row.id).state, { state: 'ERROR', datetime: 5000, error: 'The daemon stopped while this task was running', last_snapshot: null });
  await store.remove(row.id);
  await store.setState(row.id, { state: 'FINISHED' });
  t.same(events.map((e) => e.msg), ['added', 'changed', 'changed', 'removed'], 'no event for a deleted task');
  t.throws(() => store.get(row.id), { message: `Periodic Snapshot Task ${row.id} does not exist` });
});

t.test('wire state leaves out what is not set', async (t) => {
  t.same(wireState({ state: 'HOLD', datetime: 1, reason: 'Pool tank is offline.' }), { state: 'HOLD', datetime: { $date: 1 }, reason: 'Pool tank is offline.' });
  t.same(wireState({ state: 'FINISHED', warnings: [] }), { state: 'FINISHED' });
});
