/**
 * Which existing objects are provably a restore's own (plugins/vmware/restore/owned.ts), over small
 * inventory and share fakes: recorded morefs and ids win over names (a renamed datastore is still
 * found, a look-alike named like the restore's objects never is), the name-and-path fallbacks apply
 * only to what a killed daemon could not record and only on the restore's own datastore or clone.
 */
import t from 'tap';
import type { NfsExportSummary } from '../../../../../plugins/sharing/nfs/service.js';
import { ownDatastore, ownShare, ownVm, shareMark, vsphereLeftText, vsphereMayHold } from '../../../../../plugins/vmware/restore/owned.js';
import type { RestoreEntry, RestoreVm } from '../../../../../plugins/vmware/restore/schemas.js';
import { datastore, inventory, vm } from '../../../../helpers/fake-inventory.js';

const PATH = '/mnt/tank/vm-restore-0000abcd';

function restoreVm(over: Partial<RestoreVm> = {}): RestoreVm {
  return { source: 'web', source_moref: 'vm-1', name: 'web-copy', vmx_path: null, vmx_from: null, moref: null, registered: false, nics_disconnected: null, powered_on: false, steps: [], ...over };
}

function entry(over: { datastore?: Partial<RestoreEntry['datastore']>; share?: Partial<RestoreEntry['share']>; vms?: RestoreVm[] } = {}): RestoreEntry {
  return {
    id: '0000abcd',
    snapshot: 'tank/vm@s1',
    run_id: 'run1',
    entry_id: 1,
    hostname: 'vc',
    host: { moref: 'host-1', name: 'esx1' },
    state: 'FAILED',
    error: null,
    started_at: { $date: 0 },
    ended_at: null,
    clone: { name: 'tank/vm-restore-0000abcd', mountpoint: PATH, created: true },
    share: { id: null, path: PATH, hosts: [], created: false, ...over.share },
    datastore: { name: 'restored', moref: null, datastore_system: null, remote_host: '192.0.2.1', remote_path: PATH, created: false, ...over.datastore },
    vms: over.vms ?? [],
    steps: [],
  };
}

/** Datastore `name` (moref ds-<name>) mounting `remotePath` on host-1. */
function mounted(name: string, remotePath: string) {
  const ds = datastore(name);
  return { ...ds, nas: { type: 'NFS', remoteHost: '192.0.2.1', remotePath, remoteHostNames: [] }, hosts: [{ host: { type: 'HostSystem', value: 'host-1' }, path: undefined, mounted: true, accessible: true }] };
}

t.test('datastore: by recorded moref, also after a rename; never by name', async (t) => {
  const renamed = { ...mounted('mine', PATH), name: 'renamed-by-an-admin' }; // moref ds-mine
  const inv = { ...inventory([]), datastores: [mounted('restored', '/mnt/tank/other'), renamed] };
  t.equal(ownDatastore(inv, entry({ datastore: { moref: 'ds-mine', datastore_system: 'dss-1', created: true } }), true), renamed, 'the recorded moref finds it under its new name');
  t.equal(ownDatastore(inv, entry({ datastore: { moref: 'ds-gone', datastore_system: 'dss-1', created: true } }), true), undefined, 'a recorded moref vCenter no longer has: gone, even with a datastore of that name');
  t.equal(ownDatastore({ ...inv, datastores: [mounted('restored', '/mnt/tank/other')] }, entry({ datastore: { datastore_system: 'dss-1' } }), true), undefined, 'a look-alike by name mounting another path is not it');
});

t.test('datastore without a moref (the daemon died during the mount): only the mount of its own clone\'s path', async (t) => {
  const inv = { ...inventory([]), datastores: [mounted('any-name', PATH)] };
  const e = entry({ datastore: { datastore_system: 'dss-1' } });
  t.equal(ownDatastore(inv, e, true)?.name, 'any-name');
  t.equal(ownDatastore(inv, e, false), undefined, 'not while the clone there is not provably the restore\'s');
  t.equal(ownDatastore(inv, entry(), true), undefined, 'not when the mount never started (no datastore system recorded)');
});

t.test('VM: by recorded moref on the restore\'s datastore; by recorded name and .vmx path only on it', async (t) => {
  const own = mounted('restored', PATH);
  const copy = vm({ moref: { type: 'VirtualMachine', value: 'vm-42' }, name: 'web-copy', datastores: [own.moref], vmPathName: '[restored] web/web.vmx' });
  const lookalike = vm({ moref: { type: 'VirtualMachine', value: 'vm-43' }, name: 'web-copy', datastores: [{ type: 'Datastore', value: 'ds-elsewhere' }], vmPathName: '[restored] web/web.vmx' });
  const inv = { ...inventory([lookalike, copy]), datastores: [own] };
  t.equal(ownVm(inv, restoreVm({ moref: 'vm-42', registered: true }), own), copy);
  t.equal(ownVm(inv, restoreVm({ moref: 'vm-43', registered: true }), own), undefined, 'a VM moved off the restore\'s datastore is kept');
  t.equal(ownVm(inv, restoreVm({ vmx_path: '[restored] web/web.vmx' }), own), copy, 'registered after the daemon died: found on the own datastore');
  t.equal(ownVm(inv, restoreVm({ vmx_path: '[restored] web/web.vmx' }), undefined), undefined, 'no own datastore: no VM of the restore can exist');
  t.equal(ownVm(inv, restoreVm(), own), undefined, 'never registered');
});

t.test('share: by recorded id and path, else by its owner mark and path', async (t) => {
  const share = (id: number, path: string, comment: string): NfsExportSummary => ({ id, path, networks: [], hosts: [], ro: false, enabled: true, comment, description: '' });
  const operator = share(7, PATH, 'made by hand');
  const marked = share(9, PATH, shareMark('0000abcd', 'tank/vm@s1'));
  t.equal(ownShare([operator, marked], entry({ share: { id: 9, created: true } })), marked);
  t.equal(ownShare([operator], entry({ share: { id: 9, created: true } })), undefined, 'recorded id gone: not the other share of that path');
  t.equal(ownShare([operator, marked], entry()), marked, 'no id recorded: the owner mark');
  t.equal(ownShare([operator], entry()), undefined, 'never a share of that path without the mark');
  t.equal(shareMark('0000abcd', 'tank/vm@s1'), 'vsnapd restore 0000abcd of tank/vm@s1');
});

t.test('vsphereMayHold and what is left', async (t) => {
  t.equal(vsphereMayHold(entry()), false, 'nothing started in vCenter');
  t.equal(vsphereMayHold(entry({ datastore: { datastore_system: 'dss-1' } })), true, 'a mount started');
  t.equal(vsphereMayHold(entry({ vms: [restoreVm({ vmx_path: '[restored] web/web.vmx' })] })), true, 'a registration started');
  t.equal(
    vsphereLeftText(entry({ datastore: { moref: 'datastore-7', datastore_system: 'dss-1', created: true }, vms: [restoreVm({ moref: 'vm-42', registered: true }), restoreVm({ name: 'never' })] })),
    'VM web-copy (vm-42), datastore restored (datastore-7)',
  );
});
