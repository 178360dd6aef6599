/**
 * vmware.create/query/get_instance/update/delete through the real daemon, vcsim and a zfs-fuse pool:
 * the seed's `midclt call vmware.create` (secure by default: the simulator's self-signed certificate
 * is refused with its fingerprint, then accepted when pinned), datastore matching on create,
 * events, the password never returned nor stored in clear, masked-secret rules on update, and every
 * validation error.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import type { CollectionUpdate } from '../../../client/index.js';
import type { VmwareEntryOut } from '../../../plugins/vmware/schemas.js';
import { validationEntries } from '../../helpers/validation.js';
import { startVmwareWorld, VC_PASSWORD, type VmwareWorld } from '../../helpers/vmware-world.js';

/** An entry as the API returns it (the wire schema; dates arrive as Date, read here only as present/absent). */
type Entry = VmwareEntryOut;

/** [attribute, message, errno] of a validation error (fails the test when the call succeeds). */
async function invalid(p: Promise<unknown>): Promise<[string | null, string, number][]> {
  return (await validationEntries(p)).map((x) => [x.attribute, x.message, x.errno]);
}

const attrs = (errs: [string | null, string, number][]) => errs.map((e) => e[0]).sort();

/** Asserts exactly one error, on `attribute`, whose message matches `message` (and errno when given). */
function single(t: Test, errs: [string | null, string, number][], attribute: string, message: RegExp | string, errno?: number): void {
  t.equal(errs.length, 1, `one error (${JSON.stringify(errs)})`);
  t.equal(errs[0]?.[0], attribute);
  if (typeof message === 'string') t.equal(errs[0]?.[1], message);
  else t.match(errs[0]?.[1], message);
  if (errno !== undefined) t.equal(errs[0]?.[2], errno);
}

