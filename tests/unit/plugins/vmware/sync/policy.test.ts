import t from 'tap';
import { classifyFailure, nextStep, type AttemptState, type FailureClass } from '../../../../../plugins/vmware/sync/policy.js';
import { defaultSyncConfig } from '../../../../../plugins/vmware/sync/config.js';
import { SoapFaultError, TaskFaultError } from '../../../../../vsphere/faults/vim-fault.js';
import { VsphereTimeoutError } from '../../../../../vsphere/faults/errors.js';

const task = { type: 'Task', value: 'task-1' };
const taskFault = (type: string) => new TaskFaultError({ task, error: { fault: { _type: type }, localizedMessage: `${type} happened` } });

t.test('classifyFailure', async (t) => {
  t.equal(classifyFailure(taskFault('ApplicationQuiesceFault')), 'quiesce');
  t.equal(classifyFailure(taskFault('FilesystemQuiesceFault')), 'quiesce');
  t.equal(classifyFailure(taskFault('TaskInProgress')), 'busy');
  t.equal(classifyFailure(new SoapFaultError({ method: 'CreateSnapshot_Task', faultCode: 'ServerFaultCode', faultString: 'busy', faultType: 'TaskInProgress' })), 'busy');
  t.equal(classifyFailure(new VsphereTimeoutError('late', { phase: 'task', timeoutMs: 5 })), 'timeout');
  t.equal(classifyFailure(taskFault('RestrictedVersion')), 'other');
  t.equal(classifyFailure(new Error('x')), 'other');
});

t.test('nextStep: the retry/fallback table', async (t) => {
  const cfg = { ...defaultSyncConfig(), quiesce_retries: 1, busy_retries: 2, busy_retry_delay_ms: 500 };
  const rows: Array<[string, AttemptState, FailureClass, typeof cfg, string]> = [
    ['first quiesce failure retries quiesced', { kind: 'quiesced', quiesceFailures: 1, busyRetries: 0 }, 'quiesce', cfg, 'retry:quiesced:0'],
    ['second quiesce failure falls back', { kind: 'quiesced', quiesceFailures: 2, busyRetries: 0 }, 'quiesce', cfg, 'retry:crash_consistent:0'],
    ['policy fail fails after the retries', { kind: 'quiesced', quiesceFailures: 2, busyRetries: 0 }, 'quiesce', { ...cfg, quiesce_failure: 'fail' }, 'fail'],
    ['no retries: straight to fallback', { kind: 'quiesced', quiesceFailures: 1, busyRetries: 0 }, 'quiesce', { ...cfg, quiesce_retries: 0 }, 'retry:crash_consistent:0'],
    ['quiesce fault on crash-consistent fails', { kind: 'crash_consistent', quiesceFailures: 3, busyRetries: 0 }, 'quiesce', cfg, 'fail'],
    ['busy retries keep the kind, with a pause', { kind: 'quiesced', quiesceFailures: 0, busyRetries: 0 }, 'busy', cfg, 'retry:quiesced:500'],
    ['busy retries keep the kind (crash)', { kind: 'crash_consistent', quiesceFailures: 0, busyRetries: 1 }, 'busy', cfg, 'retry:crash_consistent:500'],
    ['busy too often fails', { kind: 'quiesced', quiesceFailures: 0, busyRetries: 2 }, 'busy', cfg, 'fail'],
    ['timeouts never retry', { kind: 'quiesced', quiesceFailures: 0, busyRetries: 0 }, 'timeout', cfg, 'fail'],
    ['other faults fail', { kind: 'quiesced', quiesceFailures: 0, busyRetries: 0 }, 'other', cfg, 'fail'],
  ];
  for (const [name, state, failure, c, want] of rows) {
    const s = nextStep(state, failure, c);
    const got = s.action === 'retry' ? `retry:${s.kind}:${s.delayMs}` : 'fail';
    t.equal(got, want, name);
    t.ok(s.why.length > 0, `${name}: explained`);
  }
});
