/**
 * The `nfsExports` service: what other plugins may know about, and do with, NFS shares without
 * calling the API. `vmware.match_datastores_with_datasets` uses `list` to describe a dataset by the
 * way it is exported ("NFS export /mnt/tank/vmware to 192.168.1.0/24"); `vmware.restore` uses
 * `create`/`remove` to export a restore clone to one ESXi host and to withdraw it again, through the
 * same validation, exports file and NFS server reload as `sharing.nfs.create`/`delete`.
 */
import type { z } from 'zod';
import type { NfsShare, NfsShareCreate } from './schemas.js';

/** One NFS share, as other plugins see it. */
export interface NfsExportSummary {
  id: number;
  /** Exported path (absolute, normalised). */
  path: string;
  /** Normalised CIDRs allowed to mount. */
  networks: string[];
  /** Host names/addresses/wildcards/netgroups allowed to mount. */
  hosts: string[];
  ro: boolean;
  /** Disabled shares are listed too, but are not in the exports file. */
  enabled: boolean;
  /** The share's free-text comment (`vmware.restore` marks its shares with it). */
  comment: string;
  /** e.g. `NFS export /mnt/tank/vmware to 192.168.1.0/24` (`… to everybody`, `… (read-only)`, `… (disabled)`). */
  description: string;
}

/** The service other plugins get with `ctx.services.get('nfsExports')`. */
export interface NfsExportsService {
  /** Every share, in id order (reads the datastore; cheap, synchronous). */
  list(): NfsExportSummary[];
  /**
   * Creates a share exactly as `sharing.nfs.create` does (validated, exports file written, NFS server
   * reloaded, `sharing.nfs.query` event). @throws ValidationErrors (`sharingnfs_create.*`), CallError
   * when the exports file cannot be written
   */
  create(input: z.input<typeof NfsShareCreate>): Promise<NfsShare>;
  /** Deletes share `id` as `sharing.nfs.delete` does. @throws InstanceNotFound (ENOENT) when absent */
  remove(id: number): Promise<true>;
}

/** The write side of the service, supplied by the plugin (its serialised create/delete). */
export type NfsExportsWriter = Pick<NfsExportsService, 'create' | 'remove'>;

declare module '../../../daemon/plugin.js' {
  interface ServiceMap {
    nfsExports: NfsExportsService;
  }
}

/** A human description of a share, for match/dataset descriptions. */
export function describeExport(share: Pick<NfsShare, 'path' | 'networks' | 'hosts' | 'ro' | 'enabled'>): string {
  const clients = [...share.hosts, ...share.networks];
  const to = clients.length ? clients.join(', ') : 'everybody';
  const flags = [share.ro ? 'read-only' : null, share.enabled ? null : 'disabled'].filter((f) => f !== null);
  return `NFS export ${share.path} to ${to}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

/** Builds the service over a share lister (the plugin's collection) and its writer. */
export function nfsExportsService(all: () => readonly NfsShare[], writer: NfsExportsWriter): NfsExportsService {
  return {
    ...writer,
    list: () =>
      all().map((s) => ({
        id: s.id,
        path: s.path,
        networks: [...s.networks],
        hosts: [...s.hosts],
        ro: s.ro,
        enabled: s.enabled,
        comment: s.comment,
        description: describeExport(s),
      })),
  };
}
