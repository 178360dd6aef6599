/**
 * Validation of a whole task (create, and update on the merged task), with TrueNAS's attributes and
 * messages (`periodic_snapshot_create.*` / `periodic_snapshot_update.*`, reference §4.3–4.4).
 */
import { ValidationErrors } from '../../../daemon/errors.js';
import type { SnapshotCoordinator } from '../snapshot-hook.js';
import { scheduleProblems } from './schedule.js';
import type { TaskData } from './schemas.js';

/**
 * Checks `data`; `datasets` is `pool.filesystem_choices()`. Returns the errors (empty when valid),
 * with attributes under `attr` (`periodic_snapshot_create`).
 */
export function validateTask(attr: string, data: TaskData, datasets: readonly string[]): ValidationErrors {
  const v = new ValidationErrors();
  if (!datasets.includes(data.dataset)) v.add(`${attr}.dataset`, 'Dataset not found');
  if (data.exclude.length > 0 && !data.recursive) {
    v.add(`${attr}.exclude`, 'Excluding datasets is not necessary for non-recursive periodic snapshot tasks');
  }
  data.exclude.forEach((e, i) => {
    if (!e.startsWith(`${data.dataset}/`)) {
      v.add(`${attr}.exclude.${i}`, 'Excluded dataset should be a child or other descendant of the selected dataset');
    }
  });
  // naming_schema and each schedule field were checked with the input (schemas.ts); what is left
  // here needs the whole task: the datasets, and the schedule's fields against its window.
  for (const p of scheduleProblems(data.schedule)) {
    v.add(p.field ? `${attr}.schedule.${p.field}` : `${attr}.schedule`, p.message);
  }
  return v;
}

/**
 * Checks the task's VMware settings through the coordinator (the vmware plugin), when one is
 * registered and the task has scripts or selection rules: each `vmware_scripts` path that may not run
 * as root, and `vmware_rules` against the servers covering the dataset
 * ({@link SnapshotCoordinator.checkTaskOptions}). Problems are added to `v` under `attr`.
 */
export async function checkVmwareOptions(attr: string, data: TaskData, coordinator: SnapshotCoordinator | null, v: ValidationErrors): Promise<void> {
  const scripts = data.vmware_scripts ?? null;
  if (!coordinator?.checkTaskOptions || (!data.vmware_rules && !scripts?.pre && !scripts?.post)) return;
  const problems = await coordinator.checkTaskOptions(data.dataset, data.recursive, { rules: data.vmware_rules ?? null, scripts });
  for (const p of problems) v.add(`${attr}.${p.path}`, p.message);
}
