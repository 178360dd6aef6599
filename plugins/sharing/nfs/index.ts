/**
 * The `sharing.nfs` plugin: NFS shares of ZFS datasets, TrueNAS's `sharing.nfs.*` API.
 *
 * A share is stored in the `sharing.nfs` collection, validated by validate.ts, and rendered into an
 * exports file (config `nfs.exports_path`, default /etc/exports.d/vsnapd.exports) that the kernel
 * NFS server loads with `exportfs -ra` (config `nfs.exportfs_path`). Changes are applied file-first:
 * the new file is written before the datastore changes, so a file that cannot be written leaves the
 * share unchanged and fails the call; a missing or failing NFS server does not fail it (see
 * exports-manager.ts: `sharing.nfs.exports_status` and the `NFSExportsNotServed` alert report it).
 * Deleting a share removes its export only; the dataset and its files are never touched.
 */
import { z } from 'zod';
import { CallError, errnoFromCode, InstanceNotFound } from '../../../daemon/errors.js';
import { describeFsError } from '../../../daemon/fs-error.js';
import type { Plugin, PluginContext } from '../../../daemon/plugin.js';
import { crudWrites, definedOnly, publishCrud, queryMethods } from '../../../daemon/query/index.js';
import { defineMethod } from '../../../daemon/registry/method.js';
import { systemAccounts } from './accounts.js';
import { ExportsManager, NFS_EXPORTS_NOT_SERVED, NFS_SHARE_NOT_EXPORTED } from './exports-manager.js';
import type { TableShare } from './exports-table.js';
import { NfsExportsStatus, NfsShareCreate, NfsShareEntry, NfsShareUpdate, type NfsShare, type NfsShareData } from './schemas.js';
import { nfsExportsService } from './service.js';
import type { DatasetMount } from './share-path.js';
import { validateShare } from './validate.js';

/** The plugin's config section `nfs`. */
export const NfsConfig = z
  .strictObject({
    exports_path: z
      .string()
      .startsWith('/', 'must be an absolute path')
      .regex(/\.exports$/, 'must end in .exports (the NFS server reads only /etc/exports.d/*.exports)')
      .default('/etc/exports.d/vsnapd.exports')
      .describe('Exports file vsnapd owns and rewrites'),
    exportfs_path: z.string().min(1).default('exportfs').describe('exportfs binary: a name searched in PATH and the sbin folders, or an absolute path'),
  })
  .describe('NFS sharing');

const READ = ['SHARING_NFS_READ'] as const;
const WRITE = ['SHARING_NFS_WRITE'] as const;
const EVENT = 'sharing.nfs.query';

/** Runs `fn` after every earlier call has settled: one share change (validate + write + store) at a time. */
function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Mounted-filesystem view of ZFS for path validation. */
async function zfsMounts(ctx: PluginContext): Promise<DatasetMount[]> {
  const datasets = await ctx.services.get('zfs').listDatasets();
  return datasets
    .filter((d) => d.type === 'FILESYSTEM' && d.mountpoint !== null && d.mountpoint.startsWith('/'))
    .map((d) => ({ name: d.name, mountpoint: d.mountpoint! }));
}

