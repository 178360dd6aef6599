/**
 * SearchIndex: `FindAllByUuid` (every VM/host with a UUID; BIOS UUIDs can be duplicated by clones)
 * and `FindByUuid` (the first match; what TrueNAS uses, and what Debian's vcsim implements).
 * Request shape: govmomi `vim25/types` FindAllByUuidRequestType.
 */
import { refs, ref as read } from '../types/read.js';
import type { MoRef } from '../types/values.js';
import { ref } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/** Search options. */
export interface UuidSearch {
  uuid: string;
  /** true: VMs; false: hosts. */
  vmSearch: boolean;
  /** Match `config.instanceUuid` (vCenter-unique) instead of the BIOS `config.uuid`. */
  instanceUuid?: boolean;
  /** Restrict to one datacenter. */
  datacenter?: MoRef;
}

function params(searchIndex: MoRef, s: UuidSearch) {
  return {
    _this: ref(searchIndex),
    datacenter: s.datacenter ? ref(s.datacenter) : undefined,
    uuid: s.uuid,
    vmSearch: s.vmSearch,
    instanceUuid: s.instanceUuid,
  };
}

/**
 * `FindAllByUuid(_this=SearchIndex, datacenter?, uuid, vmSearch, instanceUuid?)` → every match.
 * @throws SoapFaultError `MethodNotFound` on servers without it
 */
export async function FindAllByUuid(rt: RoundTripper, searchIndex: MoRef, s: UuidSearch, opts?: CallOptions): Promise<MoRef[]> {
  const rvs = await rt.call('FindAllByUuid', params(searchIndex, s), opts);
  return rvs.flatMap((v) => refs(v));
}

/** `FindByUuid(…)` → the first match or undefined. */
export async function FindByUuid(rt: RoundTripper, searchIndex: MoRef, s: UuidSearch, opts?: CallOptions): Promise<MoRef | undefined> {
  const [rv] = await rt.call('FindByUuid', params(searchIndex, s), opts);
  return read(rv);
}
