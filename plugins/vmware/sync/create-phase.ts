/**
 * Creating one VM's VMware snapshot inside a run (SPEC §4 step 3): bounded by the run's
 * {@link HostLimiter}, each attempt with a deadline of `min(task_timeout, time left in the VMware
 * phase)` (a hung task is cancelled by the vSphere client's TaskWaiter), failures handled by
 * {@link nextStep} (quiesce retry → crash-consistent fallback, busy retry). The snapshot is named and
 * described with the vsnapd marker. Results land in the VM's {@link VmWork}.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { VsphereTimeoutError, type MoRef, type VsphereClient } from '../../../vsphere/index.js';
import type { SyncConfig } from './config.js';
import type { HostLimiter } from './limiter.js';
import type { RemovalTime } from './remove.js';
import { classifyFailure, nextStep, type SnapshotKind } from './policy.js';
import type { VmSelection } from './select.js';

/** One VM's part of a run (classification, outcome and timings). */
export interface VmWork {
  sel: VmSelection;
  /** Entries whose datastores hold its disks. */
  entryIds: number[];
  /** Limiter key: server + ESXi host. */
  hostKey: string;
  plannedKind: SnapshotKind | null;
  kind: SnapshotKind | null;
  action: 'snapshotted' | 'skipped' | 'failed';
  reason: string | null;
  warnings: string[];
  attempts: number;
  snapshot: MoRef | null;
  /** Last create task that did not finish (timeout): its snapshot may still appear. */
  task: MoRef | null;
  /** A create timed out: whether a snapshot exists is unknown until the VM is re-read. */
  uncertain: boolean;
  /** The VMware phase deadline (not the per-task one) cut an attempt short. */
  cutByPhase: boolean;
  /** Epoch ms of the first create request / when vsnapd saw the snapshot made. */
  requestedAt: number | null;
  createdAt: number | null;
  /** The snapshot's vSphere `createTime` (VirtualMachineSnapshotTree), epoch ms; null until read or when unknown. */
  createTime: number | null;
  /** The snapshot existed when the ZFS snapshot was requested. */
  held: boolean;
  removed: boolean | null;
  removeMs: number | null;
  /** When its removal ended, as vSphere (RemoveSnapshot_Task completeTime) and vsnapd saw it (null until then). */
  removedAt: RemovalTime | null;
}

/** A fresh work item for a classified VM. */
export function newVmWork(sel: VmSelection, entryIds: number[], hostKey: string): VmWork {
  return {
    sel,
    entryIds,
    hostKey,
    plannedKind: sel.protected ? (sel.quiesce ? 'quiesced' : 'crash_consistent') : null,
    kind: null,
    action: sel.protected ? 'failed' : 'skipped',
    reason: sel.reason,
    warnings: [...sel.warnings],
    attempts: 0,
    snapshot: null,
    task: null,
    uncertain: false,
    cutByPhase: false,
    requestedAt: null,
    createdAt: null,
    createTime: null,
    held: false,
    removed: null,
    removeMs: null,
    removedAt: null,
  };
}

/** What one creation needs from its run. */
export interface CreateContext {
  client: VsphereClient;
  limiter: HostLimiter;
  cfg: SyncConfig;
  name: string;
  description: string;
  /** Epoch ms when the VMware phase ends. */
  deadlineAt: number;
  /** Aborted at the phase deadline or when the job is aborted: no new attempt starts. */
  signal: AbortSignal;
  log: (line: string) => void;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Creates the snapshot of `w` (a protected VM); never rejects. */
export async function createVmSnapshot(w: VmWork, c: CreateContext): Promise<void> {
  const vm = w.sel.vm;
  let kind: SnapshotKind = w.plannedKind ?? 'crash_consistent';
  let quiesceFailures = 0;
  let busyRetries = 0;
  const fail = (why: string): void => {
    w.action = 'failed';
    w.reason = why;
  };
  const phaseEnded = (): void => {
    w.cutByPhase = true;
    fail(w.attempts === 0 ? 'the VMware phase ended (deadline or abort) before the snapshot was requested' : `${w.reason ?? 'failed'}; the VMware phase ended before another attempt`);
  };
  for (;;) {
    const left = c.deadlineAt - Date.now();
    if (c.signal.aborted || left <= 0) return phaseEnded();
    const deadlineMs = Math.max(1, Math.min(c.cfg.task_timeout_seconds * 1000, left));
    const spec = {
      name: c.name,
      description: c.description,
      memory: false,
      quiesce: kind === 'quiesced',
      ...(kind === 'quiesced' ? { quiesceTimeoutMinutes: c.cfg.quiesce_timeout_minutes } : {}),
    };
    let res;
    try {
      res = await c.limiter.run(
        w.hostKey,
        async () => {
          w.attempts++;
          w.requestedAt ??= Date.now();
          return c.client.createSnapshot(vm.moref, spec, { deadlineMs });
        },
        c.signal,
      );
    } catch {
      return phaseEnded();
    }
    if (res.ok) {
      w.snapshot = res.snapshot;
      w.kind = kind;
      w.createdAt = Date.now();
      w.action = 'snapshotted';
      w.reason = null;
      w.task = null;
      w.uncertain = false;
      if (kind !== w.plannedKind) w.warnings.push('crash-consistent: quiescing failed, fell back to a crash-consistent snapshot');
      c.log(`${vm.name}: ${kind === 'quiesced' ? 'quiesced' : 'crash-consistent'} snapshot ${res.snapshot.value} (attempt ${w.attempts})`);
      return;
    }
    const failure = classifyFailure(res.error);
    if (failure === 'quiesce') quiesceFailures++;
    if (failure === 'timeout') {
      if (deadlineMs < c.cfg.task_timeout_seconds * 1000) w.cutByPhase = true;
      // A call that timed out may still take effect; a task the server confirmed cancelled does not.
      const cancelled = res.error instanceof VsphereTimeoutError && res.error.phase === 'task' && res.error.cancel?.ok === true;
      w.uncertain = !cancelled;
      w.task = cancelled ? null : (res.task ?? null);
    }
    const step = nextStep({ kind, quiesceFailures, busyRetries }, failure, c.cfg);
    w.reason = `${text(res.error)} (${step.why})`;
    c.log(`${vm.name}: attempt ${w.attempts} failed: ${w.reason}`);
    if (step.action === 'fail') return fail(w.reason);
    if (failure === 'busy') busyRetries++;
    if (step.kind !== kind) w.warnings.push(`quiesce failed: ${text(res.error)}`);
    kind = step.kind;
    if (step.delayMs > 0) {
      try {
        await sleep(Math.min(step.delayMs, Math.max(0, c.deadlineAt - Date.now())), undefined, { signal: c.signal });
      } catch {
        /* aborted: the loop head ends it */
      }
    }
  }
}
