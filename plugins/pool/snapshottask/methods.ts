/**
 * `pool.snapshottask.query/get_instance/create/update/delete/run`. Create/update validate like
 * TrueNAS (attributes `periodic_snapshot_create.*` / `periodic_snapshot_update.*`; update checks
 * the merged task), then `onChange` rebuilds the scheduler. `run` is a job, locked per task.
 */
import { z } from 'zod';
import type { PluginContext } from '../../../daemon/plugin.js';
import { crudWrites, definedOnly, queryMethods } from '../../../daemon/query/index.js';
import { runTask, type RunDeps } from './run.js';
import { TaskCreate, TaskEntry, TaskRunResult, TaskUpdate, type TaskData, type TaskRow } from './schemas.js';
import { TASK_VERBOSE_NAME, type TaskStore } from './store.js';
import { checkVmwareOptions, validateTask } from './validate.js';

const READ = ['SNAPSHOT_TASK_READ'] as const;
const WRITE = ['SNAPSHOT_TASK_WRITE'] as const;

/** The task's data fields (no id/state). */
function dataOf(row: TaskRow): TaskData {
  const { id: _id, state: _state, ...data } = row;
  return data;
}

/** A task's id argument. */
const TaskId = z.number().int().describe('Task id');

/** The snapshot task methods. `onChange` runs after every create/update/delete. */
export function snapshotTaskMethods(ctx: PluginContext, store: TaskStore, runDeps: () => RunDeps, onChange: () => void) {
  const choices = async (): Promise<string[]> => (await ctx.services.get('zfs').listDatasets()).map((d) => d.name);

  /** Validates `data` (errors under `attr`), then stores it with `write` and rebuilds the scheduler. */
  async function save(attr: string, data: TaskData, write: () => Promise<TaskRow>) {
    const errors = validateTask(attr, data, await choices());
    await checkVmwareOptions(attr, data, runDeps().hooks.coordinator(), errors);
    errors.check();
    const row = await write();
    onChange();
    return store.entry(row);
  }

  const [query, getInstance] = queryMethods({
    namespace: 'pool.snapshottask',
    verboseName: TASK_VERBOSE_NAME,
    roles: READ,
    entry: TaskEntry,
    description: 'Lists periodic snapshot tasks with their state (TrueNAS filters and options).',
    list: () => store.all().map((r) => store.entry(r)),
  });

  const writes = crudWrites({ namespace: 'pool.snapshottask', roles: WRITE, entry: TaskEntry, id: TaskId });

  const create = writes.create({
    description: 'Creates a periodic snapshot task (TrueNAS fields and defaults; vmware_sync makes its snapshots VM-consistent).',
    arg: 'periodic_snapshot_create',
    schema: TaskCreate,
    handler: (_call, data) => save('periodic_snapshot_create', data, () => store.insert(data)),
  });

  const update = writes.update({
    description: 'Changes fields of task `id` (a partial schedule is merged into the current one); the merged task is validated as on create.',
    arg: 'periodic_snapshot_update',
    schema: TaskUpdate,
    async handler(_call, id, patch) {
      const old = store.get(id);
      const { schedule, fixate_removal_date: _fixate, ...rest } = patch;
      const merged: TaskData = { ...dataOf(old), ...definedOnly(rest), schedule: { ...old.schedule, ...definedOnly(schedule ?? {}) } };
      return save('periodic_snapshot_update', merged, () => store.update(id, merged));
    },
  });

  const del = writes.deleteWithOptions({
    description: 'Deletes task `id` (its snapshots stay); returns true.',
    options: z.strictObject({ fixate_removal_date: z.boolean().default(false).describe('Accepted for TrueNAS compatibility; no effect') }).prefault({}),
    async handler(_call, id) {
      store.get(id);
      await store.remove(id);
      onChange();
    },
  });

  const run = writes.action({
    verb: 'run',
    description: 'Runs task `id` now exactly as on schedule (VMware coordination, empty check, retention). Returns null for a task without vmware_sync (as TrueNAS), else the snapshot and its VMware coordination with the per-VM report. Fails with "Task is not enabled" for a disabled task and "Snapshot <ds>@<name> already existed…" when this minute\'s snapshot exists.',
    arg: 'id',
    schema: TaskId,
    result: TaskRunResult,
    job: { lock: ([id]) => `pool.snapshottask.run:${id}`, abortable: true },
    // In-process (INTERNAL) calls come from the scheduler: the run history records them as periodic,
    // and the snapshot is named by the tick's instant (deps.ticks), not by when the job started.
    handler(call, id) {
      const deps = runDeps();
      const scheduled = call.credentials.type === 'INTERNAL';
      const scheduledAt = scheduled ? deps.ticks.get(id) : undefined;
      deps.ticks.delete(id);
      return runTask(deps, id, { job: call.job, signal: call.signal, scheduled, ...(scheduledAt !== undefined ? { scheduledAt } : {}) });
    },
  });

  return { query, getInstance, create, update, delete: del, run };
}
