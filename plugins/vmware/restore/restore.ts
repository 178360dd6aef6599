/**
 * `vmware.restore`: clone → share → datastore → per VM register, network, power on. Each step's
 * target is written to the record before the step runs and marked created after it, so whatever
 * happens (a failing step, vCenter going away, the daemon killed) the record names everything that
 * may exist and `vmware.restore_cleanup` can remove exactly that. A failing clone, share or datastore
 * step ends the restore; a failing VM step ends that VM only. The result is the record.
 */
import { join } from 'node:path';
import type { EventBus } from '../../../daemon/plugin.js';
import type { JobHandle } from '../../../daemon/registry/method.js';
import { toWireDate } from '../../../daemon/wire/date.js';
import type { MoRef, VsphereClient } from '../../../vsphere/index.js';
import { shareMark } from './owned.js';
import type { PlanDeps, PlannedVm, ResolvedRestore } from './plan.js';
import { RestoreRecord, timed } from './record.js';
import { searchVmx } from './runs.js';
import type { RestoreEntry, RestoreInput, RestoreVm } from './schemas.js';

/** What a restore needs. */
export interface RestoreDeps extends PlanDeps {
  events: EventBus;
}

/** The record a restore starts with: every name, nothing created. */
function initialEntry(r: ResolvedRestore): RestoreEntry {
  return {
    id: r.id,
    snapshot: r.plan.snapshot,
    run_id: r.run.id,
    entry_id: r.entry.id,
    hostname: r.entry.hostname,
    host: { moref: r.host.moref.value, name: r.host.name },
    state: 'RESTORING',
    error: null,
    started_at: toWireDate(Date.now()),
    ended_at: null,
    clone: { name: r.cloneName, mountpoint: r.mountpoint, created: false },
    share: { id: null, path: r.mountpoint, hosts: r.plan.host?.addresses ?? [], created: false },
    datastore: { name: r.datastoreName, moref: null, datastore_system: null, remote_host: r.nasAddress, remote_path: r.plan.datastore?.remote_path ?? null, created: false },
    vms: r.vms.map(
      (v): RestoreVm => ({
        source: v.source,
        source_moref: v.sourceMoref,
        name: v.name,
        vmx_path: null,
        vmx_from: null,
        moref: null,
        registered: false,
        nics_disconnected: null,
        powered_on: false,
        steps: [],
      }),
    ),
    steps: [],
  };
}

/** Where restored VMs are registered. */
interface Placement {
  folder: MoRef;
  pool: MoRef;
}

/** Restores VM `i` of the plan on the mounted datastore; returns false when one of its steps failed. */
async function restoreVm(rec: RestoreRecord, client: VsphereClient, r: ResolvedRestore, input: RestoreInput, place: Placement, i: number, v: PlannedVm): Promise<boolean> {
  const at = (fn: (vm: RestoreVm) => void) => rec.change((e) => fn(e.vms[i] as RestoreVm));
  let inDs = v.vmxInDatastore;
  let from: RestoreVm['vmx_from'] = 'run';
  if (!inDs) {
    inDs = await searchVmx(join(r.mountpoint, r.subPath), v.sourceName);
    from = 'search';
  }
  if (!inDs) {
    await at((vm) => vm.steps.push({ step: 'register', ok: false, error: `no .vmx of ${v.sourceName} recorded in the run or found in ${r.cloneName}`, ms: 0 }));
    return false;
  }
  const vmxPath = `[${r.datastoreName}] ${inDs}`;
  await at((vm) => {
    vm.vmx_path = vmxPath;
    vm.vmx_from = from;
  });
  let moref: MoRef | undefined;
  const reg = await timed('register', async () => {
    moref = await client.registerVm(place.folder, { path: vmxPath, name: v.name, pool: place.pool, host: r.host.moref });
  });
  await at((vm) => {
    vm.steps.push(reg);
    if (moref) {
      vm.moref = moref.value;
      vm.registered = true;
    }
  });
  if (!moref) return false;
  const vmRef = moref;
  if (!input.connect_network) {
    let n = 0;
    const net = await timed('network', async () => {
      n = await client.disconnectNics(vmRef);
    });
    await at((vm) => {
      vm.steps.push(net);
      if (net.ok) vm.nics_disconnected = n;
    });
    if (!net.ok) return false;
  }
  if (input.power_on) {
    const on = await timed('power_on', () => client.setPower(vmRef, true));
    await at((vm) => {
      vm.steps.push(on);
      vm.powered_on = on.ok;
    });
    if (!on.ok) return false;
  }
  return true;
}

