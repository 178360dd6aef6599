/**
 * Reads properties of every object of some types in O(1) round trips (reference B.4; govmomi
 * `view/container_view.go`, `mo.RetrievePropertiesEx`): one ContainerView over rootFolder, one
 * RetrievePropertiesEx (paged with ContinueRetrievePropertiesEx), DestroyView. {@link retrieveAll}
 * is the paged read of any PropertyFilterSpec (also used for reads of given objects).
 *
 * Fallback: a server that hands out a page token but answers `MethodNotFound` to
 * ContinueRetrievePropertiesEx is asked once more with the unpaged RetrieveProperties.
 * (Debian's vcsim ignores `maxObjects` and returns everything in one page, so no token.)
 */
import { protocolError } from '../faults/errors.js';
import { isVimFault } from '../faults/vim-fault.js';
import {
  CancelRetrievePropertiesEx,
  ContinueRetrievePropertiesEx,
  RetrieveProperties,
  RetrievePropertiesEx,
} from '../methods/property-collector.js';
import type { ObjectContent } from '../methods/property-results.js';
import { containerViewSpec, type PropertyFilterSpec } from '../methods/property-specs.js';
import { CreateContainerView, DestroyView } from '../methods/view-manager.js';
import type { VimSession } from '../session/session.js';

/** Options of {@link retrieveFromContainerView}. */
export interface RetrieveOptions {
  /** `RetrieveOptions.maxObjects` page size hint (default 1000). */
  pageSize?: number;
}

/**
 * Every object `spec` selects, with its properties: RetrievePropertiesEx, then
 * ContinueRetrievePropertiesEx while the server hands out a page token. A server that hands out a
 * token but answers `MethodNotFound` to the continuation is asked once more with RetrieveProperties.
 * @throws SoapFaultError (e.g. `InvalidProperty`, `NoPermission`, `ManagedObjectNotFound`), transport errors
 */
export async function retrieveAll(session: VimSession, spec: PropertyFilterSpec, opts: RetrieveOptions = {}): Promise<ObjectContent[]> {
  const pc = session.serviceContent.propertyCollector;
  let page = await RetrievePropertiesEx(session, pc, [spec], opts.pageSize ?? 1000);
  const objects = [...page.objects];
  while (page.token) {
    const token = page.token;
    try {
      page = await ContinueRetrievePropertiesEx(session, pc, token);
    } catch (err) {
      if (!isVimFault(err, 'MethodNotFound')) {
        await CancelRetrievePropertiesEx(session, pc, token).catch(() => undefined);
        throw err;
      }
      return await RetrieveProperties(session, pc, [spec]);
    }
    objects.push(...page.objects);
  }
  return objects;
}

/**
 * Every object of the types in `pathSets` below rootFolder, with those properties.
 * @throws SoapFaultError (e.g. `InvalidProperty` for a path the server does not know, `NoPermission`)
 */
export async function retrieveFromContainerView(
  session: VimSession,
  pathSets: Readonly<Record<string, readonly string[]>>,
  opts: RetrieveOptions = {},
): Promise<ObjectContent[]> {
  const { viewManager, rootFolder } = session.serviceContent;
  if (!viewManager) throw protocolError('CreateContainerView', `${session.origin} has no ViewManager in its ServiceContent`);
  const view = await CreateContainerView(session, viewManager, rootFolder, Object.keys(pathSets), true);
  try {
    return await retrieveAll(session, containerViewSpec(view, pathSets), opts);
  } finally {
    // Views die with the session anyway; a failed DestroyView must not hide the real outcome.
    await DestroyView(session, view).catch(() => undefined);
  }
}
