/**
 * The protection status per VM ("last protection status"): folded from run records in the order
 * they end. A VM is listed once it appeared in a run on one of its entry's datastores (VMs of the
 * server with no disk there, code `other_datastore`, are not the entry's business and are left out).
 * The fold keeps the last VM-consistent snapshot even after run retention removed that run's record.
 */
import { toWireDate } from '../../../daemon/wire/date.js';
import type { ProtectionEntry, RunEntry } from './schema.js';

/** Key of a VM: the server it lives on and its moref. */
export function protectionId(hostname: string, moref: string): string {
  return `${hostname}/${moref}`;
}

/**
 * Applies run `run` to `status` (mutated): every VM of the run gets its last run's outcome, and VMs
 * that held a snapshot for a ZFS snapshot that was taken get it as their last VM-consistent one.
 */
export function applyRun(status: Map<string, ProtectionEntry>, run: RunEntry): void {
  const zfsAt = toWireDate(run.started_at.$date + run.timings.vmware_phase_ms);
  const taken = run.vmsynced !== null;
  for (const e of run.entries) {
    for (const vm of e.vms) {
      if (vm.code === 'other_datastore') continue;
      const id = protectionId(e.hostname, vm.moref);
      const prev = status.get(id);
      const got = vm.action === 'snapshotted' && taken;
      status.set(id, {
        id,
        name: vm.name,
        hostname: e.hostname,
        moref: vm.moref,
        uuid: vm.uuid,
        vmx_path: vm.vmx_path,
        datastores: [...vm.datastores],
        protected: got,
        last_snapshot: got ? run.snapshot : (prev?.last_snapshot ?? null),
        last_snapshot_at: got ? zfsAt : (prev?.last_snapshot_at ?? null),
        last_kind: got ? vm.kind : (prev?.last_kind ?? null),
        last_run_id: run.id,
        last_run_at: run.ended_at,
        last_state: run.state,
        last_action: vm.action === 'snapshotted' && !taken ? 'failed' : vm.action,
        last_reason: vm.action === 'snapshotted' && !taken ? (run.error ?? 'the ZFS snapshot was not taken') : vm.reason,
        last_held_ms: got ? vm.held_ms : (prev?.last_held_ms ?? null),
        last_held_source: got ? vm.held_source : (prev?.last_held_source ?? null),
      });
    }
  }
}
