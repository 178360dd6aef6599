/**
 * Instant restore on vcsim + zfs-fuse: after a coordinated run, `vmware.restore` clones the snapshot,
 * exports the clone to the ESXi host only, mounts it as a new NFS datastore and registers a powered-on
 * copy of the VM from the .vmx in the clone (network disconnected); the original is untouched.
 * `vmware.restore_cleanup` then leaves vCenter (SOAP probe), the exports file and ZFS (`zfs list`)
 * exactly as before. Bad input is refused with every conflict at once; a host that cannot mount, a
 * vCenter fault half-way, a cleanup that fails half-way, the daemon killed half-way (SIGKILL, then the
 * start-up recovery) and a clone that does not fit the quota all end with a record naming what
 * exists, and cleanup brings everything back to the state before.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { list, moId, esc } from '../../fixtures/vcsim/probe.js';
import { zfs } from '../../fixtures/zfs/pool.js';
import { restoreProbe } from '../../helpers/restore-probe.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { callError, validationErrors } from '../../helpers/validation.js';
import { waitFor } from '../../helpers/wait.js';
import type { RestoreEntry, RestorePlan } from '../../../plugins/vmware/restore/schemas.js';

const HOST = 'DC0_C0_H0';

t.test('restore a VM from a VM-consistent snapshot, then clean up to exactly the state before', async (t) => {
  const w = await startSyncWorld(t, { vms: [{ name: 'web', datastore: VM_DS, host: HOST, nics: 1 }], nfs: true });
  const { entry } = await w.snapshot('r1');
  t.equal(entry.properties['vsnapd:vmsynced']?.value, 'full');
  await zfs('snapshot', `${w.dataset}@plain`); // not taken by vsnapd: no vsnapd:run

  const { probe, sc, vcenter, zfsList, exportsNow } = await restoreProbe(t, w);
  const before = { vcenter: await vcenter(), zfs: await zfsList(), exports: await exportsNow(), shares: await w.client.call('sharing.nfs.query') };

  const base = { snapshot: `${w.dataset}@r1`, vms: ['web'], host: HOST, power_on: true };
  /** The VMWareRestoreFailed alerts, as alert.list shows them. */
  const restoreAlerts = async () =>
    (await w.client.call<{ klass: string; key: string; formatted: string }[]>('alert.list')).filter((a) => a.klass === 'VMWareRestoreFailed').map(({ key, formatted }) => ({ key, formatted }));

  await t.test('plan_restore names everything and finds no conflict', async (t) => {
    const plan = await w.client.call<RestorePlan>('vmware.plan_restore', base);
    t.ok(plan.ok, plan.conflicts.join('; '));
    t.equal(plan.vmsynced, 'full');
    t.match(plan.clone, new RegExp(`^${w.pool.pool}/vm-restore-[0-9a-f]{8}$`));
    t.same(plan.share?.hosts, ['127.0.0.1'], 'exported to the host\'s vmkernel address only');
    t.match(plan.datastore, { remote_host: '127.0.0.1', name: /^vsnapd-restore-/ });
    t.equal(plan.vms.length, 1, 'exactly one VM');
    t.match(plan.vms, [{ source: 'web', name: /^web-restore-/ }]);
    t.same(await zfsList(), before.zfs, 'a plan changes nothing');
  });

  await t.test('bad input: every conflict at once, nothing created', async (t) => {
    const errs = await validationErrors(
      w.client.callJob('vmware.restore', [
        { ...base, vms: ['web', 'ghost'], host: 'nohost', names: { web: 'web' }, datastore_name: VM_DS, folder: 'group-nope', resource_pool: 'resgroup-nope' },
      ]),
    );
    t.match(errs, [
      ['restore.vms[1]', /"ghost" was not in run .* \(its VMs: web\)/],
      ['restore.host', /no ESXi host "nohost"/],
      ['restore.folder', /no folder with moref group-nope in .*; folders are .*\(vm\)/],
      ['restore.resource_pool', /no resource pool with moref resgroup-nope in .*; resource pools are resgroup-/],
      ['restore.datastore_name', /vmstore already exists/],
      ['restore.names.web', /a VM named web already exists/],
    ]);
    t.equal(errs.length, 6, 'six conflicts, all at once');

    // A resource pool of another compute resource than the host's: vCenter would refuse it only at register time.
    const hostParent = (await probe.view(sc, 'HostSystem', ['name', 'parent'])).objects.find((o) => o.props.name === HOST)!.props.parent;
    const pools = (await probe.view(sc, 'ResourcePool', ['name', 'owner'])).objects;
    const foreign = pools.find((p) => moId(p.props.owner) !== moId(hostParent))!;
    t.ok(foreign, 'vcsim has a resource pool outside the host\'s cluster');
    const poolErrs = await validationErrors(w.client.callJob('vmware.restore', [{ ...base, resource_pool: foreign.obj.value }]));
    t.equal(poolErrs.length, 1, 'exactly one conflict');
    t.match(poolErrs, [
      ['restore.resource_pool', new RegExp(`^${foreign.obj.value} \\(.*\\) belongs to ${moId(foreign.props.owner)}, not to ${HOST}'s ${moId(hostParent)}; its resource pools are resgroup-`)],
    ]);
    const plainErrs = await validationErrors(w.client.callJob('vmware.restore', [{ ...base, snapshot: `${w.dataset}@plain` }]));
    t.equal(plainErrs.length, 2, 'exactly two conflicts: not VM-consistent, and no run record');
    t.match(plainErrs, [
      ['restore.snapshot', /not taken by a vsnapd coordinated run .*force/],
      ['restore.snapshot', /no vsnapd:run property/],
    ]);
    const forcedErrs = await validationErrors(w.client.callJob('vmware.restore', [{ ...base, snapshot: `${w.dataset}@plain`, force: true }]));
    t.equal(forcedErrs.length, 1, 'exactly one conflict');
    t.match(forcedErrs, [['restore.snapshot', /no vsnapd:run property/]]);
    t.same(await w.client.call('vmware.restore.query'), []);
    t.same(await zfsList(), before.zfs);
  });

  await t.test('restore: a registered, powered-on copy on a clone of the snapshot; the original untouched', async (t) => {
    const r = await w.client.callJob<RestoreEntry>('vmware.restore', [base]);
    t.equal(r.state, 'READY', r.error ?? '');
    t.ok(r.clone.created && r.share.created && r.datastore.created);
    t.equal((await zfs('get', '-H', '-o', 'value', 'origin', r.clone.name)).trim(), `${w.dataset}@r1`, 'the clone is of the snapshot');
    const [vm] = r.vms;
    t.match(vm, { source: 'web', registered: true, powered_on: true, nics_disconnected: 1, vmx_from: 'run', vmx_path: `[${r.datastore.name}] web/web.vmx` });
    const cloneVmx = await readFile(join(r.clone.mountpoint ?? '', 'web/web.vmx'), 'utf8');
    t.equal(cloneVmx, await readFile(join(w.pool.mountpoint('vm'), 'web/web.vmx'), 'utf8'), 'its .vmx is the snapshot\'s');
    t.match(cloneVmx, /displayName = "web"/);
    t.match(await exportsNow(), new RegExp(`"${r.clone.mountpoint}" 127\\.0\\.0\\.1\\(`), 'the clone is exported to the host only');

    const now = await vcenter();
    t.ok(now.vms.includes(`${vm?.name}|poweredOn|[${r.datastore.name}] web/web.vmx`), 'the copy runs from the new datastore');
    t.ok(now.vms.some((v) => v.startsWith(`web|poweredOn|[${VM_DS}] web/`)), 'the original still runs from its datastore');
    const devices = (await probe.view(sc, 'VirtualMachine', ['name', 'config.hardware.device'])).objects;
    const nic = (name: string) =>
      list((devices.find((o) => o.props.name === name)?.props['config.hardware.device'] as Record<string, unknown>)?.VirtualDevice as Record<string, unknown>[]).find(
        (d) => d['@_type'] === 'VirtualE1000',
      )?.connectable as Record<string, unknown> | undefined;
    t.match(nic(vm?.name ?? ''), { startConnected: 'false', connected: 'false' }, 'the copy\'s NIC is disconnected');
    t.match(nic('web'), { startConnected: 'true', connected: 'true' }, 'the original\'s NIC is untouched');

    const listed = await w.client.call<RestoreEntry[]>('vmware.restore.query', [['id', '=', r.id]]);
    t.equal(listed[0]?.state, 'READY');

    const clean = await w.client.callJob<RestoreEntry>('vmware.restore_cleanup', [r.id]);
    t.equal(clean.state, 'CLEANED', clean.error ?? '');
    t.same(clean.steps.filter((s) => !s.ok), []);
    t.same(await vcenter(), before.vcenter, 'vCenter exactly as before');
    t.same(await zfsList(), before.zfs, 'ZFS exactly as before');
    t.equal(await exportsNow(), before.exports, 'exports exactly as before');
    t.same(await w.client.call('sharing.nfs.query'), before.shares);
    t.same(await w.client.call('vmware.restore.query'), []);
    t.match((await callError(w.client.callJob('vmware.restore_cleanup', [r.id]))).message, /Restore .* does not exist \(already cleaned up\?\)/);
  });

  await t.test('a host that cannot mount the clone: FAILED, what was created listed and cleaned up', async (t) => {
    await w.vc.control({ action: 'injectFault', methods: ['CreateNasDatastore'], fault: 'PlatformConfigFault', as: 'soap', times: 1, message: 'NFS mount 127.0.0.1:/x failed: Unable to connect to NFS server.' });
    const r = await w.client.callJob<RestoreEntry>('vmware.restore', [base]);
    t.equal(r.state, 'FAILED');
    t.match(r.error, /cannot mount .*Unable to connect to NFS server/);
    t.match(r, { clone: { created: true }, share: { created: true }, datastore: { created: false } });
    const listed = await w.client.call<RestoreEntry[]>('vmware.restore.query');
    t.equal(listed.length, 1, 'exactly one record');
    t.match(listed, [{ id: r.id, state: 'FAILED' }]);
    const alerts = await restoreAlerts();
    t.equal(alerts.length, 1, 'exactly one alert');
    t.match(alerts, [{ key: JSON.stringify(r.id), formatted: new RegExp(`^Instant restore ${r.id} of ${w.dataset}@r1 failed: .*Unable to connect to NFS server.*vmware\\.restore_cleanup ${r.id} removes it\\.$`) }], 'VMWareRestoreFailed raised');
    const clean = await w.client.callJob<RestoreEntry>('vmware.restore_cleanup', [r.id]);
    t.equal(clean.state, 'CLEANED', clean.error ?? '');
    t.same(await restoreAlerts(), [], 'the alert is removed once the cleanup completes');
    t.same(await vcenter(), before.vcenter);
    t.same(await zfsList(), before.zfs);
    t.equal(await exportsNow(), before.exports);
  });
  await t.test('the simulated host mounts only what the NAS exports to it (vcsim launcher, asked directly)', async (t) => {
    const host = (await probe.view(sc, 'HostSystem', ['name', 'configManager.datastoreSystem'])).objects.find((o) => o.props.name === HOST);
    const dss = { type: 'HostDatastoreSystem', value: moId(host?.props['configManager.datastoreSystem']) };
    const spec = (path: string) =>
      `<spec><remoteHost>127.0.0.1</remoteHost><remotePath>${esc(path)}</remotePath><localPath>probe-ds</localPath><accessMode>readWrite</accessMode></spec>`;
    const denied = await probe.call('CreateNasDatastore', dss, spec(w.pool.mountpoint('other')));
    t.equal(denied.fault?.type, 'PlatformConfigFault', 'a dataset the exports file does not offer is refused');
    t.match(denied.fault?.message, /The mount request was denied by the NFS server/);
    const missing = await probe.call('CreateNasDatastore', dss, spec('/nonexistent/export'));
    t.match(missing.fault?.message, /Unable to connect to NFS server/);
    t.same(await vcenter(), before.vcenter, 'nothing was mounted');
  });

  await t.test('vCenter fails a step half-way: FAILED with what exists; a cleanup that fails half-way is run again', async (t) => {
    await w.vc.control({ action: 'injectFault', methods: ['RegisterVM_Task'], fault: 'HostCommunication', as: 'soap', times: 1, message: 'vCenter lost the host' });
    const r = await w.client.callJob<RestoreEntry>('vmware.restore', [base]);
    t.equal(r.state, 'FAILED');
    t.match(r.error, /1 of 1 VMs could not be restored/);
    t.equal(r.vms.length, 1, 'exactly one VM');
    t.equal(r.vms[0]?.steps.length, 1, 'exactly one step: the failed registration');
    t.match(r.vms[0], { registered: false, moref: null, steps: [{ step: 'register', ok: false, error: /vCenter lost the host/ }] });
    t.match(r, { clone: { created: true }, share: { created: true }, datastore: { created: true } });

    await w.vc.control({ action: 'injectFault', methods: ['RemoveDatastore'], fault: 'HostConfigFault', as: 'soap', times: 1, message: 'host busy' });
    const first = await w.client.callJob<RestoreEntry>('vmware.restore_cleanup', [r.id]);
    t.equal(first.state, 'FAILED', 'the cleanup stopped at the datastore');
    t.match(first.error, /unmount: .*host busy/);
    const listed = await w.client.call<RestoreEntry[]>('vmware.restore.query');
    t.equal(listed.length, 1, 'exactly one record');
    t.match(listed, [{ id: r.id, state: 'FAILED', clone: { created: true }, datastore: { created: true } }], 'still listed with what exists');
    const again = await w.client.callJob<RestoreEntry>('vmware.restore_cleanup', [r.id]);
    t.equal(again.state, 'CLEANED', again.error ?? '');
    t.same(await vcenter(), before.vcenter);
    t.same(await zfsList(), before.zfs);
    t.equal(await exportsNow(), before.exports);
  });

  await t.test('the daemon killed half-way: start-up recovery lists the restore, cleanup removes what exists', async (t) => {
    await w.vc.control({ action: 'setDelays', delays: { RegisterVM_Task: 3000 } });
    const pending = w.client.call('vmware.restore', base).catch((err: unknown) => err);
    const half = await waitFor('the restore to reach the register step', async () =>
      (await w.client.call<RestoreEntry[]>('vmware.restore.query')).find((x) => x.vms[0]?.vmx_path !== null && x.state === 'RESTORING'),
    );
    w.daemon.kill('SIGKILL');
    t.equal((await w.daemon.exited).signal, 'SIGKILL');
    await pending;
    // vcsim still runs the held RegisterVM_Task: the copy appears after the daemon died.
    await waitFor('the held registration to finish in vcsim', async () => (await vcenter()).vms.some((v) => v.startsWith(`${half.vms[0]?.name}|`)));
    await w.vc.control({ action: 'setDelays', delays: {} });
    await w.restart();
    const [listed] = await w.client.call<RestoreEntry[]>('vmware.restore.query', [['id', '=', half.id]]);
    t.equal(listed?.state, 'FAILED');
    t.match(listed?.error, /the daemon stopped while this restore was running .*vmware\.restore_cleanup/);
    t.equal(listed?.vms.length, 1, 'exactly one VM');
    t.match(listed, { clone: { created: true }, share: { created: true }, datastore: { created: true }, vms: [{ registered: false, vmx_path: /web\.vmx$/ }] });
    const alerts = await restoreAlerts();
    t.equal(alerts.length, 1, 'exactly one alert');
    t.match(alerts, [{ key: JSON.stringify(half.id), formatted: /the daemon stopped while this restore was running/ }], 'start-up recovery raises VMWareRestoreFailed');
    const clean = await w.client.callJob<RestoreEntry>('vmware.restore_cleanup', [half.id]);
    t.equal(clean.state, 'CLEANED', clean.error ?? '');
    t.same(await restoreAlerts(), [], 'and the cleanup removes it');
    t.ok(clean.steps.some((s) => s.step === 'unregister' && s.ok), 'the copy registered after the kill is found on the restore\'s own datastore (recorded moref) by its recorded name and .vmx path, and removed');
    t.same(await vcenter(), before.vcenter);
    t.same(await zfsList(), before.zfs);
    t.equal(await exportsNow(), before.exports);
  });

  await t.test('a clone that does not fit the quota: FAILED, and cleanup destroys the half-made clone', async (t) => {
    const parent = `${w.pool.pool}/restores`;
    await zfs('create', '-o', 'quota=300K', parent);
    await writeFile(join(w.pool.mountpoint('restores'), 'fill'), Buffer.alloc(2_000_000, 7)).catch(() => undefined); // fills the quota
    const full = await zfsList();
    const r = await w.client.callJob<RestoreEntry>('vmware.restore', [{ ...base, restore_parent: parent }]);
    t.equal(r.state, 'FAILED');
    t.match(r.error, new RegExp(`cannot clone ${w.dataset}@r1 into ${parent}/vm-restore-`));
    t.match(r, { clone: { created: false }, share: { created: false }, datastore: { created: false } });
    t.ok((await zfsList()).includes(r.clone.name), 'zfs made the clone but could not mount it: it exists');
    const clean = await w.client.callJob<RestoreEntry>('vmware.restore_cleanup', [r.id]);
    t.equal(clean.state, 'CLEANED', clean.error ?? '');
    t.same(await zfsList(), full, 'the half-made clone is gone');
    t.same(await vcenter(), before.vcenter);
  });
});
