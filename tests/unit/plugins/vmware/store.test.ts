import t from 'tap';
import { describeError, errorText, loginErrorAttribute, toCallError } from '../../../../plugins/vmware/errors.js';
import { emptyHealth, healthAfterFailure, healthAfterSuccess, sameCredentials, toEntry, type VmwareEntryRecord } from '../../../../plugins/vmware/store.js';
import { SoapFaultError, TlsVerificationError, VsphereTimeoutError, VsphereTransportError } from '../../../../vsphere/index.js';

const row: VmwareEntryRecord = {
  id: 3,
  hostname: 'vc',
  port: 443,
  username: 'u',
  password: 'secret',
  filesystem: 'tank/vm',
  datastores: ['a', 'b'],
  tls: { verify: true, ca: null, thumbprint: null },
  enabled: true,
  state: { state: 'PENDING' },
  health: emptyHealth(),
};

t.test('entries never carry the password; datastore = first datastore', async (t) => {
  const e = toEntry(row, 300);
  t.equal(e.password, '********');
  t.notOk(JSON.stringify(e).includes('secret'));
  t.same([e.datastore, e.health.poll_interval_seconds], ['a', 300]);
  t.equal(toEntry({ ...row, enabled: false }, 300).health.poll_interval_seconds, 0, 'disabled: not polled');
  t.equal(toEntry({ ...row, datastores: [] }, 300).datastore, '');
});

t.test('health transitions', async (t) => {
  const at = { $date: 1000 };
  const failed = healthAfterFailure(healthAfterFailure(emptyHealth(), at, { class: 'network', message: 'x' }), { $date: 2000 }, { class: 'auth', message: 'y' });
  t.match(failed, { consecutive_failures: 2, last_failure: { $date: 2000 }, last_error: { class: 'auth' } });
  const summary = { hosts: 1, vms: 2, datastores: 3, protected_vms: 1, last_collected: at };
  const ok = healthAfterSuccess(failed, { $date: 3000 }, summary);
  t.match(ok, { consecutive_failures: 0, last_success: { $date: 3000 }, last_error: { class: 'auth' }, summary });
  t.same(healthAfterSuccess(ok, { $date: 4000 }, null).summary, summary, 'no new summary keeps the old one');
  t.ok(sameCredentials(row, { hostname: 'vc', username: 'u', password: 'secret' }));
  t.notOk(sameCredentials(row, { hostname: 'vc', username: 'u', password: 'other' }));
});

t.test('error classes and TrueNAS errnos', async (t) => {
  const login = new SoapFaultError({ method: 'Login', faultCode: 'ServerFaultCode', faultString: 'Cannot complete login due to an incorrect user name or password.', faultType: 'InvalidLogin' });
  t.match(describeError(login), { class: 'auth', errno: 1 });
  t.equal(errorText(describeError(login)), '[EPERM] Cannot complete login due to an incorrect user name or password.');
  t.match(toCallError(login), { name: 'CallError', errno: 1, message: /incorrect user name/ });
  const tls = new TlsVerificationError('not trusted', { reason: 'SELF', fingerprint256: 'AA:BB', fingerprint1: 'CC' });
  t.match(describeError(tls), { class: 'tls', errno: 208, fingerprint256: 'AA:BB' });
  t.match(toCallError(tls), { errno: 208, extra: { fingerprint256: 'AA:BB' } });
  t.match(describeError(new VsphereTransportError('refused', { kind: 'refused' })), { class: 'network', errno: 111 });
  t.match(describeError(new VsphereTimeoutError('slow', { phase: 'connect', timeoutMs: 1 })), { class: 'timeout', errno: 110 });
  t.match(describeError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })), { class: 'timeout', errno: 110 });
  t.match(describeError(new Error('boom')), { class: 'fault', errno: 14 });
  t.same(['auth', 'permission', 'licence', 'tls', 'network', 'timeout', 'fault'].map((c) => loginErrorAttribute(c as never)), ['password', 'username', 'username', 'tls', 'hostname', 'hostname', 'datastores']);
});
