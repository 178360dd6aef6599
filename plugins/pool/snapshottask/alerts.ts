/** The alert class a failed periodic snapshot task raises (one per task, keyed by its id). */
import type { AlertClassSpec } from '../../../daemon/plugin.js';

/**
 * `SnapshotTaskFailed`: raised when a task run fails (the snapshot could not be taken, the pool is
 * offline…), removed by the task's next successful run. Args: `id`, `dataset`, `error`.
 * Other plugins raising it must use this exact spec (alert classes may only be defined once).
 */
export const SNAPSHOT_TASK_FAILED: AlertClassSpec = {
  name: 'SnapshotTaskFailed',
  title: 'Periodic Snapshot Task Failed',
  text: 'Periodic snapshot task %(id)s of "%(dataset)s" failed: %(error)s',
  level: 'ERROR',
  category: 'TASKS',
};
