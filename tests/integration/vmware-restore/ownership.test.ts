/**
 * Instant restore cleanup acts only on what it can prove is its own, and reports what it cannot tell
 * (issue 20), on vcsim + zfs-fuse through the real daemon:
 * - names a recorded restore holds (datastore, VMs, clone) are refused to another restore;
 * - a failed restore's cleanup leaves objects that merely carry its names (an operator's VM on an
 *   operator's datastore, an operator's share of the same path) alone;
 * - a `zfs` failure other than "dataset does not exist" keeps the record FAILED and the clone;
 * - a datastore renamed after the restore is found by its recorded moref;
 * - once the vCenter side is proven clean, a later cleanup completes without vCenter (entry deleted),
 *   and a cleanup that cannot reach what is left says what is left.
 * What is left is checked with the vcsim fixture's SOAP probe, `zfs list` and the exports file.
 *
 * ZFS failures: the daemon's `zfs` (config `zfs.zfs_path`) is a shell script around the real binary
 * that fails chosen subcommands for one dataset with the stderr real `zfs` prints in that case —
 * "pool I/O is currently suspended" (a suspended pool, which zfs-fuse cannot be made to have on
 * demand) or "out of space" (a clone that does not fit) — and runs the real `zfs` for everything else.
 */
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { moId, ref, esc } from '../../fixtures/vcsim/probe.js';
import { ZFS_BIN } from '../../fixtures/zfs/daemon.js';
import { zfs } from '../../fixtures/zfs/pool.js';
import { restoreProbe } from '../../helpers/restore-probe.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { tempDir } from '../../helpers/tmp-datastore.js';
import { validationErrors } from '../../helpers/validation.js';
import { waitFor } from '../../helpers/wait.js';
import type { RestoreEntry, RestorePlan } from '../../../plugins/vmware/restore/schemas.js';

const HOST = 'DC0_C0_H0';

