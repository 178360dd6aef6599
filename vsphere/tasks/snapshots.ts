/**
 * Snapshot verbs above the raw methods: choose CreateSnapshotEx_Task (quiesce timeout) or
 * CreateSnapshot_Task, remember servers without the former, remove by moref with consolidation,
 * and cancel tasks reporting "cannot cancel" instead of failing (reference B.6, B.7, B.10 step 4).
 */
import { VsphereError, type TaskCancelOutcome } from '../faults/errors.js';
import { asVimFault, isVimFault } from '../faults/vim-fault.js';
import { ConsolidateVMDisks_Task, CreateSnapshotEx_Task, CreateSnapshot_Task, RemoveSnapshot_Task } from '../methods/snapshot.js';
import { CancelTask } from '../methods/task.js';
import type { CallOptions } from '../soap/soap-client.js';
import type { VimSession } from '../session/session.js';
import { compareVersions, isNumericVersion } from '../session/versions.js';
import type { MoRef } from '../types/values.js';

/** What snapshot to take. */
export interface CreateSnapshotSpec {
  /** Snapshot name (vsnapd puts its marker and run id here). */
  name: string;
  description?: string;
  /** Include memory (default false). */
  memory?: boolean;
  /** Quiesce the guest file systems through VMware Tools (default false; only when Tools run). */
  quiesce?: boolean;
  /**
   * With `quiesce`: bound the quiesce in minutes (5–240) through CreateSnapshotEx_Task's
   * `VirtualMachineGuestQuiesceSpec.timeout` when the API version is ≥ 6.5; servers answering
   * `MethodNotFound` get CreateSnapshot_Task (no bound) instead.
   */
  quiesceTimeoutMinutes?: number;
}

/** The task that creates the snapshot and the method that started it. */
export interface SnapshotTaskStarted {
  task: MoRef;
  method: 'CreateSnapshotEx_Task' | 'CreateSnapshot_Task';
}

/**
 * Checks a {@link CreateSnapshotSpec}.
 * @throws VsphereError (`invalid-argument`) naming the bad field
 */
export function checkSnapshotSpec(spec: CreateSnapshotSpec): void {
  if (typeof spec.name !== 'string' || spec.name.trim() === '') {
    throw new VsphereError('name: a snapshot needs a non-empty name', 'invalid-argument', 'fault');
  }
  const t = spec.quiesceTimeoutMinutes;
  if (t !== undefined && !(Number.isInteger(t) && t >= 5 && t <= 240)) {
    throw new VsphereError(`quiesceTimeoutMinutes: must be a whole number of minutes from 5 to 240 (vSphere's range); got ${t}`, 'invalid-argument', 'fault');
  }
}

/**
 * Starts a snapshot of `vm`.
 * @throws SoapFaultError (`TaskInProgress`, `InvalidState`, `RestrictedVersion`, `NoPermission`…),
 *   VsphereTimeoutError (phase `call`; NOTE: the snapshot may still appear later), VsphereError (`invalid-argument`)
 */
export async function createSnapshot(session: VimSession, vm: MoRef, spec: CreateSnapshotSpec, opts?: CallOptions): Promise<SnapshotTaskStarted> {
  checkSnapshotSpec(spec);
  const base = { name: spec.name, memory: spec.memory ?? false, ...(spec.description !== undefined ? { description: spec.description } : {}) };
  const quiesce = spec.quiesce ?? false;
  const v = session.apiVersion;
  const exAllowed = !isNumericVersion(v) || compareVersions(v, '6.5') >= 0;
  if (quiesce && spec.quiesceTimeoutMinutes !== undefined && exAllowed && !session.unsupported.has('CreateSnapshotEx_Task')) {
    try {
      const task = await CreateSnapshotEx_Task(session, vm, { ...base, quiesceTimeoutMinutes: spec.quiesceTimeoutMinutes }, opts);
      return { task, method: 'CreateSnapshotEx_Task' };
    } catch (err) {
      if (!isVimFault(err, 'MethodNotFound')) throw err;
      session.unsupported.add('CreateSnapshotEx_Task');
    }
  }
  const task = await CreateSnapshot_Task(session, vm, { ...base, quiesce }, opts);
  return { task, method: 'CreateSnapshot_Task' };
}

/**
 * Starts removing one snapshot by moref (never by name: names need not be unique).
 * @param opts.removeChildren also remove its children (default false)
 * @param opts.consolidate merge the delta disks now (default true)
 */
export async function removeSnapshot(
  session: VimSession,
  snapshot: MoRef,
  opts: { removeChildren?: boolean; consolidate?: boolean } & CallOptions = {},
): Promise<MoRef> {
  const { removeChildren = false, consolidate = true, ...call } = opts;
  return RemoveSnapshot_Task(session, snapshot, { removeChildren, consolidate }, call);
}

/**
 * Starts `ConsolidateVMDisks_Task` for a VM whose `runtime.consolidationNeeded` is true.
 * @throws SoapFaultError `MethodNotFound` on servers without it (then also recorded in `session.unsupported`)
 */
export async function consolidateDisks(session: VimSession, vm: MoRef, opts?: CallOptions): Promise<MoRef> {
  try {
    return await ConsolidateVMDisks_Task(session, vm, opts);
  } catch (err) {
    if (isVimFault(err, 'MethodNotFound')) session.unsupported.add('ConsolidateVMDisks_Task');
    throw err;
  }
}

/**
 * Asks the server to cancel a task. Never throws for the expected refusals: a server without
 * CancelTask (`MethodNotFound`, Debian's vcsim), a task that is not cancelable or already finished
 * (`InvalidState`, `NotSupported`), or a task that is gone (`ManagedObjectNotFound`).
 * @throws transport/timeout errors only
 */
export async function cancelTask(session: VimSession, task: MoRef, opts?: CallOptions): Promise<TaskCancelOutcome> {
  if (session.unsupported.has('CancelTask')) {
    return { requested: false, ok: false, reason: 'cannot cancel: the server does not implement CancelTask' };
  }
  try {
    await CancelTask(session, task, opts);
    return { requested: true, ok: true };
  } catch (err) {
    const fault = asVimFault(err);
    if (!fault) throw err;
    if (isVimFault(err, 'MethodNotFound')) {
      session.unsupported.add('CancelTask');
      return { requested: true, ok: false, reason: 'cannot cancel: the server does not implement CancelTask' };
    }
    return { requested: true, ok: false, reason: `cannot cancel: ${fault.faultType}: ${fault.message}` };
  }
}
