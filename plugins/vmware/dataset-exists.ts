/**
 * "A missing dataset is ENOENT everywhere": methods that take a dataset name (`vmware.plan`,
 * `vmware.dataset_has_vms`) first ask ZFS whether it exists (one `zfs list`, read-only).
 */
import { CallError, Errno } from '../../daemon/errors.js';
import type { Services } from '../../daemon/plugin.js';
import type {} from '../pool/services.js'; // the zfs service type

/** A check that resolves when `dataset` exists and throws CallError ENOENT "Dataset <name> does not exist" otherwise. */
export type DatasetCheck = (dataset: string) => Promise<void>;

/** The check over the pool plugin's `zfs` service (looked up at call time). Other ZFS failures propagate. */
export function datasetCheck(services: Services): DatasetCheck {
  return async (dataset) => {
    try {
      await services.get('zfs').listDatasets({ root: dataset, recursive: false });
    } catch (err) {
      if (err instanceof CallError && err.errno === Errno.ENOENT) throw new CallError(`Dataset ${dataset} does not exist`, Errno.ENOENT, null, { cause: err });
      throw err;
    }
  };
}
