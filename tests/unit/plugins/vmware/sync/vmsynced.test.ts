import t from 'tap';
import { snapshotProperties, vmsyncedOf, type EntrySyncFact } from '../../../../../plugins/vmware/sync/vmsynced.js';

const ok = { protected: true, held: true, degraded: false };
const failed = { protected: true, held: false, degraded: false };
const fellBack = { protected: true, held: true, degraded: true };
const skipped = { protected: false, held: false, degraded: false };

t.test('vmsynced rule', async (t) => {
  const rows: Array<[string, EntrySyncFact[], string]> = [
    ['no entries', [], 'none'],
    ['login failed', [{ failed: true, vms: [] }], 'none'],
    ['only skipped VMs', [{ failed: false, vms: [skipped, skipped] }], 'none'],
    ['all held, skips ignored', [{ failed: false, vms: [ok, skipped, ok] }], 'full'],
    ['one failed', [{ failed: false, vms: [ok, failed] }], 'partial'],
    ['all failed', [{ failed: false, vms: [failed, failed] }], 'none'],
    ['fallback to crash-consistent', [{ failed: false, vms: [ok, fellBack] }], 'partial'],
    ['one entry down, other fine', [{ failed: true, vms: [] }, { failed: false, vms: [ok] }], 'partial'],
    ['two entries fine', [{ failed: false, vms: [ok] }, { failed: false, vms: [ok] }], 'full'],
  ];
  for (const [name, facts, want] of rows) t.equal(vmsyncedOf(facts), want, name);
});

t.test('snapshot properties', async (t) => {
  t.same(snapshotProperties('abc123def456', 'full'), { 'vsnapd:run': 'abc123def456', 'vsnapd:vmsynced': 'full', 'freenas:vmsynced': 'Y' });
  t.same(snapshotProperties('abc123def456', 'partial'), { 'vsnapd:run': 'abc123def456', 'vsnapd:vmsynced': 'partial' });
  t.same(snapshotProperties('abc123def456', 'none'), { 'vsnapd:run': 'abc123def456', 'vsnapd:vmsynced': 'none' });
});
