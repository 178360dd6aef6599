import t from 'tap';
import { Errno, ValidationErrors } from '../../../../daemon/errors.js';
import type { LocalSide } from '../../../../plugins/vmware/match/local.js';
import { checkConnectionShape, pickDatastores, validateEntry, type ServerRead, type ValidationDraft, type ValidationPlan } from '../../../../plugins/vmware/validate.js';
import { SoapFaultError, TlsVerificationError, VsphereTimeoutError, VsphereTransportError } from '../../../../vsphere/index.js';
import { datastore, inventory } from '../../../helpers/fake-inventory.js';

const about = { name: 'VMware vCenter Server', fullName: 'VMware vCenter Server 8.0', vendor: 'VMware', version: '8.0', build: '1', apiType: 'VirtualCenter', apiVersion: '8.0.2.0' };
/** vmstore and iso are NFS on 192.0.2.1:/mnt/tank/<name>; LocalDS_0 is a local (OTHER) datastore. */
function server(): ServerRead {
  const inv = inventory([], ['vmstore', 'iso']);
  inv.datastores.push({ ...datastore('LocalDS_0'), type: 'OTHER', nas: undefined });
  return { about, apiVersion: '8.0.2.0', certificate: undefined, inventory: inv };
}
const local: LocalSide = {
  filesystems: async () => [
    { name: 'tank', type: 'FILESYSTEM', mountpoint: '/mnt/tank' },
    { name: 'tank/vmstore', type: 'FILESYSTEM', mountpoint: '/mnt/tank/vmstore' },
    { name: 'tank/empty', type: 'FILESYSTEM', mountpoint: '/mnt/tank/empty' },
  ],
  exports: () => [],
  extents: () => [],
  identity: async () => ({ addresses: new Set(['192.0.2.1']), names: new Set() }),
  resolve: async (h) => (h === 'vc.example.com' ? ['192.0.2.50'] : Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }))),
};
const draft = (over: Partial<ValidationDraft> = {}): ValidationDraft => ({
  hostname: 'vc.example.com',
  port: 443,
  username: 'administrator@vsphere.local',
  password: 'pw',
  tls: { verify: true, ca: null, thumbprint: null },
  filesystem: 'tank/vmstore',
  datastores: [],
  ...over,
});
const plan = (over: Partial<ValidationPlan> = {}): ValidationPlan => ({ hostname: true, filesystem: true, login: true, datastores: 'match', datastoreField: 'datastores', ...over });
const deps = (read: () => Promise<ServerRead> = async () => server()) => ({ resolve: local.resolve, local, readServer: read });

async function errorsOf(p: Promise<unknown>): Promise<[string | null, string, number][]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ValidationErrors) return e.errors.map((x) => [x.attribute, x.message, x.errno]);
    throw e;
  }
  return [];
}

t.test('connection shape', async (t) => {
  const check = (hostname: string, tls = {}) => {
    const errors = new ValidationErrors();
    checkConnectionShape('s', { hostname, tls: { verify: true, ca: null, thumbprint: null, ...tls } }, errors);
    return errors.errors.map((e) => `${e.attribute}: ${e.message}`);
  };
  t.same(check('vc.example.com'), []);
  t.same(check('10.0.0.1'), []);
  t.same(check('fd00::10'), []);
  t.match(check('https://vc.example.com/sdk'), [/^s\.hostname: Enter a host name or IP address, not a URL/]);
  t.match(check('[fd00::10]'), [/without brackets/]);
  t.match(check('vc.example.com:8443'), [/put the port in the `port` field/]);
  t.match(check('vc example'), [/not a valid host name/]);
  t.match(check('vc.example.com', { thumbprint: 'AB:CD' }), [/^s\.tls\.thumbprint: expected a SHA-256 .* got 4 hex digits/]);
  t.match(check('vc.example.com', { ca: 'not a pem' }), [/^s\.tls\.ca: expected one or more PEM certificates/]);
});

