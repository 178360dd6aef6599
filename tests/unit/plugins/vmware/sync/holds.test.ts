/** A VM's hold: vSphere's times when both are known, else both observed; the run's distribution. */
import t from 'tap';
import { newVmWork, type VmWork } from '../../../../../plugins/vmware/sync/create-phase.js';
import { holdDistribution, holdOf } from '../../../../../plugins/vmware/sync/holds.js';
import type { VmSelection } from '../../../../../plugins/vmware/sync/select.js';

function work(patch: Partial<VmWork>): VmWork {
  const sel = { vm: { name: 'vm1', moref: { type: 'VirtualMachine', value: 'vm-1' } }, protected: true, quiesce: false, reason: null, warnings: [] } as unknown as VmSelection;
  return { ...newVmWork(sel, [1], 'vc|host-1'), snapshot: { type: 'VirtualMachineSnapshot', value: 'snapshot-1' }, ...patch };
}

t.test('vSphere times when both are known', async (t) => {
  const w = work({ createdAt: 1_000, createTime: 900, removed: true, removedAt: { vsphere: 5_400, observed: 5_500 } });
  t.same(holdOf(w), { ms: 4_500, source: 'vsphere' });
});

t.test('a missing vSphere time: both ends observed, never mixed clocks', async (t) => {
  t.same(holdOf(work({ createdAt: 1_000, createTime: null, removed: true, removedAt: { vsphere: 5_400, observed: 5_500 } })), { ms: 4_500, source: 'observed' });
  t.same(holdOf(work({ createdAt: 1_000, createTime: 900, removed: true, removedAt: { vsphere: null, observed: 5_500 } })), { ms: 4_500, source: 'observed' });
});

t.test('no hold until removed', async (t) => {
  t.equal(holdOf(work({ createdAt: 1_000, createTime: 900, removed: false, removedAt: { vsphere: 5_400, observed: 5_500 } })), null);
  t.equal(holdOf(work({ createdAt: 1_000, createTime: 900, removed: true, removedAt: null })), null);
  t.equal(holdOf(work({ createdAt: null, createTime: null, removed: true, removedAt: { vsphere: null, observed: 5_500 } })), null);
});

t.test('distribution: nearest-rank median and p95, observed counted', async (t) => {
  t.equal(holdDistribution([]), null);
  const holds = Array.from({ length: 20 }, (_, i) => ({ ms: (20 - i) * 100, source: i === 3 ? ('observed' as const) : ('vsphere' as const) }));
  t.same(holdDistribution(holds), { count: 20, observed: 1, min: 100, median: 1_000, p95: 1_900, max: 2_000 });
  t.same(holdDistribution([{ ms: 7, source: 'vsphere' }]), { count: 1, observed: 0, min: 7, median: 7, p95: 7, max: 7 });
});
