import t from 'tap';
import {
  describeDatastore,
  describeServerDatastores,
  matchDatastores,
  remoteDatastores,
  zvolNaaKeys,
  type LocalFilesystem,
  type RemoteDatastore,
} from '../../../../../plugins/vmware/match/match.js';
import { datastore } from '../../../../helpers/fake-inventory.js';
import type { DatastoreInfo, HostInfo } from '../../../../../vsphere/inventory/types.js';

const nfs = (name: string, hosts: string[], path: string, type = 'NFS'): RemoteDatastore => ({ name, type, nfs: { hosts, path } });
const fs = (name: string, mountpoint: string | null, type: 'FILESYSTEM' | 'VOLUME' = 'FILESYSTEM'): LocalFilesystem => ({ name, type, mountpoint });
const local = [fs('tank', '/mnt/tank'), fs('tank/vm', '/mnt/tank/vm'), fs('tank/vmware', '/mnt/tank/vmware'), fs('tank/vmware/db', '/mnt/tank/vmware/db'), fs('tank/vol', null, 'VOLUME')];
const ours = new Set(['10.0.0.5', 'nas.example.com', 'fd00::5']);

function backing(datastores: RemoteDatastore[], extra: Partial<Parameters<typeof matchDatastores>[0]> = {}): Record<string, string[]> {
  const r = matchDatastores({ datastores, filesystems: local, ourHosts: ours, ...extra });
  return Object.fromEntries(r.datastores.map((d) => [d.name, d.filesystems]));
}

t.test('NFS: matched by address, by name, exact path, trailing slash, sub-folder; never by prefix', async (t) => {
  t.same(
    backing([
      nfs('by-ip', ['10.0.0.5'], '/mnt/tank/vmware'),
      nfs('by-name', ['nas.example.com'], '/mnt/tank/vmware'),
      nfs('by-v6', ['fd00::5'], '/mnt/tank/vm'),
      nfs('slash', ['10.0.0.5'], '/mnt/tank/vmware/'),
      nfs('sub', ['10.0.0.5'], '/mnt/tank/vmware/folder/deeper'),
      nfs('child', ['10.0.0.5'], '/mnt/tank/vmware/db'),
      nfs('no-prefix', ['10.0.0.5'], '/mnt/tank/vmx'),
      nfs('foreign-host', ['10.9.9.9'], '/mnt/tank/vmware'),
      nfs('nowhere', ['10.0.0.5'], '/srv/other'),
      nfs('multi', ['10.9.9.9', 'nas.example.com'], '/mnt/tank/vm', 'NFS41'),
    ]),
    {
      'by-ip': ['tank/vmware'],
      'by-name': ['tank/vmware'],
      'by-v6': ['tank/vm'],
      slash: ['tank/vmware'],
      sub: ['tank/vmware'],
      child: ['tank/vmware/db'],
      'no-prefix': ['tank'],
      'foreign-host': [],
      nowhere: [],
      multi: ['tank/vm'],
    },
  );
});

t.test('VMFS: matched by naa. extent of a zvol device extent; other datastore types are not listed', async (t) => {
  const extents = [
    { path: 'zvol/tank/vol', naa: '0x6589CFC000000B3F0A891A2C4E187594' },
    { path: '/mnt/tank/file-extent', naa: '0x6589cfc0000000000000000000000001' },
  ];
  const r = matchDatastores({
    datastores: [
      { name: 'zvol-ds', type: 'VMFS', extents: ['naa.6589cfc000000b3f0a891a2c4e187594'] },
      { name: 'local-ds', type: 'VMFS', extents: ['mpx.vmhba0:C0:T0:L0'] },
      { name: 'LocalDS_0', type: 'OTHER' },
      { name: 'vsan', type: 'vsan' },
    ],
    filesystems: local,
    ourHosts: ours,
    extents,
  });
  t.same(r.datastores, [
    { name: 'local-ds', description: 'mpx.vmhba0:C0:T0:L0', filesystems: [] },
    { name: 'zvol-ds', description: 'iSCSI extent naa.6589cfc000000b3f0a891a2c4e187594', filesystems: ['tank/vol'] },
  ]);
  t.same(r.filesystems.find((f) => f.name === 'tank/vol'), { type: 'VOLUME', name: 'tank/vol', description: 'iSCSI extent naa.6589cfc000000b3f0a891a2c4e187594' });
  t.same(zvolNaaKeys(extents), new Map([['tank/vol', ['naa.6589cfc000000b3f0a891a2c4e187594']]]), 'file extents ignored, 0x dropped');
});

