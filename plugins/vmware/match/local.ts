/**
 * The local side of datastore matching, read fresh on every call: datasets and zvols from the `zfs`
 * service (what `pool.filesystem_choices` lists), NFS exports from the `nfsExports` service (when the
 * sharing plugin is loaded), iSCSI device extents (none: vsnapd has no iSCSI target yet, so the
 * VMFS path of the matcher only runs in unit tests), and this NAS's identity (interface addresses +
 * `vmware.nas_addresses`).
 */
import { CallError, Errno } from '../../../daemon/errors.js';
import type { PluginContext } from '../../../daemon/plugin.js';
import type { Inventory } from '../../../vsphere/index.js';
import type { MatchResultOut } from '../schemas.js';
import type { Resolver } from '../resolve.js';
import { matchDatastores, remoteDatastores, type ExportDescription, type IscsiExtent, type LocalFilesystem, type RemoteDatastore } from './match.js';
import { buildNasIdentity, localAddresses, nasHosts, type NasIdentity } from './nas-identity.js';

/** Where matching gets local facts from (a seam for tests). */
export interface LocalSide {
  filesystems(): Promise<LocalFilesystem[]>;
  exports(): ExportDescription[];
  extents(): IscsiExtent[];
  identity(): Promise<NasIdentity>;
  resolve: Resolver;
}

/**
 * Datasets and zvols of imported pools, in `zfs list` order (pool hierarchy). A listing that races
 * with a dataset or pool being destroyed fails with ENOENT (zfs-fuse lists, then reads properties);
 * it is read again, at most twice, since the next listing no longer has the vanished dataset.
 */
export async function zfsFilesystems(ctx: Pick<PluginContext, 'services'>): Promise<LocalFilesystem[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const list = await ctx.services.get('zfs').listDatasets();
      return list.map((d) => ({ name: d.name, type: d.type, mountpoint: d.mountpoint }));
    } catch (err) {
      if (attempt >= 2 || !(err instanceof CallError) || err.errno !== Errno.ENOENT) throw err;
    }
  }
}

/** The real local side of a running daemon. */
export function daemonLocalSide(ctx: Pick<PluginContext, 'services' | 'log'>, nasAddresses: readonly string[], resolve: Resolver): LocalSide {
  return {
    filesystems: () => zfsFilesystems(ctx),
    exports: () => {
      try {
        return ctx.services.get('nfsExports').list();
      } catch {
        return []; // the sharing.nfs plugin is not loaded: describe datasets the TrueNAS way
      }
    },
    extents: () => [],
    identity: () => buildNasIdentity(localAddresses(), nasAddresses, resolve),
    resolve,
  };
}

/** What a match produced, with the remote list kept for error messages. */
export interface MatchOutcome {
  result: MatchResultOut;
  remote: RemoteDatastore[];
}

/**
 * Matches an inventory's datastores against the local side.
 * @param filesystems the local list when the caller already has it (validation does)
 */
export async function matchInventory(inv: Pick<Inventory, 'datastores' | 'hosts'>, local: LocalSide, filesystems?: LocalFilesystem[]): Promise<MatchOutcome> {
  const remote = remoteDatastores(inv);
  const [fs, identity] = await Promise.all([filesystems ?? local.filesystems(), local.identity()]);
  const ourHosts = await nasHosts(remote.flatMap((d) => d.nfs?.hosts ?? []), identity, local.resolve);
  const result = matchDatastores({
    datastores: remote,
    filesystems: fs,
    ourHosts,
    extents: local.extents(),
    exports: local.exports(),
    nasAddresses: [...identity.addresses].filter((a) => !a.startsWith('fe80:')),
  });
  return { result, remote };
}
