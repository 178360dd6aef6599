/**
 * The run-record side of a restore: which VM of a run a request names (moref first, then name), the
 * path inside a datastore of a recorded .vmx, and the fallback search of a clone's files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { findRunVm, pathInDatastore, searchVmx, type RunView } from '../../../../../plugins/vmware/restore/runs.js';

const run: RunView = {
  id: 'abc123',
  snapshot: 'tank/vm@s1',
  entries: [
    { id: 1, hostname: 'vc1', vms: [{ name: 'web', moref: 'vm-1', action: 'snapshotted', vmx_path: '[ds1] web/web.vmx' }] },
    { id: 2, hostname: 'vc2', vms: [{ name: 'vm-1', moref: 'vm-9', action: 'skipped', vmx_path: null }] },
  ],
};

t.test('findRunVm: moref first, then name; undefined when not in the run', async (t) => {
  t.match(findRunVm(run, 'vm-1'), { entryId: 1, vm: { name: 'web' } }, 'a moref wins over a VM named like it');
  t.match(findRunVm(run, 'web'), { entryId: 1, vm: { moref: 'vm-1' } });
  t.match(findRunVm(run, 'vm-9'), { entryId: 2 });
  t.equal(findRunVm(run, 'ghost'), undefined);
});

t.test('pathInDatastore strips the [datastore] prefix', async (t) => {
  t.equal(pathInDatastore('[ds1] web/web.vmx'), 'web/web.vmx');
  t.equal(pathInDatastore('[my ds] a b/c.vmx'), 'a b/c.vmx');
  t.equal(pathInDatastore('web/web.vmx'), undefined);
});

t.test('searchVmx: by displayName, else by folder name; nothing deeper than one folder', async (t) => {
  const root = t.testdir({
    renamed: { 'old.vmx': 'displayName = "db"\nnvram = "old.nvram"\n' },
    web: { 'web.vmx': 'displayName = "web-renamed"\n', 'web.vmdk': '' },
    deep: { sub: { 'x.vmx': 'displayName = "deep"\n' } },
  });
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'top.vmx'), 'displayName = "top"\n');
  t.equal(await searchVmx(root, 'db'), 'renamed/old.vmx', 'found by displayName in another folder');
  t.equal(await searchVmx(root, 'web'), 'web/web.vmx', 'found by its folder when no displayName matches');
  t.equal(await searchVmx(root, 'deep'), undefined);
  t.equal(await searchVmx(root, 'top'), undefined, 'a .vmx at the datastore root is not a VM folder');
  t.equal(await searchVmx(join(root, 'missing'), 'db'), undefined, 'a missing folder finds nothing');
});
