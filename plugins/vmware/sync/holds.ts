/**
 * How long a VM held its VMware snapshot (issue 21): from the snapshot's vSphere `createTime`
 * (VirtualMachineSnapshotTree) to the `completeTime` of the RemoveSnapshot_Task that removed it
 * (TaskInfo). When vSphere did not report one of them, both ends are the moments vsnapd saw the
 * creation and the removal end (never a vSphere time against a local one: their clocks may differ),
 * and the hold says so. Plus the run's distribution of holds.
 */
import type { VmWork } from './create-phase.js';
import type { HeldSource, HoldDistribution } from './report.js';

/** A VM's hold, ms, and where its times come from. */
export interface Hold {
  ms: number;
  source: HeldSource;
}

/** The hold of a VM whose snapshot was removed; null when it got none or it is not removed. */
export function holdOf(w: VmWork): Hold | null {
  const removed = w.removedAt;
  if (w.removed !== true || removed === null) return null;
  if (w.createTime !== null && removed.vsphere !== null) return { ms: Math.max(0, removed.vsphere - w.createTime), source: 'vsphere' };
  const from = w.createdAt ?? w.createTime;
  return from === null ? null : { ms: Math.max(0, removed.observed - from), source: 'observed' };
}

/** The value at fraction `q` of the ascending `sorted` (nearest rank). */
function rank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

/** min, median, p95 and max of the holds; null when there are none. */
export function holdDistribution(holds: readonly Hold[]): HoldDistribution | null {
  if (holds.length === 0) return null;
  const ms = holds.map((h) => h.ms).sort((a, b) => a - b);
  return {
    count: ms.length,
    observed: holds.filter((h) => h.source === 'observed').length,
    min: ms[0] as number,
    median: rank(ms, 0.5),
    p95: rank(ms, 0.95),
    max: ms[ms.length - 1] as number,
  };
}
