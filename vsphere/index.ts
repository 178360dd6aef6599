/**
 * vsnapd's vSphere (vim25 SOAP) client: the public surface. Layers, lowest first (a layer never
 * imports a higher one):
 *
 * | folder      | job |
 * |-------------|-----|
 * | `types/`    | the decoded value model (MoRef, VimObject) and lenient readers |
 * | `faults/`   | VsphereError family, SoapFaultError / TaskFaultError, `isVimFault` |
 * | `transport/`| undici keep-alive pool, per-connection TLS policy, cookie, timeouts |
 * | `soap/`     | envelope writer, liberal response/fault decoder, SoapClient (round-trip counter) |
 * | `methods/`  | one function per vim25 operation, named verbatim (`CreateSnapshot_Task`) |
 * | `session/`  | version negotiation, Login/Logout, keepalive, re-login on NotAuthenticated |
 * | `inventory/`| ContainerView + RetrievePropertiesEx → typed VMs, datastores, hosts; targeted VM reads |
 * | `tasks/`    | snapshot verbs, TaskWaiter (one PropertyCollector for many tasks), batches |
 * | `client.ts` | {@link VsphereClient}, the facade |
 *
 * Typical use:
 * ```ts
 * const client = await VsphereClient.connect({ host, username, password, tls: { thumbprint } });
 * try {
 *   const inv = await client.inventory();
 *   const made = await client.createSnapshots(vms.map((vm) => ({ vm, name, quiesce: true })), { deadlineMs: 60_000 });
 *   // … ZFS snapshot …
 *   await client.removeSnapshots(made.flatMap((r) => (r.ok ? [{ snapshot: r.snapshot }] : [])));
 * } finally {
 *   await client.close();
 * }
 * ```
 * The rest of vsnapd imports only this module, never a layer directly (the layers' own tests may).
 * Errors carry a `kind` (VsphereErrorKind: `denied`, `refused`, `untrusted-certificate`…) and a
 * `category`; an application maps them to its own codes at its boundary (the vmware plugin: EPERM for
 * InvalidLogin/NoPermission/RestrictedVersion, 208 for TLS, the socket errno for network failures).
 */
export { VsphereClient, type BatchOptions, type TaskWaitResult, type VsphereConnectOptions } from './client.js';
export type { SessionOptions } from './session/session.js';
export { VimSession } from './session/session.js';
export type { TlsOptions, CertificateInfo, Thumbprint } from './transport/tls-policy.js';
export { parseThumbprint, checkCaPem } from './transport/tls-policy.js';
export {
  VsphereError,
  VsphereTransportError,
  TlsVerificationError,
  VsphereTimeoutError,
  type VsphereErrorCategory,
  type VsphereErrorKind,
  type TaskCancelOutcome,
} from './faults/errors.js';
export { SoapFaultError, TaskFaultError, isVimFault, asVimFault, classifyFault, type VimFaultError } from './faults/vim-fault.js';
export { faultIsA } from './faults/hierarchy.js';
export type { MoRef, VimObject, VimValue } from './types/values.js';
export { moRefKey, sameMoRef } from './types/values.js';
export type { AboutInfo } from './methods/service-instance.js';
export type { TaskInfo, TaskState } from './methods/task.js';
export type {
  Inventory,
  VirtualMachineInfo,
  VirtualDiskInfo,
  PassthroughDeviceInfo,
  SnapshotTreeNode,
  GuestInfo,
  DatastoreInfo,
  HostInfo,
  HostMountInfo,
  ScsiLunInfo,
  ContainerInfo,
} from './inventory/types.js';
export type { InventoryOptions } from './inventory/inventory.js';
export type { ReadVmsOptions } from './inventory/read-vms.js';
export { flattenSnapshots, datastoreNameOfPath } from './inventory/decode-vm.js';
export type { CreateSnapshotSpec } from './tasks/snapshots.js';
export type { OperationOptions, SnapshotRequest, SnapshotResult, RemoveRequest, RemoveResult } from './tasks/operations.js';
export { TaskWaiter, type TaskWaitOptions, type TaskOutcome } from './tasks/task-waiter.js';
export type { HostPlacement } from './tasks/restore-ops.js';
export type { NasVolumeSpec } from './methods/datastore-system.js';
export type { RegisterVmParams } from './methods/virtual-machine.js';
