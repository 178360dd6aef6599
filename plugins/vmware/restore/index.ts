/**
 * Instant VM restore from a VM-consistent snapshot (set up by the vmware plugin, like the
 * coordinator): `vmware.plan_restore` (dry run), `vmware.restore` and `vmware.restore_cleanup`
 * (jobs), `vmware.restore.query` / `get_instance` (what each restore created; event
 * `vmware.restore.query`).
 *
 * | file | concern |
 * |---|---|
 * | schemas.ts | input, record, plan |
 * | runs.ts | the run record's VMs and .vmx paths; the search of the clone's files (fallback) |
 * | plan.ts | names, host, datastore, conflicts (read only; names other restores hold included) |
 * | store.ts, record.ts | the `vmware.restores` collection, a record written before each step |
 * | restore.ts, cleanup.ts | the steps, and their undoing in reverse order |
 * | owned.ts | which existing objects are provably a restore's own (what cleanup may remove) |
 * | alert.ts | the VMWareRestoreFailed alert |
 *
 * Start-up recovery: a record left RESTORING or CLEANING by another process (the daemon was killed
 * half-way; "another" by pid, boot id and start time, so a restarted container's daemon with the
 * same pid is another process) becomes FAILED with what exists listed, ready for
 * `vmware.restore_cleanup`. A FAILED restore raises `VMWareRestoreFailed` until its cleanup
 * completes (alert.ts).
 */
import { z } from 'zod';
import type { PluginContext } from '../../../daemon/plugin.js';
import { queryMethods } from '../../../daemon/query/index.js';
import { defineMethod, type AnyMethodDef } from '../../../daemon/registry/method.js';
import { ValidationErrors } from '../../../daemon/errors.js';
import { currentProcess } from '../../../daemon/process-identity.js';
import { toWireDate } from '../../../daemon/wire/date.js';
import type {} from '../../pool/services.js';
import type {} from '../../sharing/nfs/service.js';
import type { VmwareEntriesService } from '../entries-service.js';
import { syncRestoreAlert, VMWARE_RESTORE_FAILED_CLASS } from './alert.js';
import { cleanupRestore } from './cleanup.js';
import { newRestoreId, planRestore } from './plan.js';
import { runRestore, type RestoreDeps } from './restore.js';
import type { RunLookup } from './runs.js';
import { RestoreEntry, RestoreInput, RestorePlan } from './schemas.js';
import { openRestoreStore, RESTORE_EVENT, writtenByThisProcess } from './store.js';

export type { RunLookup, RunView, RunVmView } from './runs.js';

/** What the restore needs from the vmware plugin. */
export interface RestoreSetupDeps {
  entries: VmwareEntriesService;
  /** The run history (`vmware.run.get_instance`: plugins/vmware/history). */
  runs: RunLookup;
}

const RestoreId = z.string().max(8).regex(/^[0-9a-f]{8}$/, 'must be a restore id as vmware.restore.query lists it (8 hex digits)').describe('Restore id');

