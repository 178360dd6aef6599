/**
 * Which periodic snapshot task covers a VM, and whether the VM is overdue: the facts
 * `vmware.protection_status` adds to the stored protection status when asked. A task covers a VM
 * when it is enabled, has `vmware_sync`, and a snapshot of its dataset coordinates with a vmware
 * entry (same rule as the coordinator, sync/entries.ts) of the VM's server that holds one of the
 * VM's datastores. Selection rules are decided against vCenter at run time and are not evaluated
 * here: a VM a task's rules leave out shows that task, and its last run says "skipped" and why.
 */
import type { TaskSchedule } from '../../pool/snapshottask/schedule.js';
import { datasetCovers } from '../sync/entries.js';
import { scheduleIntervalMs } from './interval.js';
import type { ProtectionEntry, ProtectionStatus } from './schema.js';

/** The fields of a periodic snapshot task coverage reads. */
export interface CoverageTask {
  id: number;
  dataset: string;
  recursive: boolean;
  enabled: boolean;
  vmware_sync: boolean;
  schedule: TaskSchedule;
}

/** The fields of a vmware entry coverage reads. */
export interface CoverageEntry {
  hostname: string;
  filesystem: string;
  datastores: readonly string[];
  enabled?: boolean;
}

/** How many expected intervals a VM's last VM-consistent snapshot may age before it is overdue. */
export const OVERDUE_INTERVALS = 2;

/**
 * Adds coverage to each VM's stored status. `now` is epoch ms.
 * A task whose schedule has no interval (never fires twice) still covers, with a null interval,
 * and then never makes a VM overdue.
 */
export function withCoverage(vms: readonly ProtectionEntry[], tasks: readonly CoverageTask[], entries: readonly CoverageEntry[], now: number): ProtectionStatus[] {
  const intervals = new Map<number, number | null>();
  const active = tasks.filter((t) => t.enabled && t.vmware_sync);
  for (const t of active) intervals.set(t.id, scheduleIntervalMs(t.schedule));
  return vms.map((vm) => {
    const filesystems = entries
      .filter((e) => e.enabled !== false && e.hostname === vm.hostname && e.datastores.some((d) => vm.datastores.includes(d)))
      .map((e) => e.filesystem);
    const covering = active
      .filter((t) => filesystems.some((fs) => datasetCovers(t.dataset, t.recursive, fs)))
      .sort((a, b) => (intervals.get(a.id) ?? Infinity) - (intervals.get(b.id) ?? Infinity) || a.id - b.id);
    const task = covering[0] ?? null;
    const interval = task ? (intervals.get(task.id) ?? null) : null;
    const age = vm.last_snapshot_at ? Math.max(0, now - vm.last_snapshot_at.$date) : null;
    return {
      ...vm,
      age_ms: age,
      covered: task !== null,
      task_id: task?.id ?? null,
      task_dataset: task?.dataset ?? null,
      expected_interval_ms: interval,
      overdue: task !== null && interval !== null && (age === null || age > OVERDUE_INTERVALS * interval),
    };
  });
}
