/**
 * The vmware plugin's scrape-time gauges over small in-memory sources: each VM's last protection time
 * (0 = never) from the run history's protection status, the expected interval of the task covering
 * it (none for an uncovered VM), and the VMware snapshots left to the sweep
 * (only run records in state `leftover`, only items that may still hold a snapshot).
 */
import { Registry } from 'prom-client';
import t from 'tap';
import { DEFAULT_SCHEDULE } from '../../../../plugins/pool/snapshottask/schedule.js';
import type { ProtectionEntry } from '../../../../plugins/vmware/history/schema.js';
import { registerLeftovers, registerProtection } from '../../../../plugins/vmware/metrics.js';
import type { RunItem, RunItemStatus, RunRow, RunState } from '../../../../plugins/vmware/sync/run-store.js';
import { parseExposition } from '../../../helpers/prometheus.js';

const scrape = async (registry: Registry) => parseExposition(await registry.metrics());

t.test('vsnapd_vmware_vm_last_protected_timestamp_seconds: per VM, 0 when never protected', async (t) => {
  const vm = (moref: string, name: string, at: number | null) => ({ hostname: 'vc1', moref, name, last_snapshot_at: at === null ? null : { $date: at } }) as unknown as ProtectionEntry;
  let status = [vm('vm-1', 'web', 1_700_000_000_000), vm('vm-2', 'db', null)];
  const registry = new Registry();
  registerProtection(registry, { protection: () => status }, { tasks: () => [], entries: () => [] });
  let m = await scrape(registry);
  t.equal(m.value('vsnapd_vmware_vm_last_protected_timestamp_seconds', { moref: 'vm-1', name: 'web', hostname: 'vc1' }), 1_700_000_000);
  t.equal(m.value('vsnapd_vmware_vm_last_protected_timestamp_seconds', { moref: 'vm-2', name: 'db' }), 0);
  status = [vm('vm-2', 'db', 1_700_000_600_000)];
  m = await scrape(registry);
  t.equal(m.value('vsnapd_vmware_vm_last_protected_timestamp_seconds', { moref: 'vm-1' }), undefined, 'a VM gone from the status is gone from the scrape');
  t.equal(m.value('vsnapd_vmware_vm_last_protected_timestamp_seconds', { moref: 'vm-2' }), 1_700_000_600);
});

t.test('vsnapd_vmware_vm_expected_interval_seconds: the covering task\'s interval, no series for an uncovered VM', async (t) => {
  const vm = (moref: string, name: string, datastore: string) =>
    ({ hostname: 'vc1', moref, name, datastores: [datastore], last_snapshot_at: null }) as unknown as ProtectionEntry;
  const registry = new Registry();
  const task = { id: 1, dataset: 'tank/vm', recursive: false, enabled: true, vmware_sync: true, schedule: DEFAULT_SCHEDULE };
  let tasks = [task];
  registerProtection(registry, { protection: () => [vm('vm-1', 'web', 'ds1'), vm('vm-2', 'db', 'ds2')] }, { tasks: () => tasks, entries: () => [{ hostname: 'vc1', filesystem: 'tank/vm', datastores: ['ds1'] }] });
  let m = await scrape(registry);
  t.equal(m.value('vsnapd_vmware_vm_expected_interval_seconds', { moref: 'vm-1', name: 'web', hostname: 'vc1' }), 3_600, 'hourly (the default schedule, as on TrueNAS)');
  t.equal(m.value('vsnapd_vmware_vm_expected_interval_seconds', { moref: 'vm-2' }), undefined, 'db\'s datastore is in no entry a task covers');
  tasks = [{ ...task, enabled: false }];
  m = await scrape(registry);
  t.equal(m.value('vsnapd_vmware_vm_expected_interval_seconds', { moref: 'vm-1' }), undefined, 'a disabled task covers nothing');
});

t.test('vsnapd_vmware_leftover_snapshots: items of leftover runs that may still hold a snapshot', async (t) => {
  const item = (status: RunItemStatus, task: string | null = null): RunItem => ({ entry_id: 1, hostname: 'vc1', port: 443, username: 'u', vm: 'vm-1', vm_name: 'web', task, snapshot: 'snapshot-1', status });
  const run = (id: number, state: RunState, items: RunItem[]): RunRow => ({ id, run_id: `run${id}00`, snapshot: 'tank/vm@auto', state, started_at: 0, pid: 1, items });
  let runs = [
    run(1, 'leftover', [item('created'), item('removed'), item('failed', 'task-9'), item('failed')]),
    run(2, 'removing', [item('created')]), // a run in progress removes its own
    run(3, 'leftover', [item('pending')]),
  ];
  const registry = new Registry();
  registerLeftovers(registry, { all: () => runs });
  t.equal((await scrape(registry)).value('vsnapd_vmware_leftover_snapshots'), 3, 'created, failed with a task that may still finish, pending');
  runs = [];
  t.equal((await scrape(registry)).value('vsnapd_vmware_leftover_snapshots'), 0, 'swept');
});
