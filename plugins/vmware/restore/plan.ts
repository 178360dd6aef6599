/**
 * Resolves a restore request against ZFS, the run record, vCenter, the NFS shares and the other
 * restore records (whose names it never reuses): the names it would create and every conflict
 * (`vmware.plan_restore` returns it; `vmware.restore` refuses when there is any). Reads only: no ZFS
 * command that changes anything, no vSphere change.
 */
import { posix } from 'node:path';
import type { Collection } from '../../../daemon/plugin.js';
import { randomHexId } from '../../../daemon/random-id.js';
import type { ZfsAdapter, ZfsDataset } from '../../pool/zfs/adapter.js';
import type { NfsExportsService } from '../../sharing/nfs/service.js';
import type { VmwareEntriesService, VmwareEntryRecord } from '../entries-service.js';
import type { HostInfo, Inventory, VsphereClient } from '../../../vsphere/index.js';
import { findRunVm, pathInDatastore, type RunLookup, type RunView } from './runs.js';
import type { RestoreEntry, RestoreInput, RestorePlan } from './schemas.js';
import { findRestore, type RestoreRow } from './store.js';

/** What planning needs. */
export interface PlanDeps {
  zfs: ZfsAdapter;
  entries: VmwareEntriesService;
  nfs: NfsExportsService;
  /** The run history. */
  runs: RunLookup;
  /** The restore records (a name a recorded restore holds is never reused while its record lives). */
  store: Collection<RestoreRow>;
}

/** A VM to restore, resolved. */
export interface PlannedVm {
  source: string;
  sourceMoref: string;
  /** The VM's name at snapshot time (for the fallback search). */
  sourceName: string;
  name: string;
  /** Path of the .vmx inside the new datastore (`dir/name.vmx`) when the run recorded it. */
  vmxInDatastore: string | undefined;
}

/** Everything a restore needs once the plan has no conflict. */
export interface ResolvedRestore {
  id: string;
  plan: RestorePlan;
  run: RunView;
  entry: VmwareEntryRecord;
  host: HostInfo;
  cloneName: string;
  mountpoint: string;
  /** Folder of the original datastore below the dataset's mountpoint ('' = the dataset itself). */
  subPath: string;
  datastoreName: string;
  nasAddress: string;
  /** NFS version to mount with: the original datastore's (`NFS` = v3 when unknown). */
  nfsType: 'NFS' | 'NFS41';
  vms: PlannedVm[];
}

/** A new restore id: 8 lower-case hex digits, never a JSON number (daemon/random-id.ts), and no recorded restore's. */
export function newRestoreId(store: Collection<RestoreRow>): string {
  for (;;) {
    const id = randomHexId(4);
    if (!findRestore(store, id)) return id;
  }
}

/** `restore X (FAILED; vmware.restore_cleanup X releases it)`: the restore holding a name, for a conflict. */
function holder(e: RestoreEntry): string {
  return `restore ${e.id} (${e.state}; vmware.restore_cleanup ${e.id} releases it)`;
}

/**
 * The names other restores hold: every name a recorded restore (READY, FAILED, running or half
 * cleaned) may have created. Until its cleanup completes and deletes the record, its cleanup may
 * still act on them, so no new restore may use them.
 */
function heldNames(store: Collection<RestoreRow>): { clones: Map<string, RestoreEntry>; paths: Map<string, RestoreEntry>; datastores: Map<string, RestoreEntry>; vms: Map<string, RestoreEntry> } {
  const held = { clones: new Map<string, RestoreEntry>(), paths: new Map<string, RestoreEntry>(), datastores: new Map<string, RestoreEntry>(), vms: new Map<string, RestoreEntry>() };
  for (const { entry: e } of store.all()) {
    held.clones.set(e.clone.name, e);
    if (e.share.path !== null) held.paths.set(e.share.path, e);
    held.datastores.set(e.datastore.name, e);
    for (const v of e.vms) held.vms.set(v.name, e);
  }
  return held;
}