t.test('vmware CRUD', async (t) => {
  const w: VmwareWorld = await startVmwareWorld(t);
  const { root, vc, ds } = w;
  const events: CollectionUpdate[] = [];
  await root.subscribe('vmware.query', (u) => events.push(u));

  // 1. The seed payload, as written (plus the simulator's port): verified TLS refuses the
  //    self-signed certificate and says which fingerprint to pin.
  const r1 = await w.daemon.midclt(['call', 'vmware.create', JSON.stringify(w.seed())]);
  t.not(r1.code, 0, 'refused');
  t.match(r1.stderr, /vmware_create\.tls/);
  t.match(r1.stderr, new RegExp(`not trusted.*SHA-256 fingerprint is ${vc.thumbprintSha256}`));
  t.notMatch(r1.stderr + r1.stdout, VC_PASSWORD, 'the password is not echoed');

  // 2. With the pin, it works; the datastore backed by the filesystem is found by itself.
  const r2 = await w.daemon.midclt(['call', 'vmware.create', JSON.stringify(w.seed({ tls: { thumbprint: vc.thumbprintSha256 } }))]);
  t.equal(r2.code, 0, r2.stderr);
  const created = JSON.parse(r2.stdout) as Entry;
  t.match(created, {
    hostname: '127.0.0.1',
    port: vc.port,
    username: w.seed().username,
    password: '********',
    filesystem: ds.vmware,
    datastores: ['vmstore'],
    datastore: 'vmstore',
    tls: { verify: true, ca: null, thumbprint: vc.thumbprintSha256 },
    enabled: true,
    state: { state: 'PENDING' },
    health: { consecutive_failures: 0, poll_interval_seconds: 300, summary: { protected_vms: 1, vms: 4 } },
  });
  t.notOk('datetime' in created.state, 'PENDING has no datetime');
  t.ok(created.health.last_success, 'create logged in, so health starts with a success');
  t.match(events.at(-1), { msg: 'added', collection: 'vmware.query', id: created.id });

  // 3. query / get_instance, with the query language.
  const raw = { reviveDates: false };
  const c2 = await w.daemon.root(raw);
  t.same(await c2.call('vmware.get_instance', created.id), JSON.parse(r2.stdout), 'get_instance = create result');
  t.same(await c2.call('vmware.query', [['datastore', '=', 'vmstore']], { select: ['id', 'password'] }), [{ id: created.id, password: '********' }]);
  const nf = await invalid(c2.call('vmware.get_instance', 999));
  t.same(nf, [[null, 'VMWare 999 does not exist', 2]]);

  // 4. The secret is encrypted at rest and never in the daemon's output.
  // Files at the top of the data folder; the grep -r below also reads the sub-folders (run history).
  const dataFiles = (await readdir(w.daemon.dataDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  for (const f of dataFiles) {
    const text = await readFile(join(w.daemon.dataDir, f)).then((b) => b.toString('latin1'));
    t.notOk(text.includes(VC_PASSWORD), `${f} does not hold the password`);
  }
  const grep = await execa('grep', ['-rF', '--', VC_PASSWORD, w.daemon.dataDir], { reject: false });
  t.equal(grep.exitCode, 1, `grep -r finds nothing in the data folder (${grep.stdout})`);
  t.ok((await readFile(join(w.daemon.dataDir, 'vsnapd.db.json'), 'utf8')).includes('"$secret"'), 'stored sealed');
  t.notOk(w.daemon.output().includes(VC_PASSWORD), 'logs do not hold the password');

  t.test('explicit datastores; datastore (TrueNAS field) = first', async (t) => {
    const e = await root.call<Entry>('vmware.create', w.seed({ tls: { ca: vc.certPem }, filesystem: ds.vm, datastores: ['bylocalhost', 'byvip'] }));
    t.same([e.datastores, e.datastore], [['bylocalhost', 'byvip'], 'bylocalhost']);
    const e2 = await root.call<Entry>('vmware.create', w.seed({ tls: { ca: vc.certPem }, datastore: 'isos', filesystem: ds.other, enabled: false }));
    t.same([e2.datastores, e2.enabled, e2.health.poll_interval_seconds], [['isos'], false, 0]);
    t.equal(await root.call('vmware.delete', e.id), true);
    t.equal(await root.call('vmware.delete', e2.id), true);
  });

  t.test('validation errors', async (t) => {
    const pin = { tls: { thumbprint: vc.thumbprintSha256 } };
    const create = (data: Record<string, unknown>) => invalid(root.call('vmware.create', data));

    // Shape: missing/extra fields, types, ranges, the placeholder, URL host, bad pin/CA, conflicting datastore fields.
    t.same(attrs(await create({})), ['vmware_create.filesystem', 'vmware_create.hostname', 'vmware_create.password', 'vmware_create.username']);
    t.same(await create(w.seed({ ...pin, id: 1 })), [['vmware_create.id', 'Extra inputs are not permitted', 22]]);
    t.same(attrs(await create(w.seed({ port: 70000 }))), ['vmware_create.port']);
    t.same(attrs(await create(w.seed({ tls: { verify: 'yes' } }))), ['vmware_create.tls.verify']);
    single(t, await create(w.seed({ ...pin, password: '********' })), 'vmware_create.password', /placeholder/);
    single(t, await create(w.seed({ ...pin, hostname: `https://127.0.0.1:${vc.port}/sdk` })), 'vmware_create.hostname', /not a URL/);
    single(t, await create(w.seed({ tls: { thumbprint: 'AB:CD:EF' } })), 'vmware_create.tls.thumbprint', /SHA-256 \(64 hex digits\) or SHA-1/);
    single(t, await create(w.seed({ tls: { ca: 'not a certificate' } })), 'vmware_create.tls.ca', /PEM/);
    single(t, await create(w.seed({ ...pin, datastore: 'isos', datastores: ['vmstore'] })), 'vmware_create.datastore', /Conflicts with datastores\[0\]/);

    // Everything wrong at once: unresolvable host AND missing filesystem, reported together.
    const both = await create(w.seed({ ...pin, hostname: 'vcenter.example.invalid', filesystem: `${ds.root}/nope` }));
    t.same(attrs(both), ['vmware_create.filesystem', 'vmware_create.hostname']);
    t.match(both, [
      ['vmware_create.hostname', /^Couldn't resolve hostname vcenter\.example\.invalid/],
      ['vmware_create.filesystem', /^Invalid ZFS filesystem ".*\/nope": no such dataset or zvol/],
    ]);
    const mnt = await create(w.seed({ ...pin, filesystem: w.pool.mountpoint('vmware') }));
    t.match(mnt, [['vmware_create.filesystem', /not its mount path/]]);

    // Login failures: the field and the reason.
    t.same(await create(w.seed({ ...pin, password: 'wrong' })), [['vmware_create.password', 'Failed to connect: [EPERM] Login failure', 1]]);
    single(t, await create(w.seed({ ...pin, port: 1 })), 'vmware_create.hostname', /^Failed to connect: \[ECONNREFUSED\]/, 111);
    const sha1 = vc.thumbprintSha1.replace(/^(..)/, (m) => (m === '00' ? '11' : '00'));
    single(t, await create(w.seed({ tls: { thumbprint: sha1 } })), 'vmware_create.tls.thumbprint', new RegExp(`does not match the pinned SHA1 fingerprint.*${vc.thumbprintSha256}`), 208);
    single(t, await create(w.seed({ hostname: 'localhost', tls: { ca: vc.certPem } })), 'vmware_create.tls', /not trusted \(ERR_TLS_CERT_ALTNAME_INVALID\)|not trusted/, 208);

    // Host names that are not host names, duplicate datastores.
    single(t, await create(w.seed({ ...pin, hostname: '[::1]' })), 'vmware_create.hostname', /without brackets/);
    single(t, await create(w.seed({ ...pin, hostname: `127.0.0.1:${vc.port}` })), 'vmware_create.hostname', /put the port in the `port` field/);
    single(t, await create(w.seed({ ...pin, hostname: 'vc center' })), 'vmware_create.hostname', /not a valid host name/);
    single(t, await create(w.seed({ ...pin, datastores: ['vmstore', 'vmstore'] })), 'vmware_create.datastores.1', 'Duplicate datastore "vmstore"');

    // Licence (free ESXi) and permission faults: EPERM on the user name, with vSphere's reason.
    // (No `times`: the background check may log in meanwhile; the faults are cleared right after.)
    await vc.control({ action: 'injectFault', fault: 'RestrictedVersion', methods: ['Login'], as: 'soap', message: 'Current license or ESXi version prohibits execution of the requested operation.' });
    single(t, await create(w.seed(pin)), 'vmware_create.username', /^Failed to connect: \[EPERM\] .*license or ESXi version prohibits/, 1);
    await vc.control({ action: 'clearFaults' });
    await vc.control({ action: 'injectFault', fault: 'NoPermission', methods: ['RetrievePropertiesEx'], as: 'soap', message: 'Permission to perform this operation was denied.' });
    single(t, await create(w.seed(pin)), 'vmware_create.username', /^Failed to connect: \[EPERM\] .*Permission to perform this operation was denied/, 1);
    await vc.control({ action: 'clearFaults' });

    // Datastores: missing, not backable, none matching (with what each is backed by).
    single(t, await create(w.seed({ ...pin, datastores: ['vmstore', 'nope'] })), 'vmware_create.datastores.1', /^Datastore "nope" not found on the server; it has: .*bylocalhost.*vmstore/);
    single(t, await create(w.seed({ ...pin, datastore: 'LocalDS_0' })), 'vmware_create.datastore', /is a OTHER datastore; only NFS, NFS41 and VMFS/);
  });

  t.test('no datastore backed by the filesystem: the error explains the server', async (t) => {
    const { ZFS_BIN } = await import('../../fixtures/zfs/daemon.js');
    await execa(ZFS_BIN, ['create', `${ds.vmware}/empty`]);
    const errs = await invalid(root.call('vmware.create', w.seed({ tls: { thumbprint: vc.thumbprintSha256 }, filesystem: `${ds.vmware}/empty` })));
    t.equal(errs.length, 1);
    t.equal(errs[0]?.[0], 'vmware_create.datastores');
    t.match(errs[0]?.[1], new RegExp(`No datastore of 127\\.0\\.0\\.1 is backed by ${ds.vmware}/empty`));
    t.match(errs[0]?.[1], /LocalDS_0 \(OTHER datastore, cannot be backed by a dataset\)/);
    t.match(errs[0]?.[1], new RegExp(`vmstore \\(NFS mount '${w.pool.mountpoint('vmware')}' on 127\\.0\\.0\\.1, backed by ${ds.vmware}\\)`));
    t.match(errs[0]?.[1], /foreign \(NFS mount '\/mnt\/tank\/vm' on 192\.0\.2\.10, not backed by a dataset of this NAS\)/);
  });

  t.test('update: masked or omitted password keeps the stored one; only changes are checked', async (t) => {
    events.length = 0;
    const test = async () => (await root.call<{ ok: boolean }>('vmware.test', created.id)).ok;
    const u1 = await root.call<Entry>('vmware.update', created.id, { password: '********' });
    t.equal(u1.password, '********');
    t.ok(await test(), 'login still works with the kept password');
    const u2 = await root.call<Entry>('vmware.update', created.id, {});
    t.same(u2.state, { state: 'PENDING' });
    t.ok(await test());
    t.match(events, [{ msg: 'changed', id: created.id }, { msg: 'changed', id: created.id }]);

    // A new wrong password is checked (a connection field changed) and refused; nothing is stored.
    t.same(await invalid(root.call('vmware.update', created.id, { password: 'wrong' })), [['vmware_update.password', 'Failed to connect: [EPERM] Login failure', 1]]);
    t.ok(await test(), 'the stored password was not replaced');
    // The right password again is fine; a changed filesystem is validated, datastores kept.
    t.same(await invalid(root.call('vmware.update', created.id, { filesystem: `${ds.root}/nope` })).then(attrs), ['vmware_update.filesystem']);
    const u3 = await root.call<Entry>('vmware.update', created.id, { password: VC_PASSWORD, datastores: ['vmstore', 'isos'] });
    t.same(u3.datastores, ['vmstore', 'isos']);
    t.same(await invalid(root.call('vmware.update', created.id, { datastores: ['gone'] })).then(attrs), ['vmware_update.datastores.0']);
    const u4 = await root.call<Entry>('vmware.update', created.id, { datastores: [] });
    t.same(u4.datastores, ['vmstore'], 'datastores: [] matches again from filesystem');
    t.same(await invalid(root.call('vmware.update', 999, {})), [[null, 'VMWare 999 does not exist', 2]]);
    t.same(await invalid(root.call('vmware.update', created.id, { state: { state: 'SUCCESS' } })), [['vmware_update.state', 'Extra inputs are not permitted', 22]]);
  });

  t.test('delete', async (t) => {
    const e = await root.call<Entry>('vmware.create', w.seed({ tls: { thumbprint: vc.thumbprintSha256 } }));
    events.length = 0;
    t.equal(await root.call('vmware.delete', e.id), true);
    t.same(events, [{ msg: 'removed', collection: 'vmware.query', id: e.id }]);
    t.same(await invalid(root.call('vmware.delete', e.id)), [[null, `VMWare ${e.id} does not exist`, 2]]);
    t.same((await root.call<Entry[]>('vmware.query')).map((x) => x.id), [created.id]);
  });
});
