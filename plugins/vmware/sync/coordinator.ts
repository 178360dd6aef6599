/**
 * One coordination run (SPEC §4), implementing pool's {@link SnapshotCoordinator} seam
 * (plugins/pool/snapshot-hook.ts):
 *
 * 1. entries covering the dataset (recursive aware), grouped by server;
 * 2. per server, concurrently: login, one inventory read, selection (with the entries' or the
 *    task's selection rules), planned VMs persisted;
 * 2b. the task's pre-script (./scripts-phase.ts), whose failure may skip the VMware phase;
 * 3. VMware snapshots created concurrently under one {@link HostLimiter} (global + per ESXi host);
 * 4. at the end of creation or at the VMware phase deadline (`deadline_seconds`) or on abort,
 *    whichever comes first: the run record is flushed, then the ZFS snapshot is taken with
 *    `vsnapd:run`, `vsnapd:vmsynced` (and `freenas:vmsynced=Y` when full) — ALWAYS, even when every
 *    vCenter is down or slow;
 * 5. every VMware snapshot of the run is removed as soon as possible (./removal-queue.ts): those made
 *    so far at once, oldest first, each creation still in flight (bounded by its own deadline) when
 *    it ends; each VM by moref, then re-read and by marker, disks consolidated, on its own. Then the
 *    record is cleared — or kept (state `leftover`) for the sweep when something could not be
 *    removed; then the post-script (also after a failure);
 * 6. the run's record goes into the run history (plugins/vmware/history; also when the run failed)
 *    and VMWareSyncIncomplete is raised or cleared for the dataset (run-end.ts).
 * The job shows per-VM progress (0–100 of this run; pool maps it into its own stage of the job) and
 * log lines; the per-VM {@link SyncReport} is returned to pool (which makes it part of the job's
 * result) and set as the final `progress.extra`.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Alerts, Collection } from '../../../daemon/plugin.js';
import type { CoordinatedResult, CoordinationRequest, SnapshotCoordinator, TaskOptionProblem, VmwareTaskOptions } from '../../pool/snapshot-hook.js';
import type { VmwareEntriesService } from '../entries-service.js';
import { runEntry } from '../history/build.js';
import type { RunHistory } from '../history/store.js';
import { ScriptSession } from '../scripts/session.js';
import { checkTaskScripts } from '../scripts/task-check.js';
import { raiseCreateFailed } from './alerts.js';
import type { SyncConfig } from './config.js';
import { HostLimiter } from './limiter.js';
import { newRunId, snapshotDescription, snapshotName } from './marker.js';
import { buildReport, reportMessages } from './run-report.js';
import { mayHoldSnapshot, RunRecorder, type RunRow } from './run-store.js';
import { recordRun } from './run-end.js';
import { checkTaskRules } from './rules/task-check.js';
import { RunScripts } from './scripts-phase.js';
import { RunRemoval } from './removal-queue.js';
import { startServerRun, type ServerRun } from './server-run.js';
import { groupByServer } from './servers.js';
import { snapshotProperties, vmsyncedOf } from './vmsynced.js';

/** What the coordinator needs. */
export interface CoordinatorDeps {
  entries: VmwareEntriesService;
  alerts: Alerts;
  runs: Collection<RunRow>;
  /** Where every run's record goes when it ends (the run history's `add`). */
  history: Pick<RunHistory, 'add'>;
  config: SyncConfig;
  log: Logger;
  /** Run ids in flight in this process (the sweep leaves them alone). */
  active: Set<string>;
  /** A run ended with a record kept (something may remain): schedule a recheck. */
  onLeftover?(runId: string): void;
  /** Test hook (VSNAPD_TEST_SYNC_HOLD_MS): pause this long between the ZFS snapshot and removal. */
  holdBeforeRemoveMs?: number;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The coordinator registered with pool's `snapshotHooks`. */
export class Coordinator implements SnapshotCoordinator {
  readonly #d: CoordinatorDeps;

  constructor(deps: CoordinatorDeps) {
    this.#d = deps;
  }