function sameOrBelow(path: string, root: string): string | undefined {
  const p = posix.normalize(path).replace(/\/+$/, '');
  const r = posix.normalize(root).replace(/\/+$/, '');
  if (p === r) return '';
  return p.startsWith(`${r}/`) ? p.slice(r.length + 1) : undefined;
}

/** The datastore the snapshot's dataset backs in this inventory: its remote host and sub-folder. */
function originalDatastore(inv: Inventory, datasetMount: string | null): { remoteHost: string; subPath: string; name: string; type: 'NFS' | 'NFS41' } | undefined {
  if (!datasetMount) return undefined;
  for (const ds of inv.datastores) {
    if (!ds.nas) continue;
    const sub = sameOrBelow(ds.nas.remotePath, datasetMount);
    if (sub !== undefined) return { remoteHost: ds.nas.remoteHost, subPath: sub, name: ds.name, type: ds.nas.type === 'NFS41' ? 'NFS41' : 'NFS' };
  }
  return undefined;
}

function findHost(inv: Inventory, wanted: string): HostInfo | undefined {
  return inv.hosts.find((h) => h.moref.value === wanted) ?? inv.hosts.find((h) => h.name === wanted);
}

/** At most `n` names for a message, with how many more there are. */
function someNames(names: readonly string[], n = 10): string {
  return names.length <= n ? names.join(', ') : `${names.slice(0, n).join(', ')} and ${names.length - n} more`;
}

/**
 * `folder` and `resource_pool` against the extended inventory: each must exist with that type, and
 * the resource pool must belong to the compute resource (host or cluster) of `host`, where the VMs
 * are registered (vCenter would refuse it only at register time, one VM after another).
 */
function placementConflicts(inv: Inventory, input: Pick<RestoreInput, 'folder' | 'resource_pool'>, host: HostInfo | undefined, hostname: string): string[] {
  const out: string[] = [];
  const folders = inv.folders ?? [];
  if (input.folder && !folders.some((f) => f.moref.value === input.folder)) {
    out.push(`folder: no folder with moref ${input.folder} in ${hostname}; folders are ${someNames(folders.map((f) => `${f.moref.value} (${f.name})`))}`);
  }
  const pools = inv.resourcePools ?? [];
  const pool = input.resource_pool ? pools.find((p) => p.moref.value === input.resource_pool) : undefined;
  if (input.resource_pool && !pool) {
    out.push(`resource_pool: no resource pool with moref ${input.resource_pool} in ${hostname}; resource pools are ${someNames(pools.map((p) => `${p.moref.value} (${p.name})`))}`);
  } else if (pool?.owner && host?.parent && pool.owner.value !== host.parent.value) {
    const owned = pools.filter((p) => p.owner?.value === host.parent?.value).map((p) => `${p.moref.value} (${p.name})`);
    out.push(`resource_pool: ${pool.moref.value} (${pool.name}) belongs to ${pool.owner.value}, not to ${host.name}'s ${host.parent.value}; its resource pools are ${someNames(owned)}`);
  }
  return out;
}

/**
 * Plans a restore. `client` is a logged-in client of the entry (the caller closes it); `id` is the
 * restore id to derive names from. Never throws for a conflict: conflicts are listed in `plan`.
 * @throws CallError from ZFS (EIO: ZFS not running), vSphere errors of the inventory read
 */
