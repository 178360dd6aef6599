/**
 * Step 6 of the demo: an instant restore from the snapshot the run just took, through midclt. The
 * dry run names what would be created; `vmware.restore` clones the snapshot, exports the clone to one
 * ESXi host, mounts it there as a new datastore and registers and powers on a copy of web01 with its
 * network disconnected; the evidence comes from zfs, the exports file and the simulator's own SOAP
 * API; `vmware.restore_cleanup` removes all of it, checked the same way.
 */
import { readFile } from 'node:fs/promises';
import type { RestoreEntry, RestorePlan } from '../../plugins/vmware/restore/schemas.js';
import { SoapProbe } from '../fixtures/vcsim/probe.js';
import { zfs } from '../fixtures/zfs/pool.js';
import { midcltCall } from './midclt.js';
import { check, command, DemoFailure, note, output, substep } from './output.js';
import type { DemoWorld } from './world.js';

/** The VM the demo restores and the host it restores it on. */
const VM = 'web01';
const HOST = 'DC0_C0_H0';

/** `name|power|.vmx` of every VM, from the simulator directly. */
async function simulatorVms(w: DemoWorld): Promise<string[]> {
  const probe = new SoapProbe(w.vc.url, { ca: w.vc.certPem });
  try {
    const sc = await probe.serviceContent();
    await probe.login(sc, w.vc.username, w.vc.password);
    const view = await probe.view(sc, 'VirtualMachine', ['name', 'runtime.powerState', 'config.files.vmPathName']);
    return view.objects.map((o) => `${String(o.props.name)}|${String(o.props['runtime.powerState'])}|${String(o.props['config.files.vmPathName'])}`).sort();
  } finally {
    await probe.close();
  }
}

async function datasets(w: DemoWorld): Promise<string> {
  return zfs('list', '-o', 'name,origin', '-r', w.pool.pool);
}

/** Runs step 6; `snapshot` is the run's ZFS snapshot. Throws {@link DemoFailure} on any mismatch. */
export async function runRestoreSteps(w: DemoWorld, snapshot: string, opts: { raw?: boolean } = {}): Promise<void> {
  const midclt = w.midclt;
  const raw = opts.raw ?? false;
  const before = { vms: await simulatorVms(w), zfs: await datasets(w), exports: await readFile(w.exportsPath, 'utf8') };
  const request = { snapshot, vms: [VM], host: HOST, power_on: true };

  substep('6.1', 'Dry run: what a restore would create (vmware.plan_restore; nothing is touched)');
  let r = await midcltCall(midclt, 'vmware.plan_restore', [request], { raw });
  const plan = r.result as RestorePlan | null;
  if (r.code !== 0 || !plan) throw new DemoFailure(`vmware.plan_restore failed: ${r.stderr.trim()}`);
  output(`clone ${plan.clone}, exported to ${plan.share?.hosts.join(', ')}, datastore ${plan.datastore?.name} on ${plan.host?.name}, VM ${plan.vms.map((v) => `${v.source} → ${v.name}`).join(', ')}`);
  check(plan.ok, 'no conflict: nothing existing would be reused or touched', `conflicts: ${plan.conflicts.join('; ')}`);

  substep('6.2', `Restore ${VM} from ${snapshot} on ${HOST}, powered on (a job)`);
  r = await midcltCall(midclt, 'vmware.restore', [request], { job: true, raw });
  const restore = r.result as RestoreEntry | null;
  if (r.code !== 0 || !restore) throw new DemoFailure(`vmware.restore failed: ${r.stderr.trim()}`);
  const copy = restore.vms[0];
  check(restore.state === 'READY' && copy?.registered === true && copy.powered_on, `restore ${restore.id}: ${copy?.name} registered and powered on, ${copy?.nics_disconnected} NIC(s) left disconnected`, `restore ended ${restore.state}: ${restore.error ?? ''}`);

  substep('6.3', 'The evidence: a clone of the snapshot, exported to the host only, and the copy running from it');
  command(`zfs list -o name,origin -r ${w.pool.pool}`);
  const now = await datasets(w);
  output(now);
  check(new RegExp(`${restore.clone.name}\\s+${snapshot}`).test(now), `${restore.clone.name} is a clone of ${snapshot}`, `no clone of ${snapshot} in zfs list`);
  command(`cat ${w.exportsPath}`);
  const exports = await readFile(w.exportsPath, 'utf8');
  output(exports);
  check(exports.includes(`"${restore.clone.mountpoint}" 127.0.0.1(`), 'the clone is exported to the host\'s address only', 'the clone is not in the exports file');
  note(`RetrievePropertiesEx(VirtualMachine: name, runtime.powerState, config.files.vmPathName) on ${w.vc.url}`);
  const vms = await simulatorVms(w);
  output(vms.join('\n'));
  check(vms.includes(`${copy?.name}|poweredOn|${copy?.vmx_path}`), `${copy?.name} runs from ${copy?.vmx_path}`, `${copy?.name} is not running from the new datastore`);
  check(before.vms.every((v) => vms.includes(v)), `${VM} and every other VM are untouched`, 'an original VM changed');

  substep('6.4', 'Clean up: power off, unregister, unmount, unshare, destroy the clone (a job)');
  r = await midcltCall(midclt, 'vmware.restore_cleanup', [restore.id], { job: true, raw });
  const cleaned = r.result as RestoreEntry | null;
  if (r.code !== 0 || !cleaned) throw new DemoFailure(`vmware.restore_cleanup failed: ${r.stderr.trim()}`);
  check(cleaned.state === 'CLEANED', `restore ${restore.id} removed: ${cleaned.steps.map((s) => s.step).join(', ')}`, `cleanup ended ${cleaned.state}: ${cleaned.error ?? ''}`);
  const after = { vms: await simulatorVms(w), zfs: await datasets(w), exports: await readFile(w.exportsPath, 'utf8') };
  check(
    JSON.stringify(after) === JSON.stringify(before),
    'vCenter, ZFS and the exports are exactly as before the restore',
    `left behind: ${[after.vms.join() !== before.vms.join() ? 'VMs' : '', after.zfs !== before.zfs ? 'datasets' : '', after.exports !== before.exports ? 'exports' : ''].filter(Boolean).join(', ')}`,
  );
}
