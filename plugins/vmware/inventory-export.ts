/**
 * `vmware.inventory(id)`: one JSON document of the entry's vCenter/ESXi for CMDB/IPAM import:
 * datacenters, clusters, hosts, resource pools, datastores and VMs (IPv4 addresses, power state,
 * guest OS, datastores, placement). Read with one extended PropertyCollector read. vSphere tags live
 * in the vCenter REST API, not in vim25, so `tags` is always `[]`. A VM or host without an IPv4
 * address is still listed, with a warning on the record and in `warnings`.
 */
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import type { AboutInfo, ContainerInfo, Inventory, MoRef } from '../../vsphere/index.js';

const Named = z.object({ moref: z.string(), name: z.string() });
const Ref = z.string().nullable();

/** The document's schema (also the method's result schema). */
export const InventoryDocument = z
  .object({
    format: z.literal('vsnapd.vmware.inventory/1').describe('Document format and version'),
    source: z.object({
      id: z.number().int().describe('vmware entry id'),
      hostname: z.string(),
      product: z.string().describe('about.fullName'),
      version: z.string(),
      api_type: z.string().describe('VirtualCenter or HostAgent'),
      api_version: z.string(),
    }),
    collected_at: z.string().describe('When the inventory was read (ISO 8601, UTC)'),
    datacenters: z.array(Named),
    clusters: z.array(Named.extend({ datacenter: Ref, hosts: z.array(z.string()).describe('Host names') })),
    hosts: z.array(
      Named.extend({
        datacenter: Ref,
        cluster: Ref,
        connection_state: z.string(),
        power_state: z.string().nullable(),
        maintenance_mode: z.boolean().nullable(),
        product: z.string().nullable(),
        ipv4: z.array(z.string()),
        warnings: z.array(z.string()),
      }),
    ),
    resource_pools: z.array(Named.extend({ owner: Ref.describe('Cluster or host (compute resource) name'), parent: Ref })),
    datastores: z.array(
      Named.extend({
        type: z.string(),
        accessible: z.boolean(),
        capacity_bytes: z.number().nullable(),
        free_bytes: z.number().nullable(),
        url: z.string().nullable(),
        remote_host: z.string().nullable(),
        remote_path: z.string().nullable(),
      }),
    ),
    vms: z.array(
      Named.extend({
        uuid: z.string().nullable(),
        instance_uuid: z.string().nullable(),
        power_state: z.string(),
        template: z.boolean(),
        guest_os: z.string().nullable(),
        guest_hostname: z.string().nullable(),
        ipv4: z.array(z.string()).describe('Every IPv4 address VMware Tools report, primary first'),
        datacenter: Ref,
        cluster: Ref,
        host: Ref,
        resource_pool: Ref,
        datastores: z.array(z.string()),
        num_cpu: z.number().nullable(),
        memory_mb: z.number().nullable(),
        tags: z.array(z.string()).describe('Always empty: vSphere tags are not readable through vim25'),
        warnings: z.array(z.string()),
      }),
    ),
    warnings: z.array(z.string()).describe('Every record-level warning, prefixed with the record'),
  })
  .describe('Inventory export');
export type InventoryDocumentOut = z.output<typeof InventoryDocument>;

