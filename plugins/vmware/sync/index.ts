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
 * | entries.ts, select.ts, servers.ts | which entries (used by `vmwareEntries.forDataset`) and VMs a run covers, with reasons (pure); entries grouped per server |
 * | limiter.ts, policy.ts, vmsynced.ts, marker.ts | concurrency bounds, retry/fallback, verdict, snapshot marker (pure) |
 * | run-store.ts | the persisted run record (collection `vmware.sync.runs`) |
 * | server-run.ts, create-phase.ts, remove.ts | per-server login/inventory/creation, removal by moref and marker, consolidation |
 * | coordinator.ts | one run: implements pool's SnapshotCoordinator seam (plugins/pool/snapshot-hook.ts) |
 * | report.ts, run-report.ts, alerts.ts | report/plan/sweep schemas, the per-VM report, alert classes |
 * | plan.ts, sweep.ts, methods.ts | `vmware.plan` (dry run), `vmware.sweep` (leftovers), method declarations |
 */
import type { PluginContext } from '../../../daemon/plugin.js';
import type { AnyMethodDef } from '../../../daemon/registry/method.js';
import type { VmwareEntriesService } from '../entries-service.js';
import type { RunHistory } from '../history/store.js';
import { datasetCheck } from '../dataset-exists.js';
import { registerLeftovers, withRunMetrics } from '../metrics.js';
import type { SnapshotCoordinator } from '../../pool/snapshot-hook.js';
import type {} from '../../pool/services.js'; // the snapshotHooks service type
import { SYNC_ALERT_CLASSES } from './alerts.js';
import type { SyncConfig } from './config.js';
import { Coordinator } from './coordinator.js';
import { FollowUps } from './follow-up.js';
import { syncMethods } from './methods.js';
import { openRunStore } from './run-store.js';
import type { SweepDeps } from './sweep.js';

export { SyncConfig, defaultSyncConfig } from './config.js';
export { classifyVms, type VmSelection, type SkipCode, type SelectOptions } from './select.js';
export { SyncReport, PlanResult, SweepResult } from './report.js';

/** What the coordinator needs from the vmware plugin. */
export interface SyncDeps {
  /** The `vmwareEntries` service (decrypted credentials, connect, state, alerts). */
  entries: VmwareEntriesService;
  /** The parsed `vmware.sync` config section. */
  config: SyncConfig;
  /** The run history every run's record goes into. */
  history: RunHistory;
}

/** What {@link setupSync} hands back to the vmware plugin. */
export interface SyncSetup {
  /** `vmware.plan` and `vmware.sweep`: register them with the plugin's other methods. */
  methods: AnyMethodDef[];
  /** Registers the coordinator with pool's `snapshotHooks`, starts the start-up recovery (a `vmware.sweep` job), schedules the sweep. */
  start(): Promise<void>;
  /** Unregisters the coordinator, stops the sweep timers. */
  stop(): Promise<void>;
}

/**
 * Test hook: with `VSNAPD_TEST_METHODS=1` (set only by tests/helpers/daemon.ts),
 * `VSNAPD_TEST_SYNC_HOLD_MS=<ms>` makes every run pause that long between the ZFS snapshot and the
 * removal of its VMware snapshots, so a crash test can kill the daemon while they exist.
 */
function testHoldMs(): number {
  if (process.env.VSNAPD_TEST_METHODS !== '1') return 0;
  const ms = Number(process.env.VSNAPD_TEST_SYNC_HOLD_MS ?? 0);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/**
 * Sets up the coordinator: declares its alert classes (VMWareSnapshotCreateFailed,
 * VMWareSnapshotDeleteFailed, VMWareSnapshotLeftover) and its run-record collection, and returns
 * its methods and lifecycle hooks. Call once, in the vmware plugin's `setup`.
 */
export function setupSync(ctx: PluginContext, deps: SyncDeps): SyncSetup {
  for (const spec of SYNC_ALERT_CLASSES) ctx.alerts.defineClass(spec);
  const log = ctx.log.child({ component: 'vmware.sync' });
  const runs = openRunStore(ctx.db);
  const active = new Set<string>();
  const sweepDeps: SweepDeps = { entries: deps.entries, alerts: ctx.alerts, runs, config: deps.config, log, active, history: deps.history };
  const { plan, sweep } = syncMethods(sweepDeps, datasetCheck(ctx.services));
  let interval: NodeJS.Timeout | undefined;

  const runSweep = async (why: string, options: { run_id?: string } = {}): Promise<void> => {
    const job = await ctx.jobs.start(sweep, options);
    log.info({ job: job.id }, `vmware.sweep started (${why})`);
    await job.result;
  };
  const startSweep = (why: string): void => {
    runSweep(why).catch((err: unknown) => log.warn({ err }, `vmware.sweep (${why}) failed`));
  };
  // A create that timed out may still finish on the server: look again at short, growing intervals.
  const followUps = new FollowUps({
    delaysMs: deps.config.late_sweep_seconds.map((s) => s * 1000),
    sweep: async (runId) => {
      await runSweep(`follow-up of run ${runId}`, { run_id: runId });
      return runs.all().some((r) => r.run_id === runId);
    },
    onError: (runId, err) => log.warn({ err, run: runId }, 'follow-up sweep failed'),
  });
  const coordinator = new Coordinator({
    entries: deps.entries,
    alerts: ctx.alerts,
    runs,
    history: deps.history,
    config: deps.config,
    log,
    active,
    holdBeforeRemoveMs: testHoldMs(),
    onLeftover: (runId) => followUps.start(runId),
  });
  // Every run's outcome, durations and per-VM actions reach /metrics when it ends.
  const observed: SnapshotCoordinator = withRunMetrics(coordinator, ctx.services.get('metrics'));
  registerLeftovers(ctx.services.get('metrics'), runs);

  return {
    methods: [plan, sweep],
    async start() {
      ctx.services.get('snapshotHooks').setCoordinator(observed);
      // Start-up recovery: records of runs the previous process did not finish, then marked leftovers.
      startSweep('start-up');
      const every = deps.config.sweep_interval_minutes * 60_000;
      if (every > 0) {
        interval = setInterval(() => startSweep('scheduled'), every);
        interval.unref();
      }
    },
    async stop() {
      clearInterval(interval);
      followUps.stop();
      const hooks = ctx.services.get('snapshotHooks');
      if (hooks.coordinator() === observed) hooks.setCoordinator(null);
    },
  };
}
