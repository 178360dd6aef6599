/**
 * Checks a snapshot task's `vmware_scripts` when the task is saved (pool's
 * `SnapshotCoordinator.checkTaskOptions` seam): each path that may not run as root (missing, not
 * executable, not root-owned, writable by others, in a folder others can write; see ./trust.ts). The
 * same check runs again before every run.
 */
import type { TaskOptionProblem } from '../../pool/snapshot-hook.js';
import type { TaskScripts } from './schema.js';
import { untrustedReason } from './trust.js';

/** The problems of `scripts` (`vmware_scripts.pre`, then `.post`); empty when both may run or none is set. */
export async function checkTaskScripts(scripts: TaskScripts | null): Promise<TaskOptionProblem[]> {
  const problems: TaskOptionProblem[] = [];
  for (const phase of ['pre', 'post'] as const) {
    const path = scripts?.[phase];
    if (!path) continue;
    const why = await untrustedReason(path);
    if (why) problems.push({ path: `vmware_scripts.${phase}`, message: `The script cannot run: ${why}` });
  }
  return problems;
}
