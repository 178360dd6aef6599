/**
 * Removing VMware snapshots, shared by the run, the start-up recovery and the sweep (SPEC §4 step 6;
 * reference B.6): by moref (names are not unique), `consolidate=true`, `removeChildren=false` (a
 * snapshot someone took on top of ours survives; TrueNAS removes it too), bounded by the run's
 * limiter; a snapshot that is already gone (`ManagedObjectNotFound`) counts as removed. Afterwards
 * each VM is re-read (coalesced with the other VMs' re-reads, {@link VmReader}, but waiting for no
 * other VM's removal): a snapshot of the run that is still in its tree (a create that finished late,
 * a removal that failed) is removed again, and a VM with `runtime.consolidationNeeded` gets
 * ConsolidateVMDisks_Task (`MethodNotFound` → the caller alerts instead). Each VM's outcome is
 * final, and reported, as soon as its own steps are done.
 */
import { isVimFault, type MoRef, type VsphereClient } from '../../../vsphere/index.js';
import type { HostLimiter } from './limiter.js';
import { markedSnapshots } from './marker.js';
import { VmReader } from './vm-reader.js';

/** One VM whose snapshots of run `runId` should go. */
export interface RemovalTarget {
  vm: MoRef;
  vmName: string;
  /** Limiter key (ESXi host). */
  hostKey: string;
  /** The snapshot moref when known; otherwise only the re-read finds it (by marker). */
  snapshot: MoRef | null;
  runId: string;
}

/** When the last removal of a target ended, as vSphere and as vsnapd saw it (epoch ms). */
export interface RemovalTime {
  /** The RemoveSnapshot_Task's `TaskInfo.completeTime`; null when the server did not say (or the snapshot was already gone). */
  vsphere: number | null;
  /** When vsnapd saw the removal done. */
  observed: number;
}

/** What happened to one target. */
export interface RemovalOutcome {
  target: RemovalTarget;
  /** Every snapshot of the run on this VM is gone (or the VM is). */
  ok: boolean;
  /** Snapshot morefs removed. */
  removed: string[];
  /** Snapshots that could not be removed, with the error text. */
  failed: { snapshot: string; error: string }[];
  /** Disks still need consolidation and it failed or is not supported (message). */
  consolidation: string | null;
  /** Time spent on this VM (ms). */
  ms: number;
  /** vSphere createTime (epoch ms) of the earliest snapshot of the run the re-read found and removed; null when none or unknown. */
  createdAt: number | null;
  /** When the last snapshot of the run on this VM was removed; null when none was. */
  removedAt: RemovalTime | null;
}

/** Options. */
export interface RemovalOptions {
  limiter: HostLimiter;
  /** Deadline of one removal in ms. */
  timeoutMs: number;
  /** Called when a target's outcome is final (progress, run record). */
  onDone?: (o: RemovalOutcome) => void;
  /** The session's coalescing reader for the re-reads (default: one for this call). */
  reader?: VmReader;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function epoch(iso: string | undefined): number | null {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** Removes one snapshot; the error text, or when it was removed. */
async function removeOne(client: VsphereClient, t: RemovalTarget, snapshot: MoRef, opts: RemovalOptions): Promise<{ error: string } | { at: RemovalTime }> {
  const r = await opts.limiter.run(t.hostKey, () => client.removeSnapshot(snapshot, { consolidate: true, removeChildren: false, deadlineMs: opts.timeoutMs }));
  const observed = Date.now();
  if (r.ok) return { at: { vsphere: epoch(r.info.completeTime), observed } };
  if (isVimFault(r.error, 'ManagedObjectNotFound')) return { at: { vsphere: null, observed } };
  return { error: message(r.error) };
}

/** One target's steps: by moref, re-read, leftovers by marker, consolidation. Never rejects. */
async function removeTarget(client: VsphereClient, t: RemovalTarget, opts: RemovalOptions, reader: VmReader): Promise<RemovalOutcome> {
  const started = Date.now();
  const o: RemovalOutcome = { target: t, ok: false, removed: [], failed: [], consolidation: null, ms: 0, createdAt: null, removedAt: null };
  const end = (): RemovalOutcome => {
    o.removed = [...new Set(o.removed)];
    o.ms = Date.now() - started;
    opts.onDone?.(o);
    return o;
  };
  // 1. By moref.
  if (t.snapshot) {
    const r = await removeOne(client, t, t.snapshot, opts);
    if ('error' in r) o.failed.push({ snapshot: t.snapshot.value, error: r.error });
    else {
      o.removed.push(t.snapshot.value);
      o.removedAt = r.at;
    }
  }
  // 2. Re-read: leftovers of this run (late creates, failed removals) and consolidation.
  let st;
  try {
    st = await reader.read(t.vm);
  } catch (err) {
    // Without the re-read only the removal by moref is known.
    if (!t.snapshot) o.failed.push({ snapshot: '(unknown)', error: `cannot re-read the VM to find this run's snapshot: ${message(err)}` });
    o.ok = o.failed.length === 0;
    return end();
  }
  if (!st) {
    o.ok = true; // the VM is gone, and its snapshots with it
    o.failed = [];
    return end();
  }
  const failed: RemovalOutcome['failed'] = [];
  for (const m of markedSnapshots(st.snapshots).filter((x) => x.marker.runId === t.runId)) {
    const r = await removeOne(client, t, m.node.snapshot, opts);
    if ('error' in r) {
      failed.push({ snapshot: m.node.snapshot.value, error: r.error });
      continue;
    }
    o.removed.push(m.node.snapshot.value);
    o.removedAt = r.at;
    const created = epoch(m.node.createTime);
    if (created !== null) o.createdAt = Math.min(o.createdAt ?? created, created);
  }
  o.failed = failed;
  o.ok = failed.length === 0;
  if (st.consolidationNeeded) o.consolidation = await consolidate(client, t, opts);
  return end();
}

/**
 * Removes the targets' snapshots, each VM's steps on their own (see the module comment); the
 * limiter serves the targets' removals in the order given. Never rejects: per-VM failures (and a
 * failed re-read) are in the outcomes, in target order.
 */
export function removeRunSnapshots(client: VsphereClient, targets: readonly RemovalTarget[], opts: RemovalOptions): Promise<RemovalOutcome[]> {
  const reader = opts.reader ?? new VmReader(client);
  return Promise.all(targets.map((t) => removeTarget(client, t, opts, reader)));
}

/** Consolidates a VM whose `runtime.consolidationNeeded` is true. Returns null when done, else why not. */
async function consolidate(client: VsphereClient, t: RemovalTarget, opts: RemovalOptions): Promise<string | null> {
  if (client.session.unsupported.has('ConsolidateVMDisks_Task')) {
    return 'its disks need consolidation and the server does not implement ConsolidateVMDisks_Task: consolidate them in vSphere';
  }
  try {
    const r = await opts.limiter.run(t.hostKey, () => client.consolidateDisks(t.vm, { deadlineMs: opts.timeoutMs }));
    return r.ok ? null : `its disks need consolidation and ConsolidateVMDisks_Task failed: ${message(r.error)}`;
  } catch (err) {
    if (isVimFault(err, 'MethodNotFound')) {
      client.session.unsupported.add('ConsolidateVMDisks_Task');
      return 'its disks need consolidation and the server does not implement ConsolidateVMDisks_Task: consolidate them in vSphere';
    }
    return `its disks need consolidation and ConsolidateVMDisks_Task failed: ${message(err)}`;
  }
}
