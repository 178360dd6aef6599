import t from 'tap';
import { chmod, chown, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { untrustedReason } from '../../../../../plugins/vmware/scripts/trust.js';
import { tempDir } from '../../../../helpers/tmp-datastore.js';

const root = process.getuid?.() === 0;

t.test('only root-owned scripts that nobody else can change may run', { skip: root ? false : 'needs root (file ownership)' }, async (t) => {
  const dir = tempDir(t, 'vsnapd-trust-');
  const file = async (name: string, mode: number, parent = dir): Promise<string> => {
    const p = join(parent, name);
    await writeFile(p, '#!/bin/sh\n');
    await chmod(p, mode);
    return p;
  };
  t.equal(await untrustedReason(await file('ok', 0o755)), null);
  t.match(await untrustedReason(await file('noexec', 0o644)), /is not executable/);
  t.match(await untrustedReason(await file('groupw', 0o775)), /writable by group or others/);
  const foreign = await file('foreign', 0o755);
  await chown(foreign, 1000, 1000);
  t.match(await untrustedReason(foreign), /owned by uid 1000, not root/);
  t.match(await untrustedReason(join(dir, 'missing')), /does not exist/);
  const open = join(dir, 'open');
  await mkdir(open);
  await chmod(open, 0o1777);
  t.match(await untrustedReason(await file('inopen', 0o755, open)), /folder .*open is writable by everyone/, 'its own folder may not be world-writable, sticky or not');
  const link = join(open, 'link');
  await symlink(join(dir, 'ok'), link);
  t.match(await untrustedReason(link), /folder .*open is writable by everyone/, 'nor the folder of a symlink to it');
  t.equal(await untrustedReason(join(dir, 'ok')), null, '/tmp above it is world-writable but sticky');
});
