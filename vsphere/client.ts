/**
 * {@link VsphereClient}: the one object other vsnapd code uses to talk to a vCenter or ESXi host.
 * It owns a {@link VimSession} (login, keepalive, re-login) and one shared {@link TaskWaiter}, so
 * every task it waits for, however many run at once, goes through ONE private PropertyCollector.
 */
import { VsphereError } from './faults/errors.js';
import { isVimFault } from './faults/vim-fault.js';
import type { AboutInfo } from './methods/service-instance.js';
import { FindAllByUuid, FindByUuid } from './methods/search-index.js';
import type { TaskInfo } from './methods/task.js';
import { readInventory, type InventoryOptions } from './inventory/inventory.js';
import { readVms, type ReadVmsOptions } from './inventory/read-vms.js';
import type { Inventory, VirtualMachineInfo } from './inventory/types.js';
import { VimSession, type SessionOptions } from './session/session.js';
import { mapLimit, removeVmSnapshot, snapshotVm, type OperationOptions, type RemoveRequest, type RemoveResult, type SnapshotRequest, type SnapshotResult } from './tasks/operations.js';
import { cancelTask, consolidateDisks, type CreateSnapshotSpec } from './tasks/snapshots.js';
import { disconnectNics, hostPlacement, mountNfs, registerVm, setPower, unmountDatastore, unregisterVm, type HostPlacement } from './tasks/restore-ops.js';
import type { NasVolumeSpec } from './methods/datastore-system.js';
import type { RegisterVmParams } from './methods/virtual-machine.js';
import { TaskWaiter, type TaskWaitOptions } from './tasks/task-waiter.js';
import type { CertificateInfo } from './transport/tls-policy.js';
import type { TaskCancelOutcome } from './faults/errors.js';
import type { MoRef, VimValue } from './types/values.js';

/** Connection options: see {@link SessionOptions} (host, port 443, username, password, tls, timeouts in ms, signal). */
export type VsphereConnectOptions = SessionOptions;

/** Batch options: per-operation deadline plus a concurrency bound. */
export interface BatchOptions extends OperationOptions {
  /** Operations in flight at once (call + task), default 8. */
  concurrency?: number;
}

/** Outcome of waiting for one task. */
export type TaskWaitResult =
  | { task: MoRef; ok: true; info: TaskInfo; result: VimValue | undefined }
  | { task: MoRef; ok: false; error: Error };

/** A connected, logged-in vSphere client. Create with {@link VsphereClient.connect}; always {@link close}. */
export class VsphereClient {
  /** The underlying session (raw vim25 calls: pass it as the RoundTripper of any `methods/*` function). */
  readonly session: VimSession;
  #waiter: TaskWaiter | undefined;

  private constructor(session: VimSession) {
    this.session = session;
  }

  /**
   * Connects to `https://host:port/sdk`, negotiates the API version, reads ServiceContent and logs in.
   * `opts.signal` aborts a pending connect/login at once (the daemon stopping mid health check).
   * @throws TlsVerificationError (kind `untrusted-certificate`; `fingerprint256` to pin), SoapFaultError `InvalidLogin`
   *   (`denied`), VsphereTransportError (`refused`, `unreachable`…; the message names `host:port`),
   *   VsphereTimeoutError (`timed-out`), VsphereError (`invalid-argument`) for a malformed `tls.thumbprint` or
   *   `tls.ca`, VsphereError (`canceled`) when `opts.signal` aborted it
   */
  static async connect(opts: VsphereConnectOptions): Promise<VsphereClient> {
    return new VsphereClient(await VimSession.connect(opts));
  }

  /** What the server is: `about.apiType` is `VirtualCenter` (vCenter) or `HostAgent` (ESXi). */
  get about(): AboutInfo {
    return this.session.about;
  }

  /** Negotiated vim25 API version, e.g. `8.0.2.0` (vcsim: `6.5`). */
  get apiVersion(): string {
    return this.session.apiVersion;
  }

  /** The server certificate: `{sha256, sha1, subject, issuer, not_after, trusted, pinned}`. */
  get certificate(): CertificateInfo | undefined {
    return this.session.certificate;
  }

