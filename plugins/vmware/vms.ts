/**
 * `vmware.get_virtual_machines(id)`: every VM of the entry's vCenter/ESXi with the coordinator's
 * verdict (plugins/vmware/sync/select.ts `classifyVms`, the same rules a coordinated snapshot
 * applies): `protected` says whether a snapshot of the entry's filesystem would snapshot it, `reason`
 * why not. TrueNAS ≤ 24.10 returned `{uuid: {uuid, name, power_state}}`; this is a list (BIOS UUIDs
 * are not unique: clones share them).
 */
import type { VirtualMachineEntryOut } from './schemas.js';
import { ruleFields, type VmSelection } from './sync/select.js';
import type { Inventory } from '../../vsphere/index.js';

/** The VM list of an inventory classified for an entry (`selections` from rules/server-select.ts), sorted by name then moref. */
export function virtualMachines(inv: Inventory, selections: readonly VmSelection[]): VirtualMachineEntryOut[] {
  const hostName = new Map(inv.hosts.map((h) => [h.moref.value, h.name]));
  const dsName = new Map(inv.datastores.map((d) => [d.moref.value, d.name]));
  return selections
    .map((s) => ({
      moref: s.vm.moref.value,
      name: s.vm.name,
      uuid: s.vm.uuid ?? null,
      instance_uuid: s.vm.instanceUuid ?? null,
      power_state: s.vm.powerState,
      tools_status: s.vm.toolsRunningStatus ?? null,
      host: s.vm.host ? (hostName.get(s.vm.host.value) ?? s.vm.host.value) : null,
      datastores: [...new Set(s.vm.datastores.map((r) => dsName.get(r.value) ?? r.value))].sort(),
      protected: s.protected,
      reason: s.reason,
      code: s.code,
      warnings: s.warnings,
      ...ruleFields(s),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.moref < b.moref ? -1 : a.moref > b.moref ? 1 : 0));
}
