/**
 * The pre/post scripts' part of a run (see plugins/vmware/scripts/session.ts for their
 * environment): once every server has classified its VMs (or the VMware phase ended), the selected
 * VMs are written to the VMs file and the pre-script runs, bounded by its timeout and by the VMware
 * phase (its deadline or an abort kills it); its verdict opens the creation gate. The post-script
 * runs once, after removal or after a failure. Script output goes to the report (bounded) and its
 * first lines to the job and daemon log.
 */
import { scriptLines } from '../scripts/run.js';
import type { ScriptReport } from '../scripts/schema.js';
import type { ScriptSession, ScriptVm } from '../scripts/session.js';
import type { ServerRun } from './server-run.js';

/** The protected VMs of the run, as the VMs file lists them. */
export function scriptVms(servers: readonly ServerRun[]): ScriptVm[] {
  return servers.flatMap((s) =>
    s.works
      .filter((w) => w.sel.protected)
      .map((w) => ({
        hostname: s.group.hostname,
        name: w.sel.vm.name,
        moref: w.sel.vm.moref.value,
        uuid: w.sel.vm.instanceUuid ?? null,
        mode: w.sel.mode,
        kind: w.plannedKind,
        datastores: w.sel.datastores,
      })),
  );
}

/** The scripts of one run, driven by the coordinator. */
export class RunScripts {
  readonly #session: ScriptSession | null;
  readonly #log: (line: string) => void;
  pre: ScriptReport | null = null;
  post: ScriptReport | null = null;
  #postDone = false;

  constructor(session: ScriptSession | null, log: (line: string) => void) {
    this.#session = session;
    this.#log = log;
  }

  /**
   * Waits for every server's plan (or the end of the VMware phase), writes the VMs file, runs the
   * pre-script. Never rejects.
   * @returns null to go on, or why the VMware phase is skipped
   */
  async gate(servers: readonly ServerRun[], phase: AbortSignal): Promise<string | null> {
    const s = this.#session;
    if (!s) return null;
    const ended = new Promise<void>((r) => (phase.aborted ? r() : phase.addEventListener('abort', () => r(), { once: true })));
    await Promise.race([Promise.all(servers.map((x) => x.planned)), ended]);
    try {
      await s.writeVms(scriptVms(servers));
    } catch (err) {
      this.#log(`cannot write the VMs file for the scripts: ${err instanceof Error ? err.message : String(err)}`);
    }
    const { report, skipVmware } = await s.pre(phase);
    this.pre = report;
    for (const line of report ? scriptLines(report) : []) this.#log(line);
    if (skipVmware) this.#log(skipVmware);
    return skipVmware;
  }

  /** Runs the post-script once with the outcome (`full`/`partial`/`none`/`failed`). Never rejects. */
  async finish(outcome: string): Promise<void> {
    if (this.#postDone || !this.#session) return;
    this.#postDone = true;
    this.post = await this.#session.post(outcome);
    for (const line of this.post ? scriptLines(this.post) : []) this.#log(line);
  }

  /** Removes the VMs file. */
  async close(): Promise<void> {
    await this.#session?.close().catch(() => undefined);
  }
}
