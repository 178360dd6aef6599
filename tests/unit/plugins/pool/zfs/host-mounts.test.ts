/**
 * zfs.mount_via (plugins/pool/zfs/host-mounts.ts): which zfs commands go through the prefix, how
 * "auto" reads the root mount's propagation from mountinfo (proc(5)) and $INVOCATION_ID.
 */
import t from 'tap';
import { resolveMountVia, rootIsSlave, systemdRunPrefix } from '../../../../../plugins/pool/zfs/host-mounts.js';
import { commandLine } from '../../../../../plugins/pool/zfs/runner.js';

// proc(5)'s format: id parent major:minor root mountpoint options [optional fields…] - fstype source super-options
const HOST = ['22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw', '23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw'].join('\n');
const UNIT = ['812 700 8:1 / / ro,relatime master:1 - ext4 /dev/sda1 rw', '813 812 0:21 / /proc rw,nosuid master:12 - proc proc rw'].join('\n');
const PRIVATE = '900 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw';
// A later mount over / is the one in effect.
const OVERMOUNTED = `${HOST}\n950 22 0:50 / / rw shared:7 master:1 - tmpfs tmpfs rw`;

t.test('rootIsSlave: master:N among the root mount\'s optional fields', async (t) => {
  t.equal(rootIsSlave(HOST), false, 'shared: the host');
  t.equal(rootIsSlave(UNIT), true, 'master: a sandboxed unit');
  t.equal(rootIsSlave(PRIVATE), false, 'no optional fields');
  t.equal(rootIsSlave(OVERMOUNTED), true, 'the last mount on / counts');
  t.equal(rootIsSlave(''), false, 'nothing readable');
  t.equal(rootIsSlave('22 1 8:1 / /srv rw master:1 - ext4 /dev/sda1 rw'), false, 'a slave mount elsewhere is not the root');
});

t.test('resolveMountVia: auto needs a systemd service and a slave root; arrays are used as given', async (t) => {
  const facts = (invocationId: string | undefined, mountinfo: string) => ({ invocationId, mountinfo: () => mountinfo });
  t.same(resolveMountVia('auto', 60_000, facts('abc', UNIT)), systemdRunPrefix(60_000), 'service in a sandbox: systemd-run');
  t.same(resolveMountVia('auto', 60_000, facts('abc', HOST)), [], 'service without a mount namespace: directly');
  t.same(resolveMountVia('auto', 60_000, facts(undefined, UNIT)), [], 'not a systemd service: directly');
  const unreadable = { invocationId: 'abc', mountinfo: () => { throw new Error('EACCES'); } };
  t.same(resolveMountVia('auto', 60_000, unreadable), [], 'mountinfo unreadable: directly');
  t.same(resolveMountVia([], 60_000, facts('abc', UNIT)), [], '[]: always directly');
  t.same(resolveMountVia(['sudo', '-n'], 60_000, facts(undefined, HOST)), ['sudo', '-n'], 'a prefix of the admin\'s');
});

t.test('systemdRunPrefix: waits, pipes, C locale, RuntimeMaxSec from the command timeout', async (t) => {
  const p = systemdRunPrefix(60_000);
  t.equal(p[0], 'systemd-run');
  t.equal(p.at(-1), '--', 'ends its options');
  t.ok(p.includes('--wait') && p.includes('--pipe'), 'exit status and output of the command');
  t.ok(p.includes('--property=RuntimeMaxSec=60'), 'stopped by systemd after the timeout (s)');
  t.ok(systemdRunPrefix(1).includes('--property=RuntimeMaxSec=1'), 'at least 1 s');
  t.ok(p.includes('--setenv=LC_ALL=C'), 'stable messages for the error mapping');
});

t.test('commandLine: only the zfs subcommands that mount go through the prefix', async (t) => {
  const bin = { zfsPath: '/usr/sbin/zfs', zpoolPath: '/usr/sbin/zpool', timeoutMs: 1000, mountVia: ['systemd-run', '--wait', '--'] };
  t.same(commandLine(bin, 'zfs', ['clone', 'p/a@s', 'p/b']), { file: 'systemd-run', args: ['--wait', '--', '/usr/sbin/zfs', 'clone', 'p/a@s', 'p/b'] });
  t.same(commandLine(bin, 'zfs', ['destroy', 'p/b']).file, 'systemd-run', 'destroy unmounts');
  t.same(commandLine(bin, 'zfs', ['set', 'mountpoint=/x', 'p/b']).file, 'systemd-run', 'set may remount');
  t.same(commandLine(bin, 'zfs', ['snapshot', 'p/a@s']), { file: '/usr/sbin/zfs', args: ['snapshot', 'p/a@s'] }, 'snapshot mounts nothing');
  t.same(commandLine(bin, 'zfs', ['list', '-H']).file, '/usr/sbin/zfs', 'list runs directly');
  t.same(commandLine(bin, 'zpool', ['list']).file, '/usr/sbin/zpool', 'zpool runs directly');
  t.same(commandLine({ ...bin, mountVia: [] }, 'zfs', ['clone', 'p/a@s', 'p/b']).file, '/usr/sbin/zfs', 'no prefix: directly');
});
