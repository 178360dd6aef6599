/**
 * The `health.summary` of an entry: counts from one inventory read, and how many VMs a coordinated
 * snapshot of the entry's filesystem would snapshot: the coordinator's own classification
 * (plugins/vmware/sync/select.ts) with the entry's selection rules applied
 * (plugins/vmware/sync/rules/), so the number agrees with `vmware.plan` and `get_virtual_machines`
 * for a task without rules of its own.
 */
import { toWireDate } from '../../daemon/wire/date.js';
import type { VmwareHealthSummary } from './schemas.js';
import type { VmSelection } from './sync/select.js';
import type { Inventory } from '../../vsphere/index.js';

/**
 * Summarises `inv` given every VM's verdict (`selections`, from `selectOnServer` or `classifyVms`).
 * `last_collected` is the inventory's read time.
 */
export function summarize(inv: Inventory, selections: readonly Pick<VmSelection, 'protected'>[]): VmwareHealthSummary {
  const collected = Date.parse(inv.collectedAt);
  return {
    hosts: inv.hosts.length,
    vms: inv.vms.length,
    datastores: inv.datastores.length,
    protected_vms: selections.filter((s) => s.protected).length,
    last_collected: toWireDate(Number.isFinite(collected) ? collected : Date.now()),
  };
}
