/**
 * `vmware.run.query` / `vmware.run.get_instance` (the run history, shared query engine) and
 * `vmware.protection_status` (query-style: filters and options like every `*.query`). Read roles of
 * the vmware namespace (TrueNAS `role_prefix = SNAPSHOT_TASK`).
 */
import { z } from 'zod';
import { QueryFilters, QueryOptions, queryList, queryMethods } from '../../../daemon/query/index.js';
import { defineMethod } from '../../../daemon/registry/method.js';
import { withCoverage, type CoverageEntry, type CoverageTask } from './coverage.js';
import { ProtectionStatus, RunEntry } from './schema.js';
import type { RunHistory } from './store.js';

const READ = ['SNAPSHOT_TASK_READ'] as const;

/** What `vmware.protection_status` reads besides the history, at each call. */
export interface CoverageSources {
  /** The periodic snapshot tasks (pool's `snapshotTasks` service). */
  tasks(): readonly CoverageTask[];
  /** The vmware entries. */
  entries(): readonly CoverageEntry[];
  /** Clock (epoch ms); default Date.now. */
  now?: () => number;
}

/** The three methods over a history. */
export function historyMethods(history: RunHistory, sources: CoverageSources) {
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
      'Per VM: the last VM-consistent ZFS snapshot (time, age, dataset@snapshot, kind), the outcome of its last run with the reason, ' +
      'the periodic snapshot task that covers it with its expected interval (the longest gap of its schedule), and whether it is overdue ' +
      '(older than 2 intervals) or covered by no task. Filters and options as every *.query (e.g. [["overdue", "=", true]], order_by ["-age_ms"]).',
    args: [
      { name: 'filters', schema: QueryFilters.default([]) },
      { name: 'options', schema: QueryOptions.prefault({}) },
    ] as const,
    result: z.union([z.array(ProtectionStatus), ProtectionStatus, z.number().int().min(0), z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
    roles: READ,
    handler: (_call, filters, options) =>
      queryList(withCoverage(history.protection(), sources.tasks(), sources.entries(), (sources.now ?? Date.now)()), filters, options) as z.input<typeof ProtectionStatus>[],
  });
  return [query, getInstance, protection] as const;
}
