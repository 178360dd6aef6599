/**
 * `pool.snapshot.*` models, following TrueNAS 25.10+ `PoolSnapshotEntry` / `PoolSnapshotCreate`
 * (`properties` holds the user properties as `{value, rawvalue, source, parsed}`), plus `created`,
 * `used` and `referenced` at the top level.
 */
import { z } from 'zod';
import { WireDateSchema } from '../../../daemon/wire/date.js';
import { boundedString, MAX_NAME, MAX_TEXT } from '../../../daemon/registry/bounds.js';

/** A property value as TrueNAS returns it. */
export const PropertyValue = z
  .strictObject({
    value: z.string(),
    rawvalue: z.string(),
    source: z.enum(['NONE', 'DEFAULT', 'LOCAL', 'TEMPORARY', 'INHERITED', 'RECEIVED']),
    parsed: z.string(),
  })
  .describe('A ZFS property: value, raw value, where it comes from, parsed value');

/** One snapshot. */
export const SnapshotEntry = z
  .strictObject({
    id: z.string().describe('`dataset@name`'),
    name: z.string().describe('`dataset@name`'),
    pool: z.string(),
    type: z.literal('SNAPSHOT'),
    dataset: z.string().describe('The dataset the snapshot belongs to'),
    snapshot_name: z.string().describe('The part after `@`'),
    createtxg: z.string().nullable().describe('Creation transaction group (null where ZFS does not report it, e.g. zfs-fuse)'),
    created: WireDateSchema.describe('Creation time (ZFS `creation`, second precision)'),
    used: z.number().describe('Bytes only this snapshot holds'),
    referenced: z.number().describe('Bytes the snapshot references'),
    properties: z.record(z.string(), PropertyValue).describe('User properties (names with ":"), e.g. freenas:vmsynced, vsnapd:run'),
  })
  .describe('A ZFS snapshot');

/** `pool.snapshot.create` input (`name` or `naming_schema`, not both). */
export const SnapshotCreate = z
  .strictObject({
    dataset: boundedString(MAX_NAME).min(1).describe('Dataset to snapshot'),
    name: boundedString(MAX_NAME).min(1).optional().describe('Snapshot name (the part after @)'),
    naming_schema: boundedString(MAX_NAME).min(1).optional().describe('strftime schema for the name, e.g. manual-%Y-%m-%d_%H-%M'),
    recursive: z.boolean().default(false).describe('Snapshot descendant datasets too (atomically)'),
    exclude: z.array(boundedString(MAX_NAME)).default([]).describe('Descendants to leave out of a recursive snapshot'),
    vmware_sync: z.boolean().default(false).describe('Make it VM-consistent through the VMware coordinator (runs as a job)'),
    properties: z.record(boundedString(MAX_NAME), boundedString(MAX_TEXT)).default({}).describe('User properties to set on the snapshot'),
  })
  .describe('A snapshot to take');

/** `pool.snapshot.delete` options. */
export const SnapshotDeleteOptions = z
  .strictObject({
    defer: z.boolean().default(false).describe('Defer the destruction while the snapshot is held or cloned (`zfs destroy -d`)'),
    recursive: z.boolean().default(false).describe('Also destroy the same-named snapshots of descendants'),
  })
  .describe('Options');

/** A snapshot entry as returned. */
export type SnapshotEntryT = z.output<typeof SnapshotEntry>;
/** `pool.snapshot.create` input after defaults. */
export type SnapshotCreateT = z.output<typeof SnapshotCreate>;
