/**
 * The vSphere steps of an instant restore (plugins/vmware/restore) above the raw methods: find where
 * a host keeps its HostDatastoreSystem, resource pool and VM folder; mount/unmount an NFS datastore;
 * register a VM from its .vmx and wait; power on/off; leave every virtual NIC disconnected
 * (`connectable.startConnected=false`, `connected=false`, an edit of the device as read, so the
 * copy never joins the production network with the original's MAC/IP). Each call throws the
 * server's fault (SoapFaultError / TaskFaultError) unchanged.
 */
import { VsphereError } from '../faults/errors.js';
import { CreateNasDatastore, RemoveDatastore, type NasVolumeSpec } from '../methods/datastore-system.js';
import type { ObjectContent } from '../methods/property-results.js';
import { PowerOffVM_Task, PowerOnVM_Task, ReconfigVM_Task, RegisterVM_Task, UnregisterVM, type RegisterVmParams } from '../methods/virtual-machine.js';
import { retrieveAll } from '../inventory/retrieve.js';
import type { VimSession } from '../session/session.js';
import { echo, typed } from '../soap/xml-writer.js';
import { list, obj, ref, str } from '../types/read.js';
import type { MoRef, VimObject, VimValue } from '../types/values.js';
import type { TaskWaiter, TaskWaitOptions } from './task-waiter.js';

/** Where a restored VM goes on one host. */
export interface HostPlacement {
  host: MoRef;
  /** `configManager.datastoreSystem`. */
  datastoreSystem: MoRef;
  /** The root resource pool of the host's ComputeResource/cluster. */
  resourcePool: MoRef;
  /** The datacenter's `vmFolder`. */
  vmFolder: MoRef;
  datacenter: MoRef;
}

async function props(session: VimSession, o: MoRef, paths: readonly string[]): Promise<Record<string, VimValue>> {
  const [content]: ObjectContent[] = await retrieveAll(session, { propSet: [{ type: o.type, pathSet: paths }], objectSet: [{ obj: o }] });
  return content?.props ?? {};
}

/**
 * Reads a host's datastore system, its compute resource's root pool and its datacenter's VM folder
 * (one read per object on the way up: host, compute resource, folders, datacenter).
 * @throws VsphereError (`not-found`) when the host has no datastore system or no datacenter above it
 */
export async function hostPlacement(session: VimSession, host: MoRef): Promise<HostPlacement> {
  const h = await props(session, host, ['configManager.datastoreSystem', 'parent']);
  const datastoreSystem = ref(h['configManager.datastoreSystem']);
  const cr = ref(h.parent);
  if (!datastoreSystem || !cr) throw new VsphereError(`host ${host.value} reports no datastore system or parent`, 'not-found', 'fault');
  const c = await props(session, cr, ['resourcePool', 'parent']);
  const resourcePool = ref(c.resourcePool);
  let up = ref(c.parent);
  while (up && up.type !== 'Datacenter') up = ref((await props(session, up, ['parent'])).parent);
  if (!resourcePool || !up) throw new VsphereError(`host ${host.value} has no resource pool or datacenter`, 'not-found', 'fault');
  const vmFolder = ref((await props(session, up, ['vmFolder'])).vmFolder);
  if (!vmFolder) throw new VsphereError(`datacenter ${up.value} reports no vmFolder`, 'not-found', 'fault');
  return { host, datastoreSystem, resourcePool, vmFolder, datacenter: up };
}

/** Mounts an NFS export as a new datastore on the host of `datastoreSystem`. */
export function mountNfs(session: VimSession, datastoreSystem: MoRef, spec: NasVolumeSpec): Promise<MoRef> {
  return CreateNasDatastore(session, datastoreSystem, spec);
}

/** Unmounts `datastore` from the host of `datastoreSystem`. */
export function unmountDatastore(session: VimSession, datastoreSystem: MoRef, datastore: MoRef): Promise<void> {
  return RemoveDatastore(session, datastoreSystem, datastore);
}

/** Registers a VM and waits; returns the new VM moref. @throws the task's fault */
export async function registerVm(session: VimSession, waiter: TaskWaiter, folder: MoRef, p: RegisterVmParams, opts: TaskWaitOptions = {}): Promise<MoRef> {
  const task = await RegisterVM_Task(session, folder, p);
  const vm = ref((await waiter.wait(task, opts)).result);
  if (!vm) throw new VsphereError(`RegisterVM_Task of ${p.path} succeeded without a VirtualMachine moref in TaskInfo.result`, 'failed', 'protocol');
  return vm;
}

/** Powers a VM on (`on`) or off and waits. @throws the task's fault (`InvalidPowerState` when already there) */
export async function setPower(session: VimSession, waiter: TaskWaiter, vm: MoRef, on: boolean, opts: TaskWaitOptions = {}): Promise<void> {
  const task = on ? await PowerOnVM_Task(session, vm) : await PowerOffVM_Task(session, vm);
  await waiter.wait(task, opts);
}

/** Unregisters a VM (files stay). */
export function unregisterVm(session: VimSession, vm: MoRef): Promise<void> {
  return UnregisterVM(session, vm);
}

/** A virtual NIC: a device with a MAC address field or an ethernet-card type. */
function isNic(d: VimObject): boolean {
  return 'macAddress' in d || 'addressType' in d || /EthernetCard|^VirtualE1000|^VirtualVmxnet|^VirtualPCNet32/.test(d._type ?? '');
}

/** The device with `connectable` disconnected, keeping the vim25 field order (connectable follows backing). */
function disconnected(d: VimObject): VimObject {
  const old = obj(d.connectable);
  const migrate = str(old?.migrateConnect);
  const ordered: VimObject = {
    ...(migrate !== undefined ? { migrateConnect: migrate } : {}),
    startConnected: 'false',
    allowGuestControl: str(old?.allowGuestControl) ?? 'false',
    connected: 'false',
  };
  const out: VimObject = d._type ? { _type: d._type } : {};
  let placed = false;
  for (const [k, v] of Object.entries(d)) {
    if (k === '_type' || k === 'connectable') continue;
    if (!placed && (k === 'slotInfo' || k === 'controllerKey' || k === 'unitNumber' || k === 'addressType' || k === 'macAddress')) {
      out.connectable = ordered;
      placed = true;
    }
    if (v !== undefined) out[k] = v;
  }
  if (!placed) out.connectable = ordered;
  return out;
}

/**
 * Disconnects every virtual NIC of `vm` now and at power-on (one ReconfigVM_Task editing each NIC
 * as read from `config.hardware.device`); returns how many NICs it changed (0: no task was started).
 */
export async function disconnectNics(session: VimSession, waiter: TaskWaiter, vm: MoRef, opts: TaskWaitOptions = {}): Promise<number> {
  const p = await props(session, vm, ['config.hardware.device']);
  const nics = list(p['config.hardware.device']).flatMap((d) => {
    const o = obj(d);
    return o && isNic(o) ? [o] : [];
  });
  if (nics.length === 0) return 0;
  const deviceChange = nics.map((n) => typed('VirtualDeviceConfigSpec', { operation: 'edit', device: echo(disconnected(n)) }));
  await waiter.wait(await ReconfigVM_Task(session, vm, typed('VirtualMachineConfigSpec', { deviceChange })), opts);
  return nics.length;
}
