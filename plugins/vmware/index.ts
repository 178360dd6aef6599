/**
 * The `vmware` plugin: VMware credentials (TrueNAS `vmware.*`), their connection health, and the
 * datastore ↔ dataset matching. Method declarations only; the work is in the files next to it:
 *
 * | file | concern |
 * |---|---|
 * | schemas.ts, config.ts | entry, inputs, results; the `vmware` config section |
 * | store.ts | the `vmware` collection (password encrypted at rest), entry rendering |
 * | crud.ts, validate.ts, targets.ts | create/update/delete, their validation, call targets |
 * | entries-service.ts | the `vmwareEntries` service for the coordinator (plugins/vmware/sync) |
 * | poller.ts, summary.ts | background health checks |
 * | test-connection.ts, match/, vms.ts, inventory-export.ts | the helper methods |
 * | connect.ts, server-read.ts, errors.ts, alerts.ts, resolve.ts | sessions, errors, VMWareLoginFailed, DNS |
 *
 * The coordinator (plugins/vmware/sync: `vmware.plan`, `vmware.sweep`, pool's snapshot hook) is set
 * up here too (`setupSync`), with the `vmwareEntries` service and the `vmware.sync` config.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Plugin } from '../../daemon/plugin.js';
import { crudWrites, queryMethods } from '../../daemon/query/index.js';
import { defineMethod } from '../../daemon/registry/method.js';
import { VMWARE_LOGIN_FAILED_CLASS } from './alerts.js';
import { VmwareConfigSchema } from './config.js';
import { createEntry, deleteEntry, updateEntry, type CrudDeps } from './crud.js';
import { VmwareEntries } from './entries-service.js';
import { historyMethods } from './history/methods.js';
import { HISTORY_DIR, RUN_EVENT, RunHistory } from './history/store.js';
import { inventoryDocument, InventoryDocument } from './inventory-export.js';
import { daemonLocalSide, matchInventory } from './match/local.js';
import { HealthPoller } from './poller.js';
import { systemResolver } from './resolve.js';
import {
  MatchResult,
  VirtualMachineEntry,
  VmwareCreate,
  VmwareCredentials,
  VmwareEntry,
  VmwareTestDraft,
  VmwareTestOverlay,
  VmwareTestResult,
  VmwareUpdate,
} from './schemas.js';
import { readServer, readServerOrCallError, selectOrCallError } from './server-read.js';
import { openVmwareStore, toEntry, VMWARE_EVENT, VMWARE_VERBOSE_NAME } from './store.js';
import { credentialsTarget, entryTarget } from './targets.js';
import { datasetCheck } from './dataset-exists.js';
import { registerEntryHealth, registerProtection } from './metrics.js';
import { setupSync } from './sync/index.js';
import { setupRestore } from './restore/index.js';
import { testConnection } from './test-connection.js';
import { matchableDatastoreNames } from './validate.js';
import { virtualMachines } from './vms.js';
import { boundedString, MAX_NAME } from '../../daemon/registry/bounds.js';

/** Roles (TrueNAS `role_prefix = SNAPSHOT_TASK`; helpers need READONLY_ADMIN). */
export const ROLES = {
  read: ['SNAPSHOT_TASK_READ'],
  write: ['SNAPSHOT_TASK_WRITE'],
  helper: ['READONLY_ADMIN'],
} as const;

const Id = z.number().int().describe('vmware entry id');

