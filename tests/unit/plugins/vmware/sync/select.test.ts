import t from 'tap';
import { classifyVms, type SkipCode } from '../../../../../plugins/vmware/sync/select.js';
import { datasetCovers, entriesForDataset } from '../../../../../plugins/vmware/sync/entries.js';
import { disk, inventory, vm } from '../../../../helpers/fake-inventory.js';
import type { VirtualMachineInfo } from '../../../../../vsphere/inventory/types.js';

const cases: Array<{ name: string; vm: Partial<VirtualMachineInfo>; code: SkipCode | null; quiesce?: boolean; warn?: RegExp; reason?: RegExp }> = [
  { name: 'powered-on VM with a disk on ds1', vm: {}, code: null, quiesce: true },
  { name: 'disk on ds10 does not match ds1 (no prefix match)', vm: { disks: [disk('ds10')] }, code: 'other_datastore' },
  { name: 'config only on ds1, disk elsewhere', vm: { disks: [disk('other')] }, code: 'other_datastore', reason: /only its configuration is on ds1/ },
  { name: 'no disks at all', vm: { disks: [] }, code: 'other_datastore' },
  {
    name: 'disk named by file path when the moref is unknown',
    vm: { disks: [disk('ds1', { datastore: { type: 'Datastore', value: 'ds-gone' } })] },
    code: null,
  },
  { name: 'template', vm: { template: true, powerState: 'poweredOff' }, code: 'template' },
  { name: 'disconnected', vm: { connectionState: 'disconnected' }, code: 'disconnected' },
  { name: 'inaccessible', vm: { connectionState: 'inaccessible' }, code: 'inaccessible' },
  { name: 'orphaned', vm: { connectionState: 'orphaned' }, code: 'orphaned' },
  { name: 'vCLS by name', vm: { name: 'vCLS-4c4c4544-0044' }, code: 'agent_vm' },
  { name: 'old vCLS name', vm: { name: 'vCLS (1)' }, code: 'agent_vm' },
  { name: 'EAM agent', vm: { managedBy: { extensionKey: 'com.vmware.vim.eam', type: 'cluster-agent' } }, code: 'agent_vm' },
  { name: 'other managedBy is not an agent', vm: { managedBy: { extensionKey: 'com.example.backup', type: 'appliance' } }, code: null },
  { name: 'powered off', vm: { powerState: 'poweredOff' }, code: 'powered_off' },
  { name: 'suspended', vm: { powerState: 'suspended' }, code: 'suspended' },
  { name: 'passthrough', vm: { passthrough: [{ key: 1, label: 'PCI device 0', type: 'VirtualPCIPassthrough' }] }, code: 'cannot_snapshot', reason: /passthrough/ },
  { name: 'shared bus', vm: { sharedBus: true }, code: 'cannot_snapshot', reason: /bus sharing/ },
  { name: 'snapshots unsupported', vm: { snapshotOperationsSupported: false }, code: 'cannot_snapshot' },
  {
    name: 'capability unreadable is not a skip',
    vm: { snapshotOperationsSupported: false, missing: ['capability.snapshotOperationsSupported'] },
    code: null,
    warn: /did not return/,
  },
  { name: 'independent only', vm: { disks: [disk('ds1', { independent: true, diskMode: 'independent_persistent' })] }, code: 'independent_only' },
  { name: 'pRDM only', vm: { disks: [disk('ds1', { rdmPhysical: true })] }, code: 'independent_only' },
  {
    name: 'one independent disk among others → warning',
    vm: { disks: [disk('ds1'), disk('ds1', { key: 2001, label: 'Hard disk 2', independent: true, diskMode: 'independent_persistent' })] },
    code: null,
    warn: /partially protected: Hard disk 2 is independent_persistent/,
  },
  { name: 'disk on another datastore → warning', vm: { disks: [disk('ds1'), disk('other', { label: 'Hard disk 2' })] }, code: null, warn: /Hard disk 2 is on other/ },
  { name: 'tools not running → crash-consistent', vm: { toolsRunningStatus: 'guestToolsNotRunning' }, code: null, quiesce: false, warn: /Tools are not running/ },
  { name: 'quiesce unsupported → crash-consistent', vm: { quiescedSnapshotsSupported: false }, code: null, quiesce: false, warn: /unsupported/ },
];

t.test('classifyVms: one rule per row', async (t) => {
  for (const c of cases) {
    const [sel] = classifyVms(inventory([vm({ moref: { type: 'VirtualMachine', value: 'vm-x' }, ...c.vm })]), ['ds1']);
    t.ok(sel, c.name);
    if (!sel) continue;
    t.equal(sel.code, c.code, `${c.name}: code`);
    t.equal(sel.protected, c.code === null, `${c.name}: protected`);
    t.equal(sel.reason === null, c.code === null, `${c.name}: reason iff skipped`);
    if (c.reason) t.match(sel.reason, c.reason, `${c.name}: reason text`);
    if (c.quiesce !== undefined) t.equal(sel.quiesce, c.quiesce, `${c.name}: quiesce`);
    if (c.warn) t.ok(sel.warnings.some((w) => c.warn!.test(w)), `${c.name}: warning ${c.warn} in ${JSON.stringify(sel.warnings)}`);
    if (c.code !== null) t.equal(sel.quiesce, false, `${c.name}: skipped VMs never quiesce`);
  }
});

t.test('classifyVms keeps inventory order, lists datastores, honours quiesce:false', async (t) => {
  const inv = inventory([vm({ name: 'a' }), vm({ name: 'b', disks: [disk('ds10')] }), vm({ name: 'c', disks: [disk('ds10'), disk('ds1')] })]);
  const out = classifyVms(inv, ['ds1', 'ds10'], { quiesce: false });
  t.same(out.map((s) => s.vm.name), ['a', 'b', 'c']);
  t.same(out.map((s) => s.datastores), [['ds1'], ['ds10'], ['ds1', 'ds10']]);
  t.same(out.map((s) => s.quiesce), [false, false, false]);
  t.same(out[0]?.warnings, [], 'quiesce off by policy is not a warning');
});

t.test('entriesForDataset: exact or (recursive) descendant, enabled only, id order', async (t) => {
  t.equal(datasetCovers('tank/vm', false, 'tank/vm'), true);
  t.equal(datasetCovers('tank/vm', false, 'tank/vm/a'), false, 'non-recursive parent does not coordinate');
  t.equal(datasetCovers('tank/vm', true, 'tank/vm/a'), true);
  t.equal(datasetCovers('tank/vm', true, 'tank/vmx'), false, 'no prefix match');
  t.equal(datasetCovers('tank', true, 'tank/vm'), true);
  const e = (id: number, filesystem: string, enabled = true) => ({ id, filesystem, datastores: ['x'], enabled });
  const got = entriesForDataset([e(3, 'tank/vm/a'), e(1, 'tank/vm'), e(2, 'tank/vmx'), e(4, 'tank/vm', false)], 'tank/vm', true);
  t.same(got.map((x) => x.id), [1, 3]);
});