export async function planRestore(
  d: PlanDeps,
  input: RestoreInput,
  id: string,
  connect: (entry: VmwareEntryRecord) => Promise<VsphereClient>,
): Promise<{ plan: RestorePlan; resolved: ResolvedRestore | null }> {
  const conflicts: string[] = [];
  const plan: RestorePlan = {
    ok: false,
    snapshot: input.snapshot,
    vmsynced: null,
    run_id: null,
    entry_id: null,
    host: null,
    clone: null,
    mountpoint: null,
    share: null,
    datastore: null,
    vms: [],
    conflicts,
  };
  const [dataset = '', snapName = ''] = input.snapshot.split('@');
  const snaps = await d.zfs.listSnapshots({ dataset }).catch(() => []);
  const snap = snaps.find((s) => s.snapshotName === snapName);
  if (!snap) {
    conflicts.push(`snapshot: ${input.snapshot} does not exist`);
    return { plan, resolved: null };
  }
  const vmsynced = snap.userProperties['vsnapd:vmsynced']?.value ?? null;
  plan.vmsynced = vmsynced;
  if (vmsynced !== 'full' && vmsynced !== 'partial' && !input.force) {
    conflicts.push(
      vmsynced === 'none'
        ? `snapshot: ${input.snapshot} is not VM-consistent (vsnapd:vmsynced=none: no VM held a VMware snapshot when it was taken); pass force: true to restore from it anyway`
        : `snapshot: ${input.snapshot} was not taken by a vsnapd coordinated run (no vsnapd:vmsynced property); pass force: true to restore from it anyway`,
    );
  }
  const runId = snap.userProperties['vsnapd:run']?.value;
  const run = runId ? d.runs.get(runId) : undefined;
  plan.run_id = runId ?? null;
  if (!runId) {
    conflicts.push(`snapshot: ${input.snapshot} has no vsnapd:run property, so there is no run record naming its VMs`);
    return { plan, resolved: null };
  }
  if (!run) {
    conflicts.push(`snapshot: no run record of run ${runId} (vmware.run.get_instance); its VMs and .vmx paths are unknown`);
    return { plan, resolved: null };
  }
  const matches = input.vms.map((wanted, i) => {
    const m = findRunVm(run, wanted);
    if (!m) {
      const names = run.entries.flatMap((e) => e.vms.map((v) => v.name));
      conflicts.push(`vms[${i}]: ${JSON.stringify(wanted)} was not in run ${runId} (its VMs: ${names.join(', ') || 'none'})`);
    }
    return m;
  });
  const entryId = input.entry_id ?? matches.find((m) => m)?.entryId ?? run.entries[0]?.id;
  const entry = entryId === undefined ? undefined : d.entries.get(entryId);
  plan.entry_id = entryId ?? null;
  if (!entry) {
    conflicts.push(`entry_id: vmware entry ${entryId ?? '(none in the run)'} does not exist`);
    return { plan, resolved: null };
  }

  const datasets = await d.zfs.listDatasets({ root: dataset.split('/')[0] ?? dataset });
  const byName = new Map<string, ZfsDataset>(datasets.map((x) => [x.name, x]));
  const parent = input.restore_parent ?? (dataset.includes('/') ? dataset.slice(0, dataset.lastIndexOf('/')) : dataset);
  const leaf = dataset.slice(dataset.lastIndexOf('/') + 1);
  const cloneName = input.clone_name ?? `${parent}/${leaf}-restore-${id}`;
  const cloneParent = cloneName.slice(0, cloneName.lastIndexOf('/'));
  plan.clone = cloneName;
  if (cloneName.split('/')[0] !== dataset.split('/')[0]) conflicts.push(`clone_name: ${cloneName} is not in the snapshot's pool ${dataset.split('/')[0]} (a clone must be)`);
  if (!cloneName.includes('/')) conflicts.push(`clone_name: ${cloneName} is a pool name; give a dataset below one`);
  if (byName.has(cloneName)) conflicts.push(`clone_name: dataset ${cloneName} already exists (a restore never reuses one)`);
  const parentDs = byName.get(cloneParent);
  if (!parentDs) conflicts.push(`restore_parent: dataset ${cloneParent} does not exist`);
  const mountpoint = parentDs?.mountpoint?.startsWith('/') ? `${parentDs.mountpoint.replace(/\/+$/, '')}/${cloneName.slice(cloneParent.length + 1)}` : null;
  if (parentDs && !mountpoint) conflicts.push(`restore_parent: ${cloneParent} has no mountpoint, so the clone could not be exported`);
  plan.mountpoint = mountpoint;
  if (mountpoint && d.nfs.list().some((s) => s.path === mountpoint)) conflicts.push(`clone_name: an NFS share of ${mountpoint} already exists`);
  const held = heldNames(d.store);
  const cloneHolder = held.clones.get(cloneName);
  const pathHolder = mountpoint === null ? undefined : held.paths.get(mountpoint);
  if (cloneHolder) conflicts.push(`clone_name: ${cloneName} is the clone of ${holder(cloneHolder)}`);
  else if (pathHolder && mountpoint) conflicts.push(`clone_name: ${mountpoint} is the share path of ${holder(pathHolder)}`);

  const client = await connect(entry);
  let inv: Inventory;
  try {
    inv = await client.inventory({ extended: true });
  } finally {
    await client.close();
  }
  const host = findHost(inv, input.host);
  if (!host) conflicts.push(`host: no ESXi host ${JSON.stringify(input.host)} in ${entry.hostname}; hosts are ${inv.hosts.map((h) => h.name).join(', ')}`);
  else if (host.connectionState !== 'connected') conflicts.push(`host: ${host.name} is ${host.connectionState}, not connected`);
  const addresses = host ? (host.ipAddresses?.length ? host.ipAddresses : [host.name]) : [];
  if (host) plan.host = { moref: host.moref.value, name: host.name, addresses };
  conflicts.push(...placementConflicts(inv, input, host, entry.hostname));
  const datastoreName = input.datastore_name ?? `vsnapd-restore-${id}`;
  if (inv.datastores.some((x) => x.name === datastoreName)) conflicts.push(`datastore_name: a datastore named ${datastoreName} already exists`);
  const dsHolder = held.datastores.get(datastoreName);
  if (dsHolder) conflicts.push(`datastore_name: ${datastoreName} is the datastore name of ${holder(dsHolder)}`);
  const original = originalDatastore(inv, byName.get(dataset)?.mountpoint ?? null);
  const nasAddress = input.nas_address ?? original?.remoteHost;
  if (!nasAddress) conflicts.push(`nas_address: no NFS datastore of ${dataset} in ${entry.hostname} tells which address ESXi reaches this NAS by; give nas_address`);
  const remotePath = mountpoint === null ? null : original?.subPath ? `${mountpoint}/${original.subPath}` : mountpoint;
  if (mountpoint) plan.share = { path: mountpoint, hosts: addresses };
  if (nasAddress && remotePath) plan.datastore = { name: datastoreName, remote_host: nasAddress, remote_path: remotePath };

  const vmNames = new Set(inv.vms.map((v) => v.name));
  const vms: PlannedVm[] = [];
  matches.forEach((m, i) => {
    if (!m) return;
    const source = input.vms[i] ?? m.vm.name;
    const name = input.names[source] ?? `${m.vm.name}-restore-${id}`;
    if (vmNames.has(name)) conflicts.push(`names.${source}: a VM named ${name} already exists`);
    const vmHolder = held.vms.get(name);
    if (vmHolder) conflicts.push(`names.${source}: ${name} is a VM name of ${holder(vmHolder)}`);
    if (vms.some((v) => v.name === name)) conflicts.push(`names.${source}: ${name} is given to two VMs`);
    const recorded = m.vm.vmx_path ?? undefined;
    const inDs = recorded ? pathInDatastore(recorded) : undefined;
    vms.push({ source, sourceMoref: m.vm.moref, sourceName: m.vm.name, name, vmxInDatastore: inDs });
    plan.vms.push({ source, source_moref: m.vm.moref, name, vmx_path: inDs ? `[${datastoreName}] ${inDs}` : null });
  });
  plan.ok = conflicts.length === 0;
  if (!plan.ok || !host || !mountpoint || !nasAddress) return { plan, resolved: null };
  return {
    plan,
    resolved: { id, plan, run, entry, host, cloneName, mountpoint, subPath: original?.subPath ?? '', datastoreName, nasAddress, nfsType: original?.type ?? 'NFS', vms },
  };
}
