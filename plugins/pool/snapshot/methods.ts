/**
 * `pool.snapshot.query/create/delete` (TrueNAS 25.10+ names). `create` with `vmware_sync: true`
 * runs as the job `pool.snapshot.create_coordinated` (visible in `core.get_jobs` with the
 * coordinator's per-VM progress; its result is the snapshot entry plus the VMware coordination with
 * the per-VM report); the call itself still returns the snapshot entry.
 */
import { z } from 'zod';
import { CallError, Errno, ValidationErrors } from '../../../daemon/errors.js';
import type { PluginContext } from '../../../daemon/plugin.js';
import { crudWrites, queryList, queryMethods } from '../../../daemon/query/index.js';
import type { CallContext } from '../../../daemon/registry/method.js';
import { toWireDate } from '../../../daemon/wire/date.js';
import { namingSchemaProblem, snapshotNameAt } from '../snapshottask/naming-schema.js';
import type { ZfsSnapshot } from '../zfs/adapter.js';
import { datasetNameProblem, snapshotNamePartProblem, snapshotNameProblem, splitSnapshotName, userPropertyNameProblem, userPropertyValueProblem } from '../zfs/names.js';
import { SnapshotCreate, SnapshotDeleteOptions, SnapshotEntry, type SnapshotCreateT, type SnapshotEntryT } from './schemas.js';
import { syncOutcome, VmwareSyncOutcome, type VmwareSyncOutcomeT } from './sync-outcome.js';
import { snapshotExists, takeSnapshot } from './take.js';
import { boundedString, MAX_NAME } from '../../../daemon/registry/bounds.js';

/** `pool.snapshot.create_coordinated`'s result. */
export const CoordinatedSnapshot = z
  .strictObject({
    snapshot: SnapshotEntry.describe('The snapshot, as pool.snapshot.create returns it'),
    vmware_sync: VmwareSyncOutcome.nullable().describe('The VMware coordination of the snapshot (null only when called with vmware_sync false)'),
  })
  .describe('A snapshot taken with vmware_sync and its VMware coordination');

const READ = ['SNAPSHOT_READ'] as const;
const WRITE = ['SNAPSHOT_WRITE'] as const;

/** Converts an adapter snapshot to the API entry. */
export function snapshotEntry(s: ZfsSnapshot): SnapshotEntryT {
  const properties: SnapshotEntryT['properties'] = {};
  for (const [k, v] of Object.entries(s.userProperties)) properties[k] = { value: v.value, rawvalue: v.value, source: v.source, parsed: v.value };
  return {
    id: s.name,
    name: s.name,
    pool: s.pool,
    type: 'SNAPSHOT',
    dataset: s.dataset,
    snapshot_name: s.snapshotName,
    createtxg: s.createtxg,
    created: toWireDate(s.createdMs),
    used: s.used,
    referenced: s.referenced,
    properties,
  };
}

/** A dataset the filters pin down with `dataset =`, `id =` or `name =` (to list only its snapshots). */
export function datasetFromFilters(filters: readonly unknown[]): string | undefined {
  for (const f of filters) {
    if (!Array.isArray(f) || f.length !== 3 || f[1] !== '=' || typeof f[0] !== 'string' || typeof f[2] !== 'string') continue;
    const [field, , value] = f as [string, string, string];
    const ds = field === 'dataset' ? value : field === 'id' || field === 'name' ? value.split('@')[0] : undefined;
    if (ds !== undefined && datasetNameProblem(ds) === null) return ds;
  }
  return undefined;
}

/** TrueNAS's create validation; returns the snapshot name to use. Throws ValidationErrors. */
export function validateSnapshotCreate(attr: string, data: SnapshotCreateT, timeZone: string, nowMs: number): string {
  const v = new ValidationErrors();
  const dsProblem = datasetNameProblem(data.dataset);
  if (dsProblem) v.add(`${attr}.dataset`, dsProblem);
  let name: string | null = null;
  if (data.name !== undefined && data.naming_schema !== undefined) {
    v.add(`${attr}.naming_schema`, "You can't specify name and naming schema at the same time");
  } else if (data.name !== undefined) {
    name = data.name;
  } else if (data.naming_schema !== undefined) {
    const problem = namingSchemaProblem(data.naming_schema);
    if (problem) v.add(`${attr}.naming_schema`, problem);
    else name = snapshotNameAt(data.naming_schema, nowMs, timeZone);
  } else {
    v.add(`${attr}.naming_schema`, 'You must specify either name or naming schema');
  }
  if (data.exclude.length > 0) {
    if (!data.recursive) v.add(`${attr}.exclude`, 'This option has no sense for non-recursive snapshots');
    if (data.vmware_sync) v.add(`${attr}.vmware_sync`, 'This option is not supported when excluding datasets');
    if (Object.keys(data.properties).length > 0) v.add(`${attr}.properties`, 'This option is not supported when excluding datasets');
  }
  if (name !== null) {
    const problem = snapshotNamePartProblem(name) ?? (dsProblem ? null : snapshotNameProblem(`${data.dataset}@${name}`));
    if (problem) v.add(`${attr}.name`, `Invalid snapshot name: ${problem}`);
  }
  for (const [key, value] of Object.entries(data.properties)) {
    const problem = userPropertyNameProblem(key) ?? userPropertyValueProblem(value);
    if (problem) v.add(`${attr}.properties.${key}`, problem);
  }
  v.check();
  return name ?? '';
}

