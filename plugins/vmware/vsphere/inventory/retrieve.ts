/**
 * Reads properties of every object of some types in O(1) round trips (reference B.4; govmomi
 * `view/container_view.go`, `mo.RetrievePropertiesEx`): one ContainerView over rootFolder, one
 * RetrievePropertiesEx (paged with ContinueRetrievePropertiesEx), DestroyView.
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
import { containerViewSpec } from '../methods/property-specs.js';
import { CreateContainerView, DestroyView } from '../methods/view-manager.js';
import type { VimSession } from '../session/session.js';

/** Options of {@link retrieveFromContainerView}. */
export interface RetrieveOptions {
  /** `RetrieveOptions.maxObjects` page size hint (default 1000). */
  pageSize?: number;
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
  const { viewManager, rootFolder, propertyCollector: pc } = session.serviceContent;
  if (!viewManager) throw protocolError('CreateContainerView', `${session.origin} has no ViewManager in its ServiceContent`);
  const view = await CreateContainerView(session, viewManager, rootFolder, Object.keys(pathSets), true);
  try {
    const spec = containerViewSpec(view, pathSets);
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
  } finally {
    // Views die with the session anyway; a failed DestroyView must not hide the real outcome.
    await DestroyView(session, view).catch(() => undefined);
  }
}
