import t from 'tap';
import { mayHoldSnapshot, RunRecorder, type RunItem, type RunRow } from '../../../../../plugins/vmware/sync/run-store.js';
import type { Collection } from '../../../../../daemon/plugin.js';

/** An in-memory collection whose writes the test releases by hand. */
function slowCollection() {
  const rows = new Map<number, RunRow>();
  const writes: Array<Partial<RunRow>> = [];
  let release: (() => void) | null = null;
  const coll: Collection<RunRow> = {
    all: () => [...rows.values()].map((r) => structuredClone(r)),
    get: (id) => structuredClone(rows.get(id)),
    insert: async (d) => {
      const r = { ...structuredClone(d), id: rows.size + 1 } as RunRow;
      rows.set(r.id, r);
      return structuredClone(r);
    },
    update: async (id, patch) => {
      await new Promise<void>((r) => (release = r));
      writes.push(structuredClone(patch));
      const r = { ...(rows.get(id) as RunRow), ...structuredClone(patch) };
      rows.set(id, r);
      return structuredClone(r);
    },
    delete: async (id) => rows.delete(id),
  };
  return { coll, rows, writes, release: () => release?.() };
}

const item = (vm: string): RunItem => ({ entry_id: 1, hostname: 'vc', port: 443, username: 'u', vm, vm_name: vm, task: null, snapshot: null, status: 'pending' });

t.test('the recorder coalesces writes, flush waits for the latest state, delete removes the row', async (t) => {
  const s = slowCollection();
  const rec = await RunRecorder.create(s.coll, { run_id: 'abcdef123456', snapshot: 'tank/vm@x', state: 'creating', started_at: 0, pid: 1, items: [item('vm-1'), item('vm-2')] });
  t.equal(s.rows.size, 1, 'inserted before create resolves');
  rec.item('vm-1', { status: 'created', snapshot: 'snapshot-1' });
  rec.item('vm-2', { status: 'created', snapshot: 'snapshot-2' });
  rec.item('vm-3', { status: 'failed' }); // unknown VM: ignored
  rec.change((r) => (r.state = 'snapshotting'));
  let flushed = false;
  const f = rec.flush().then(() => (flushed = true));
  await new Promise((r) => setImmediate(r));
  s.release(); // the first write (holding the first change only)
  await new Promise((r) => setImmediate(r));
  t.equal(flushed, false, 'flush waits for the changes made while the first write ran');
  s.release();
  await f;
  t.equal(s.writes.length, 2, 'four changes, two writes');
  const row = s.rows.get(1) as RunRow;
  t.equal(row.state, 'snapshotting');
  t.same(row.items.map((i) => [i.vm, i.status, i.snapshot]), [['vm-1', 'created', 'snapshot-1'], ['vm-2', 'created', 'snapshot-2']]);
  await rec.delete();
  t.equal(s.rows.size, 0);
});

t.test('mayHoldSnapshot', async (t) => {
  t.equal(mayHoldSnapshot(item('a')), true, 'pending: a create may have happened');
  t.equal(mayHoldSnapshot({ ...item('a'), status: 'created' }), true);
  t.equal(mayHoldSnapshot({ ...item('a'), status: 'removed' }), false);
  t.equal(mayHoldSnapshot({ ...item('a'), status: 'failed' }), false);
  t.equal(mayHoldSnapshot({ ...item('a'), status: 'failed', task: 'task-1' }), true, 'a failed create with a task may still finish');
});
