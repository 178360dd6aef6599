/**
 * Pre/post scripts of a snapshot task (`vmware_scripts`), as SnapCenter runs them around a backup:
 * `pre` before the VMware phase, `post` after the VMware snapshots were removed (also after a
 * failure). Shapes only; ./trust.ts decides whether a path may run, ./run.ts runs it.
 */
import { z } from 'zod';

const scriptPath = z
  .string()
  .max(1024, 'String should have at most 1024 characters')
  .regex(/^\/[^\0]*$/, 'must be an absolute path such as /usr/local/lib/vsnapd/pre-snapshot (no shell: no arguments, no pipes)')
  .nullable();

/** The scripts of a task. */
export const TaskScripts = z
  .strictObject({
    pre: scriptPath.default(null).describe('Executable run before the VMware phase (VSNAPD_PHASE=pre); null = none'),
    post: scriptPath.default(null).describe('Executable run after the VMware snapshots were removed, also after a failure (VSNAPD_PHASE=post); null = none'),
    timeout_seconds: z.number().int().min(1).max(3600).default(60).describe('Each run is killed (with its process group) after this many seconds'),
    pre_failure: z
      .enum(['skip_vmware', 'continue'])
      .default('skip_vmware')
      .describe('A failing pre-script (non-zero exit, timeout, refused path): skip_vmware takes the ZFS snapshot without VMware snapshots; continue goes on as if it had succeeded'),
  })
  .describe('Pre/post scripts around the VMware phase (executed directly, no shell; root-owned, not group/world-writable paths only)');
export type TaskScripts = z.output<typeof TaskScripts>;

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