/**
 * Runs a planned restore. Never throws after the record exists: failures end in state FAILED with
 * `error` (and what exists listed). @returns the final record
 */
export async function runRestore(d: RestoreDeps, r: ResolvedRestore, input: RestoreInput, job: JobHandle | null): Promise<RestoreEntry> {
  const rec = await RestoreRecord.create(d.store, d.events, initialEntry(r));
  const progress = (p: number, what: string) => {
    job?.setProgress(p, what);
    job?.log(what);
  };
  const fail = async (error: string) => {
    await rec.change((e) => {
      e.state = 'FAILED';
      e.error = error;
      e.ended_at = toWireDate(Date.now());
    });
    return rec.entry;
  };

  progress(5, `cloning ${r.plan.snapshot} into ${r.cloneName}`);
  const clone = await timed('clone', () => d.zfs.clone(r.plan.snapshot, r.cloneName, { properties: { 'vsnapd:restore': r.id } }));
  await rec.change((e) => {
    e.steps.push(clone);
    e.clone.created = clone.ok;
  });
  if (!clone.ok) return fail(`cannot clone ${r.plan.snapshot} into ${r.cloneName}: ${clone.error}`);

  progress(20, `exporting ${r.mountpoint} to ${r.host.name} (${r.plan.host?.addresses.join(', ')})`);
  let shareId: number | null = null;
  const share = await timed('share', async () => {
    const row = await d.nfs.create({
      path: r.mountpoint,
      hosts: r.plan.host?.addresses ?? [],
      maproot_user: 'root',
      maproot_group: 'wheel',
      comment: shareMark(r.id, r.plan.snapshot),
    });
    shareId = row.id;
  });
  await rec.change((e) => {
    e.steps.push(share);
    e.share.id = shareId;
    e.share.created = share.ok;
  });
  if (!share.ok) return fail(`cannot export ${r.mountpoint} over NFS: ${share.error}`);

  let client: VsphereClient;
  try {
    client = await d.entries.connect(r.entry);
  } catch (err) {
    return fail(`cannot log in to ${r.entry.hostname}: ${d.entries.describeError(err).message}`);
  }
  try {
    progress(35, `mounting ${r.nasAddress}:${r.plan.datastore?.remote_path} as datastore ${r.datastoreName} on ${r.host.name}`);
    let place;
    try {
      place = await client.hostPlacement(r.host.moref);
    } catch (err) {
      return await fail(`cannot read where ${r.host.name} keeps its datastores and VMs: ${d.entries.describeError(err).message}`);
    }
    await rec.change((e) => {
      e.datastore.datastore_system = place.datastoreSystem.value;
    });
    let ds: MoRef | undefined;
    const mount = await timed('datastore', async () => {
      ds = await client.createNasDatastore(place.datastoreSystem, {
        remoteHost: r.nasAddress,
        remotePath: r.plan.datastore?.remote_path ?? r.mountpoint,
        localPath: r.datastoreName,
        accessMode: 'readWrite',
        type: r.nfsType,
      });
    });
    await rec.change((e) => {
      e.steps.push(mount);
      e.datastore.moref = ds?.value ?? null;
      e.datastore.created = mount.ok;
    });
    if (!mount.ok) return await fail(`${r.host.name} cannot mount ${r.nasAddress}:${r.plan.datastore?.remote_path}: ${mount.error}`);

    const folder = input.folder ? { type: 'Folder', value: input.folder } : place.vmFolder;
    const pool = input.resource_pool ? { type: 'ResourcePool', value: input.resource_pool } : place.resourcePool;
    let failed = 0;
    for (const [i, v] of r.vms.entries()) {
      progress(50 + Math.round((45 * i) / r.vms.length), `registering ${v.name} from the copy of ${v.sourceName}`);
      if (!(await restoreVm(rec, client, r, input, { folder, pool }, i, v))) failed++;
    }
    await rec.change((e) => {
      e.state = failed ? 'FAILED' : 'READY';
      e.error = failed ? `${failed} of ${r.vms.length} VMs could not be restored (see their steps)` : null;
      e.ended_at = toWireDate(Date.now());
    });
    progress(100, failed ? `restore ${r.id} failed for ${failed} VMs` : `restore ${r.id} ready`);
    return rec.entry;
  } catch (err) {
    return await fail(`restore stopped: ${d.entries.describeError(err).message}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}
