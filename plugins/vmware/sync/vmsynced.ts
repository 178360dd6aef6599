/**
 * The `vsnapd:vmsynced` verdict recorded on the ZFS snapshot (SPEC §4 step 5):
 * - `none`: no VMware snapshot was held when the ZFS snapshot was taken (vCenter down, every VM
 *   failed, the deadline passed first, or simply no VM needed one);
 * - `full`: every entry logged in, every protected VM held a snapshot of the kind planned for it
 *   (quiesced where VMware Tools run) and at least one did; only then is `freenas:vmsynced=Y` set,
 *   which TrueNAS tools read as "VM-consistent";
 * - `partial`: anything in between: some VM failed, an entry could not log in, or a quiesced
 *   snapshot fell back to a crash-consistent one.
 *
 * Differs from TrueNAS on purpose (reference §3.2 step 5): there a row whose login failed does not
 * spoil `vmsynced` (its VMs silently go unprotected); here it makes the run `partial`.
 */
import type { VmSynced } from '../../pool/snapshot-hook.js';

/** Verdict values (the type of pool's seam, plugins/pool/snapshot-hook.ts). */
export type { VmSynced };

/** What the rule needs to know about one VM. */
export interface VmSyncFact {
  /** Selected for a VMware snapshot. */
  protected: boolean;
  /** A VMware snapshot of it existed when the ZFS snapshot was taken. */
  held: boolean;
  /** It got a crash-consistent snapshot although a quiesced one was planned. */
  degraded: boolean;
}

/** What the rule needs to know about one entry. */
export interface EntrySyncFact {
  /** Login or inventory failed: its VMs are unknown, so unprotected. */
  failed: boolean;
  vms: readonly VmSyncFact[];
}

/** Applies the rule (see the module comment). */
export function vmsyncedOf(entries: readonly EntrySyncFact[]): VmSynced {
  let held = 0;
  let incomplete = false;
  for (const e of entries) {
    if (e.failed) incomplete = true;
    for (const vm of e.vms) {
      if (!vm.protected) continue;
      if (vm.held) held++;
      if (!vm.held || vm.degraded) incomplete = true;
    }
  }
  if (held === 0) return 'none';
  return incomplete ? 'partial' : 'full';
}

/** ZFS user properties of a run's snapshot: `vsnapd:run`, `vsnapd:vmsynced`, and `freenas:vmsynced=Y` when full. */
export function snapshotProperties(runId: string, verdict: VmSynced): Record<string, string> {
  return {
    'vsnapd:run': runId,
    'vsnapd:vmsynced': verdict,
    ...(verdict === 'full' ? { 'freenas:vmsynced': 'Y' } : {}),
  };
}