/** Declares the restore methods and the start-up recovery. Call once, in the vmware plugin's setup. */
export function setupRestore(ctx: PluginContext, s: RestoreSetupDeps): { methods: AnyMethodDef[]; start(): Promise<void> } {
  const store = openRestoreStore(ctx.db);
  const running = new Set<string>();
  ctx.alerts.defineClass(VMWARE_RESTORE_FAILED_CLASS);
  ctx.events.define(RESTORE_EVENT, { description: 'Instant restores started, progressing, failed or cleaned up', roles: ['SNAPSHOT_TASK_READ'] });
  const deps = (): RestoreDeps => ({
    zfs: ctx.services.get('zfs'),
    nfs: ctx.services.get('nfsExports'),
    entries: s.entries,
    runs: s.runs,
    store,
    events: ctx.events,
  });
  const connect = s.entries.connect.bind(s.entries);

  const [query, getInstance] = queryMethods({
    namespace: 'vmware.restore',
    verboseName: 'Restore',
    roles: ['SNAPSHOT_TASK_READ'],
    entry: RestoreEntry,
    id: RestoreId,
    description: 'Lists instant restores that exist (READY), failed half-way (FAILED, with what exists) or are running, with everything each created.',
    list: () => store.all().map((r) => r.entry),
  });

  const plan = defineMethod({
    name: 'vmware.plan_restore',
    description:
      'Dry run of vmware.restore: the clone, share, datastore and VM names it would create, on which host, and every conflict that would make it refuse. ' +
      'Reads ZFS, the run record and vCenter; changes nothing.',
    args: [{ name: 'restore', schema: RestoreInput }] as const,
    result: RestorePlan,
    roles: ['SNAPSHOT_TASK_READ'],
    handler: async (_call, input) => (await planRestore(deps(), input, newRestoreId(store), connect)).plan,
  });

  const restore = defineMethod({
    name: 'vmware.restore',
    description:
      'Restores VMs of a VM-consistent snapshot next to the originals: clones the snapshot, exports the clone over NFS to one ESXi host, mounts it there as a new ' +
      'datastore, registers each VM from its .vmx under a new name with its network disconnected (unless connect_network) and optionally powers it on. ' +
      'Refuses (all conflicts at once) anything that would reuse or touch an existing dataset, share, datastore or VM. A job; the result is the restore record.',
    args: [{ name: 'restore', schema: RestoreInput }] as const,
    result: RestoreEntry,
    roles: ['SNAPSHOT_TASK_WRITE'],
    job: { lock: () => 'vmware.restore' },
    async handler(call, input) {
      const id = newRestoreId(store);
      const { plan: p, resolved } = await planRestore(deps(), input, id, connect);
      if (!resolved) {
        const errors = new ValidationErrors();
        for (const c of p.conflicts) {
          const [field, ...rest] = c.split(': ');
          errors.add(`restore.${field}`, rest.join(': '));
        }
        errors.check();
        throw new Error('the restore plan has no conflict but could not be resolved');
      }
      running.add(id);
      try {
        const entry = await runRestore(deps(), resolved, input, call.job);
        await syncRestoreAlert(ctx.alerts, entry);
        return entry;
      } finally {
        running.delete(id);
      }
    },
  });

  const cleanup = defineMethod({
    name: 'vmware.restore_cleanup',
    description:
      'Removes what restore `id` created, in reverse order: powers off and unregisters its VMs, unmounts its datastore, deletes its share, destroys its clone. ' +
      'Only objects that are provably the restore\'s own (recorded morefs and share id, the share\'s comment mark, the clone\'s vsnapd:restore property), never by name alone; ' +
      'what vCenter or ZFS reports as not existing counts as removed, any other failure keeps the record FAILED. A job; the result is the record (CLEANED, or FAILED with what is left).',
    args: [{ name: 'id', schema: RestoreId }] as const,
    result: RestoreEntry,
    roles: ['SNAPSHOT_TASK_WRITE'],
    job: { lock: (id) => `vmware.restore_cleanup.${String(id)}` },
    async handler(call, id) {
      const entry = await cleanupRestore(deps(), id, call.job, running);
      await syncRestoreAlert(ctx.alerts, entry);
      return entry;
    },
  });

  return {
    methods: [query, getInstance, plan, restore, cleanup],
    async start() {
      for (const row of store.all()) {
        if ((row.entry.state !== 'RESTORING' && row.entry.state !== 'CLEANING') || writtenByThisProcess(row)) continue;
        const entry = {
          ...row.entry,
          state: 'FAILED' as const,
          error: `the daemon stopped while this restore was ${row.entry.state === 'RESTORING' ? 'running' : 'being cleaned up'} (pid ${row.pid}); what may exist is listed: run vmware.restore_cleanup`,
          ended_at: row.entry.ended_at ?? toWireDate(Date.now()),
        };
        await store.update(row.id, { entry, pid: process.pid, process: currentProcess() });
        await syncRestoreAlert(ctx.alerts, entry);
        ctx.log.warn({ restore: row.entry.id }, 'half-done restore found at start-up; listed for vmware.restore_cleanup');
      }
    },
  };
}