  /** SOAP round trips so far (tests assert inventory reads stay O(1)). */
  get roundTrips(): number {
    return this.session.roundTrips;
  }

  /** True for vCenter, false for a standalone ESXi host. */
  get isVCenter(): boolean {
    return this.session.about.apiType === 'VirtualCenter';
  }

  /** The shared waiter (one private PropertyCollector for every task of this client). */
  get waiter(): TaskWaiter {
    if (this.session.closed) throw new VsphereError('the vSphere client is closed', 'failed', 'network');
    this.#waiter ??= new TaskWaiter(this.session);
    return this.#waiter;
  }

  /**
   * Reads VMs, datastores and hosts (`extended`: also clusters, resource pools, datacenters, folders
   * and guest identity) in one ContainerView + RetrievePropertiesEx (+ pages) + DestroyView.
   */
  inventory(opts?: InventoryOptions): Promise<Inventory> {
    return readInventory(this.session, opts);
  }

  /**
   * Reads the given VMs (the inventory's VirtualMachine properties, decoded the same way) in one
   * RetrievePropertiesEx with one ObjectSpec per moref (+ pages; no ContainerView): for a targeted
   * re-read of a few VMs, e.g. their snapshot trees and `consolidationNeeded` after removal.
   * Results are in request order, each VM once; VMs that no longer exist are left out. Disk
   * `datastoreName` comes from the disk's file path (no datastore list is read).
   * @throws SoapFaultError (`NoPermission`…), VsphereTransportError, VsphereTimeoutError
   */
  readVms(morefs: readonly MoRef[], opts?: ReadVmsOptions): Promise<VirtualMachineInfo[]> {
    return readVms(this.session, morefs, opts);
  }

  /** Takes one snapshot and waits for it; never rejects (see {@link SnapshotResult}). */
  createSnapshot(vm: MoRef, spec: CreateSnapshotSpec, opts?: OperationOptions): Promise<SnapshotResult> {
    return snapshotVm(this.session, this.waiter, { vm, ...spec }, opts);
  }

  /** Takes many snapshots, at most `concurrency` at once; results in request order. */
  createSnapshots(requests: readonly SnapshotRequest[], opts: BatchOptions = {}): Promise<SnapshotResult[]> {
    const { concurrency = 8, ...op } = opts;
    return mapLimit(requests, concurrency, (r) => snapshotVm(this.session, this.waiter, r, op));
  }

  /** Removes one snapshot by moref (consolidate by default) and waits; never rejects. */
  removeSnapshot(snapshot: MoRef, opts: Omit<RemoveRequest, 'snapshot'> & OperationOptions = {}): Promise<RemoveResult> {
    const { removeChildren, consolidate, ...op } = opts;
    const req: RemoveRequest = { snapshot, ...(removeChildren !== undefined ? { removeChildren } : {}), ...(consolidate !== undefined ? { consolidate } : {}) };
    return removeVmSnapshot(this.session, this.waiter, req, op);
  }

  /** Removes many snapshots, at most `concurrency` at once; results in request order. */
  removeSnapshots(requests: readonly RemoveRequest[], opts: BatchOptions = {}): Promise<RemoveResult[]> {
    const { concurrency = 8, ...op } = opts;
    return mapLimit(requests, concurrency, (r) => removeVmSnapshot(this.session, this.waiter, r, op));
  }