t.test('a restore\'s cleanup removes only what is provably its own, and says what it cannot tell', async (t) => {
  const faultDir = tempDir(t, 'vsnapd-zfs-faults-');
  const rules = join(faultDir, 'rules');
  const wrapper = join(faultDir, 'zfs');
  await writeFile(rules, '');
  await writeFile(
    wrapper,
    [
      '#!/bin/sh',
      '# Fails "zfs <subcommand> ... <dataset>" as listed in the rules file (subcommand TAB dataset TAB stderr, one per line); else runs the real zfs.',
      `while IFS='\t' read -r sub ds msg; do`,
      '  if [ "$1" = "$sub" ]; then for a in "$@"; do if [ "$a" = "$ds" ]; then printf \'%s\\n\' "$msg" >&2; exit 1; fi; done; fi',
      `done < '${rules}'`,
      `exec '${ZFS_BIN}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  /** Makes the daemon's `zfs <sub> … <dataset>` fail with `stderr` (no argument: no failures). */
  const failZfs = (...r: [sub: string, dataset: string, stderr: string][]) => writeFile(rules, r.map((x) => `${x.join('\t')}\n`).join(''));

  const w = await startSyncWorld(t, { vms: [{ name: 'web', datastore: VM_DS, host: HOST, nics: 1 }], nfs: true, config: { zfs: { zfs_path: wrapper } } });
  await w.snapshot('r1');
  const v = await restoreProbe(t, w);
  const { probe, sc } = v;
  const before = await v.state();
  const base = { snapshot: `${w.dataset}@r1`, vms: ['web'], host: HOST, power_on: true };
  const restore = (extra: Record<string, unknown>) => w.client.callJob<RestoreEntry>('vmware.restore', [{ ...base, ...extra }]);
  const cleanup = (id: string) => w.client.callJob<RestoreEntry>('vmware.restore_cleanup', [id]);
  const records = () => w.client.call<RestoreEntry[]>('vmware.restore.query');

  /** Runs a vCenter task through the probe; returns its result's moref value. */
  const task = async (method: string, self: { type: string; value: string }, inner = '') => {
    const r = await probe.call(method, self, inner);
    if (r.fault) throw new Error(`${method}: ${r.fault.type}: ${r.fault.message}`);
    const info = await probe.waitTask(sc, { type: 'Task', value: moId(r.body.returnval) });
    if (info.state !== 'success') throw new Error(`${method}: ${JSON.stringify(info.error)}`);
    return moId(info.result);
  };
  /** `zfs destroy`, waiting while zfs-fuse reports the dataset busy (a mount or export just withdrawn holds it a moment). */
  const destroyDataset = (name: string) =>
    waitFor(`zfs destroy ${name}`, () =>
      zfs('destroy', name).then(
        () => true,
        (err: unknown) => {
          if (!/dataset is busy/.test(String(err))) throw err;
          return false;
        },
      ),
    );
  const hostObj = (await probe.view(sc, 'HostSystem', ['name', 'parent', 'configManager.datastoreSystem'])).objects.find((o) => o.props.name === HOST)!;
  const dss = { type: 'HostDatastoreSystem', value: moId(hostObj.props['configManager.datastoreSystem']) };

  /**
   * What an operator might set up by hand with a failed restore's names: dataset `<pool>/manual` with a
   * copy of the VM's folder, shared to the host, mounted as datastore `dsName`, VM `vmName`
   * registered from it and powered on. Returns its removal.
   */
  const operatorVm = async (dsName: string, vmName: string) => {
    await zfs('create', `${w.pool.pool}/manual`);
    await cp(join(w.pool.mountpoint('vm'), 'web'), join(w.pool.mountpoint('manual'), 'web'), { recursive: true });
    const share = await w.client.call<{ id: number }>('sharing.nfs.create', { path: w.pool.mountpoint('manual'), hosts: ['127.0.0.1'], maproot_user: 'root', maproot_group: 'wheel' });
    const spec = `<spec><remoteHost>127.0.0.1</remoteHost><remotePath>${esc(w.pool.mountpoint('manual'))}</remotePath><localPath>${esc(dsName)}</localPath><accessMode>readWrite</accessMode></spec>`;
    const mounted = await probe.call('CreateNasDatastore', dss, spec);
    if (mounted.fault) throw new Error(`CreateNasDatastore: ${mounted.fault.message}`);
    const ds = { type: 'Datastore', value: moId(mounted.body.returnval) };
    const pool = (await probe.view(sc, 'ResourcePool', ['name', 'owner'])).objects.find((p) => moId(p.props.owner) === moId(hostObj.props.parent) && p.props.name === 'Resources')!.obj.value;
    const folder = moId((await probe.view(sc, 'Datacenter', ['vmFolder'])).objects[0]?.props.vmFolder);
    const vm = {
      type: 'VirtualMachine',
      value: await task(
        'RegisterVM_Task',
        { type: 'Folder', value: folder },
        `<path>${esc(`[${dsName}] web/web.vmx`)}</path><name>${esc(vmName)}</name><asTemplate>false</asTemplate>${ref('pool', { type: 'ResourcePool', value: pool })}${ref('host', hostObj.obj)}`,
      ),
    };
    await task('PowerOnVM_Task', vm);
    return async () => {
      await task('PowerOffVM_Task', vm);
      await probe.call('UnregisterVM', vm);
      await probe.call('RemoveDatastore', dss, ref('datastore', ds));
      await w.client.call('sharing.nfs.delete', share.id);
      await destroyDataset(`${w.pool.pool}/manual`);
    };
  };

  await t.test('(a) a restore failed at the mount holds its names; its cleanup leaves a running VM that only shares them alone', async (t) => {
    await w.vc.control({ action: 'injectFault', methods: ['CreateNasDatastore'], fault: 'PlatformConfigFault', as: 'soap', times: 1, message: 'NFS mount 10.9.9.9:/x failed: Unable to connect to NFS server.' });
    const names = { datastore_name: 'restored', names: { web: 'web-restored' } };
    const a = await restore({ ...names, nas_address: '10.9.9.9' });
    t.equal(a.state, 'FAILED');
    t.match(a, { clone: { created: true }, share: { created: true }, datastore: { created: false, moref: null } });

    const held = new RegExp(`is (the datastore|a VM) name of restore ${a.id} \\(FAILED; vmware\\.restore_cleanup ${a.id} releases it\\)$`);
    const errs = await validationErrors(restore(names));
    t.equal(errs.length, 2, 'exactly two conflicts');
    t.match(errs, [
      ['restore.datastore_name', held],
      ['restore.names.web', held],
    ]);
    const plan = await w.client.call<RestorePlan>('vmware.plan_restore', { ...base, ...names });
    t.equal(plan.ok, false);
    t.equal(plan.conflicts.length, 2, 'the plan lists the same two');

    const removeOperatorVm = await operatorVm('restored', 'web-restored');
    const withOperator = await v.state();
    t.ok(withOperator.vcenter.vms.includes('web-restored|poweredOn|[restored] web/web.vmx'), 'the operator\'s VM runs from the operator\'s datastore "restored"');

    const clean = await cleanup(a.id);
    t.equal(clean.state, 'CLEANED', clean.error ?? '');
    t.same(clean.steps.filter((s) => s.step === 'power_off' || s.step === 'unregister' || s.step === 'unmount'), [], 'nothing done in vCenter');
    t.same(await v.vcenter(), withOperator.vcenter, 'the operator\'s VM still runs, its datastore still mounted');
    t.same(await v.zfsList(), withOperator.zfs.filter((n) => n !== a.clone.name), 'only A\'s clone destroyed');
    t.notMatch(await v.exportsNow(), a.clone.mountpoint ?? '', 'A\'s export withdrawn');
    t.match(await v.exportsNow(), w.pool.mountpoint('manual'), 'the operator\'s export kept');

    await removeOperatorVm();
    t.same(await v.state(), before);
  });

  await t.test('(b) a restore failed at the clone holds its clone name; its cleanup leaves a share of that path it did not make alone', async (t) => {
    const cloneName = `${w.pool.pool}/restored-vm`;
    await failZfs(['clone', cloneName, `cannot create '${cloneName}': out of space`]);
    const a = await restore({ clone_name: cloneName });
    await failZfs();
    t.equal(a.state, 'FAILED');
    t.match(a.error, /cannot clone .*out of space/);
    t.match(a, { clone: { created: false }, share: { created: false, id: null } });

    const errs = await validationErrors(restore({ clone_name: cloneName }));
    t.equal(errs.length, 1, 'exactly one conflict');
    t.match(errs, [['restore.clone_name', new RegExp(`^${cloneName} is the clone of restore ${a.id} \\(FAILED; vmware\\.restore_cleanup ${a.id} releases it\\)$`)]]);

    // An operator makes a dataset of that name and shares it.
    await zfs('create', cloneName);
    const share = await w.client.call<{ id: number }>('sharing.nfs.create', { path: a.clone.mountpoint, hosts: ['127.0.0.1'] });
    const withOperator = await v.state();
    const first = await cleanup(a.id);
    t.equal(first.state, 'FAILED', 'the dataset at its clone name is not its clone');
    t.match(first.error, new RegExp(`destroy: ${cloneName} is not restore ${a.id}'s clone \\(its vsnapd:restore is unset\\); left alone`));
    t.same(await v.state(), withOperator, 'the operator\'s dataset and share are untouched');

    await w.client.call('sharing.nfs.delete', share.id);
    await destroyDataset(cloneName);
    const again = await cleanup(a.id);
    t.equal(again.state, 'CLEANED', again.error ?? '');
    t.same(await v.state(), before);
    t.same(await records(), []);
  });

  await t.test('a zfs failure other than "dataset does not exist" keeps the record and the clone', async (t) => {
    const r = await restore({});
    t.equal(r.state, 'READY', r.error ?? '');
    await failZfs(['get', r.clone.name, `cannot open '${r.clone.name}': pool I/O is currently suspended`]);
    const first = await cleanup(r.id);
    t.equal(first.state, 'FAILED');
    t.match(first.error, new RegExp(`destroy: cannot tell whether ${r.clone.name} still exists: .*pool I/O is currently suspended`));
    t.ok((await v.zfsList()).includes(r.clone.name), 'the clone is still there (zfs list)');
    const listed = await records();
    t.equal(listed.length, 1, 'exactly one record kept');
    t.match(listed, [{ id: r.id, state: 'FAILED', clone: { created: true } }]);
    t.same((await v.vcenter()).vms, before.vcenter.vms, 'the VM was removed from vCenter all the same');

    await failZfs();
    const again = await cleanup(r.id);
    t.equal(again.state, 'CLEANED', again.error ?? '');
    t.same(await v.state(), before);
  });

  await t.test('a datastore renamed after the restore is still found by its moref and unmounted', async (t) => {
    const r = await restore({});
    t.equal(r.state, 'READY', r.error ?? '');
    const renamed = await probe.call('RenameDatastore', { type: 'Datastore', value: r.datastore.moref ?? '' }, '<newName>renamed-by-an-admin</newName>');
    t.equal(renamed.fault, undefined, 'renamed (vim25 Datastore.RenameDatastore)');
    t.ok((await v.vcenter()).dss.includes('renamed-by-an-admin:1'), 'vCenter lists it under its new name (probe)');
    const clean = await cleanup(r.id);
    t.equal(clean.state, 'CLEANED', clean.error ?? '');
    t.ok(clean.steps.some((s) => s.step === 'unmount' && s.ok), 'unmounted by its recorded moref');
    t.same(await v.state(), before);
  });

  await t.test('vCenter proven clean: a later cleanup completes after the vmware entry is deleted; otherwise it names what is left', async (t) => {
    const d = await restore({});
    const e = await restore({});
    t.equal(d.state, 'READY', d.error ?? '');
    t.equal(e.state, 'READY', e.error ?? '');
    await failZfs(['destroy', d.clone.name, `cannot destroy '${d.clone.name}': pool I/O is currently suspended`]);
    const first = await cleanup(d.id);
    t.equal(first.state, 'FAILED');
    t.match(first.error, /destroy: .*pool I\/O is currently suspended/);
    t.notOk((await v.vcenter()).vms.some((x) => x.startsWith(`${d.vms[0]?.name}|`)), 'D\'s VM is gone from vCenter (probe)');

    await w.client.call('vmware.delete', w.entryId);
    await failZfs();
    const again = await cleanup(d.id);
    t.equal(again.state, 'CLEANED', again.error ?? '');
    t.notOk((await v.zfsList()).includes(d.clone.name), 'D\'s clone is destroyed (zfs list)');

    const stuck = await cleanup(e.id);
    t.equal(stuck.state, 'FAILED');
    t.match(stuck.error, new RegExp(`vmware entry ${w.entryId} \\(.*\\) no longer exists, so these may be left there: VM ${e.vms[0]?.name} \\(${e.vms[0]?.moref}\\), datastore ${e.datastore.name} \\(${e.datastore.moref}\\)`));
    t.ok((await v.vcenter()).vms.some((x) => x.startsWith(`${e.vms[0]?.name}|poweredOn|`)), 'E\'s VM is untouched');
    t.ok((await v.zfsList()).includes(e.clone.name), 'E\'s clone is kept: its datastore may still mount it');
    const listed = await records();
    t.equal(listed.length, 1, 'exactly one record kept');
    t.match(listed, [{ id: e.id, state: 'FAILED' }]);
  });
});
