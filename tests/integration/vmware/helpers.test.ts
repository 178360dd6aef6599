/**
 * The vmware helper methods through the real daemon, vcsim and a zfs-fuse pool:
 * match_datastores_with_datasets (by IP, by a name resolving to us, by a configured VIP name, by
 * sub-folder, with a trailing slash, never by prefix; NFS export descriptions), get_datastores and
 * its TrueNAS errnos, test (draft and saved, certificate pinning by SHA-256/SHA-1/CA), dataset_has_vms,
 * get_virtual_machines and the inventory export.
 */
import t from 'tap';
import { ClientValidationError } from '../../../client/index.js';
import { NAS_VIP_NAME, startVmwareWorld, VC_PASSWORD, VC_USER } from '../../helpers/vmware-world.js';
import { callError } from '../../helpers/validation.js';

interface Match {
  datastores: { name: string; description: string; filesystems: string[] }[];
  filesystems: { type: string; name: string; description: string }[];
}
interface TestResult {
  ok: boolean;
  product: string | null;
  version: string | null;
  api_version: string | null;
  certificate: { sha256: string; sha1: string; trusted: boolean; pinned: boolean } | null;
  datastores: string[];
  latency_ms: number;
  error?: { class: string; message: string };
}

t.test('vmware helper methods', async (t) => {
  const w = await startVmwareWorld(t);
  const { root, vc, ds, pool } = w;
  const creds = { hostname: '127.0.0.1', port: vc.port, username: VC_USER, password: VC_PASSWORD, tls: { ca: vc.certPem } };
  const entry = await root.call<{ id: number }>('vmware.create', w.seed({ tls: { thumbprint: vc.thumbprintSha256 } }));

  t.test('match_datastores_with_datasets', async (t) => {
    await root.call('sharing.nfs.create', { path: pool.mountpoint('vmware'), networks: ['192.168.1.0/24'], maproot_user: 'root', maproot_group: 'wheel' });
    const byCreds = await root.call<Match>('vmware.match_datastores_with_datasets', creds);
    const byId = await root.call<Match>('vmware.match_datastores_with_datasets', entry.id);
    // Other test runs create and destroy pools meanwhile: compare this pool's part only.
    const mine = (m: Match) => ({ ...m, filesystems: m.filesystems.filter((f) => f.name === ds.root || f.name.startsWith(`${ds.root}/`)) });
    t.same(mine(byId), mine(byCreds), 'by entry id = by credentials');
    t.same(
      byCreds.datastores.map((d) => [d.name, d.filesystems]),
      [
        ['bylocalhost', [ds.vm]], // remote host "localhost" resolves to 127.0.0.1; path has a trailing slash
        ['byvip', [ds.vm]], // NFS41 mounted by the configured VIP name
        ['foreign', []], // another NAS
        ['isos', [ds.other]], // a folder inside the dataset
        ['prefix', [ds.root]], // <root>/vmx: the pool root, never <pool>/vm by prefix
        ['vmstore', [ds.vmware]], // by IP, exact path
      ],
      'LocalDS_0 (OTHER) is not listed',
    );
    t.equal(byCreds.datastores.find((d) => d.name === 'vmstore')?.description, `NFS mount '${pool.mountpoint('vmware')}' on 127.0.0.1`);
    t.equal(byCreds.datastores.find((d) => d.name === 'bylocalhost')?.description, `NFS mount '${pool.mountpoint('vm')}/' on localhost`, 'trailing slash as ESXi reports it');
    t.equal(byCreds.datastores.find((d) => d.name === 'byvip')?.description, `NFS mount '${pool.mountpoint('vm')}' on ${NAS_VIP_NAME}`);
    t.same(
      mine(byCreds).filesystems.map((f) => f.name),
      [ds.root, ds.other, ds.vm, ds.vmware].sort(),
      'this pool\'s datasets (other pools on the machine are listed too)',
    );
    t.same(byCreds.filesystems.find((f) => f.name === ds.vmware), { type: 'FILESYSTEM', name: ds.vmware, description: `NFS export ${pool.mountpoint('vmware')} to 192.168.1.0/24` });
    t.match(byCreds.filesystems.find((f) => f.name === ds.vm)?.description, new RegExp(`^NFS mount '${pool.mountpoint('vm')}' on .*127\\.0\\.0\\.1`));
    const err = await callError(root.call('vmware.match_datastores_with_datasets', { ...creds, password: 'wrong' }));
    t.match(err, { errno: 1, reason: '[EPERM] Login failure' });
  });

  t.test('get_datastores: sorted NFS/VMFS names; TrueNAS errnos', async (t) => {
    t.same(await root.call('vmware.get_datastores', creds), ['bylocalhost', 'byvip', 'foreign', 'isos', 'prefix', 'vmstore']);
    t.match(await callError(root.call('vmware.get_datastores', { ...creds, password: 'wrong' })), { errno: 1, errname: 'EPERM' });
    t.match(await callError(root.call('vmware.get_datastores', { ...creds, port: 1 })), { errno: 111, errname: 'ECONNREFUSED' });
    const tls = await callError(root.call('vmware.get_datastores', { ...creds, tls: undefined }));
    t.match(tls, { errno: 208, errname: 'ESSLCERTVERIFICATIONERROR', extra: { fingerprint256: vc.thumbprintSha256 } });
    t.match(tls.reason, new RegExp(`SHA-256 fingerprint is ${vc.thumbprintSha256}`));
    const bad = await callError(root.call('vmware.get_datastores', { ...creds, hostname: 'https://x/' }));
    t.ok(bad instanceof ClientValidationError);
    t.match((bad as ClientValidationError).errors, [{ attribute: 'credentials.hostname' }]);
  });

  t.test('test: drafts, saved entries, certificate pinning', async (t) => {
    const draft = (tls: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      root.call<TestResult>('vmware.test', { hostname: '127.0.0.1', port: vc.port, username: VC_USER, password: VC_PASSWORD, tls, ...extra });
    const ok = await draft({ thumbprint: vc.thumbprintSha256 });
    t.match(ok, { ok: true, product: /VMware vCenter Server/, version: /\d/, api_version: vc.apiVersion, datastores: ['bylocalhost', 'byvip', 'foreign', 'isos', 'prefix', 'vmstore'] });
    t.match(ok.certificate, { sha256: vc.thumbprintSha256, sha1: vc.thumbprintSha1, trusted: false, pinned: true });
    t.ok(ok.latency_ms >= 0);
    t.notOk('error' in ok);
    t.match(await draft({ thumbprint: vc.thumbprintSha1.replace(/:/g, '').toLowerCase() }), { ok: true, certificate: { pinned: true } }, 'SHA-1 pin, any format');
    t.match(await draft({ ca: vc.certPem }), { ok: true, certificate: { trusted: true, pinned: false } }, 'custom CA');
    t.match(await draft({ verify: false }), { ok: true, certificate: { trusted: false } }, 'verification off');
    const untrusted = await draft({});
    t.match(untrusted, { ok: false, product: null, datastores: [], certificate: { sha256: vc.thumbprintSha256, trusted: false }, error: { class: 'tls', message: new RegExp(vc.thumbprintSha256) } });
    t.match(await draft({ ca: vc.certPem }, { hostname: 'localhost' }), { ok: false, error: { class: 'tls' } }, 'CA trusted but the name is not in the certificate');
    t.match(await draft({ ca: vc.certPem }, { password: 'wrong' }), { ok: false, error: { class: 'auth', message: 'Login failure' } });
    t.match(await draft({ ca: vc.certPem }, { port: 1 }), { ok: false, certificate: null, error: { class: 'network' } });
    t.match(await draft({ ca: vc.certPem }, { filesystem: ds.vmware, datastores: ['vmstore'] }), { ok: true }, 'a whole create form is accepted');

    // Saved entry: the stored password is reused; an unchanged test records health.
    const before = await root.call<{ health: { last_success: Date } }>('vmware.get_instance', entry.id);
    const saved = await root.call<TestResult>('vmware.test', entry.id);
    t.match(saved, { ok: true, certificate: { pinned: true } });
    const after = await root.call<{ health: { last_success: Date } }>('vmware.get_instance', entry.id);
    t.ok(after.health.last_success.getTime() >= before.health.last_success.getTime(), 'health updated');
    t.match(await root.call('vmware.test', entry.id, { password: '********' }), { ok: true });
    t.match(await root.call('vmware.test', entry.id, { password: 'wrong' }), { ok: false, error: { class: 'auth' } });
    const failuresAfter = (await root.call<{ health: { consecutive_failures: number } }>('vmware.get_instance', entry.id)).health.consecutive_failures;
    t.equal(failuresAfter, 0, 'a test with edited credentials does not touch health');
    t.match(await root.call('vmware.test', entry.id, { tls: { thumbprint: null, ca: vc.certPem } }), { ok: true, certificate: { trusted: true } });
    const nf = await callError(root.call('vmware.test', 999));
    t.match(nf, { errno: 22, reason: /VMWare 999 does not exist/ });
  });

  t.test('dataset_has_vms: TrueNAS semantics from configuration', async (t) => {
    const has = (d: string, r?: boolean) => root.call<boolean>('vmware.dataset_has_vms', ...(r === undefined ? [d] : [d, r]));
    t.equal(await has(ds.vmware), true);
    t.equal(await has(ds.vmware, false), true);
    t.equal(await has(ds.root), false, 'parent, not recursive');
    t.equal(await has(ds.root, true), true, 'parent, recursive');
    t.equal(await has(ds.vm, true), false);
    for (const missing of [`${ds.vmware}/child`, `${ds.root}/vmw`]) {
      await t.rejects(root.call('vmware.dataset_has_vms', missing, true), { name: 'ClientCallError', errno: 2, errname: 'ENOENT', message: `Dataset ${missing} does not exist` }, `${missing}: ENOENT, not false`);
      await t.rejects(root.call('vmware.plan', missing, true), { name: 'ClientCallError', errno: 2, message: `Dataset ${missing} does not exist` }, `vmware.plan ${missing}: ENOENT, not an empty plan`);
    }
  });

  t.test('get_virtual_machines', async (t) => {
    const vms = await root.call<Array<{ name: string; protected: boolean; reason: string | null; code: string | null; moref: string; uuid: string; host: string; datastores: string[]; power_state: string; tools_status: string | null }>>(
      'vmware.get_virtual_machines',
      entry.id,
    );
    t.same(vms.map((v) => [v.name, v.protected, v.code]), [
      ['app01', false, 'other_datastore'],
      ['db01', false, 'powered_off'],
      ['tmpl01', false, 'template'],
      ['web01', true, null],
    ]);
    const web = vms.find((v) => v.name === 'web01');
    const sim = vc.inventory.vms.find((v) => v.name === 'web01');
    t.match(web, { moref: sim?.moref, uuid: sim?.uuid, power_state: 'poweredOn', datastores: ['vmstore'], reason: null, host: /\S/ });
    t.match(vms.find((v) => v.name === 'db01')?.reason, /powered off/);
  });

  t.test('inventory export', async (t) => {
    const doc = await root.call<{
      format: string;
      source: { id: number; api_type: string };
      datacenters: { name: string }[];
      clusters: { name: string; hosts: string[] }[];
      hosts: { name: string }[];
      resource_pools: unknown[];
      datastores: { name: string; type: string; remote_host: string | null }[];
      vms: { name: string; ipv4: string[]; power_state: string; tags: string[]; warnings: string[]; datastores: string[]; host: string | null; datacenter: string | null }[];
      warnings: string[];
    }>('vmware.inventory', entry.id);
    t.match(doc, { format: 'vsnapd.vmware.inventory/1', source: { id: entry.id, api_type: 'VirtualCenter' } });
    t.same(doc.datacenters.map((d) => d.name), ['DC0']);
    t.ok(doc.clusters.length >= 1 && doc.clusters[0]!.hosts.length >= 1, 'clusters with their hosts');
    t.ok(doc.hosts.length >= 1 && doc.resource_pools.length >= 1);
    t.match(doc.datastores.find((d) => d.name === 'vmstore'), { type: 'NFS', remote_host: '127.0.0.1' });
    t.same(doc.vms.map((v) => v.name).sort(), ['app01', 'db01', 'tmpl01', 'web01'], 'every VM listed, with or without an address');
    for (const vm of doc.vms) {
      t.same(vm.tags, []);
      t.equal(vm.datacenter, 'DC0');
      if (vm.ipv4.length === 0) {
        t.match(vm.warnings, [/no IPv4 address/], `${vm.name} warns`);
        t.ok(doc.warnings.some((x) => x.startsWith(`vm ${vm.name}: no IPv4`)));
      }
    }
    t.match(doc.vms.find((v) => v.name === 'web01'), { power_state: 'poweredOn', datastores: ['vmstore'], host: /\S/ });
  });
});
