/**
 * `pool.dataset.query` entries, shaped like TrueNAS's (`id` = name, size properties as
 * `{parsed, rawvalue, value, source}`, `children` nested entries).
 */
import { z } from 'zod';

/** A numeric ZFS property as TrueNAS returns it. */
export const SizeProperty = z
  .strictObject({
    parsed: z.number().describe('Bytes'),
    rawvalue: z.string().describe('Bytes as a string, as `zfs get -p` prints it'),
    value: z.string().describe('Human form, as `zfs list` prints it (e.g. "90.3M")'),
    source: z.literal('NONE').describe('Where the value comes from (read-only properties: NONE)'),
  })
  .describe('A size property');

/** Dataset types. */
export const DatasetType = z.enum(['FILESYSTEM', 'VOLUME']).describe('FILESYSTEM or VOLUME (zvol)');

/** One dataset (children nest the same shape). */
export interface DatasetEntry {
  id: string;
  name: string;
  pool: string;
  type: 'FILESYSTEM' | 'VOLUME';
  mountpoint: string | null;
  used: z.infer<typeof SizeProperty>;
  available: z.infer<typeof SizeProperty>;
  referenced: z.infer<typeof SizeProperty>;
  children: DatasetEntry[];
}

/** zod schema of {@link DatasetEntry} (recursive through `children`). */
export const DatasetEntrySchema: z.ZodType<DatasetEntry> = z.lazy(() =>
  z
    .strictObject({
      id: z.string().describe('The dataset name'),
      name: z.string().describe('Full dataset name, e.g. tank/vms'),
      pool: z.string().describe('The pool it lives in'),
      type: DatasetType,
      mountpoint: z.string().nullable().describe('Mount path; null for volumes and mountpoint=none'),
      used: SizeProperty.describe('Space used by the dataset, its snapshots and descendants'),
      available: SizeProperty.describe('Space available to the dataset'),
      referenced: SizeProperty.describe('Data reachable from the dataset itself'),
      children: z.array(DatasetEntrySchema).describe('Child datasets (same shape)'),
    })
    .describe('A ZFS filesystem or volume'),
);
