/**
 * The vmware plugin's Prometheus metrics (registered in the daemon's `metrics` registry):
 * - vCenter health per entry, read from the entries' stored health at scrape time:
 *   `vsnapd_vmware_entry_up{id,hostname}` (1 = the last check succeeded, 0 = it failed or none ran
 *   yet), `vsnapd_vmware_entry_consecutive_failures{id,hostname}`,
 *   `vsnapd_vmware_entry_last_success_timestamp_seconds{id,hostname}` (0 = never);
 * - protection per VM, read from the run history at scrape time:
 *   `vsnapd_vmware_vm_last_protected_timestamp_seconds{hostname,moref,name}`, when the VM's last
 *   VM-consistent ZFS snapshot was taken (Unix time, 0 = never; `vmware.protection_status`'s
 *   `last_snapshot_at`), and `vsnapd_vmware_vm_expected_interval_seconds{hostname,moref,name}`, the
 *   expected interval of the snapshot task that covers the VM (`vmware.protection_status`'s
 *   `expected_interval_ms`; no series for a VM no task covers), for the "unprotected past its
 *   interval" alert, which fires past two intervals as the console's Protection page does;
 * - `vsnapd_vmware_leftover_snapshots`: VMware snapshots that runs could not remove and left to the
 *   sweep (items of run records in state `leftover` that may still hold one), read at scrape time;
 * - coordinated runs, fed at the end of each run by {@link withRunMetrics}:
 *   `vsnapd_vmware_runs_total{vmsynced}` (full|partial|none|failed), `vsnapd_vmware_vms_total{action}`
 *   (snapshotted|skipped|failed), `vsnapd_vmware_run_duration_seconds`,
 *   `vsnapd_vmware_phase_duration_seconds{phase}` (vmware|zfs|removal),
 *   `vsnapd_vmware_vm_snapshot_held_seconds` (per VM: its VMware snapshot's creation to removal) and
 *   `vsnapd_vmware_snapshot_window_seconds` (first VMware snapshot request to the last removal: how
 *   long the run kept some VM on a snapshot).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CoordinatedResult, SnapshotCoordinator } from '../pool/snapshot-hook.js';
import type { VmwareEntriesService } from './entries-service.js';
import { withCoverage, type CoverageEntry, type CoverageTask } from './history/coverage.js';
import type { RunHistory } from './history/store.js';
import type { VmwareEntryRecord } from './store.js';
import { SyncReport } from './sync/report.js';
import { mayHoldSnapshot, type RunRow } from './sync/run-store.js';

/** Buckets in seconds for run, phase and hold durations: 0.1 s … 30 min. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** One health gauge per entry, read at scrape time. */
function entryGauge(registry: Registry, entries: Pick<VmwareEntriesService, 'list'>, name: string, help: string, value: (h: VmwareEntryRecord['health']) => number): void {
  new Gauge({
    name,
    help,
    labelNames: ['id', 'hostname'],
    registers: [registry],
    collect() {
      this.reset();
      for (const e of entries.list()) this.set({ id: String(e.id), hostname: e.hostname }, value(e.health));
    },
  });
}

/** Registers the per-entry health gauges (collected from `entries.list()` at each scrape). */
export function registerEntryHealth(registry: Registry, entries: Pick<VmwareEntriesService, 'list'>): void {
  entryGauge(registry, entries, 'vsnapd_vmware_entry_up', 'The last health check of the vmware entry succeeded (1) or failed / did not run yet (0)', (h) =>
    h.last_success !== null && (h.last_failure === null || h.last_success.$date >= h.last_failure.$date) ? 1 : 0,
  );
  entryGauge(registry, entries, 'vsnapd_vmware_entry_consecutive_failures', 'Failed health checks of the vmware entry since its last success', (h) => h.consecutive_failures);
  entryGauge(registry, entries, 'vsnapd_vmware_entry_last_success_timestamp_seconds', 'When the vmware entry last passed a health check (Unix time, 0 = never)', (h) =>
    h.last_success === null ? 0 : h.last_success.$date / 1000,
  );
}

/** Where the protection gauges read what decides a VM's covering task (read at each scrape). */
export interface ProtectionSources {
  /** The periodic snapshot tasks (pool's `snapshotTasks` service). */
  tasks(): readonly CoverageTask[];
  /** The vmware entries. */
  entries(): readonly CoverageEntry[];
}

/**
 * Registers `vsnapd_vmware_vm_last_protected_timestamp_seconds` and
 * `vsnapd_vmware_vm_expected_interval_seconds` (collected from `history.protection()` and the
 * covering tasks, as `vmware.protection_status` computes them, at each scrape).
 */
