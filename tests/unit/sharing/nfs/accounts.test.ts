import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { accountNameProblem, parseGroupLine, parsePasswdLine, systemAccounts } from '../../../../plugins/sharing/nfs/accounts.js';

t.test('name checks', async (t) => {
  t.equal(accountNameProblem('root'), null);
  t.equal(accountNameProblem('DOMAIN\\svc_nfs'), null);
  t.match(accountNameProblem(''), /empty/);
  t.match(accountNameProblem('-s'), /start with "-"/);
  t.match(accountNameProblem('a b'), /spaces/);
  t.match(accountNameProblem('a:b'), /":"/);
  t.match(accountNameProblem('0'), /numeric/);
});

t.test('passwd and group lines', async (t) => {
  t.same(parsePasswdLine('root:x:0:0:root:/root:/bin/bash'), { name: 'root', uid: 0, gid: 0 });
  t.same(parseGroupLine('nogroup:x:65534:'), { name: 'nogroup', gid: 65534 });
  t.equal(parsePasswdLine('broken'), null);
  t.equal(parseGroupLine('g:x:abc:'), null);
});

t.test('the real machine through getent: root exists, wheel is an alias of root when absent', async (t) => {
  const db = systemAccounts();
  t.same(await db.user('root'), { name: 'root', uid: 0, gid: 0 });
  t.equal(await db.user('no-such-user-vsnapd'), null);
  t.equal(await db.user('0'), null, 'numeric ids are not looked up');
  const root = await db.group('root');
  t.equal(root?.gid, 0);
  const wheel = await db.group('wheel');
  t.equal(wheel?.gid, 0);
  if (wheel?.aliasOf !== undefined) t.equal(wheel.aliasOf, 'root');
  t.equal(await db.group('no-such-group-vsnapd'), null);
});

t.test('falls back to the files when getent is missing; a real group beats the alias', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-accounts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const passwdFile = join(dir, 'passwd');
  const groupFile = join(dir, 'group');
  await writeFile(passwdFile, 'root:x:0:0::/root:/bin/sh\nesx:x:1001:1001::/home/esx:/bin/sh\n');
  await writeFile(groupFile, 'root:x:0:\nwheel:x:10:esx\nnogroup:x:65534:\n');
  const db = systemAccounts({ getent: join(dir, 'no-getent'), passwdFile, groupFile });
  t.same(await db.user('esx'), { name: 'esx', uid: 1001, gid: 1001 });
  t.same(await db.group('wheel'), { name: 'wheel', gid: 10 }, 'the real wheel group wins');
  t.same(await db.group('nobody'), { name: 'nobody', gid: 65534, aliasOf: 'nogroup' });
  t.equal(await db.user('es'), null, 'no prefix matches');
});

t.test('a failing getent is an error, not "not found"', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-accounts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const getent = join(dir, 'getent');
  await writeFile(getent, '#!/bin/sh\necho boom >&2\nexit 5\n');
  await chmod(getent, 0o755);
  await t.rejects(systemAccounts({ getent }).user('root'), /getent passwd root failed: boom/);
});