/** A snapshot's id argument. */
const SnapshotId = boundedString(MAX_NAME).describe('Snapshot name, dataset@name');

/** The snapshot methods; `timeZone` names snapshots from a naming schema. */
export function snapshotMethods(ctx: PluginContext, timeZone: string) {
  const zfs = () => ctx.services.get('zfs');
  const hooks = () => ctx.services.get('snapshotHooks');

  const [query, getInstance] = queryMethods({
    namespace: 'pool.snapshot',
    verboseName: 'Snapshot',
    roles: READ,
    entry: SnapshotEntry,
    id: SnapshotId,
    description: 'Lists ZFS snapshots with their user properties (filter on dataset to list one dataset only).',
    list: async () => (await zfs().listSnapshots()).map(snapshotEntry),
  });
  // Push a `dataset`/`id` equality down to `zfs get` so one dataset does not list every snapshot.
  const baseQuery = query.handler.bind(query);
  const fastQuery = {
    ...query,
    async handler(call: CallContext, filters: Parameters<typeof query.handler>[1], options: Parameters<typeof query.handler>[2]) {
      const dataset = datasetFromFilters(filters);
      if (dataset === undefined) return baseQuery(call, filters, options);
      let list: ZfsSnapshot[];
      try {
        list = await zfs().listSnapshots({ dataset });
      } catch (err) {
        if ((err as { errno?: number }).errno === Errno.ENOENT) list = [];
        else throw err;
      }
      return queryList(list.map(snapshotEntry), filters, options) as Awaited<ReturnType<typeof query.handler>>;
    },
  };

  /** Takes the snapshot; `sync` is its VMware coordination when `vmware_sync`, else null. */
  async function createNow(data: SnapshotCreateT, name: string, call: CallContext): Promise<{ entry: SnapshotEntryT; sync: VmwareSyncOutcomeT | null }> {
    const result = await takeSnapshot(
      { zfs: zfs(), hooks: hooks() },
      {
        dataset: data.dataset,
        name,
        recursive: data.recursive,
        exclude: data.exclude,
        properties: data.properties,
        vmwareSync: data.vmware_sync,
        source: 'manual',
        taskId: null,
        job: call.job,
        signal: call.signal,
      },
    );
    for (const line of result.coordinated?.messages ?? []) call.job?.log(line);
    if (result.coordinatorError) {
      call.job?.log(result.coordinatorError);
      ctx.log.warn({ snapshot: `${data.dataset}@${name}` }, result.coordinatorError);
    }
    const snaps = await zfs().listSnapshots({ dataset: data.dataset });
    const made = snaps.find((s) => s.snapshotName === name);
    if (!made) throw new Error(`snapshot ${data.dataset}@${name} vanished right after it was taken`);
    return { entry: snapshotEntry(made), sync: data.vmware_sync ? syncOutcome(result) : null };
  }

  const writes = crudWrites({ namespace: 'pool.snapshot', roles: WRITE, entry: SnapshotEntry, id: SnapshotId });

  const createCoordinated = writes.action({
    verb: 'create_coordinated',
    description: 'Takes a VM-consistent snapshot (pool.snapshot.create with vmware_sync) as a job; returns the snapshot and its VMware coordination with the per-VM report.',
    arg: 'snapshot_create',
    schema: SnapshotCreate,
    result: CoordinatedSnapshot,
    private: true,
    job: { lock: ([data]) => `pool.snapshot.create:${data.dataset}`, abortable: true },
    async handler(call, data) {
      const name = validateSnapshotCreate('snapshot_create', data, timeZone, Date.now());
      // Before any VMware snapshot: an existing name would only fail after every VM was snapshotted.
      const full = `${data.dataset}@${name}`;
      if (data.vmware_sync && (await snapshotExists(zfs(), full))) throw new CallError(`cannot create snapshot '${full}': dataset already exists`, Errno.EEXIST);
      const { entry, sync } = await createNow(data, name, call);
      return { snapshot: entry, vmware_sync: sync };
    },
  });

  const create = writes.create({
    description: 'Takes a snapshot of a dataset, named by `name` or by `naming_schema` (local time). With vmware_sync the VMs on the datastores it backs are snapshotted first (a job).',
    arg: 'snapshot_create',
    schema: SnapshotCreate,
    async handler(call, data) {
      const name = validateSnapshotCreate('snapshot_create', data, timeZone, Date.now());
      if (!data.vmware_sync) return (await createNow(data, name, call)).entry;
      const job = await ctx.jobs.start(createCoordinated, { ...data, name, naming_schema: undefined });
      return (await job.result).snapshot;
    },
  });

  const del = writes.deleteWithOptions({
    description: 'Destroys snapshot `id` (dataset@name); returns true.',
    options: SnapshotDeleteOptions.prefault({}),
    async handler(_call, id, options) {
      const problem = snapshotNameProblem(id);
      if (problem) new ValidationErrors().add('id', problem).check();
      await zfs().destroySnapshot(id, { recursive: options.recursive, defer: options.defer });
      ctx.log.info({ snapshot: id, dataset: splitSnapshotName(id).dataset }, 'snapshot destroyed');
    },
  });

  return [fastQuery, getInstance, create, createCoordinated, del] as const;
}
