/**
 * Whole snapshot operations (start the task and wait for it through a shared {@link TaskWaiter})
 * with one overall deadline each, and their bounded-concurrency batch forms. Results are values,
 * never rejections, so one failing VM never hides the others.
 */
import { VsphereError } from '../faults/errors.js';
import type { TaskInfo } from '../methods/task.js';
import type { VimSession } from '../session/session.js';
import { ref } from '../types/read.js';
import type { MoRef } from '../types/values.js';
import { createSnapshot, removeSnapshot, type CreateSnapshotSpec } from './snapshots.js';
import type { TaskWaiter } from './task-waiter.js';

/** Deadline and progress options of one operation. */
export interface OperationOptions {
  /**
   * Overall deadline in ms: the SOAP call gets what is left of it (capped by the session's call
   * timeout), the task the rest. On expiry during the task, the task is cancelled when possible.
   * NOTE: when the *call* times out the server may still create the snapshot later (a leftover).
   */
  deadlineMs?: number;
  onProgress?: (info: TaskInfo) => void;
}

/** A snapshot to take. */
export interface SnapshotRequest extends CreateSnapshotSpec {
  vm: MoRef;
}

/** Outcome of one snapshot creation. */
export type SnapshotResult =
  | {
      vm: MoRef;
      ok: true;
      /** The new VirtualMachineSnapshot (TaskInfo.result). */
      snapshot: MoRef;
      task: MoRef;
      method: 'CreateSnapshotEx_Task' | 'CreateSnapshot_Task';
      /** Quiescing was requested and the task succeeded. */
      quiesced: boolean;
    }
  | { vm: MoRef; ok: false; error: Error; task?: MoRef };

/** A snapshot to remove, by moref. */
export interface RemoveRequest {
  snapshot: MoRef;
  /** Default false. */
  removeChildren?: boolean;
  /** Default true. */
  consolidate?: boolean;
}

/** Outcome of one removal; `info` is the finished task's TaskInfo (`completeTime`: when vSphere says the snapshot was gone). */
export type RemoveResult = { snapshot: MoRef; ok: true; task: MoRef; info: TaskInfo } | { snapshot: MoRef; ok: false; error: Error; task?: MoRef };

function toError(err: unknown): Error {
  return err instanceof Error ? err : new VsphereError(String(err), 'failed', 'fault');
}

/** Splits an overall deadline into the call timeout and what remains for the task. */
function budget(session: VimSession, deadlineMs: number | undefined) {
  const started = Date.now();
  return {
    call: deadlineMs === undefined ? {} : { timeoutMs: Math.max(1, Math.min(session.callTimeoutMs, deadlineMs)) },
    rest: () => (deadlineMs === undefined ? undefined : Math.max(1, deadlineMs - (Date.now() - started))),
  };
}

/** Creates one snapshot and waits for its task. Never rejects. */
export async function snapshotVm(session: VimSession, waiter: TaskWaiter, req: SnapshotRequest, opts: OperationOptions = {}): Promise<SnapshotResult> {
  const { vm, ...spec } = req;
  const b = budget(session, opts.deadlineMs);
  let task: MoRef | undefined;
  try {
    const started = await createSnapshot(session, vm, spec, b.call);
    task = started.task;
    const rest = b.rest();
    const outcome = await waiter.wait(task, { ...(rest !== undefined ? { deadlineMs: rest } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    const snapshot = ref(outcome.result);
    if (!snapshot) {
      return { vm, ok: false, task, error: new VsphereError(`${started.method} on ${vm.value} succeeded without a snapshot moref in TaskInfo.result`, 'failed', 'protocol') };
    }
    return { vm, ok: true, snapshot, task, method: started.method, quiesced: spec.quiesce ?? false };
  } catch (err) {
    return task ? { vm, ok: false, task, error: toError(err) } : { vm, ok: false, error: toError(err) };
  }
}

/** Removes one snapshot by moref and waits for its task. Never rejects. */
export async function removeVmSnapshot(session: VimSession, waiter: TaskWaiter, req: RemoveRequest, opts: OperationOptions = {}): Promise<RemoveResult> {
  const b = budget(session, opts.deadlineMs);
  let task: MoRef | undefined;
  try {
    task = await removeSnapshot(session, req.snapshot, {
      ...(req.removeChildren !== undefined ? { removeChildren: req.removeChildren } : {}),
      ...(req.consolidate !== undefined ? { consolidate: req.consolidate } : {}),
      ...b.call,
    });
    const rest = b.rest();
    const outcome = await waiter.wait(task, { ...(rest !== undefined ? { deadlineMs: rest } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    return { snapshot: req.snapshot, ok: true, task, info: outcome.info };
  } catch (err) {
    return task ? { snapshot: req.snapshot, ok: false, task, error: toError(err) } : { snapshot: req.snapshot, ok: false, error: toError(err) };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

