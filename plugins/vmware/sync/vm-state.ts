/**
 * A targeted re-read of a few VMs after snapshot removal: their snapshot trees (to find snapshots of
 * this run that are still there) and `runtime.consolidationNeeded` (reference B.6: after removal,
 * check it and consolidate). One RetrievePropertiesEx with one ObjectSpec per VM (no container view),
 * paged like the inventory read.
 */
import { isVimFault } from '../vsphere/faults/vim-fault.js';
import { decodeSnapshotTree } from '../vsphere/inventory/decode-vm.js';
import type { SnapshotTreeNode } from '../vsphere/inventory/types.js';
import { ContinueRetrievePropertiesEx, RetrievePropertiesEx } from '../vsphere/methods/property-collector.js';
import type { ObjectContent } from '../vsphere/methods/property-results.js';
import type { PropertyFilterSpec } from '../vsphere/methods/property-specs.js';
import type { VimSession } from '../vsphere/session/session.js';
import { bool, obj, str } from '../vsphere/types/read.js';
import type { MoRef } from '../vsphere/types/values.js';

/** What the removal phase needs to know about a VM now. */
export interface VmState {
  name: string;
  consolidationNeeded: boolean;
  snapshots: SnapshotTreeNode[];
}

const PATHS = ['name', 'runtime.consolidationNeeded', 'snapshot'];

async function retrieve(session: VimSession, vms: readonly MoRef[], reportMissing: boolean): Promise<ObjectContent[]> {
  const pc = session.serviceContent.propertyCollector;
  const spec: PropertyFilterSpec = {
    propSet: [{ type: 'VirtualMachine', pathSet: PATHS }],
    objectSet: vms.map((vm) => ({ obj: vm })),
    ...(reportMissing ? { reportMissingObjectsInResults: true } : {}),
  };
  let page = await RetrievePropertiesEx(session, pc, [spec], 1000);
  const out = [...page.objects];
  while (page.token) {
    page = await ContinueRetrievePropertiesEx(session, pc, page.token);
    out.push(...page.objects);
  }
  return out;
}

/**
 * Reads name, consolidationNeeded and the snapshot tree of `vms`. VMs that no longer exist are
 * absent from the map. Servers that fail the whole read for one missing VM (ManagedObjectNotFound
 * without `reportMissingObjectsInResults` support) are asked VM by VM.
 * @throws transport/timeout errors and other faults
 */
export async function readVmStates(session: VimSession, vms: readonly MoRef[]): Promise<Map<string, VmState>> {
  const states = new Map<string, VmState>();
  if (vms.length === 0) return states;
  let contents: ObjectContent[];
  try {
    contents = await retrieve(session, vms, true);
  } catch (err) {
    if (!isVimFault(err, 'ManagedObjectNotFound')) throw err;
    contents = [];
    for (const vm of vms) {
      try {
        contents.push(...(await retrieve(session, [vm], false)));
      } catch (e) {
        if (!isVimFault(e, 'ManagedObjectNotFound')) throw e;
      }
    }
  }
  for (const c of contents) {
    if (c.obj.type !== 'VirtualMachine' || c.missing.some((m) => m.path === '' || obj(m.fault.fault)?._type === 'ManagedObjectNotFound')) continue;
    states.set(c.obj.value, {
      name: str(c.props.name) ?? c.obj.value,
      consolidationNeeded: bool(c.props['runtime.consolidationNeeded']) ?? false,
      snapshots: decodeSnapshotTree(obj(c.props.snapshot)?.rootSnapshotList),
    });
  }
  return states;
}
