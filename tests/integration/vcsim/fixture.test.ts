/**
 * The vcsim fixture itself: both models start, NFS datastores and VMs appear as specified, the
 * credentials and TLS certificate behave like a vCenter's, and stopping leaves nothing behind.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { processAlive } from '../../../daemon/process-alive.js';
import { ensureVcsimBuilt, startVcsim } from '../../fixtures/vcsim/index.js';
import { SoapProbe, list, moId } from '../../fixtures/vcsim/probe.js';

async function tempDir(tt: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-vcsim-test-'));
  tt.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('VPX model: NFS datastore and VMs in the requested states', async (t) => {
  const dir = await tempDir(t);
  const dir2 = await tempDir(t);
  const vc = await startVcsim(
    {
      model: 'vpx',
      username: 'svc@vsphere.local',
      password: 'pa$$ <word>',
      nfsDatastores: [
        { name: 'vmstore', remoteHost: '192.0.2.10', remotePath: '/mnt/tank/vmstore', localPath: dir, type: 'NFS41' },
        { name: 'other', remoteHost: 'nas2.example.com', remotePath: '/mnt/b', localPath: dir2, hosts: ['DC0_C0_H1'] },
      ],
      vms: [
        { name: 'web01', datastore: 'vmstore' },
        { name: 'db01', datastore: 'vmstore', host: 'DC0_C0_H1', powerState: 'suspended',
          extraDisks: [{ datastore: 'other', diskMode: 'independent_persistent' }],
          snapshots: [{ name: 'base', children: [{ name: 'a' }, { name: 'b' }] }] },
        { name: 'tmpl', datastore: 'vmstore', powerState: 'off', template: true },
        { name: 'vCLS-1', datastore: 'vmstore', managedBy: { extensionKey: 'com.vmware.vim.eam', type: 'cluster-agent' } },
        { name: 'gpu', datastore: 'vmstore', passthrough: true, toolsRunning: false, connectionState: 'orphaned' },
      ],
    },
    { t },
  );
  t.match(vc.url, /^https:\/\/127\.0\.0\.1:\d+\/sdk$/);
  t.same(vc.inventory.vms.map((v) => v.name), ['web01', 'db01', 'tmpl', 'vCLS-1', 'gpu'], 'explicit VMs first, no default VMs');
  t.same(vc.inventory.hosts.map((h) => h.name), ['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2', 'DC0_H0']);

  const p = new SoapProbe(vc.url, { ca: vc.certPem });
  t.teardown(() => p.close());
  const sc = await p.serviceContent();
  t.equal((sc.about as Record<string, unknown>).apiType, 'VirtualCenter');
  t.notOk((await p.login(sc, vc.username, vc.password)).fault, 'login with the spec credentials');

  const ds = await p.view(sc, 'Datastore', ['name', 'summary.type', 'info', 'host']);
  const nfs = ds.objects.find((o) => o.props.name === 'vmstore')!;
  t.equal(nfs.props['summary.type'], 'NFS41');
  const info = nfs.props.info as Record<string, Record<string, unknown>>;
  t.equal(info['@_type'], 'NasDatastoreInfo');
  t.equal(info.nas!.remoteHost, '192.0.2.10');
  t.equal(info.nas!.remotePath, '/mnt/tank/vmstore');
  t.same(list(info.nas!.remoteHostNames as string | string[]), ['192.0.2.10']);
  t.equal(list((nfs.props.host as Record<string, unknown>).DatastoreHostMount as unknown).length, 4, 'mounted on every host');
  const other = ds.objects.find((o) => o.props.name === 'other')!;
  t.equal(list((other.props.host as Record<string, unknown>).DatastoreHostMount as unknown).length, 1, 'mounted on one host');

  const paths = ['name', 'runtime.powerState', 'runtime.connectionState', 'config.template', 'config.managedBy',
    'guest.toolsRunningStatus', 'capability.snapshotOperationsSupported', 'runtime.consolidationNeeded',
    'config.hardware.device', 'snapshot'];
  const vms = new Map((await p.view(sc, 'VirtualMachine', paths)).objects.map((o) => [o.props.name as string, o.props]));
  t.equal(vms.size, 5);
  const web = vms.get('web01')!;
  t.equal(web['runtime.powerState'], 'poweredOn');
  t.equal(web['guest.toolsRunningStatus'], 'guestToolsRunning');
  t.equal(web['capability.snapshotOperationsSupported'], 'true');
  t.equal(web['runtime.consolidationNeeded'], 'false');
  t.equal(web['config.template'], 'false');
  t.notOk(web.snapshot, 'no snapshot property without snapshots');
  const db = vms.get('db01')!;
  t.equal(db['runtime.powerState'], 'suspended');
  const disks = list((db['config.hardware.device'] as Record<string, unknown>).VirtualDevice as unknown)
    .map((d) => d as Record<string, Record<string, unknown>>)
    .filter((d) => d['@_type'] as unknown === 'VirtualDisk');
  t.same(disks.map((d) => d.backing!.diskMode), ['persistent', 'independent_persistent']);
  t.match(String(disks[1]!.backing!.fileName), /^\[other\] db01\/db01_1\.vmdk$/);
  const tree = list((db.snapshot as Record<string, unknown>).rootSnapshotList as unknown)[0] as Record<string, unknown>;
  t.equal(tree.name, 'base');
  t.same(list(tree.childSnapshotList as unknown).map((c) => (c as Record<string, unknown>).name), ['a', 'b']);
  t.equal(vms.get('tmpl')!['config.template'], 'true');
  t.equal(vms.get('tmpl')!['runtime.powerState'], 'poweredOff');
  t.equal((vms.get('vCLS-1')!['config.managedBy'] as Record<string, unknown>).extensionKey, 'com.vmware.vim.eam');
  const gpu = vms.get('gpu')!;
  t.equal(gpu['guest.toolsRunningStatus'], 'guestToolsNotRunning');
  t.equal(gpu['runtime.connectionState'], 'orphaned');
  const devTypes = list((gpu['config.hardware.device'] as Record<string, unknown>).VirtualDevice as unknown)
    .map((d) => (d as Record<string, unknown>)['@_type']);
  t.ok(devTypes.includes('VirtualPCIPassthrough'), 'passthrough device present');
  await access(join(dir, 'web01'));
});

t.test('ESX model: standalone host with an NFS datastore', async (t) => {
  const dir = await tempDir(t);
  const vc = await startVcsim(
    { model: 'esx', nfsDatastores: [{ name: 'nfs', remoteHost: '192.0.2.11', remotePath: '/export', localPath: dir }],
      vms: [{ name: 'vm1', datastore: 'nfs' }] },
    { t },
  );
  t.same(vc.inventory.hosts.map((h) => h.moref), ['ha-host']);
  const p = new SoapProbe(vc.url, { ca: vc.certPem });
  t.teardown(() => p.close());
  const sc = await p.serviceContent();
  t.equal((sc.about as Record<string, unknown>).apiType, 'HostAgent');
  t.equal(moId(sc.rootFolder), 'ha-folder-root');
  t.notOk((await p.login(sc, vc.username, vc.password)).fault);
  const vms = await p.view(sc, 'VirtualMachine', ['name', 'datastore']);
  t.same(vms.objects.map((o) => o.props.name), ['vm1']);
});

t.test('credentials are enforced and sessions are required', async (t) => {
  const vc = await startVcsim({ username: 'admin', password: 'right' }, { t });
  const p = new SoapProbe(vc.url, { ca: vc.certPem });
  t.teardown(() => p.close());
  const sc = await p.serviceContent();
  const bad = await p.login(sc, 'admin', 'wrong');
  t.equal(bad.status, 500);
  t.equal(bad.fault?.type, 'InvalidLogin');
  const anon = await p.view(sc, 'VirtualMachine', ['name']);
  t.equal(anon.fault?.type, 'NotAuthenticated', 'no view without a session');
  t.notOk((await p.login(sc, 'admin', 'right')).fault);
  t.notOk((await p.view(sc, 'HostSystem', ['name'])).fault);
});

t.test('TLS: self-signed by default, certPem works as a custom CA', async (t) => {
  const vc = await startVcsim({}, { t });
  const cert = new X509Certificate(vc.certPem);
  t.equal(cert.fingerprint, vc.thumbprintSha1);
  t.equal(cert.fingerprint256, vc.thumbprintSha256);
  t.match(cert.subjectAltName ?? '', /DNS:example\.com/);
  t.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  t.match(cert.subjectAltName ?? '', /IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
  const untrusted = new SoapProbe(vc.url);
  t.teardown(() => untrusted.close());
  await t.rejects(untrusted.serviceContent(), { code: /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/ }, 'system CAs do not trust vcsim');
  const trusted = new SoapProbe(vc.url, { ca: vc.certPem });
  t.teardown(() => trusted.close());
  t.ok(await trusted.serviceContent());
});

t.test('stop() and a closed stdin leave no process or temp dir behind', async (t) => {
  const vc = await startVcsim({ keepDefaultVMs: true });
  t.equal(vc.inventory.vms.length, 4, "vcsim's default VMs kept on request");
  t.ok(processAlive(vc.pid));
  await vc.stop();
  t.notOk(processAlive(vc.pid), 'launcher gone after stop()');
  await vc.stop(); // idempotent

  // An orphaned launcher (its parent's stdin pipe closed) exits by itself and removes the scratch
  // folder startVcsim would have made for it (nobody is left to do it).
  const scratch = await mkdtemp(join(tmpdir(), 'vsnapd-vcsim-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const child = spawn(await ensureVcsimBuilt(), ['-'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, TMPDIR: scratch } });
  child.stdin.write('{}\n');
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  t.equal(await gone, 0);
  await t.rejects(access(scratch), { code: 'ENOENT' }, 'its scratch folder is removed');
});

t.test('bad specs are refused with the field named', async (t) => {
  await t.rejects(
    startVcsim({ nfsDatastores: [{ name: 'x', remoteHost: 'h', remotePath: '/p', localPath: '/nonexistent/dir' }] }),
    /spec\.nfsDatastores\[0\]\.localPath: "\/nonexistent\/dir" is not an existing directory/,
  );
  await t.rejects(startVcsim({ vms: [{ name: 'a', datastore: 'nope' }] }), /spec\.vms\[0\]\.datastore/);
  await t.rejects(startVcsim({ model: 'esx', clusters: 2 }), /spec\.clusters: only valid for model "vpx"/);
});
