/**
 * Pre/post scripts of a snapshot task (`vmware_scripts`), as SnapCenter runs them around a backup:
 * `pre` before the VMware phase, `post` after the VMware snapshots were removed (also after a
 * failure). Shapes only: the task's {@link TaskScripts} are declared by pool with the rest of a task
 * (plugins/pool/snapshottask/vmware-options.ts) and re-exported here, the report of a run is the
 * vmware plugin's own; ./trust.ts decides whether a path may run, ./run.ts runs it.
 */
import { z } from 'zod';

export { TaskScripts } from '../../pool/snapshottask/vmware-options.js';

/** What a script run reports (into the run report and the job log). */
export const ScriptReport = z.object({
  phase: z.enum(['pre', 'post']),
  path: z.string(),
  ok: z.boolean().describe('Ran and exited 0 within its timeout'),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable().describe('Signal that ended it (SIGKILL after a timeout)'),
  timed_out: z.boolean(),
  error: z.string().nullable().describe('Why it failed or was refused (null when ok)'),
  duration_ms: z.number().int(),
  stdout: z.string().describe('The first bytes of its standard output (bounded)'),
  stderr: z.string().describe('The first bytes of its standard error (bounded)'),
  output_bytes: z.number().int().describe('Bytes it printed in all (stdout + stderr), also beyond what is kept'),
});
export type ScriptReport = z.output<typeof ScriptReport>;
