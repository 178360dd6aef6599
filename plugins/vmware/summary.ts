/**
 * The `health.summary` of an entry: counts from one inventory read, and how many VMs a coordinated
 * snapshot of the entry's filesystem would snapshot (the coordinator's own selection rules,
 * plugins/vmware/sync/select.ts, so the number agrees with `vmware.plan` and `get_virtual_machines`).
 */
import { toWireDate } from '../../daemon/wire/date.js';
import type { VmwareHealthSummary } from './schemas.js';
import { classifyVms } from './sync/select.js';
import type { Inventory } from './vsphere/index.js';

/** Summarises `inv` for an entry covering `datastores`. `last_collected` is the inventory's read time. */
export function summarize(inv: Inventory, datastores: readonly string[]): VmwareHealthSummary {
  const collected = Date.parse(inv.collectedAt);
  return {
    hosts: inv.hosts.length,
    vms: inv.vms.length,
    datastores: inv.datastores.length,
    protected_vms: classifyVms(inv, datastores).filter((s) => s.protected).length,
    last_collected: toWireDate(Number.isFinite(collected) ? collected : Date.now()),
  };
}
