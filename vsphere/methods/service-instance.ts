/**
 * ServiceInstance methods: `RetrieveServiceContent` (the entry point; every other moref comes from
 * its answer, since ESXi and vCenter name them differently, reference B.2) and `CurrentTime`
 * (the cheap call govmomi's keepalive uses).
 */
import { obj, path, ref, str } from '../types/read.js';
import type { MoRef, VimObject } from '../types/values.js';
import { protocolError } from '../faults/errors.js';
import { ref as param } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/** The one moref that is the same everywhere: the root of the API. */
export const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

/** vim25 `AboutInfo`: what the server is. */
export interface AboutInfo {
  /** e.g. `VMware vCenter Server`, `VMware ESXi`. */
  name: string;
  /** e.g. `VMware vCenter Server 8.0.2 build-22385739`. */
  fullName: string;
  vendor: string;
  /** Product version, e.g. `8.0.2`. */
  version: string;
  build: string;
  /** `VirtualCenter` (vCenter) or `HostAgent` (ESXi). */
  apiType: string;
  /** Highest vim25 version the server speaks, e.g. `8.0.2.0`. */
  apiVersion: string;
  /** vCenter's instance UUID (absent on ESXi). */
  instanceUuid?: string;
  licenseProductName?: string;
  licenseProductVersion?: string;
}

/** The parts of vim25 `ServiceContent` this client uses (the whole object is in `raw`). */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef | undefined;
  sessionManager: MoRef | undefined;
  searchIndex: MoRef | undefined;
  taskManager: MoRef | undefined;
  about: AboutInfo;
  raw: VimObject;
}

/** Decodes `AboutInfo`, tolerating missing fields. */
export function decodeAbout(v: VimObject | undefined): AboutInfo {
  const s = (k: string) => str(v?.[k]) ?? '';
  const about: AboutInfo = {
    name: s('name'),
    fullName: s('fullName'),
    vendor: s('vendor'),
    version: s('version'),
    build: s('build'),
    apiType: s('apiType'),
    apiVersion: s('apiVersion'),
  };
  for (const k of ['instanceUuid', 'licenseProductName', 'licenseProductVersion'] as const) {
    const x = str(v?.[k]);
    if (x) about[k] = x;
  }
  return about;
}

/**
 * `RetrieveServiceContent(_this=ServiceInstance)`; needs no session.
 * @throws VsphereTransportError (protocol) when the answer lacks rootFolder or propertyCollector
 */
export async function RetrieveServiceContent(rt: RoundTripper, opts?: CallOptions): Promise<ServiceContent> {
  const [rv] = await rt.call('RetrieveServiceContent', { _this: param(SERVICE_INSTANCE) }, opts);
  const raw = obj(rv) ?? {};
  const rootFolder = ref(raw.rootFolder);
  const propertyCollector = ref(raw.propertyCollector);
  if (!rootFolder || !propertyCollector) {
    throw protocolError('RetrieveServiceContent', 'the answer has no rootFolder or propertyCollector');
  }
  return {
    rootFolder,
    propertyCollector,
    viewManager: ref(raw.viewManager),
    sessionManager: ref(raw.sessionManager),
    searchIndex: ref(raw.searchIndex),
    taskManager: ref(raw.taskManager),
    about: decodeAbout(obj(path(raw, 'about'))),
    raw,
  };
}

/** `CurrentTime(_this=ServiceInstance)` → the server clock (ISO 8601 text). */
export async function CurrentTime(rt: RoundTripper, opts?: CallOptions): Promise<string> {
  const [rv] = await rt.call('CurrentTime', { _this: param(SERVICE_INSTANCE) }, opts);
  return str(rv) ?? '';
}
