/**
 * Removing VMware snapshots, shared by the run, the start-up recovery and the sweep (SPEC §4 step 6;
 * reference B.6): by moref (names are not unique), `consolidate=true`, `removeChildren=false` (a
 * snapshot someone took on top of ours survives; TrueNAS removes it too), bounded by the run's
 * limiter; a snapshot that is already gone (`ManagedObjectNotFound`) counts as removed. Afterwards the
 * VMs are re-read: a snapshot of the run that is still in a tree (a create that finished late, a
 * removal that failed) is removed again, and VMs with `runtime.consolidationNeeded` get
 * ConsolidateVMDisks_Task (`MethodNotFound` → the caller alerts instead).
 */
import { isVimFault, moRefKey, type MoRef, type VirtualMachineInfo, type VsphereClient } from '../../../vsphere/index.js';
import type { HostLimiter } from './limiter.js';
import { markedSnapshots } from './marker.js';

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
}

/** Options. */
export interface RemovalOptions {
  limiter: HostLimiter;
  /** Deadline of one removal in ms. */
  timeoutMs: number;
  /** Called when a target's outcome is final (progress, run record). */
  onDone?: (o: RemovalOutcome) => void;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function removeOne(client: VsphereClient, t: RemovalTarget, snapshot: MoRef, opts: RemovalOptions): Promise<string | null> {
  const r = await opts.limiter.run(t.hostKey, () => client.removeSnapshot(snapshot, { consolidate: true, removeChildren: false, deadlineMs: opts.timeoutMs }));
  if (r.ok || isVimFault(r.error, 'ManagedObjectNotFound')) return null;
  return message(r.error);
}

/**
 * Removes the targets' snapshots, then re-reads the VMs, removes what is still there and
 * consolidates. Never rejects: per-VM failures (and a failed re-read) are in the outcomes.
 */
export async function removeRunSnapshots(client: VsphereClient, targets: readonly RemovalTarget[], opts: RemovalOptions): Promise<RemovalOutcome[]> {
  const started = new Map<RemovalTarget, number>();
  const outcomes = new Map<RemovalTarget, RemovalOutcome>();
  for (const t of targets) {
    started.set(t, Date.now());
    outcomes.set(t, { target: t, ok: false, removed: [], failed: [], consolidation: null, ms: 0, createdAt: null });
  }
  // 1. By moref.
  await Promise.all(
    targets.map(async (t) => {
      if (!t.snapshot) return;
      const o = outcomes.get(t) as RemovalOutcome;
      const err = await removeOne(client, t, t.snapshot, opts);
      if (err === null) o.removed.push(t.snapshot.value);
      else o.failed.push({ snapshot: t.snapshot.value, error: err });
    }),
  );
  // 2. Re-read: leftovers of this run (late creates, failed removals) and consolidation.
  let states: Map<string, VirtualMachineInfo>;
  try {
    states = new Map((await client.readVms(targets.map((t) => t.vm))).map((vm) => [moRefKey(vm.moref), vm]));
  } catch (err) {
    // Without the re-read only the removals by moref are known.
    return finish(targets, outcomes, started, opts, (t, o) => {
      if (!t.snapshot) o.failed.push({ snapshot: '(unknown)', error: `cannot re-read the VM to find this run's snapshot: ${message(err)}` });
      o.ok = o.failed.length === 0;
    });
  }
  await Promise.all(
    targets.map(async (t) => {
      const o = outcomes.get(t) as RemovalOutcome;
      const st = states.get(moRefKey(t.vm));
      if (!st) {
        o.ok = true; // the VM is gone, and its snapshots with it
        o.failed = [];
        return;
      }
      const still = markedSnapshots(st.snapshots).filter((m) => m.marker.runId === t.runId);
      const failed: RemovalOutcome['failed'] = [];
      for (const m of still) {
        const err = await removeOne(client, t, m.node.snapshot, opts);
        if (err !== null) {
          failed.push({ snapshot: m.node.snapshot.value, error: err });
          continue;
        }
        o.removed.push(m.node.snapshot.value);
        const created = Date.parse(m.node.createTime);
        if (Number.isFinite(created)) o.createdAt = Math.min(o.createdAt ?? created, created);
      }
      o.failed = failed;
      o.ok = failed.length === 0;
      if (st.consolidationNeeded) o.consolidation = await consolidate(client, t, opts);
    }),
  );
  return finish(targets, outcomes, started, opts);
}

function finish(
  targets: readonly RemovalTarget[],
  outcomes: Map<RemovalTarget, RemovalOutcome>,
  started: Map<RemovalTarget, number>,
  opts: RemovalOptions,
  amend?: (t: RemovalTarget, o: RemovalOutcome) => void,
): RemovalOutcome[] {
  return targets.map((t) => {
    const o = outcomes.get(t) as RemovalOutcome;
    amend?.(t, o);
    o.removed = [...new Set(o.removed)];
    o.ms = Date.now() - (started.get(t) ?? Date.now());
    opts.onDone?.(o);
    return o;
  });
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
