import t from 'tap';
import type { NfsShare } from '../../../../plugins/sharing/nfs/schemas.js';
import { describeExport, nfsExportsService } from '../../../../plugins/sharing/nfs/service.js';

const row = (over: Partial<NfsShare> = {}): NfsShare => ({
  id: 1, path: '/mnt/tank/vmware', aliases: [], comment: '', networks: ['192.168.1.0/24'], hosts: [], ro: false, security: [],
  enabled: true, maproot_user: 'root', maproot_group: 'wheel', mapall_user: null, mapall_group: null, ...over,
});

t.test('descriptions as vmware.match_datastores_with_datasets shows them', async (t) => {
  t.equal(describeExport(row()), 'NFS export /mnt/tank/vmware to 192.168.1.0/24');
  t.equal(describeExport(row({ networks: [], hosts: [] })), 'NFS export /mnt/tank/vmware to everybody');
  t.equal(describeExport(row({ hosts: ['esx1'], ro: true, enabled: false })), 'NFS export /mnt/tank/vmware to esx1, 192.168.1.0/24 (read-only, disabled)');
});

t.test('list() copies the rows it summarises', async (t) => {
  const rows = [row(), row({ id: 2, path: '/mnt/tank/iso', networks: [] })];
  const list = nfsExportsService(() => rows, { create: () => Promise.reject(new Error('unused')), remove: () => Promise.reject(new Error('unused')) }).list();
  t.same(list.map((s) => [s.id, s.path, s.enabled, s.description]), [
    [1, '/mnt/tank/vmware', true, 'NFS export /mnt/tank/vmware to 192.168.1.0/24'],
    [2, '/mnt/tank/iso', true, 'NFS export /mnt/tank/iso to everybody'],
  ]);
  list[0]!.networks.push('10.0.0.0/8');
  t.same(rows[0]!.networks, ['192.168.1.0/24']);
});
