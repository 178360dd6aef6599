/**
 * The `vmware` plugin: VMware credentials (TrueNAS `vmware.*`), their connection health, and the
 * datastore ↔ dataset matching. Method declarations only; the work is in the files next to it:
 *
 * | file | concern |
 * |---|---|
 * | schemas.ts | entry, inputs and results |
 * | store.ts | the `vmware` collection (password encrypted at rest), entry rendering |
 * | entries-service.ts | the `vmwareEntries` service for the coordinator (plugins/vmware/sync) |
 * | connect.ts, errors.ts, alerts.ts | sessions, error classes, VMWareLoginFailed |
 *
 * The coordinator (plugins/vmware/sync, `vmware.plan`, `vmware.sweep`, snapshot phases) registers
 * its methods and hooks through this file too; see the "coordinator" block below.
 */
import { z } from 'zod';
import type { Plugin } from '../../daemon/plugin.js';
import { queryMethods } from '../../daemon/query/index.js';
import { defineMethod } from '../../daemon/registry/method.js';
import { VMWARE_LOGIN_FAILED_CLASS } from './alerts.js';
import { VmwareConfigSchema } from './config.js';
import { VmwareEntries } from './entries-service.js';
import { VmwareEntry } from './schemas.js';
import { openVmwareStore, toEntry, VMWARE_EVENT, VMWARE_VERBOSE_NAME } from './store.js';

/** Roles (TrueNAS `role_prefix = SNAPSHOT_TASK`; helpers need READONLY_ADMIN). */
export const ROLES = {
  read: ['SNAPSHOT_TASK_READ'],
  write: ['SNAPSHOT_TASK_WRITE'],
  helper: ['READONLY_ADMIN'],
} as const;

/** The vmware plugin. */
export const vmwarePlugin: Plugin = {
  name: 'vmware',
  async setup(ctx) {
    const config = ctx.config('vmware', VmwareConfigSchema);
    const store = openVmwareStore(ctx.db);
    const entries = new VmwareEntries({ store, events: ctx.events, alerts: ctx.alerts, config, log: ctx.log });
    ctx.services.provide('vmwareEntries', entries);
    ctx.alerts.defineClass(VMWARE_LOGIN_FAILED_CLASS);
    ctx.events.define(VMWARE_EVENT, { description: 'VMware entries added, changed (including state and health) or removed', roles: ROLES.read });

    const [query, getInstance] = queryMethods({
      namespace: 'vmware',
      verboseName: VMWARE_VERBOSE_NAME,
      roles: ROLES.read,
      entry: VmwareEntry,
      description: 'Lists VMware entries (TrueNAS filters and options). The password always reads "********".',
      list: () => store.all().map((r) => toEntry(r, config.poll_interval_seconds)),
    });

    const datasetHasVms = defineMethod({
      name: 'vmware.dataset_has_vms',
      description:
        'True when an enabled VMware entry covers `dataset`: its filesystem is the dataset or, with `recursive`, below it ' +
        '(TrueNAS semantics; configuration only, vSphere is not contacted).',
      args: [
        { name: 'dataset', schema: z.string().min(1).describe('Dataset name, e.g. tank/vmware') },
        { name: 'recursive', schema: z.boolean().default(false).describe('Also count entries on descendants of the dataset') },
      ] as const,
      result: z.boolean(),
      roles: ROLES.helper,
      handler: (_call, dataset, recursive) => entries.forDataset(dataset, recursive).length > 0,
    });

    ctx.registerMethods([query, getInstance, datasetHasVms]);

    // ── coordinator (plugins/vmware/sync, owned by the coordinator's author) ──────────────────────
    // Wired here once plugins/vmware/sync/index.ts exports `syncMethods(ctx)` / `syncHooks(ctx)`.

    return {};
  },
};