  /** Waits for tasks started elsewhere (e.g. with raw methods), all through the shared collector. */
  async waitForTasks(tasks: readonly MoRef[], opts?: TaskWaitOptions): Promise<TaskWaitResult[]> {
    const waiter = this.waiter;
    return Promise.all(
      tasks.map((task) =>
        waiter.wait(task, opts).then(
          (o): TaskWaitResult => ({ task, ok: true, info: o.info, result: o.result }),
          (error: unknown): TaskWaitResult => ({ task, ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
        ),
      ),
    );
  }

  /** Asks the server to cancel a task; `{requested, ok, reason}` (MethodNotFound → "cannot cancel"). */
  cancelTask(task: MoRef): Promise<TaskCancelOutcome> {
    return cancelTask(this.session, task);
  }

  /** Starts ConsolidateVMDisks_Task (after `consolidationNeeded`) and waits for it. */
  async consolidateDisks(vm: MoRef, opts: TaskWaitOptions = {}): Promise<TaskWaitResult> {
    const task = await consolidateDisks(this.session, vm);
    const [res] = await this.waitForTasks([task], opts);
    return res ?? { task, ok: false, error: new Error('no result') };
  }

  /**
   * VMs with a BIOS (or, with `instanceUuid`, instance) UUID: FindAllByUuid, or FindByUuid on
   * servers that answer MethodNotFound (Debian's vcsim).
   */
  async findVmsByUuid(uuid: string, opts: { instanceUuid?: boolean; datacenter?: MoRef } = {}): Promise<MoRef[]> {
    const si = this.session.serviceContent.searchIndex;
    if (!si) throw new VsphereError(`${this.session.origin} has no SearchIndex`, 'unsupported', 'fault');
    const search = { uuid, vmSearch: true, ...opts };
    if (!this.session.unsupported.has('FindAllByUuid')) {
      try {
        return await FindAllByUuid(this.session, si, search);
      } catch (err) {
        if (!isVimFault(err, 'MethodNotFound')) throw err;
        this.session.unsupported.add('FindAllByUuid');
      }
    }
    const one = await FindByUuid(this.session, si, search);
    return one ? [one] : [];
  }

  /**
   * Where a host keeps its HostDatastoreSystem, root resource pool and datacenter VM folder.
   * @throws SoapFaultError (`ManagedObjectNotFound` for an unknown host), VsphereError (`not-found`)
   */
  hostPlacement(host: MoRef): Promise<HostPlacement> {
    return hostPlacement(this.session, host);
  }

  /**
   * `CreateNasDatastore` on the host of `datastoreSystem`: mounts `remoteHost:remotePath` as a new
   * datastore named `localPath`; returns its moref.
   * @throws SoapFaultError `DuplicateName`, `AlreadyExists`, `HostConfigFault`/`PlatformConfigFault` (mount failed)
   */
  createNasDatastore(datastoreSystem: MoRef, spec: NasVolumeSpec): Promise<MoRef> {
    return mountNfs(this.session, datastoreSystem, spec);
  }

  /** `RemoveDatastore`: unmounts `datastore` from that host. @throws SoapFaultError `ResourceInUse`, `NotFound` */
  removeDatastore(datastoreSystem: MoRef, datastore: MoRef): Promise<void> {
    return unmountDatastore(this.session, datastoreSystem, datastore);
  }

  /** `RegisterVM_Task` into `folder` and waits; returns the new VM. @throws the call's or the task's fault (`AlreadyExists`, `NotFound`…) */
  registerVm(folder: MoRef, params: RegisterVmParams, opts?: TaskWaitOptions): Promise<MoRef> {
    return registerVm(this.session, this.waiter, folder, params, opts);
  }

  /** `UnregisterVM` (the VM's files stay). @throws SoapFaultError `InvalidPowerState` when powered on */
  unregisterVm(vm: MoRef): Promise<void> {
    return unregisterVm(this.session, vm);
  }

  /** `PowerOnVM_Task` / `PowerOffVM_Task` and waits. @throws the task's fault (`InvalidPowerState`…) */
  setPower(vm: MoRef, on: boolean, opts?: TaskWaitOptions): Promise<void> {
    return setPower(this.session, this.waiter, vm, on, opts);
  }

  /** Disconnects every virtual NIC (now and at power-on) in one `ReconfigVM_Task`; returns how many. */
  disconnectNics(vm: MoRef, opts?: TaskWaitOptions): Promise<number> {
    return disconnectNics(this.session, this.waiter, vm, opts);
  }

  /** Stops waiting (pending waits reject), destroys the collector, logs out, closes connections. Idempotent. */
  async close(): Promise<void> {
    await this.#waiter?.close();
    await this.session.close();
  }
}
