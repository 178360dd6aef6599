/**
 * `vmware.run.query` / `vmware.run.get_instance` (the run history, shared query engine) and
 * `vmware.protection_status` (query-style: filters and options like every `*.query`). Read roles of
 * the vmware namespace (TrueNAS `role_prefix = SNAPSHOT_TASK`).
 */
import { z } from 'zod';
import { QueryFilters, QueryOptions, queryList, queryMethods } from '../../../daemon/query/index.js';
import { defineMethod } from '../../../daemon/registry/method.js';
import { ProtectionEntry, RunEntry } from './schema.js';
import type { RunHistory } from './store.js';

const READ = ['SNAPSHOT_TASK_READ'] as const;

/** The three methods over a history. */
export function historyMethods(history: RunHistory) {
  const [query, getInstance] = queryMethods({
    namespace: 'vmware.run',
    verboseName: 'VMware run',
    roles: READ,
    entry: RunEntry,
    id: z
      .string()
      .max(32)
      .regex(/^[0-9a-z]{6,32}$/, 'must be a run id as in the vsnapd:run property (lower-case letters and digits)')
      .describe("Run id, as in the ZFS snapshot's vsnapd:run property"),
    description:
      'Lists the records of coordinated snapshot runs (periodic tasks, pool.snapshottask.run, pool.snapshot.create with vmware_sync), ' +
      'oldest first, with per-entry status and per-VM rows. `id` is the run id the snapshot carries in vsnapd:run.',
    list: () => history.list(),
  });
  const protection = defineMethod({
    name: 'vmware.protection_status',
    description:
      'Per VM: the last VM-consistent ZFS snapshot (time, dataset@snapshot, kind) and the outcome of its last run with the reason. ' +
      'Filters and options as every *.query.',
    args: [
      { name: 'filters', schema: QueryFilters.default([]) },
      { name: 'options', schema: QueryOptions.prefault({}) },
    ] as const,
    result: z.union([z.array(ProtectionEntry), ProtectionEntry, z.number().int().min(0), z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
    roles: READ,
    handler: (_call, filters, options) => queryList(history.protection(), filters, options) as z.input<typeof ProtectionEntry>[],
  });
  return [query, getInstance, protection] as const;
}
