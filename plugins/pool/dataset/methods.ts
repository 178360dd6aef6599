/**
 * `pool.dataset.query` and `pool.filesystem_choices`: the datasets ZFS has, read through the adapter
 * on every call (ZFS is the source of truth; nothing is cached).
 */
import { z } from 'zod';
import type { PluginContext } from '../../../daemon/plugin.js';
import { queryMethods } from '../../../daemon/query/index.js';
import { defineMethod } from '../../../daemon/registry/method.js';
import type { ZfsDataset } from '../zfs/adapter.js';
import { formatSize } from '../zfs/parse.js';
import { DatasetEntrySchema, DatasetType, type DatasetEntry } from './schemas.js';
import { boundedString, MAX_NAME } from '../../../daemon/registry/bounds.js';

const READ = ['DATASET_READ'] as const;

function size(bytes: number): DatasetEntry['used'] {
  return { parsed: bytes, rawvalue: String(bytes), value: formatSize(bytes), source: 'NONE' };
}

/** Builds entries with nested children from the adapter's flat list. */
export function datasetEntries(list: readonly ZfsDataset[]): DatasetEntry[] {
  const byName = new Map(list.map((d) => [d.name, d]));
  const build = (d: ZfsDataset): DatasetEntry => ({
    id: d.name,
    name: d.name,
    pool: d.pool,
    type: d.type,
    mountpoint: d.mountpoint,
    used: size(d.used),
    available: size(d.available),
    referenced: size(d.referenced),
    children: d.children.flatMap((c) => {
      const child = byName.get(c);
      return child ? [build(child)] : [];
    }),
  });
  return list.map(build);
}

/** The dataset methods. */
export function datasetMethods(ctx: PluginContext) {
  const zfs = () => ctx.services.get('zfs');
  const [query, getInstance] = queryMethods({
    namespace: 'pool.dataset',
    verboseName: 'Dataset',
    roles: READ,
    entry: DatasetEntrySchema,
    id: boundedString(MAX_NAME).describe('Dataset name'),
    description: 'Lists ZFS filesystems and volumes (every dataset appears at the top level; children also nest).',
    list: async () => datasetEntries(await zfs().listDatasets()),
  });

  const filesystemChoices = defineMethod({
    name: 'pool.filesystem_choices',
    description: 'Names of the datasets of the given types, sorted (what `dataset` fields accept).',
    args: [
      {
        name: 'types',
        schema: z.array(DatasetType).default(['FILESYSTEM', 'VOLUME']).describe('Dataset types to list'),
      },
    ] as const,
    result: z.array(z.string()),
    roles: READ,
    async handler(_call, types) {
      const list = await zfs().listDatasets();
      return list.filter((d) => types.includes(d.type)).map((d) => d.name).sort();
    },
  });
  return [query, getInstance, filesystemChoices] as const;
}
