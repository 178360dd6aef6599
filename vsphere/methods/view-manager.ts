/**
 * ViewManager methods: `CreateContainerView` and `DestroyView` (reference B.4). A ContainerView's
 * moId is session-scoped (`session[…]…`); views die with the session but should be destroyed.
 */
import type { MoRef } from '../types/values.js';
import { answeredRef } from './answered-ref.js';
import { ref } from '../soap/xml-writer.js';
import type { CallOptions, RoundTripper } from '../soap/soap-client.js';

/**
 * `CreateContainerView(_this=ViewManager, container, type[], recursive)`.
 * @param types managed object types to include, e.g. `['VirtualMachine', 'Datastore']` (empty = all ManagedEntity types)
 * @returns the ContainerView moref
 */
export async function CreateContainerView(
  rt: RoundTripper,
  viewManager: MoRef,
  container: MoRef,
  types: readonly string[],
  recursive: boolean,
  opts?: CallOptions,
): Promise<MoRef> {
  const [rv] = await rt.call(
    'CreateContainerView',
    { _this: ref(viewManager), container: ref(container), type: types, recursive },
    opts,
  );
  return answeredRef('CreateContainerView', rv, 'view');
}

/** `DestroyView(_this=view)`. */
export async function DestroyView(rt: RoundTripper, view: MoRef, opts?: CallOptions): Promise<void> {
  await rt.call('DestroyView', { _this: ref(view) }, opts);
}