export function registerProtection(registry: Registry, history: Pick<RunHistory, 'protection'>, sources: ProtectionSources): void {
  const labelNames = ['hostname', 'moref', 'name'] as const;
  new Gauge({
    name: 'vsnapd_vmware_vm_last_protected_timestamp_seconds',
    help: 'When the VM\'s last VM-consistent ZFS snapshot was taken (Unix time, 0 = never), per VM of the run history',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const vm of history.protection()) {
        this.set({ hostname: vm.hostname, moref: vm.moref, name: vm.name }, vm.last_snapshot_at === null ? 0 : vm.last_snapshot_at.$date / 1000);
      }
    },
  });
  new Gauge({
    name: 'vsnapd_vmware_vm_expected_interval_seconds',
    help: 'The expected interval of the snapshot task that covers the VM (the longest gap of its schedule), per VM of the run history that a task covers',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const vm of withCoverage(history.protection(), sources.tasks(), sources.entries(), Date.now())) {
        if (vm.expected_interval_ms !== null) this.set({ hostname: vm.hostname, moref: vm.moref, name: vm.name }, vm.expected_interval_ms / 1000);
      }
    },
  });
}

/** Registers `vsnapd_vmware_leftover_snapshots` (counted from the run records at each scrape). */
export function registerLeftovers(registry: Registry, runs: { all(): readonly RunRow[] }): void {
  new Gauge({
    name: 'vsnapd_vmware_leftover_snapshots',
    help: 'VMware snapshots that runs could not remove, left to the sweep (vmware.sweep)',
    registers: [registry],
    collect() {
      this.set(runs.all().filter((r) => r.state === 'leftover').reduce((n, r) => n + r.items.filter(mayHoldSnapshot).length, 0));
    },
  });
}

/** Wraps the coordinator so every run's outcome, durations and per-VM actions are counted when it ends. */
export function withRunMetrics(inner: SnapshotCoordinator, registry: Registry): SnapshotCoordinator {
  const runs = new Counter({ name: 'vsnapd_vmware_runs_total', help: 'Coordinated runs by outcome (vsnapd:vmsynced, or failed when the run itself failed)', labelNames: ['vmsynced'], registers: [registry] });
  const vms = new Counter({ name: 'vsnapd_vmware_vms_total', help: 'VMs of coordinated runs by action', labelNames: ['action'], registers: [registry] });
  const duration = new Histogram({ name: 'vsnapd_vmware_run_duration_seconds', help: 'Coordinated runs from start to the last VMware snapshot removal', buckets: DURATION_BUCKETS, registers: [registry] });
  const phases = new Histogram({ name: 'vsnapd_vmware_phase_duration_seconds', help: 'Phases of coordinated runs: vmware (snapshots created), zfs (the ZFS snapshot), removal', labelNames: ['phase'], buckets: DURATION_BUCKETS, registers: [registry] });
  const held = new Histogram({ name: 'vsnapd_vmware_vm_snapshot_held_seconds', help: 'How long each VM held its VMware snapshot (creation to removal)', buckets: DURATION_BUCKETS, registers: [registry] });
  const window = new Histogram({ name: 'vsnapd_vmware_snapshot_window_seconds', help: 'How long the VMs of a run held a VMware snapshot (first request to last removal)', buckets: DURATION_BUCKETS, registers: [registry] });
  for (const v of ['full', 'partial', 'none', 'failed']) runs.inc({ vmsynced: v }, 0);
  for (const a of ['snapshotted', 'skipped', 'failed']) vms.inc({ action: a }, 0);

  const record = (result: CoordinatedResult): void => {
    runs.inc({ vmsynced: result.vmsynced });
    const parsed = SyncReport.safeParse(result.report);
    if (!parsed.success) return; // no run (no entry covers the dataset): nothing VMware-side to time
    const r = parsed.data;
    for (const vm of r.entries.flatMap((e) => e.vms)) {
      vms.inc({ action: vm.action });
      if (vm.held_ms !== null) held.observe(vm.held_ms / 1000);
    }
    phases.observe({ phase: 'vmware' }, r.timings.vmware_phase_ms / 1000);
    phases.observe({ phase: 'zfs' }, r.timings.zfs_ms / 1000);
    phases.observe({ phase: 'removal' }, r.timings.removal_ms / 1000);
    if (r.timings.window_ms !== null) window.observe(r.timings.window_ms / 1000);
  };
  const check = inner.checkTaskOptions?.bind(inner);
  return {
    // Saving a task checks its rules through the coordinator: pass that through unchanged.
    ...(check ? { checkTaskOptions: check } : {}),
    async coordinate(request) {
      const end = duration.startTimer();
      try {
        const result = await inner.coordinate(request);
        record(result);
        return result;
      } catch (err) {
        runs.inc({ vmsynced: 'failed' });
        throw err;
      } finally {
        end();
      }
    },
  };
}