t.test('datastore / datastores', async (t) => {
  const pick = (input: { datastore?: string; datastores?: string[] }) => {
    const errors = new ValidationErrors();
    const r = pickDatastores('s', input, errors);
    return { ...r, errors: errors.errors.map((e) => `${e.attribute}: ${e.message}`) };
  };
  t.same(pick({}), { list: undefined, field: 'datastores', errors: [] });
  t.same(pick({ datastore: 'a' }), { list: ['a'], field: 'datastore', errors: [] });
  t.same(pick({ datastores: ['a', 'b'] }), { list: ['a', 'b'], field: 'datastores', errors: [] });
  t.same(pick({ datastore: 'a', datastores: ['a', 'b'] }).errors, []);
  t.match(pick({ datastore: 'b', datastores: ['a', 'b'] }).errors, [/^s\.datastore: Conflicts with datastores\[0\]/]);
  t.match(pick({ datastores: ['a', 'a'] }), { list: ['a'], errors: [/^s\.datastores\.1: Duplicate datastore "a"/] });
});

t.test('no datastore given: the ones backed by filesystem are chosen', async (t) => {
  const r = await validateEntry('vmware_create', draft(), plan(), deps());
  t.same(r.datastores, ['vmstore']);
  t.ok(r.server);
});

t.test('no datastore backed by filesystem: the error lists every datastore and its backing', async (t) => {
  const errs = await errorsOf(validateEntry('vmware_create', draft({ filesystem: 'tank/empty' }), plan(), deps()));
  t.equal(errs.length, 1);
  t.equal(errs[0]?.[0], 'vmware_create.datastores');
  t.match(errs[0]?.[1], /No datastore of vc\.example\.com is backed by tank\/empty/);
  t.match(errs[0]?.[1], /LocalDS_0 \(OTHER datastore, cannot be backed by a dataset\)/);
  t.match(errs[0]?.[1], /iso \(NFS mount '\/mnt\/tank\/iso' on 192\.0\.2\.1, backed by tank\)/);
  t.match(errs[0]?.[1], /vmstore \(NFS mount '\/mnt\/tank\/vmstore' on 192\.0\.2\.1, backed by tank\/vmstore\)/);
});

