/**
 * Task: `CancelTask` and the liberal decoder of vim25 `TaskInfo` (reference B.7; govmomi
 * `vim25/types` TaskInfo). Parsing is deliberately lenient: vcsim reports RemoveSnapshot_Task's
 * `entity` as the snapshot rather than the VM, and partial `info.*` updates may arrive.
 */
import { answeredRef } from './answered-ref.js';
import { bool, num, obj, ref as read, str } from '../types/read.js';
import type { MoRef, VimObject, VimValue } from '../types/values.js';
import { ref } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/** `queued | running | success | error` (others pass through as strings). */
export type TaskState = 'queued' | 'running' | 'success' | 'error' | (string & {});

/** vim25 `TaskInfo`, the fields this client uses. */
export interface TaskInfo {
  key: string;
  task: MoRef;
  /** e.g. `CreateSnapshot_Task`. */
  name: string | undefined;
  descriptionId: string | undefined;
  /** Usually the VM; vcsim reports the snapshot for RemoveSnapshot_Task. */
  entity: MoRef | undefined;
  entityName: string | undefined;
  state: TaskState;
  cancelled: boolean;
  cancelable: boolean;
  /** LocalizedMethodFault `{fault: {_type…}, localizedMessage}` when state is error. */
  error: VimObject | undefined;
  /** The task's result (for snapshot creation: the VirtualMachineSnapshot moref). */
  result: VimValue | undefined;
  /** 0–100 while running. */
  progress: number | undefined;
  queueTime: string | undefined;
  startTime: string | undefined;
  completeTime: string | undefined;
}

/** Decodes a TaskInfo object; `task` is used when the object lacks `task`. */
export function decodeTaskInfo(v: VimValue | undefined, task: MoRef): TaskInfo {
  const o = obj(v) ?? {};
  return {
    key: str(o.key) ?? task.value,
    task: read(o.task) ?? task,
    name: str(o.name),
    descriptionId: str(o.descriptionId),
    entity: read(o.entity),
    entityName: str(o.entityName),
    state: str(o.state) ?? 'queued',
    cancelled: bool(o.cancelled) ?? false,
    cancelable: bool(o.cancelable) ?? false,
    error: obj(o.error),
    result: o.result,
    progress: num(o.progress),
    queueTime: str(o.queueTime),
    startTime: str(o.startTime),
    completeTime: str(o.completeTime),
  };
}

/**
 * `CancelTask(_this=task)`.
 * @throws SoapFaultError `MethodNotFound` (Debian's vcsim), `InvalidState` (already finished), `NotSupported`
 */
export async function CancelTask(rt: RoundTripper, task: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('CancelTask', { _this: ref(task) }, opts);
}

/**
 * The Task moref a `*_Task` method returned.
 * @throws VsphereTransportError (protocol) when the answer holds none
 */
export function taskRef(method: string, rv: VimValue | undefined): MoRef {
  return answeredRef(method, rv, 'Task');
}