/** The sharing.nfs plugin. */
export const sharingNfsPlugin: Plugin = {
  name: 'sharing.nfs',
  configSections: { nfs: NfsConfig },
  async setup(ctx) {
    const config = ctx.config('nfs', NfsConfig);
    const shares = ctx.db.collection<NfsShare>({ name: 'sharing.nfs' });
    const accounts = systemAccounts();
    const exports = new ExportsManager({
      exportsPath: config.exports_path,
      exportfsPath: config.exportfs_path,
      accounts,
      alerts: ctx.alerts,
      log: ctx.log,
    });
    const serial = serializer();
    ctx.alerts.defineClass(NFS_EXPORTS_NOT_SERVED);
    ctx.alerts.defineClass(NFS_SHARE_NOT_EXPORTED);
    ctx.events.define(EVENT, { description: 'NFS shares added, changed or removed', roles: READ });

    /** Writes the file for `next`, then runs `store`; a failed write fails the call with nothing changed. */
    const apply = async <T>(next: readonly TableShare[], store: () => Promise<T>): Promise<T> => {
      let pending;
      try {
        pending = await exports.write(next);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new CallError(describeFsError(e, 'Cannot write the NFS exports file', config.exports_path), errnoFromCode(e.code));
      }
      let result: T;
      try {
        result = await store();
      } catch (err) {
        // Put the file back in line with the datastore before reporting the failure.
        await exports.write(shares.all()).catch(() => undefined);
        throw err;
      }
      await exports.reload(pending);
      return result;
    };

    const getShare = (id: number): NfsShare => {
      const share = shares.get(id);
      if (!share) throw new InstanceNotFound('NFS Share', id);
      return share;
    };

    /** Validates, writes the exports file, stores and publishes one new share (the API's and the service's create). */
    const createShare = (input: NfsShareData): Promise<NfsShare> =>
      serial(async () => {
        const { data } = await validateShare('sharingnfs_create', input, { accounts, datasets: () => zfsMounts(ctx), otherShares: shares.all() });
        const row = await apply([...shares.all(), { ...data, id: 0 }], () => shares.insert(data));
        publishCrud(ctx.events, EVENT, 'added', row.id, row);
        return row;
      });

    /** Removes share `id` from the exports file and the datastore (the API's and the service's delete). */
    const deleteShare = (id: number): Promise<true> =>
      serial(async () => {
        getShare(id);
        await apply(shares.all().filter((s) => s.id !== id), () => shares.delete(id));
        publishCrud(ctx.events, EVENT, 'removed', id);
        return true as const;
      });

    const [query, getInstance] = queryMethods({
      namespace: 'sharing.nfs',
      verboseName: 'NFS Share',
      roles: READ,
      entry: NfsShareEntry,
      description: 'Lists NFS shares (TrueNAS filters and options).',
      list: () => shares.all(),
    });

    const writes = crudWrites({ namespace: 'sharing.nfs', roles: WRITE, entry: NfsShareEntry, id: z.number().int().describe('NFS share id') });

    const create = writes.create({
      description: 'Creates an NFS share of a dataset mountpoint (or a folder inside one) and reloads the NFS server.',
      arg: 'sharingnfs_create',
      schema: NfsShareCreate,
      handler: (_call, input) => createShare(input),
    });

    const update = writes.update({
      description: 'Changes fields of NFS share `id` (omitted fields keep their value) and reloads the NFS server.',
      arg: 'sharingnfs_update',
      schema: NfsShareUpdate,
      handler: (_call, id, patch) =>
        serial(async () => {
          const old = getShare(id);
          const { id: _id, ...oldData } = old;
          const merged: NfsShareData = { ...oldData, ...definedOnly(patch) };
          const others = shares.all().filter((s) => s.id !== id);
          const { data } = await validateShare('sharingnfs_update', merged, { accounts, datasets: () => zfsMounts(ctx), otherShares: others });
          const next = shares.all().map((s) => (s.id === id ? { ...data, id } : s));
          const row = await apply(next, () => shares.update(id, data));
          publishCrud(ctx.events, EVENT, 'changed', id, row);
          return row;
        }),
    });

    const remove = writes.delete({
      description: 'Deletes NFS share `id` and reloads the NFS server. The dataset and its files are not touched.',
      handler: (_call, id) => deleteShare(id),
    });

    const exportsStatus = defineMethod({
      name: 'sharing.nfs.exports_status',
      description: 'Reports the generated exports file and the last NFS server reload (RELOADED, NOT_INSTALLED, FAILED).',
      args: [] as const,
      result: NfsExportsStatus,
      roles: READ,
      handler: () => exports.status(),
    });

    ctx.services.provide('nfsExports', nfsExportsService(() => shares.all(), { create: (input) => createShare(NfsShareCreate.parse(input)), remove: deleteShare }));
    ctx.registerMethods([query, getInstance, create, update, remove, exportsStatus]);

    return {
      // Bring the file in line with the datastore (it may have been edited or removed while the
      // daemon was down). With no shares and no file this touches nothing.
      start: () =>
        serial(async () => {
          try {
            await exports.reload(await exports.write(shares.all()));
          } catch (err) {
            ctx.log.error({ err }, `cannot write NFS exports file ${config.exports_path}`);
          }
        }),
    };
  },
};
