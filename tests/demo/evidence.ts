/**
 * Step 5 of the demo: the evidence that the run did what vsnapd promises, each from its own source:
 * the per-VM report (the run job's result, as midclt printed it), the ZFS snapshot and its
 * `vsnapd:vmsynced` property (the zfs CLI), and that no VMware snapshot remains (the simulator's own
 * SOAP API, read with the fixture's minimal probe, not with vsnapd's vSphere client).
 */
import type { SyncReport } from '../../plugins/vmware/sync/report.js';
import { list, SoapProbe } from '../fixtures/vcsim/probe.js';
import { zfs } from '../fixtures/zfs/pool.js';
import { check, command, DemoFailure, note, output, substep } from './output.js';
import { renderReport } from './render.js';
import { DEMO_VMS, type DemoWorld } from './world.js';

function isReport(v: unknown): v is SyncReport {
  return typeof v === 'object' && v !== null && typeof (v as SyncReport).run_id === 'string' && Array.isArray((v as SyncReport).entries);
}

/** Takes the report from the run's result (`vmware_sync.report`) and checks it VM by VM. */
function showReport(run: unknown): SyncReport {
  substep('5.1', 'The per-VM report of the run (the result of pool.snapshottask.run)');
  const report = (run as { vmware_sync?: { report?: unknown } | null } | null)?.vmware_sync?.report;
  if (!isReport(report)) throw new DemoFailure(`the run's result carries no VMware run report: ${JSON.stringify(run)}`);
  output(renderReport(report));
  const vms = new Map(report.entries.flatMap((e) => e.vms.map((v) => [v.name, v] as const)));
  const wrong: string[] = [];
  for (const vm of DEMO_VMS) {
    const v = vms.get(vm.name);
    if (!v) wrong.push(`${vm.name} is missing`);
    else if (vm.expect === 'quiesced' || vm.expect === 'crash_consistent') {
      if (v.action !== 'snapshotted' || v.kind !== vm.expect || v.removed !== true) wrong.push(`${vm.name}: ${v.action} ${v.kind ?? ''} removed=${v.removed}`);
    } else if (v.action !== 'skipped') wrong.push(`${vm.name}: ${v.action}, expected skipped`);
  }
  check(wrong.length === 0, 'every running VM on the datastore got its snapshot, and every snapshot was removed again', `report differs: ${wrong.join('; ')}`);
  check(report.vmsynced === 'full', 'vmsynced=full: the ZFS snapshot is VM-consistent', `vmsynced=${report.vmsynced}`);
  return report;
}

/** Shows the ZFS snapshot and checks the properties the coordinator set on it. */
async function showZfs(report: SyncReport): Promise<void> {
  substep('5.2', 'The ZFS snapshot and its properties');
  const dataset = report.snapshot.split('@')[0] ?? '';
  command(`zfs list -t snapshot -o name,used,refer -r ${dataset}`);
  output(await zfs('list', '-t', 'snapshot', '-o', 'name,used,refer', '-r', dataset));
  const props = 'vsnapd:vmsynced,vsnapd:run,freenas:vmsynced';
  command(`zfs get ${props} ${report.snapshot}`);
  output(await zfs('get', props, report.snapshot));
  const values = new Map(
    (await zfs('get', '-H', '-o', 'property,value', props, report.snapshot)).split('\n').map((l) => l.split('\t') as [string, string]),
  );
  check(values.get('vsnapd:vmsynced') === 'full', 'vsnapd:vmsynced=full on the snapshot', `vsnapd:vmsynced is "${values.get('vsnapd:vmsynced')}"`);
  check(values.get('vsnapd:run') === report.run_id, `vsnapd:run=${report.run_id} names the run in the report`, `vsnapd:run is "${values.get('vsnapd:run')}", the report's run is ${report.run_id}`);
  check(values.get('freenas:vmsynced') === 'Y', 'freenas:vmsynced=Y, for TrueNAS tools', `freenas:vmsynced is "${values.get('freenas:vmsynced')}"`);
}

/** Counts the snapshots in a parsed `VirtualMachineSnapshotTree` list (recursively). */
function countTrees(trees: unknown): number {
  return list(trees as unknown[] | undefined).reduce<number>((n, t) => n + 1 + countTrees((t as { childSnapshotList?: unknown }).childSnapshotList), 0);
}

/** Asks the simulator itself for every VM's snapshot tree. */
async function showVcsim(w: DemoWorld): Promise<void> {
  substep('5.3', 'No VMware snapshot is left (asked from the simulator directly)');
  note(`RetrievePropertiesEx(VirtualMachine: name, snapshot) on ${w.vc.url}, with a separate SOAP client`);
  const probe = new SoapProbe(w.vc.url, { ca: w.vc.certPem });
  try {
    const sc = await probe.serviceContent();
    const login = await probe.login(sc, w.vc.username, w.vc.password);
    if (login.fault) throw new DemoFailure(`login to the simulator failed: ${login.fault.message}`);
    const view = await probe.view(sc, 'VirtualMachine', ['name', 'snapshot']);
    if (view.fault) throw new DemoFailure(`reading the simulator's VMs failed: ${view.fault.message}`);
    const counts = view.objects.map((o) => ({
      name: String(o.props.name),
      snapshots: countTrees((o.props.snapshot as { rootSnapshotList?: unknown } | undefined)?.rootSnapshotList),
    }));
    output(`snapshots per VM: ${counts.map((c) => `${c.name} ${c.snapshots}`).join(', ')}`);
    const left = counts.filter((c) => c.snapshots > 0);
    check(
      left.length === 0 && counts.length === DEMO_VMS.length,
      `${counts.length} VMs, no snapshot on any of them`,
      left.length > 0 ? `snapshots left on ${left.map((c) => c.name).join(', ')}` : `the simulator lists ${counts.length} VMs, expected ${DEMO_VMS.length}`,
    );
  } finally {
    await probe.close();
  }
}

/**
 * Step 5: report, ZFS snapshot, simulator. `run` is the result `midclt call -j pool.snapshottask.run`
 * printed in step 4. Throws {@link DemoFailure} on any mismatch.
 */
export async function showEvidence(w: DemoWorld, run: unknown): Promise<SyncReport> {
  const report = showReport(run);
  await showZfs(report);
  await showVcsim(w);
  return report;
}
