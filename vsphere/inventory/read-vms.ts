/**
 * A targeted read of given VMs (e.g. re-reading a few VMs after snapshot removal to find what is
 * still there and whether `runtime.consolidationNeeded`, reference B.6): one RetrievePropertiesEx
 * with one ObjectSpec per VM (no ContainerView), paged like the inventory read, decoded exactly as
 * the inventory decodes VMs.
 */
import { isVimFault } from '../faults/vim-fault.js';
import type { ObjectContent } from '../methods/property-results.js';
import type { PropertyFilterSpec } from '../methods/property-specs.js';
import type { VimSession } from '../session/session.js';
import { obj } from '../types/read.js';
import { moRefKey, type MoRef } from '../types/values.js';
import { decodeVirtualMachine } from './decode-vm.js';
import { BASE_PATHS, EXTENDED_PATHS } from './property-paths.js';
import { retrieveAll } from './retrieve.js';
import type { VirtualMachineInfo } from './types.js';

/** Options of {@link readVms}. */
export interface ReadVmsOptions {
  /** Also read placement and guest identity, as `inventory({extended: true})`. */
  extended?: boolean;
  /** `RetrieveOptions.maxObjects` page size hint (default 1000). */
  pageSize?: number;
}

async function retrieve(session: VimSession, vms: readonly MoRef[], paths: readonly string[], reportMissing: boolean, pageSize?: number): Promise<ObjectContent[]> {
  const spec: PropertyFilterSpec = {
    propSet: [{ type: 'VirtualMachine', pathSet: paths }],
    objectSet: vms.map((vm) => ({ obj: vm })),
    ...(reportMissing ? { reportMissingObjectsInResults: true } : {}),
  };
  return retrieveAll(session, spec, pageSize === undefined ? {} : { pageSize });
}

/** The object is gone (reported missing as a whole, or with ManagedObjectNotFound). */
function gone(c: ObjectContent): boolean {
  return c.missing.some((m) => m.path === '' || obj(m.fault.fault)?._type === 'ManagedObjectNotFound');
}

/**
 * Reads the VMs `vms` (the inventory's VirtualMachine properties), in request order, each once.
 * VMs that no longer exist are left out. Disk `datastoreName` comes from the disk's file path
 * (`[ds] vm/vm.vmdk`), as no datastore list is read. Servers that fail the whole read for one
 * missing VM (ManagedObjectNotFound without `reportMissingObjectsInResults` support) are asked VM by VM.
 * @throws SoapFaultError (`NoPermission`, `InvalidProperty`…), transport and timeout errors
 */
export async function readVms(session: VimSession, vms: readonly MoRef[], opts: ReadVmsOptions = {}): Promise<VirtualMachineInfo[]> {
  const unique = [...new Map(vms.map((vm) => [moRefKey(vm), vm])).values()];
  if (unique.length === 0) return [];
  const paths = (opts.extended ? EXTENDED_PATHS : BASE_PATHS).VirtualMachine ?? [];
  let contents: ObjectContent[];
  try {
    contents = await retrieve(session, unique, paths, true, opts.pageSize);
  } catch (err) {
    if (!isVimFault(err, 'ManagedObjectNotFound')) throw err;
    contents = [];
    for (const vm of unique) {
      try {
        contents.push(...(await retrieve(session, [vm], paths, false, opts.pageSize)));
      } catch (e) {
        if (!isVimFault(e, 'ManagedObjectNotFound')) throw e;
      }
    }
  }
  const found = new Map<string, VirtualMachineInfo>();
  for (const c of contents) {
    if (c.obj.type !== 'VirtualMachine' || gone(c)) continue;
    found.set(moRefKey(c.obj), decodeVirtualMachine(c, opts.extended ?? false));
  }
  return unique.flatMap((vm) => found.get(moRefKey(vm)) ?? []);
}