/** The vmware plugin. */
export const vmwarePlugin: Plugin = {
  name: 'vmware',
  configSections: { vmware: VmwareConfigSchema },
  async setup(ctx) {
    const config = ctx.config('vmware', VmwareConfigSchema);
    const store = openVmwareStore(ctx.db);
    const entries = new VmwareEntries({ store, events: ctx.events, alerts: ctx.alerts, config, log: ctx.log });
    const resolve = systemResolver();
    const requireDataset = datasetCheck(ctx.services);
    const local = daemonLocalSide(ctx, config.nas_addresses, resolve);
    const poller = new HealthPoller({ entries, intervalSeconds: config.poll_interval_seconds, log: ctx.log });
    ctx.services.provide('vmwareEntries', entries);
    registerEntryHealth(ctx.services.get('metrics'), entries);
    ctx.alerts.defineClass(VMWARE_LOGIN_FAILED_CLASS);
    ctx.events.define(VMWARE_EVENT, { description: 'VMware entries added, changed (including state and health) or removed', roles: ROLES.read });
    const crud: CrudDeps = {
      store,
      events: ctx.events,
      alerts: ctx.alerts,
      validation: { resolve, local, readServer: (target, rules) => readServer(entries, target, false, rules) },
      pollIntervalSeconds: config.poll_interval_seconds,
      onChange: () => poller.sync(),
    };

    const [query, getInstance] = queryMethods({
      namespace: 'vmware',
      verboseName: VMWARE_VERBOSE_NAME,
      roles: ROLES.read,
      entry: VmwareEntry,
      description: 'Lists VMware entries (TrueNAS filters and options). The password always reads "********".',
      list: () => store.all().map((r) => toEntry(r, config.poll_interval_seconds)),
    });

    const writes = crudWrites({ namespace: 'vmware', roles: ROLES.write, entry: VmwareEntry, id: Id });

    const create = writes.create({
      description:
        'Adds VMware credentials after checking that the host resolves, the filesystem exists, the login works and the datastores exist. ' +
        'Without datastore(s), the datastores backed by filesystem (match_datastores_with_datasets) are stored.',
      arg: 'vmware_create',
      schema: VmwareCreate,
      handler: (_call, input) => createEntry(crud, input),
    });

    const update = writes.update({
      description: 'Changes fields of entry `id`; an omitted password or "********" keeps the stored one. Only changed fields are re-checked. Resets state to PENDING.',
      arg: 'vmware_update',
      schema: VmwareUpdate.prefault({}),
      handler: (_call, id, patch) => updateEntry(crud, id, patch),
    });

    const remove = writes.delete({
      description: 'Deletes entry `id` and its VMWareLoginFailed alert. vSphere and snapshot tasks are not touched.',
      handler: (_call, id) => deleteEntry(crud, id),
    });

    const test = defineMethod({
      name: 'vmware.test',
      description:
        'Tests a login: test(draft) for unsaved credentials, test(id, overlay?) for a saved entry with optional edited fields (the stored password is reused). ' +
        'Reports product, version, certificate, datastores and latency; failures are results with error {class, message}. Testing a saved entry unchanged updates its health.',
      args: [
        { name: 'vmware_test', schema: z.union([Id, VmwareTestDraft]).describe('An entry id, or draft credentials') },
        { name: 'overlay', schema: VmwareTestOverlay.optional() },
      ] as const,
      result: VmwareTestResult,
      roles: ROLES.helper,
      handler(call, what, overlay) {
        const t = typeof what === 'number' ? entryTarget(store, what, 'overlay', call.credentials, overlay) : credentialsTarget('vmware_test', what);
        return testConnection(entries, t);
      },
    });

    const getDatastores = defineMethod({
      name: 'vmware.get_datastores',
      description: 'Logs in and returns the sorted names of the NFS, NFS41 and VMFS datastores. Login, permission and licence failures are EPERM; network failures carry the socket errno.',
      args: [{ name: 'credentials', schema: VmwareCredentials }] as const,
      result: z.array(z.string()),
      roles: ROLES.helper,
      async handler(_call, creds) {
        const { target } = credentialsTarget('credentials', creds);
        return matchableDatastoreNames((await readServerOrCallError(entries, target)).inventory);
      },
    });

    const match = defineMethod({
      name: 'vmware.match_datastores_with_datasets',
      description:
        'Pairs the server\'s datastores with local datasets: NFS by remote host (an address of this NAS, a configured name, or a name resolving to one) and path ' +
        '(normalised; the deepest dataset containing it), VMFS by naa. extent. Takes credentials or an entry id.',
      args: [{ name: 'credentials', schema: z.union([Id, VmwareCredentials]).describe('An entry id, or credentials') }] as const,
      result: MatchResult,
      roles: ROLES.helper,
      async handler(call, what) {
        const { target } = typeof what === 'number' ? entryTarget(store, what, 'credentials', call.credentials) : credentialsTarget('credentials', what);
        const server = await readServerOrCallError(entries, target);
        return (await matchInventory(server.inventory, local)).result;
      },
    });

    const datasetHasVms = defineMethod({
      name: 'vmware.dataset_has_vms',
      description:
        'True when an enabled VMware entry covers `dataset`: its filesystem is the dataset or, with `recursive`, below it ' +
        '(TrueNAS semantics; configuration only, vSphere is not contacted). ENOENT when the dataset does not exist.',
      args: [
        { name: 'dataset', schema: boundedString(MAX_NAME).min(1).describe('Dataset name, e.g. tank/vmware') },
        { name: 'recursive', schema: z.boolean().default(false).describe('Also count entries on descendants of the dataset') },
      ] as const,
      result: z.boolean(),
      roles: ROLES.helper,
      async handler(_call, dataset, recursive) {
        await requireDataset(dataset);
        return entries.forDataset(dataset, recursive).length > 0;
      },
    });

    const getVms = defineMethod({
      name: 'vmware.get_virtual_machines',
      description: 'Every VM of entry `id`\'s server, with whether a coordinated snapshot of its filesystem would snapshot it (protected), why not (reason), and which selection rule selected or excluded it (rule) with its mode.',
      args: [{ name: 'id', schema: Id }] as const,
      result: z.array(VirtualMachineEntry),
      roles: ROLES.helper,
      async handler(call, id) {
        const t = entryTarget(store, id, 'id', call.credentials);
        const sel = await selectOrCallError(entries, t.target, t.datastores, t.entry?.rules);
        return virtualMachines(sel.inventory, sel.selections);
      },
    });

    const inventory = defineMethod({
      name: 'vmware.inventory',
      description: 'Exports entry `id`\'s hosts, clusters, resource pools, datastores and VMs (IPv4 addresses, power state, guest OS) as one JSON document for CMDB/IPAM import.',
      args: [{ name: 'id', schema: Id }] as const,
      result: InventoryDocument,
      roles: ROLES.helper,
      async handler(call, id) {
        const t = entryTarget(store, id, 'id', call.credentials);
        const server = await readServerOrCallError(entries, t.target, true);
        return inventoryDocument({ id, hostname: t.target.hostname }, server.about, server.apiVersion, server.inventory);
      },
    });

    // The run history (plugins/vmware/history): vmware.run.*, vmware.protection_status.
    const history = await RunHistory.open({ dir: join(ctx.dataDir, HISTORY_DIR), config: config.history, events: ctx.events, log: ctx.log.child({ component: 'vmware.run' }) });
    const coverageSources = { tasks: () => ctx.services.get('snapshotTasks').all(), entries: () => entries.list() };
    registerProtection(ctx.services.get('metrics'), history, coverageSources);
    ctx.events.define(RUN_EVENT, { description: 'Coordinated snapshot runs recorded (added), amended by a follow-up sweep (changed) or pruned (removed)', roles: ROLES.read });
    // The coordinator (plugins/vmware/sync): vmware.plan, vmware.sweep, pool's snapshot hook.
    const sync = setupSync(ctx, { entries, config: config.sync, history });
    // Instant restore (plugins/vmware/restore): vmware.restore, restore_cleanup, restore.query, plan_restore.
    const restore = setupRestore(ctx, { entries, runs: history });

    ctx.registerMethods([
      ...[query, getInstance, create, update, remove, test, getDatastores, match, datasetHasVms, getVms, inventory],
      ...sync.methods,
      ...historyMethods(history, coverageSources),
      ...restore.methods,
    ]);
    return {
      start: async () => {
        poller.start();
        history.start();
        await sync.start();
        await restore.start();
      },
      stop: async () => {
        await sync.stop();
        await history.stop();
        await poller.stop();
      },
    };
  },
};
