/**
 * PropertyCollector methods (reference B.4, B.7; govmomi `property/collector.go`, `property/wait.go`):
 * reads (`RetrievePropertiesEx` + `ContinueRetrievePropertiesEx`/`CancelRetrievePropertiesEx` paging,
 * and the unpaged `RetrieveProperties` fallback) and change notification on a private collector
 * (`CreatePropertyCollector`, `CreateFilter`, `DestroyPropertyFilter`, `WaitForUpdatesEx`,
 * `CancelWaitForUpdates`, `DestroyPropertyCollector`).
 */
import { answeredRef } from './answered-ref.js';
import type { MoRef } from '../types/values.js';
import { ref } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';
import { decodeObjectContent, decodeRetrieveResult, decodeUpdateSet, type ObjectContent, type RetrieveResult, type UpdateSet } from './property-results.js';
import { filterSpecParam, type PropertyFilterSpec } from './property-specs.js';

/**
 * `RetrievePropertiesEx(_this, specSet[], options{maxObjects?})` → the first page.
 * @param maxObjects page size hint; servers may return fewer or (Debian's vcsim) ignore it
 */
export async function RetrievePropertiesEx(
  rt: RoundTripper,
  collector: MoRef,
  specs: readonly PropertyFilterSpec[],
  maxObjects?: number,
  opts?: CallOptions,
): Promise<RetrieveResult> {
  const [rv] = await rt.call(
    'RetrievePropertiesEx',
    { _this: ref(collector), specSet: specs.map(filterSpecParam), options: { maxObjects } },
    opts,
  );
  return decodeRetrieveResult(rv);
}

/** `ContinueRetrievePropertiesEx(_this, token)` → the next page. */
export async function ContinueRetrievePropertiesEx(
  rt: RoundTripper,
  collector: MoRef,
  token: string,
  opts?: CallOptions,
): Promise<RetrieveResult> {
  const [rv] = await rt.call('ContinueRetrievePropertiesEx', { _this: ref(collector), token }, opts);
  return decodeRetrieveResult(rv);
}

/** `CancelRetrievePropertiesEx(_this, token)`: abandons the remaining pages. */
export async function CancelRetrievePropertiesEx(rt: RoundTripper, collector: MoRef, token: string, opts?: CallOptions): Promise<void> {
  await rt.call('CancelRetrievePropertiesEx', { _this: ref(collector), token }, opts);
}

/** `RetrieveProperties(_this, specSet[])` (deprecated, unpaged): every object in one answer. */
export async function RetrieveProperties(
  rt: RoundTripper,
  collector: MoRef,
  specs: readonly PropertyFilterSpec[],
  opts?: CallOptions,
): Promise<ObjectContent[]> {
  const rvs = await rt.call('RetrieveProperties', { _this: ref(collector), specSet: specs.map(filterSpecParam) }, opts);
  return rvs.flatMap((v) => decodeObjectContent(v) ?? []);
}

/** `CreatePropertyCollector(_this=ServiceContent.propertyCollector)` → a private, session-scoped collector. */
export async function CreatePropertyCollector(rt: RoundTripper, collector: MoRef, opts?: CallOptions): Promise<MoRef> {
  const [rv] = await rt.call('CreatePropertyCollector', { _this: ref(collector) }, opts);
  return answeredRef('CreatePropertyCollector', rv, 'collector');
}

/** `DestroyPropertyCollector(_this)`: also destroys its filters and cancels a pending wait. */
export async function DestroyPropertyCollector(rt: RoundTripper, collector: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('DestroyPropertyCollector', { _this: ref(collector) }, opts);
}

/** `CreateFilter(_this, spec, partialUpdates)` → the PropertyFilter moref. */
export async function CreateFilter(
  rt: RoundTripper,
  collector: MoRef,
  spec: PropertyFilterSpec,
  partialUpdates: boolean,
  opts?: CallOptions,
): Promise<MoRef> {
  const [rv] = await rt.call('CreateFilter', { _this: ref(collector), spec: filterSpecParam(spec), partialUpdates }, opts);
  return answeredRef('CreateFilter', rv, 'filter');
}

/** `DestroyPropertyFilter(_this=filter)`: its objects are no longer reported. */
export async function DestroyPropertyFilter(rt: RoundTripper, filter: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('DestroyPropertyFilter', { _this: ref(filter) }, opts);
}

/**
 * `WaitForUpdatesEx(_this, version, options{maxWaitSeconds})`.
 * @param version `''` for the initial complete state, else the last `UpdateSet.version`
 * @param maxWaitSeconds how long the server may hold the call (0 = one poll); the HTTP deadline
 *   (`opts.timeoutMs`) must be longer
 * @returns the updates, or undefined when the wait elapsed without any
 */
export async function WaitForUpdatesEx(
  rt: RoundTripper,
  collector: MoRef,
  version: string,
  maxWaitSeconds: number,
  opts?: CallOptions,
): Promise<UpdateSet | undefined> {
  const [rv] = await rt.call(
    'WaitForUpdatesEx',
    { _this: ref(collector), version: version === '' ? undefined : version, options: { maxWaitSeconds } },
    opts,
  );
  return rv === undefined ? undefined : decodeUpdateSet(rv);
}

/** `CancelWaitForUpdates(_this)`: the pending WaitForUpdatesEx fails with `RequestCanceled`. */
export async function CancelWaitForUpdates(rt: RoundTripper, collector: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('CancelWaitForUpdates', { _this: ref(collector) }, opts);
}
