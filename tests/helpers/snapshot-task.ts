/** A periodic snapshot task for unit tests of the pool plugin's scheduler and store. */
import { DEFAULT_SCHEDULE } from '../../plugins/pool/snapshottask/schedule.js';
import type { TaskData } from '../../plugins/pool/snapshottask/schemas.js';

/** Task data: `tank/vms`, TrueNAS's default schedule, snapshots kept 2 weeks, enabled, no vmware_sync; `over` replaces fields. */
export function taskData(over: Partial<TaskData> = {}): TaskData {
  return {
    dataset: 'tank/vms',
    recursive: false,
    exclude: [],
    lifetime_value: 2,
    lifetime_unit: 'WEEK',
    naming_schema: 'auto-%Y-%m-%d_%H-%M',
    schedule: { ...DEFAULT_SCHEDULE },
    allow_empty: true,
    enabled: true,
    vmware_sync: false,
    ...over,
  };
}
