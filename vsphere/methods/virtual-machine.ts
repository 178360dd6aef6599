/**
 * VM lifecycle methods (govmomi `vim25/types` request types; vSphere API reference "Folder",
 * "VirtualMachine"): `RegisterVM_Task` (on a VM folder), `UnregisterVM`, `PowerOnVM_Task`,
 * `PowerOffVM_Task`, `ReconfigVM_Task`. Task methods return the Task moref; the work happens in the
 * task (tasks/task-waiter.ts).
 */
import type { MoRef } from '../types/values.js';
import { taskRef } from './task.js';
import { ref, type SoapObject } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/** What to register. */
export interface RegisterVmParams {
  /** Datastore path of the `.vmx`, `[ds] dir/name.vmx`. */
  path: string;
  /** Display name of the new VM (omitted: the server takes it from the .vmx). */
  name?: string;
  /** Resource pool of the VM (required unless registering a template). */
  pool: MoRef;
  /** Host to run it on (required for standalone hosts and DRS-less clusters). */
  host?: MoRef;
}

/**
 * `RegisterVM_Task(_this=Folder, path, name?, asTemplate=false, pool, host?)`; the task's result is
 * the new VirtualMachine moref.
 * @throws SoapFaultError `NotFound`/`FileNotFound` (no such .vmx), `AlreadyExists` (registered
 *   already), `DuplicateName`, `InvalidDatastore`, `InvalidArgument` (pool/host mismatch) — as a
 *   fault of the call or of the task
 */
export async function RegisterVM_Task(rt: RoundTripper, folder: MoRef, p: RegisterVmParams, opts?: CallOptions): Promise<MoRef> {
  const [rv] = await rt.call(
    'RegisterVM_Task',
    { _this: ref(folder), path: p.path, name: p.name, asTemplate: false, pool: ref(p.pool), host: p.host ? ref(p.host) : undefined },
    opts,
  );
  return taskRef('RegisterVM_Task', rv);
}

/**
 * `UnregisterVM(_this=vm)`: removes the VM from the inventory, leaving its files.
 * @throws SoapFaultError `InvalidPowerState` (it is powered on), `ManagedObjectNotFound` (gone)
 */
export async function UnregisterVM(rt: RoundTripper, vm: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('UnregisterVM', { _this: ref(vm) }, opts);
}

/** `PowerOnVM_Task(_this=vm, host?)`. @throws SoapFaultError `InvalidPowerState`, `InvalidState` (templates) */
export async function PowerOnVM_Task(rt: RoundTripper, vm: MoRef, opts?: CallOptions): Promise<MoRef> {
  const [rv] = await rt.call('PowerOnVM_Task', { _this: ref(vm) }, opts);
  return taskRef('PowerOnVM_Task', rv);
}

/** `PowerOffVM_Task(_this=vm)` (hard power-off, no guest shutdown). @throws SoapFaultError `InvalidPowerState` */
export async function PowerOffVM_Task(rt: RoundTripper, vm: MoRef, opts?: CallOptions): Promise<MoRef> {
  const [rv] = await rt.call('PowerOffVM_Task', { _this: ref(vm) }, opts);
  return taskRef('PowerOffVM_Task', rv);
}

/**
 * `ReconfigVM_Task(_this=vm, spec: VirtualMachineConfigSpec)`.
 * @param spec the config spec's fields in WSDL order (e.g. `{deviceChange: [...]}`)
 * @throws SoapFaultError `InvalidDeviceSpec`, `InvalidPowerState`, `TaskInProgress`
 */
export async function ReconfigVM_Task(rt: RoundTripper, vm: MoRef, spec: SoapObject, opts?: CallOptions): Promise<MoRef> {
  const [rv] = await rt.call('ReconfigVM_Task', { _this: ref(vm), spec }, opts);
  return taskRef('ReconfigVM_Task', rv);
}
