/**
 * The inventory read: VMs, datastores and hosts (plus clusters, resource pools, datacenters and
 * folders for the export) from one ContainerView + RetrievePropertiesEx, decoded into typed
 * objects, with disk datastore names resolved through the datastore list.
 */
import type { ObjectContent } from '../methods/property-results.js';
import type { VimSession } from '../session/session.js';
import { moRefKey } from '../types/values.js';
import { decodeContainer, decodeDatastore, decodeHost } from './decode-storage.js';
import { decodeVirtualMachine } from './decode-vm.js';
import { BASE_PATHS, EXTENDED_PATHS, RULE_PATHS } from './property-paths.js';
import { retrieveFromContainerView } from './retrieve.js';
import type { Inventory } from './types.js';

/** The inventory list each container type goes into. */
const CONTAINER_LISTS: Readonly<Record<string, 'clusters' | 'resourcePools' | 'datacenters' | 'folders'>> = {
  ClusterComputeResource: 'clusters',
  ResourcePool: 'resourcePools',
  Datacenter: 'datacenters',
  Folder: 'folders',
};

/** Options of {@link readInventory}. */
export interface InventoryOptions {
  /** Also read clusters, resource pools, datacenters, folders and guest identity (for `vmware.inventory`). */
  extended?: boolean;
  /** Also read what selection rules need: VM folders and custom attributes, folders and datacenters (ignored when `extended`). */
  rules?: boolean;
  /** Page size hint for RetrievePropertiesEx (default 1000). */
  pageSize?: number;
}

/**
 * Reads the inventory. When the session had to be re-established mid-read (its ContainerView is
 * then gone), the read is repeated once.
 * @throws SoapFaultError (`NoPermission`, `InvalidProperty`…), transport and timeout errors
 */
export async function readInventory(session: VimSession, opts: InventoryOptions = {}): Promise<Inventory> {
  const extended = opts.extended ?? false;
  const rules = !extended && (opts.rules ?? false);
  const paths = extended ? EXTENDED_PATHS : rules ? RULE_PATHS : BASE_PATHS;
  const before = session.roundTrips;
  const generation = session.generation;
  let contents: ObjectContent[];
  try {
    contents = await retrieveFromContainerView(session, paths, opts);
  } catch (err) {
    if (session.generation === generation) throw err;
    contents = await retrieveFromContainerView(session, paths, opts);
  }
  const inv: Inventory = { vms: [], datastores: [], hosts: [], roundTrips: 0, collectedAt: new Date().toISOString() };
  if (extended) Object.assign(inv, { clusters: [], resourcePools: [], datacenters: [], folders: [] });
  if (rules) Object.assign(inv, { datacenters: [], folders: [] });
  for (const c of contents) {
    switch (c.obj.type) {
      case 'VirtualMachine':
        inv.vms.push(decodeVirtualMachine(c, extended, rules));
        break;
      case 'Datastore':
        inv.datastores.push(decodeDatastore(c, extended));
        break;
      case 'HostSystem':
        inv.hosts.push(decodeHost(c, extended));
        break;
      default: {
        // A container (listed only when its list was asked for), or a subtype not needed (VirtualApp).
        const key = CONTAINER_LISTS[c.obj.type];
        if (key) inv[key]?.push(decodeContainer(c));
      }
    }
  }
  const dsNames = new Map(inv.datastores.map((d) => [moRefKey(d.moref), d.name]));
  for (const vm of inv.vms) {
    for (const disk of vm.disks) {
      const byRef = disk.datastore ? dsNames.get(moRefKey(disk.datastore)) : undefined;
      if (byRef !== undefined) disk.datastoreName = byRef;
    }
  }
  inv.roundTrips = session.roundTrips - before;
  return inv;
}