/** Builds the document (pure). */
export function inventoryDocument(source: { id: number; hostname: string }, about: AboutInfo, apiVersion: string, inv: Inventory): InventoryDocumentOut {
  const containers: ContainerInfo[] = [...(inv.datacenters ?? []), ...(inv.folders ?? []), ...(inv.clusters ?? []), ...(inv.resourcePools ?? [])];
  const parentOf = new Map<string, MoRef | undefined>(containers.map((c) => [c.moref.value, c.parent]));
  const names = new Map<string, string>([...containers, ...inv.hosts, ...inv.datastores].map((o) => [o.moref.value, o.name]));
  for (const h of inv.hosts) parentOf.set(h.moref.value, h.parent);
  for (const d of inv.datastores) parentOf.set(d.moref.value, d.parent);
  const name = (r: MoRef | undefined): string | null => (r ? (names.get(r.value) ?? r.value) : null);
  const datacenterOf = (r: MoRef | undefined): string | null => {
    for (let cur = r, hops = 0; cur && hops < 64; cur = parentOf.get(cur.value), hops++) {
      if (cur.type === 'Datacenter') return name(cur);
    }
    return null;
  };
  const hostByRef = new Map(inv.hosts.map((h) => [h.moref.value, h]));
  const warnings: string[] = [];
  const hosts = inv.hosts.map((h) => {
    const ipv4 = (h.ipAddresses ?? []).filter((a) => isIPv4(a));
    const w = ipv4.length ? [] : ['no IPv4 address on any VMkernel adapter'];
    for (const x of w) warnings.push(`host ${h.name}: ${x}`);
    return {
      moref: h.moref.value, name: h.name, datacenter: datacenterOf(h.parent), cluster: name(h.cluster),
      connection_state: h.connectionState, power_state: h.powerState ?? null, maintenance_mode: h.inMaintenanceMode ?? null,
      product: h.productFullName ?? null, ipv4, warnings: w,
    };
  });
  const vms = inv.vms.map((vm) => {
    const g = vm.guest;
    const ipv4 = [...new Set([g?.ipAddress, ...(g?.ipAddresses ?? [])].filter((a): a is string => !!a && isIPv4(a)))];
    const w: string[] = [];
    if (ipv4.length === 0) {
      w.push(vm.powerState === 'poweredOn' ? `no IPv4 address reported (VMware Tools: ${vm.toolsRunningStatus ?? 'unknown'})` : `no IPv4 address reported (${vm.powerState})`);
    }
    for (const x of w) warnings.push(`vm ${vm.name}: ${x}`);
    const host = vm.host ? hostByRef.get(vm.host.value) : undefined;
    return {
      moref: vm.moref.value, name: vm.name, uuid: vm.uuid ?? null, instance_uuid: vm.instanceUuid ?? null,
      power_state: vm.powerState, template: vm.template, guest_os: g?.guestFullName ?? null, guest_hostname: g?.hostName ?? null, ipv4,
      datacenter: datacenterOf(vm.parent) ?? datacenterOf(host?.parent), cluster: name(host?.cluster), host: name(vm.host),
      resource_pool: name(vm.resourcePool), datastores: [...new Set(vm.datastores.map((r) => name(r) ?? r.value))].sort(),
      num_cpu: vm.numCPU ?? null, memory_mb: vm.memoryMB ?? null, tags: [] as string[], warnings: w,
    };
  });
  return {
    format: 'vsnapd.vmware.inventory/1',
    source: { id: source.id, hostname: source.hostname, product: about.fullName, version: about.version, api_type: about.apiType, api_version: apiVersion },
    collected_at: inv.collectedAt,
    datacenters: (inv.datacenters ?? []).map((d) => ({ moref: d.moref.value, name: d.name })),
    clusters: (inv.clusters ?? []).map((c) => ({
      moref: c.moref.value, name: c.name, datacenter: datacenterOf(c.parent), hosts: (c.hosts ?? []).map((h) => name(h) ?? h.value),
    })),
    hosts,
    resource_pools: (inv.resourcePools ?? []).map((p) => ({ moref: p.moref.value, name: p.name, owner: name(p.owner), parent: name(p.parent) })),
    datastores: inv.datastores.map((d) => ({
      moref: d.moref.value, name: d.name, type: d.type, accessible: d.accessible, capacity_bytes: d.capacity ?? null, free_bytes: d.freeSpace ?? null,
      url: d.url ?? null, remote_host: d.nas?.remoteHost ?? null, remote_path: d.nas?.remotePath ?? null,
    })),
    vms,
    warnings,
  };
}