t.test('descriptions: TrueNAS wording, NFS exports where they exist; both lists sorted by name', async (t) => {
  const r = matchDatastores({
    datastores: [nfs('b', ['10.0.0.5', 'nas.example.com'], '/mnt/tank/vmware'), nfs('a', ['10.0.0.5'], '/mnt/tank')],
    filesystems: [fs('tank/vmware', '/mnt/tank/vmware'), fs('tank', '/mnt/tank'), fs('tank/vol', null, 'VOLUME'), fs('tank/nomount', null)],
    ourHosts: ours,
    exports: [
      { path: '/mnt/tank/vmware', description: 'NFS export /mnt/tank/vmware to 192.168.1.0/24' },
      { path: '/mnt/tank/vmware/iso', description: 'NFS export /mnt/tank/vmware/iso to everybody (read-only)' },
    ],
    nasAddresses: ['10.0.0.5', '10.0.0.6'],
  });
  t.same(r.datastores.map((d) => [d.name, d.description]), [
    ['a', "NFS mount '/mnt/tank' on 10.0.0.5"],
    ['b', "NFS mount '/mnt/tank/vmware' on 10.0.0.5 or nas.example.com"],
  ]);
  t.same(r.filesystems, [
    { type: 'FILESYSTEM', name: 'tank', description: "NFS mount '/mnt/tank' on 10.0.0.5 or 10.0.0.6" },
    { type: 'FILESYSTEM', name: 'tank/nomount', description: 'Not mounted' },
    {
      type: 'FILESYSTEM',
      name: 'tank/vmware',
      description: 'NFS export /mnt/tank/vmware to 192.168.1.0/24; NFS export /mnt/tank/vmware/iso to everybody (read-only)',
    },
    { type: 'VOLUME', name: 'tank/vol', description: 'Not shared via iSCSI' },
  ]);
});

t.test('remoteDatastores reads Datastore.info, else a host mount of the same name', async (t) => {
  const withInfo: DatastoreInfo = { ...datastore('ds1'), nas: { type: 'NFS41', remoteHost: '10.0.0.5', remotePath: '/mnt/tank/ds1', remoteHostNames: ['10.0.0.5', 'nas2'] }, type: 'NFS41' };
  const bare: DatastoreInfo = { ...datastore('ds2'), nas: undefined };
  const vmfs: DatastoreInfo = { ...datastore('ds3'), type: 'VMFS', nas: undefined, vmfs: { name: 'ds3', uuid: 'u', version: '6', extents: [{ diskName: 'naa.1', partition: 1 }] } };
  const host = {
    mounts: [{ name: 'ds2', type: 'NFS', remoteHost: 'nas.example.com', remotePath: '/mnt/tank/ds2/', remoteHostNames: [], extents: [] }],
  } as unknown as HostInfo;
  const r = remoteDatastores({ datastores: [withInfo, bare, vmfs], hosts: [host] });
  t.same(r, [
    { name: 'ds1', type: 'NFS41', nfs: { hosts: ['10.0.0.5', 'nas2'], path: '/mnt/tank/ds1' } },
    { name: 'ds2', type: 'NFS', nfs: { hosts: ['nas.example.com'], path: '/mnt/tank/ds2/' } },
    { name: 'ds3', type: 'VMFS', extents: ['naa.1'] },
  ]);
  t.equal(describeDatastore({ name: 'x', type: 'VFFS' }), 'VFFS datastore');
});

t.test('describeServerDatastores explains what backs each datastore', async (t) => {
  const remote = [nfs('vmstore', ['10.0.0.5'], '/mnt/tank/vm'), nfs('elsewhere', ['10.9.9.9'], '/x'), { name: 'LocalDS_0', type: 'OTHER' }];
  const match = matchDatastores({ datastores: remote, filesystems: local, ourHosts: ours });
  t.same(describeServerDatastores(remote, match), [
    'LocalDS_0 (OTHER datastore, cannot be backed by a dataset)',
    "elsewhere (NFS mount '/x' on 10.9.9.9, not backed by a dataset of this NAS)",
    "vmstore (NFS mount '/mnt/tank/vm' on 10.0.0.5, backed by tank/vm)",
  ]);
});
