/**
 * Snapshot methods (reference B.6; parameter order from pyvmomi `_typeinfo_vim.py`, govmomi
 * `vim25/types` request types): `CreateSnapshot_Task`, `CreateSnapshotEx_Task` (6.5+),
 * `RemoveSnapshot_Task`, `ConsolidateVMDisks_Task`. Each returns the Task moref; the work happens
 * in the task (see tasks/task-waiter.ts).
 */
import type { MoRef } from '../types/values.js';
import { taskRef } from './task.js';
import { ref, typed } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/** Parameters shared by both snapshot-creating methods. */
export interface SnapshotParams {
  name: string;
  description?: string;
  /** Include the VM's memory (vsnapd never does; TrueNAS hard-codes false). */
  memory: boolean;
}

/**
 * `CreateSnapshot_Task(_this=vm, name, description?, memory, quiesce)`.
 * @throws SoapFaultError e.g. `TaskInProgress`, `InvalidState`, `RestrictedVersion` (free ESXi)
 */
export async function CreateSnapshot_Task(
  rt: RoundTripper,
  vm: MoRef,
  p: SnapshotParams & { quiesce: boolean },
  opts?: CallOptions,
): Promise<MoRef> {
  const [rv] = await rt.call(
    'CreateSnapshot_Task',
    { _this: ref(vm), name: p.name, description: p.description, memory: p.memory, quiesce: p.quiesce },
    opts,
  );
  return taskRef('CreateSnapshot_Task', rv);
}

/**
 * `CreateSnapshotEx_Task(_this=vm, name, description?, memory, quiesceSpec?)` (vSphere 6.5+).
 * @param quiesceTimeoutMinutes `VirtualMachineGuestQuiesceSpec.timeout`: bound of the quiesce
 *   operation in minutes (vSphere accepts 5–240); omitted = no quiescing
 * @throws SoapFaultError `MethodNotFound` on servers without it (Debian's vcsim)
 */
export async function CreateSnapshotEx_Task(
  rt: RoundTripper,
  vm: MoRef,
  p: SnapshotParams & { quiesceTimeoutMinutes?: number },
  opts?: CallOptions,
): Promise<MoRef> {
  const quiesceSpec =
    p.quiesceTimeoutMinutes === undefined
      ? undefined
      : typed('VirtualMachineGuestQuiesceSpec', { timeout: Math.round(p.quiesceTimeoutMinutes) });
  const [rv] = await rt.call(
    'CreateSnapshotEx_Task',
    { _this: ref(vm), name: p.name, description: p.description, memory: p.memory, quiesceSpec },
    opts,
  );
  return taskRef('CreateSnapshotEx_Task', rv);
}

/**
 * `RemoveSnapshot_Task(_this=snapshot, removeChildren, consolidate?)`.
 * @param consolidate merge the delta disks now (vSphere's default is true)
 */
export async function RemoveSnapshot_Task(
  rt: RoundTripper,
  snapshot: MoRef,
  p: { removeChildren: boolean; consolidate?: boolean },
  opts?: CallOptions,
): Promise<MoRef> {
  const [rv] = await rt.call(
    'RemoveSnapshot_Task',
    { _this: ref(snapshot), removeChildren: p.removeChildren, consolidate: p.consolidate },
    opts,
  );
  return taskRef('RemoveSnapshot_Task', rv);
}

/** `ConsolidateVMDisks_Task(_this=vm)`: merges leftover delta disks (after `runtime.consolidationNeeded`). */
export async function ConsolidateVMDisks_Task(rt: RoundTripper, vm: MoRef, opts?: CallOptions): Promise<MoRef> {
  const [rv] = await rt.call('ConsolidateVMDisks_Task', { _this: ref(vm) }, opts);
  return taskRef('ConsolidateVMDisks_Task', rv);
}