t.test('given datastores must exist and be NFS/NFS41/VMFS', async (t) => {
  const errs = await errorsOf(validateEntry('vmware_create', draft({ datastores: ['vmstore', 'nope', 'LocalDS_0'] }), plan({ datastores: 'given' }), deps()));
  t.same(errs.map((e) => e[0]), ['vmware_create.datastores.1', 'vmware_create.datastores.2']);
  t.match(errs[0]?.[1], /^Datastore "nope" not found on the server; it has: LocalDS_0, iso, vmstore$/);
  t.match(errs[1]?.[1], /LocalDS_0" is a OTHER datastore; only NFS, NFS41 and VMFS/);
  const single = await errorsOf(validateEntry('vmware_update', draft({ datastores: ['nope'] }), plan({ datastores: 'given', datastoreField: 'datastore' }), deps()));
  t.equal(single[0]?.[0], 'vmware_update.datastore', 'TrueNAS field named when the client sent it');
});

t.test('every problem is reported at once', async (t) => {
  const errs = await errorsOf(validateEntry('vmware_create', draft({ hostname: 'nowhere.invalid', filesystem: 'tank/missing' }), plan(), deps()));
  t.same(errs.map((e) => e[0]).sort(), ['vmware_create.filesystem', 'vmware_create.hostname']);
  t.match(errs.find((e) => e[0] === 'vmware_create.hostname')?.[1], /^Couldn't resolve hostname nowhere\.invalid: no such host/);
  t.match(errs.find((e) => e[0] === 'vmware_create.filesystem')?.[1], /^Invalid ZFS filesystem "tank\/missing": no such dataset or zvol; existing: tank, tank\/vmstore, tank\/empty/);
  const mnt = await errorsOf(validateEntry('vmware_create', draft({ filesystem: '/mnt/tank/vmstore' }), plan(), deps()));
  t.match(mnt[0]?.[1], /give the dataset name, e\.g\. tank\/vmware, not its mount path/);
});

t.test('a failed login names its cause on the field to fix', async (t) => {
  const cases: [string, Error, string, RegExp, number][] = [
    [
      'bad credentials',
      new SoapFaultError({ method: 'Login', faultCode: 'ServerFaultCode', faultString: 'Cannot complete login due to an incorrect user name or password.', faultType: 'InvalidLogin' }),
      'vmware_create.password',
      /^Failed to connect: \[EPERM\] Cannot complete login due to an incorrect user name or password\.$/,
      Errno.EPERM,
    ],
    ['licence', new SoapFaultError({ method: 'Login', faultCode: 'ServerFaultCode', faultString: 'Current license or ESXi version prohibits execution of the requested operation.', faultType: 'RestrictedVersion' }), 'vmware_create.username', /\[EPERM\] Current license/, Errno.EPERM],
    ['permission', new SoapFaultError({ method: 'RetrievePropertiesEx', faultCode: 'ServerFaultCode', faultString: 'Permission to perform this operation was denied.', faultType: 'NoPermission' }), 'vmware_create.username', /\[EPERM\] Permission/, Errno.EPERM],
    [
      'untrusted certificate',
      new TlsVerificationError('TLS: the certificate of https://vc.example.com is not trusted (SELF_SIGNED); its SHA-256 fingerprint is AA:BB', { reason: 'DEPTH_ZERO_SELF_SIGNED_CERT', fingerprint256: 'AA:BB', fingerprint1: 'CC' }),
      'vmware_create.tls',
      /^Failed to connect: \[ESSLCERTVERIFICATIONERROR\] .*SHA-256 fingerprint is AA:BB/,
      Errno.ESSLCERTVERIFICATIONERROR,
    ],
    ['wrong pin', new TlsVerificationError('TLS: does not match the pinned', { reason: 'PIN_MISMATCH', fingerprint256: 'AA', fingerprint1: 'BB' }), 'vmware_create.tls.thumbprint', /pinned/, Errno.ESSLCERTVERIFICATIONERROR],
    ['refused', new VsphereTransportError('Cannot connect to https://vc.example.com/sdk: connection refused (ECONNREFUSED)', { kind: 'refused' }), 'vmware_create.hostname', /\[ECONNREFUSED\]/, Errno.ECONNREFUSED],
    ['timeout', new VsphereTimeoutError('Cannot connect: no answer within 10000 ms', { phase: 'connect', timeoutMs: 10000 }), 'vmware_create.hostname', /\[ETIMEDOUT\]/, Errno.ETIMEDOUT],
  ];
  for (const [what, err, attr, msg, errno] of cases) {
    const errs = await errorsOf(validateEntry('vmware_create', draft(), plan(), deps(async () => Promise.reject(err))));
    t.equal(errs.length, 1, what);
    t.equal(errs[0]?.[0], attr, what);
    t.match(errs[0]?.[1], msg, what);
    t.equal(errs[0]?.[2], errno, what);
  }
});

t.test('only the planned checks run (update of unchanged fields does not log in)', async (t) => {
  let logins = 0;
  const r = await validateEntry(
    'vmware_update',
    draft({ datastores: ['gone-from-server'] }),
    { hostname: false, filesystem: false, login: false, datastores: 'keep', datastoreField: 'datastores' },
    deps(async () => {
      logins++;
      return server();
    }),
  );
  t.equal(logins, 0);
  t.same(r, { datastores: ['gone-from-server'], server: null });
});

t.test('malformed connection fields are not tried against the server', async (t) => {
  let logins = 0;
  let lookups = 0;
  const counting = {
    resolve: async (h: string) => {
      lookups++;
      return local.resolve(h);
    },
    local,
    readServer: async () => {
      logins++;
      return server();
    },
  };
  const pre = new ValidationErrors().add('vmware_create.password', 'placeholder');
  const errs = await errorsOf(validateEntry('vmware_create', draft(), plan(), counting, pre));
  t.same(errs.map((e) => e[0]), ['vmware_create.password']);
  t.equal(logins, 0, 'no login with the placeholder password');
  const url = await errorsOf(validateEntry('vmware_create', draft({ hostname: 'https://vc.example.com' }), plan(), counting));
  t.same(url.map((e) => e[0]), ['vmware_create.hostname']);
  t.same([logins, lookups], [0, 1], 'a URL is neither resolved nor logged in to');
});
