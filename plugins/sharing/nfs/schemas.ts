/**
 * Models of `sharing.nfs.*`: the share entry and its create/update inputs, with TrueNAS's field
 * names, defaults and limits (`api/v25_10_0/nfs.py` NfsShareEntry: at most 42 networks and 42
 * hosts, `security` from SYS/KRB5/KRB5I/KRB5P). Semantic checks (paths, CIDRs, accounts, conflicts)
 * live in validate.ts; these schemas only fix the shape.
 *
 * Left out on purpose: `locked` (vsnapd does not manage encrypted datasets) and `expose_snapshots`
 * (a TrueNAS Enterprise feature). `aliases` is accepted for TrueNAS clients but must stay empty,
 * as TrueNAS itself ignores it.
 */
import { z } from 'zod';
import { WireDateSchema } from '../../../daemon/wire/date.js';
import { NFS_SECURITY } from './render.js';
import { boundedString, MAX_NAME, MAX_PATH } from '../../../daemon/registry/bounds.js';

/** Most entries TrueNAS allows in `networks` and in `hosts`. */
export const MAX_NFS_CLIENT_ENTRIES = 42;

const nonEmpty = boundedString(MAX_NAME).min(1, 'String should have at least 1 character');

/** Field schemas without defaults, shared by create (with defaults) and update (all optional). */
const fields = {
  path: boundedString(MAX_PATH).min(1, 'String should have at least 1 character').describe('Local path to export: a mounted dataset\'s mountpoint or a folder inside one, e.g. /mnt/tank/vmware'),
  aliases: z.array(nonEmpty).describe('Not supported (TrueNAS ignores it too); must be empty'),
  comment: z.string().max(120, 'String should have at most 120 characters').describe('Free-text note shown with the share'),
  networks: z
    .array(nonEmpty)
    .max(MAX_NFS_CLIENT_ENTRIES, `List should have at most ${MAX_NFS_CLIENT_ENTRIES} items`)
    .describe('Networks allowed to mount, in CIDR notation (IPv4 or IPv6), each unique and non-overlapping. Empty (with hosts empty) = everybody'),
  hosts: z
    .array(nonEmpty)
    .max(MAX_NFS_CLIENT_ENTRIES, `List should have at most ${MAX_NFS_CLIENT_ENTRIES} items`)
    .describe('Hosts allowed to mount: names, IP addresses, wildcard names (*.example.com) or netgroups (@group); no spaces or quotes'),
  ro: z.boolean().describe('Export read-only'),
  maproot_user: boundedString(MAX_NAME).nullable().describe('Map the client\'s root user to this user ("root" = do not squash root); must exist on this machine'),
  maproot_group: boundedString(MAX_NAME).nullable().describe('Map the client\'s root group to this group ("wheel" is accepted as gid 0); requires maproot_user'),
  mapall_user: boundedString(MAX_NAME).nullable().describe('Map every client user to this user; excludes maproot_user'),
  mapall_group: boundedString(MAX_NAME).nullable().describe('Map every client group to this group; requires mapall_user'),
  security: z.array(z.enum(NFS_SECURITY)).describe('Security flavours (SYS, KRB5, KRB5I, KRB5P); empty = the server default (sys)'),
  enabled: z.boolean().describe('Whether the share is written to the exports file'),
};

/** A share as stored and returned. */
export const NfsShareEntry = z
  .object({
    id: z.number().int().describe('Share id'),
    path: fields.path,
    aliases: fields.aliases,
    comment: fields.comment,
    networks: fields.networks,
    hosts: fields.hosts,
    ro: fields.ro,
    maproot_user: fields.maproot_user,
    maproot_group: fields.maproot_group,
    mapall_user: fields.mapall_user,
    mapall_group: fields.mapall_group,
    security: fields.security,
    enabled: fields.enabled,
  })
  .describe('An NFS share');

/** A share's stored form. */
export type NfsShare = z.output<typeof NfsShareEntry>;
/** A share without its id: what validation produces and create/update store. */
export type NfsShareData = Omit<NfsShare, 'id'>;

/** `sharing.nfs.create` input: `path` is required, every other field has TrueNAS's default. */
export const NfsShareCreate = z
  .strictObject({
    path: fields.path,
    aliases: fields.aliases.default([]),
    comment: fields.comment.default(''),
    networks: fields.networks.default([]),
    hosts: fields.hosts.default([]),
    ro: fields.ro.default(false),
    maproot_user: fields.maproot_user.default(null),
    maproot_group: fields.maproot_group.default(null),
    mapall_user: fields.mapall_user.default(null),
    mapall_group: fields.mapall_group.default(null),
    security: fields.security.default([]),
    enabled: fields.enabled.default(true),
  })
  .describe('A new NFS share');

/** `sharing.nfs.update` input: any subset of the create fields; omitted fields keep their value. */
export const NfsShareUpdate = z.strictObject(fields).partial().describe('Fields of an NFS share to change');

/** `sharing.nfs.exports_status` result. */
export const NfsExportsStatus = z
  .object({
    exports_path: z.string().describe('The exports file vsnapd writes'),
    shares: z.number().int().describe('Lines in the file (enabled shares that could be rendered)'),
    state: z.enum(['RELOADED', 'NOT_INSTALLED', 'FAILED', 'PENDING']).describe(
      'Last reload of the NFS server: RELOADED, NOT_INSTALLED (no exportfs: the file is written but nothing serves it), FAILED, or PENDING before the first write',
    ),
    message: z.string().describe('Detail of the last reload or write'),
    skipped: z.array(z.string()).describe('Shares left out of the file and why (path vanished, user deleted …)'),
    datetime: WireDateSchema.nullable().describe('When the file was last synchronised, null before'),
  })
  .describe('State of the generated exports file and of the last NFS server reload');
