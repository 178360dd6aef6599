// Unit tests of fault decoding and classification: SOAP faults from recorded-shape XML, task faults
// from LocalizedMethodFault, kind/category mapping, and the isVimFault/asVimFault helpers.
import t from 'tap';
import { decodeResponse } from '../../../vsphere/soap/response.js';
import {
  SoapFaultError,
  TaskFaultError,
  asVimFault,
  classifyFault,
  isVimFault,
} from '../../../vsphere/faults/vim-fault.js';
import type { VsphereErrorKind } from '../../../vsphere/faults/errors.js';
import { faultIsA } from '../../../vsphere/faults/hierarchy.js';
import { decodeUpdateSet } from '../../../vsphere/methods/property-results.js';
import { decodeTaskInfo } from '../../../vsphere/methods/task.js';
import { loadXml } from '../../helpers/vsphere-xml.js';

function faultOf(file: string, method = 'Login'): SoapFaultError {
  try {
    decodeResponse(method, loadXml(file));
  } catch (err) {
    if (err instanceof SoapFaultError) return err;
    throw err;
  }
  throw new Error(`${file}: no fault`);
}

t.test('InvalidLogin: typed, denied/auth, faultstring as message', async (t) => {
  const f = faultOf('fault-invalid-login.xml');
  t.equal(f.faultType, 'InvalidLogin');
  t.equal(f.faultCode, 'ServerFaultCode');
  t.equal(f.method, 'Login');
  t.equal(f.kind, 'denied');
  t.equal(f.category, 'auth');
  t.equal(f.message, 'Cannot complete login due to an incorrect user name or password.');
  t.ok(isVimFault(f, 'InvalidLogin'));
  t.ok(isVimFault(f, 'VimFault'));
  t.notOk(isVimFault(f, 'NoPermission'));
});

t.test('NotAuthenticated is a NoPermission; its fields decode', async (t) => {
  const f = faultOf('fault-not-authenticated.xml', 'RetrievePropertiesEx');
  t.equal(f.faultType, 'NotAuthenticated');
  t.ok(isVimFault(f, 'NoPermission'), 'subtype matches its parent');
  t.ok(isVimFault(f, 'SecurityError'));
  t.equal(f.category, 'auth');
  t.same(JSON.parse(JSON.stringify(f.fault)), {
    _type: 'NotAuthenticated',
    object: { type: 'Folder', value: 'group-d1' },
    privilegeId: 'System.View',
  });
});

t.test('NoPermission: faultMessage texts are appended to the message', async (t) => {
  const f = faultOf('fault-no-permission.xml', 'CreateSnapshot_Task');
  t.equal(f.category, 'permission');
  t.equal(f.kind, 'denied');
  t.same(f.messages, ["Required privilege 'VirtualMachine.State.CreateSnapshot' on 'web01'"]);
  t.equal(f.message, "Permission to perform this operation was denied.; Required privilege 'VirtualMachine.State.CreateSnapshot' on 'web01'");
});

t.test('RestrictedVersion (free ESXi) is a licence failure, denied', async (t) => {
  const f = faultOf('fault-restricted-version.xml', 'CreateSnapshot_Task');
  t.equal(f.category, 'licence');
  t.equal(f.kind, 'denied');
});

t.test('MethodNotFound, unknown fault types, faults without xsi:type or detail', async (t) => {
  const mnf = faultOf('fault-method-not-found.xml', 'CreateSnapshotEx_Task');
  t.equal(mnf.faultType, 'MethodNotFound');
  t.equal(mnf.kind, 'unsupported');
  t.ok(isVimFault(mnf, 'InvalidRequest'));

  const unknown = faultOf('fault-unknown-type.xml', 'RetrievePropertiesEx');
  t.equal(unknown.faultType, 'QuantumEntanglement');
  t.equal(unknown.kind, 'failed');
  t.equal(unknown.category, 'fault');
  t.ok(isVimFault(unknown, 'MethodFault'));
  t.ok(isVimFault(unknown, 'SomethingDeeper'), 'faultCause chain is searched');

  const old = faultOf('fault-no-xsi-type.xml', 'CancelTask');
  t.equal(old.faultType, 'ManagedObjectNotFound', 'type from the element name');
  t.equal(old.kind, 'not-found');

  const bare = faultOf('fault-bare.xml', 'Login');
  t.equal(bare.faultType, 'SystemError');
  t.equal(bare.faultCode, 'soapenv:Client');
  t.equal(bare.message, 'Unable to parse the request body');
});

t.test('classifyFault table', async (t) => {
  const rows: [string, VsphereErrorKind, string][] = [
    ['InvalidLogin', 'denied', 'auth'],
    ['PasswordExpired', 'denied', 'auth'],
    ['NotAuthenticated', 'denied', 'auth'],
    ['NoPermission', 'denied', 'permission'],
    ['RestrictedVersion', 'denied', 'licence'],
    ['LicenseExpired', 'denied', 'licence'],
    ['InvalidLicense', 'denied', 'licence'],
    ['TaskInProgress', 'busy', 'fault'],
    ['ManagedObjectNotFound', 'not-found', 'fault'],
    ['MethodNotFound', 'unsupported', 'fault'],
    ['RequestCanceled', 'canceled', 'fault'],
    ['ApplicationQuiesceFault', 'failed', 'fault'],
    ['SomethingNew', 'failed', 'fault'],
  ];
  for (const [type, kind, category] of rows) t.same(classifyFault(type), { kind, category }, type);
  t.ok(faultIsA('FilesystemQuiesceFault', 'SnapshotFault'));
  t.ok(faultIsA('InvalidPowerState', 'InvalidState'));
  t.notOk(faultIsA('InvalidState', 'InvalidPowerState'));
});

t.test('TaskFaultError from TaskInfo.error: localizedMessage + faultMessage texts', async (t) => {
  const set = decodeUpdateSet(decodeResponse('WaitForUpdatesEx', loadXml('wait-updates-tasks.xml'))[0]!);
  const change = set.filterSet[0]!.objectSet[1]!.changeSet[0]!;
  const info = decodeTaskInfo(change.val, { type: 'Task', value: 'task-202' });
  const err = new TaskFaultError({ task: info.task, error: info.error, ...(info.entity ? { entity: info.entity } : {}) });
  t.equal(err.faultType, 'FilesystemQuiesceFault');
  t.equal(err.category, 'task');
  t.same(err.entity, { type: 'VirtualMachine', value: 'vm-45' });
  t.equal(
    err.message,
    'Cannot create a quiesced snapshot because the create snapshot operation exceeded the time limit for holding off I/O in the frozen virtual machine.; ' +
      'The guest OS has reported an error during quiescing.; Error encountered while saving snapshot: exceeded the time limit for holding off I/O.',
  );
  t.ok(isVimFault(err, 'SnapshotFault'));
  const wrapped = new Error('snapshot of db01 failed', { cause: err });
  t.equal(asVimFault(wrapped, 'FilesystemQuiesceFault'), err, 'follows cause');
  t.equal(asVimFault(wrapped), err);
  t.equal(asVimFault(new Error('plain')), undefined);
  t.equal(asVimFault('not an error'), undefined);
});

t.test('TaskFaultError without an error object degrades to SystemError', async (t) => {
  const err = new TaskFaultError({ task: { type: 'Task', value: 'task-1' }, error: undefined });
  t.equal(err.faultType, 'SystemError');
  t.equal(err.message, 'SystemError');
});
