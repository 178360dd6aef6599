/**
 * The scripts of one coordinated run: the JSON file listing the selected VMs (in a private 0700
 * folder, removed at {@link ScriptSession.close}), the pre-script with its failure policy, the
 * post-script with the run's outcome. Environment of both:
 *
 * | variable | value |
 * |---|---|
 * | `VSNAPD_RUN_ID` | the run id (as in the snapshot's `vsnapd:run`) |
 * | `VSNAPD_DATASET` | `tank/vmware` |
 * | `VSNAPD_SNAPSHOT` | `tank/vmware@auto-2026-01-01_00-00` |
 * | `VSNAPD_SNAPSHOT_NAME` | `auto-2026-01-01_00-00` |
 * | `VSNAPD_TASK_ID` | the periodic snapshot task id, empty for a manual snapshot |
 * | `VSNAPD_PHASE` | `pre` or `post` |
 * | `VSNAPD_OUTCOME` | pre: `pending`; post: `full`, `partial`, `none` (the snapshot's vmsynced) or `failed` |
 * | `VSNAPD_VMS_FILE` | path of a JSON array: `{hostname, name, moref, uuid, mode, kind, datastores}` per selected VM |
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from './run.js';
import type { ScriptReport, TaskScripts } from './schema.js';

/** One selected VM as the VMs file lists it. */
export interface ScriptVm {
  hostname: string;
  name: string;
  moref: string;
  uuid: string | null;
  mode: string;
  /** Planned snapshot kind: quiesced or crash_consistent. */
  kind: string | null;
  datastores: string[];
}

/** What identifies the run to the scripts. */
export interface ScriptRunInfo {
  runId: string;
  dataset: string;
  snapshotName: string;
  taskId: number | null;
}

/** The scripts of one run; open with {@link ScriptSession.open}. */
export class ScriptSession {
  readonly #cfg: TaskScripts;
  readonly #info: ScriptRunInfo;
  readonly #dir: string;
  readonly #file: string;

  private constructor(cfg: TaskScripts, info: ScriptRunInfo, dir: string) {
    this.#cfg = cfg;
    this.#info = info;
    this.#dir = dir;
    this.#file = join(dir, 'vms.json');
  }

  /** A session, or null when the task has no script. */
  static async open(cfg: TaskScripts | null | undefined, info: ScriptRunInfo): Promise<ScriptSession | null> {
    if (!cfg || (!cfg.pre && !cfg.post)) return null;
    const dir = await mkdtemp(join(tmpdir(), 'vsnapd-scripts-'));
    return new ScriptSession(cfg, info, dir);
  }

  #env(phase: 'pre' | 'post', outcome: string): Record<string, string> {
    const i = this.#info;
    return {
      VSNAPD_RUN_ID: i.runId,
      VSNAPD_DATASET: i.dataset,
      VSNAPD_SNAPSHOT: `${i.dataset}@${i.snapshotName}`,
      VSNAPD_SNAPSHOT_NAME: i.snapshotName,
      VSNAPD_TASK_ID: i.taskId === null ? '' : String(i.taskId),
      VSNAPD_PHASE: phase,
      VSNAPD_OUTCOME: outcome,
      VSNAPD_VMS_FILE: this.#file,
    };
  }

  /** Writes the VMs file (before the pre-script; the post-script reads the same file). */
  async writeVms(vms: readonly ScriptVm[]): Promise<void> {
    await writeFile(this.#file, `${JSON.stringify(vms, null, 2)}\n`, { mode: 0o600 });
  }

  /**
   * Runs the pre-script (if any).
   * @returns its report (null without one) and, when it failed and the policy is `skip_vmware`,
   *   why the VMware phase is skipped (else null)
   */
  async pre(signal?: AbortSignal): Promise<{ report: ScriptReport | null; skipVmware: string | null }> {
    if (!this.#cfg.pre) return { report: null, skipVmware: null };
    const report = await runScript(this.#cfg.pre, { phase: 'pre', env: this.#env('pre', 'pending'), timeoutMs: this.#cfg.timeout_seconds * 1000, ...(signal ? { signal } : {}) });
    const skip = !report.ok && this.#cfg.pre_failure === 'skip_vmware';
    return { report, skipVmware: skip ? `the pre-script failed (${report.error}); pre_failure is skip_vmware, so no VMware snapshot was taken` : null };
  }

  /** Runs the post-script (if any) with the run's outcome (`full`/`partial`/`none`/`failed`). */
  async post(outcome: string): Promise<ScriptReport | null> {
    if (!this.#cfg.post) return null;
    return runScript(this.#cfg.post, { phase: 'post', env: this.#env('post', outcome), timeoutMs: this.#cfg.timeout_seconds * 1000 });
  }

  /** Removes the VMs file and its folder. */
  async close(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
  }
}
