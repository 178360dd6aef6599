/**
 * vSphere housekeeping around a run: a VM busy with another task (TaskInProgress) is retried and
 * then snapshotted; a VM whose disks need consolidation after the removal gets
 * ConsolidateVMDisks_Task, and a server without that method raises VMWareSnapshotDeleteFailed instead.
 */
import t from 'tap';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { VsphereClient } from '../../../vsphere/index.js';

interface Alert {
  klass: string;
  args: Record<string, unknown>;
}

t.test('busy VMs are retried; disks needing consolidation are consolidated or alerted', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [{ name: 'busy', datastore: VM_DS }, { name: 'messy', datastore: VM_DS }],
    sync: { busy_retries: 3, busy_retry_delay_ms: 100 },
  });
  const consolidationNeeded = async (vm: string): Promise<boolean | undefined> => {
    const c = await VsphereClient.connect({ host: w.vc.host, port: w.vc.port, username: w.vc.username, password: w.vc.password, tls: { ca: w.vc.certPem } });
    try {
      return (await c.inventory()).vms.find((v) => v.name === vm)?.consolidationNeeded;
    } finally {
      await c.close();
    }
  };

  // 1. Busy twice, then free; messy needs consolidation and the server can do it.
  await w.vc.control({ action: 'busyVm', vm: 'busy', times: 2 });
  await w.vc.control({ action: 'setVm', vm: 'messy', consolidationNeeded: true });
  const first = await w.snapshot('h1');
  const vms = Object.fromEntries((first.report?.entries ?? []).flatMap((e) => e.vms).map((v) => [v.name, v]));
  t.equal(vms.busy?.action, 'snapshotted');
  t.equal(vms.busy?.attempts, 3, 'two TaskInProgress answers, then success');
  t.equal(vms.messy?.removed, true);
  t.equal(await consolidationNeeded('messy'), false, 'ConsolidateVMDisks_Task ran');
  t.equal(first.report?.vmsynced, 'full');

  // 2. The same without ConsolidateVMDisks_Task (MethodNotFound): an alert says what to do.
  await w.vc.control({ action: 'setVm', vm: 'messy', consolidationNeeded: true });
  await w.vc.control({ action: 'setMethods', methods: { ConsolidateVMDisks_Task: false } });
  await w.snapshot('h2');
  const alerts = await w.client.call<Alert[]>('alert.list');
  const alert = alerts.find((a) => a.klass === 'VMWareSnapshotDeleteFailed' && a.args.vm === 'messy');
  t.match(alert?.args.error, /ConsolidateVMDisks_Task/, 'VMWareSnapshotDeleteFailed names the missing consolidation');
  t.same(await w.markedSnapshots(), []);
});
