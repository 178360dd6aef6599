import t from 'tap';
import { isRunId, markedSnapshots, newRunId, readMarker, snapshotDescription, snapshotName } from '../../../../../plugins/vmware/sync/marker.js';
import { snap } from '../../../../helpers/fake-inventory.js';

t.test('names and descriptions round-trip', async (t) => {
  const id = newRunId();
  t.ok(isRunId(id), id);
  t.not(newRunId(), id);
  const node = { name: snapshotName(id), description: snapshotDescription(id, 'tank/vm@auto-2025-01-01_00-00') };
  t.same(readMarker(node), { runId: id, zfsSnapshot: 'tank/vm@auto-2025-01-01_00-00' });
});

t.test('only snapshots whose name AND description carry the same run id are vsnapd\'s', async (t) => {
  const d = (id: string) => snapshotDescription(id, 'tank/vm@x');
  t.equal(readMarker({ name: 'vsnapd-aaaaaa111111', description: '' }), null, 'name alone is not enough');
  t.equal(readMarker({ name: 'backup', description: d('aaaaaa111111') }), null, 'description alone is not enough');
  t.equal(readMarker({ name: 'vsnapd-aaaaaa111111', description: d('bbbbbb222222') }), null, 'ids must agree');
  t.equal(readMarker({ name: 'vsnapd-AAAAAA', description: d('AAAAAA') }), null, 'upper case is not ours');
  t.equal(readMarker({ name: 'my vsnapd-aaaaaa111111', description: d('aaaaaa111111') }), null);
  const tree = [
    snap('s1', 'user snapshot', 'keep me', [snap('s2', 'vsnapd-aaaaaa111111', d('aaaaaa111111'))]),
    snap('s3', 'vsnapd-bbbbbb222222', d('bbbbbb222222'), [snap('s4', 'vsnapd-cccccc', 'fake')]),
  ];
  t.same(markedSnapshots(tree).map((m) => [m.node.snapshot.value, m.marker.runId]), [['s2', 'aaaaaa111111'], ['s3', 'bbbbbb222222']]);
});