  async checkTaskOptions(dataset: string, recursive: boolean, options: VmwareTaskOptions): Promise<TaskOptionProblem[]> {
    const [scripts, rules] = await Promise.all([checkTaskScripts(options.scripts), checkTaskRules(this.#d.entries, dataset, recursive, options)]);
    return [...scripts, ...rules];
  }

  async coordinate(req: CoordinationRequest): Promise<CoordinatedResult> {
    const entries = this.#d.entries.forDataset(req.dataset, req.recursive);
    if (entries.length === 0) {
      await req.takeSnapshot({ 'vsnapd:vmsynced': 'none' });
      return { vmsynced: 'none', runId: null, messages: [`no enabled VMware entry covers ${req.dataset}; nothing to coordinate`] };
    }
    const runId = newRunId();
    this.#d.active.add(runId);
    try {
      return await this.#run(req, runId, entries);
    } finally {
      this.#d.active.delete(runId);
    }
  }

  async #run(req: CoordinationRequest, runId: string, entries: ReturnType<VmwareEntriesService['forDataset']>): Promise<CoordinatedResult> {
    const { config: cfg, alerts } = this.#d;
    const zfsName = `${req.dataset}@${req.snapshotName}`;
    const name = snapshotName(runId);
    const log = (line: string): void => {
      req.job?.log(line);
      this.#d.log.info({ run: runId }, line);
    };
    const t0 = Date.now();
    const facts = { runId, dataset: req.dataset, snapshotName: req.snapshotName, recursive: req.recursive, trigger: { type: req.trigger, task_id: req.taskId }, startedAt: t0 };
    let recorded = false;
    const deadlineAt = t0 + cfg.deadline_seconds * 1000;
    const phase = new AbortController();
    setMaxListeners(0, phase.signal); // every VM waiting for a limiter slot listens to it
    const timer = setTimeout(() => phase.abort(new Error('VMware phase deadline')), deadlineAt - t0);
    const onAbort = (): void => phase.abort(req.signal.reason);
    req.signal.addEventListener('abort', onAbort, { once: true });
    let total = 0;
    let created = 0;
    let removed = 0;
    let lastRemovalAt: number | null = null;
    const progress = (percent: number, text: string, extra?: unknown): void => req.job?.setProgress(Math.min(100, Math.round(percent)), text, extra);
    log(`run ${runId}: VMware snapshots "${name}" for ${zfsName} (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`);
    const recorder = await RunRecorder.create(this.#d.runs, { run_id: runId, snapshot: zfsName, state: 'creating', started_at: t0, pid: process.pid, items: [] });
    const limiter = new HostLimiter({ global: cfg.concurrency.global, perHost: cfg.concurrency.per_host });
    let servers: ServerRun[] = [];
    const removal = new RunRemoval({
      runId,
      cfg,
      limiter,
      recorder,
      alerts,
      entries: this.#d.entries,
      snapshotName: name,
      log,
      onRemoved: () => {
        removed++;
        lastRemovalAt = Date.now();
        progress(50 + (50 * removed) / Math.max(1, total), `VMware snapshots removed: ${removed}/${total}`);
      },
    });
    const session = await ScriptSession.open(req.vmware?.scripts, { runId, dataset: req.dataset, snapshotName: req.snapshotName, taskId: req.taskId }).catch((err: unknown) => {
      log(`cannot prepare the pre/post scripts: ${String(err)}; they do not run`);
      return null;
    });
    const scripts = new RunScripts(session, log);
    let openGate!: (why: string | null) => void;
    const gate = new Promise<string | null>((r) => (openGate = r));
    try {
      servers = groupByServer(entries).map((group) =>
        startServerRun(group, {
          runId,
          entries: this.#d.entries,
          alerts,
          cfg,
          limiter,
          recorder,
          create: { name, description: snapshotDescription(runId, zfsName), deadlineAt, signal: phase.signal, log },
          rules: req.vmware?.rules ?? null,
          gate,
          onPlanned: (n) => {
            total += n;
          },
          onCreated: (w, server) => {
            created++;
            progress((50 * created) / Math.max(1, total), `VMware snapshots: ${created}/${total} done (${w.sel.vm.name}: ${w.action})`);
            if (w.action === 'failed') {
              void raiseCreateFailed(alerts, { hostname: server.group.hostname, vm: w.sel.vm.name, vmMoref: w.sel.vm.moref.value, snapshot: name, error: w.reason ?? 'failed' }).catch(() => undefined);
            }
            removal.created(server, w);
          },
          log,
        }),
      );
      openGate(await scripts.gate(servers, phase.signal));
      const allCreated = Promise.all(servers.map((s) => s.created));
      const ended = new Promise<void>((r) => phase.signal.addEventListener('abort', () => r(), { once: true }));
      await Promise.race([allCreated, ended]);
      const deadlineHit = phase.signal.aborted || servers.some((s) => s.works.some((w) => w.cutByPhase));
      phase.abort(new Error('the ZFS snapshot is being taken')); // no attempt starts after this point
      if (deadlineHit) log(`VMware phase ended after ${Date.now() - t0} ms (deadline ${cfg.deadline_seconds} s or abort); taking the ZFS snapshot now`);
      for (const s of servers) for (const w of s.works) w.held = w.snapshot !== null;

      // 4. The record first, then the ZFS snapshot.
      recorder.change((row) => (row.state = 'snapshotting'));
      await recorder.flush().catch((err: unknown) => log(`cannot write the run record (crash recovery will rely on the marker sweep): ${String(err)}`));
      const verdict = vmsyncedOf(
        servers.map((s) => ({
          failed: s.status !== 'ok',
          vms: s.works.map((w) => ({ protected: w.sel.protected, held: w.held, degraded: w.held && w.kind !== w.plannedKind })),
        })),
      );
      const tz = Date.now();
      let zfsError: unknown;
      try {
        await req.takeSnapshot(snapshotProperties(runId, verdict));
        log(`ZFS snapshot ${zfsName} taken (vsnapd:vmsynced=${verdict})`);
      } catch (err) {
        zfsError = err;
        log(`ZFS snapshot ${zfsName} failed: ${err instanceof Error ? err.message : String(err)}; removing the VMware snapshots`);
      }
      const zfsMs = Date.now() - tz;

      // 5. Removal: what exists now goes at once, oldest first; creations still running queue theirs as they end.
      if (this.#d.holdBeforeRemoveMs) {
        log(`test hook: holding ${this.#d.holdBeforeRemoveMs} ms before removing the VMware snapshots`);
        await sleep(this.#d.holdBeforeRemoveMs);
      }
      recorder.change((row) => (row.state = 'removing'));
      const tr = Date.now();
      removal.zfsTaken();
      await allCreated;
      await removal.settled(servers);
      const removalMs = Date.now() - tr;
      const leftover = recorder.row.items.filter(mayHoldSnapshot).length;
      if (leftover === 0) await recorder.delete().catch((err: unknown) => log(`cannot delete the run record: ${String(err)}`));
      else {
        recorder.change((row) => (row.state = 'leftover'));
        await recorder.flush().catch(() => undefined);
        log(`${leftover} VMware snapshot(s) of run ${runId} may remain; vmware.sweep will retry`);
        this.#d.onLeftover?.(runId);
      }
      await scripts.finish(zfsError === undefined ? verdict : 'failed');
      const firstRequest = Math.min(...servers.flatMap((s) => s.works.map((w) => w.requestedAt ?? Infinity)));
      const report = buildReport({
        runId,
        zfsName,
        recursive: req.recursive,
        verdict,
        deadlineHit,
        servers,
        leftover,
        scripts: { pre: scripts.pre, post: scripts.post },
        timings: {
          vmware_phase_ms: tz - t0,
          zfs_ms: zfsMs,
          removal_ms: removalMs,
          window_ms: Number.isFinite(firstRequest) && lastRemovalAt !== null ? lastRemovalAt - firstRequest : null,
        },
      });
      const error = zfsError === undefined ? null : `ZFS snapshot ${zfsName} not taken: ${text(zfsError)}`;
      const entry = runEntry({ ...facts, endedAt: Date.now(), report, error });
      recorded = true;
      await recordRun(this.#d, entry);
      // The per-VM report is the final progress `extra` (core.get_jobs); pool also puts it in the job's result.
      progress(100, error ?? `done: vmsynced=${verdict} (${entry.state}, run ${runId})`, report);
      if (zfsError !== undefined) throw zfsError;
      return { vmsynced: verdict, runId, messages: reportMessages(report), report, state: entry.state };
    } catch (err) {
      this.#d.onLeftover?.(runId); // whatever the record holds is the sweep's now
      if (!recorded) await recordRun(this.#d, runEntry({ ...facts, endedAt: Date.now(), report: null, error: `coordination broke off: ${text(err)}` }));
      openGate('the run failed before the VMware snapshots');
      await scripts.finish('failed');
      throw err;
    } finally {
      openGate('the run is over');
      await scripts.close();
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
      phase.abort(new Error('run over'));
      // A failure before removal (datastore, bug): sessions must not leak.
      await Promise.all(servers.map((s) => s.created.then(() => s.client?.close().catch(() => undefined))));
    }
  }
}
