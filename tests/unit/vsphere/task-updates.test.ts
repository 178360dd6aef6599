// Unit tests of WaitForUpdatesEx answers: UpdateSet decoding (enter/modify/leave, missingSet,
// version) and liberal TaskInfo decoding (snapshot moref result, errors, vcsim's RemoveSnapshot_Task).
import t from 'tap';
import { decodeUpdateSet } from '../../../vsphere/methods/property-results.js';
import { decodeTaskInfo } from '../../../vsphere/methods/task.js';
import { decodeResponse } from '../../../vsphere/soap/response.js';
import { ref } from '../../../vsphere/types/read.js';
import { loadXml } from '../../helpers/vsphere-xml.js';

const updates = (file: string) => decodeUpdateSet(decodeResponse('WaitForUpdatesEx', loadXml(file))[0]!);

t.test('UpdateSet: version, filter, kinds, changes and missing objects', async (t) => {
  const set = updates('wait-updates-tasks.xml');
  t.equal(set.version, '3');
  t.equal(set.truncated, false);
  t.equal(set.filterSet.length, 1);
  const fs = set.filterSet[0]!;
  t.equal(fs.filter?.type, 'PropertyFilter');
  t.same(fs.objectSet.map((o) => [o.kind, o.obj.value, o.changeSet.map((c) => c.name)]), [
    ['enter', 'task-201', ['info']],
    ['enter', 'task-202', ['info']],
    ['modify', 'task-203', ['info.state', 'info.progress']],
    ['leave', 'task-204', []],
  ]);
  t.same(fs.missingSet.map((m) => [m.obj.value, (m.fault.fault as { _type?: string })._type]), [['task-205', 'ManagedObjectNotFound']]);
});

t.test('TaskInfo of a successful CreateSnapshot_Task: snapshot moref in result', async (t) => {
  const set = updates('wait-updates-tasks.xml');
  const info = decodeTaskInfo(set.filterSet[0]!.objectSet[0]!.changeSet[0]!.val, { type: 'Task', value: 'task-201' });
  t.equal(info.state, 'success');
  t.equal(info.name, 'CreateSnapshot_Task');
  t.same(info.entity, { type: 'VirtualMachine', value: 'vm-42' });
  t.equal(info.entityName, 'web01');
  t.same(ref(info.result), { type: 'VirtualMachineSnapshot', value: 'snapshot-301' });
  t.equal(info.cancelable, false);
  t.equal(info.completeTime, '2024-05-02T00:00:03.9Z');
  t.equal(info.error, undefined);
});

t.test('TaskInfo of vcsim RemoveSnapshot_Task: entity is the snapshot; no result', async (t) => {
  const set = updates('wait-updates-remove-vcsim.xml');
  t.equal(set.version, '-');
  const info = decodeTaskInfo(set.filterSet[0]!.objectSet[0]!.changeSet[0]!.val, { type: 'Task', value: 'task-77' });
  t.equal(info.state, 'success');
  t.same(info.entity, { type: 'VirtualMachineSnapshot', value: 'snapshot-76' });
  t.equal(info.result, undefined);
});

t.test('TaskInfo from partial or empty data never throws', async (t) => {
  const task = { type: 'Task', value: 'task-1' };
  t.match(decodeTaskInfo(undefined, task), { key: 'task-1', task, state: 'queued', cancelable: false });
  t.match(decodeTaskInfo({ state: 'running', progress: '40', cancelable: 'true' }, task), { state: 'running', progress: 40, cancelable: true });
  t.match(decodeTaskInfo('garbage', task), { state: 'queued' });
});
