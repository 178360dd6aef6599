import t from 'tap';
import { mapZfsFailure } from '../../../../../plugins/pool/zfs/errors.js';
import { Errno } from '../../../../../daemon/errors.js';

const fail = (stderr: string, extra: object = {}) =>
  mapZfsFailure({ command: 'zfs snapshot', exitCode: 1, stderr, binary: '/usr/sbin/zfs', ...extra });

t.test('stderr texts map to errnos with the command in the reason', async (t) => {
  const cases: Array<[string, number]> = [
    ["cannot create snapshot 'tank/a@x': dataset already exists\n", Errno.EEXIST],
    ["cannot open 'tank/nope': dataset does not exist\n", Errno.ENOENT],
    ["cannot open 'nopool': no such pool\n", Errno.ENOENT],
    ["cannot destroy 'tank': pool is busy\n", Errno.EBUSY],
    ["cannot create 'tank/a': permission denied\n", Errno.EPERM],
    ["cannot create 'tank/a': out of space\n", Errno.ENOSPC],
    ["cannot open 'tank': pool I/O is currently suspended\n", Errno.EIO],
    ["cannot snapshot 'tank@a!': invalid character '!' in name\n", Errno.EINVAL],
    ['something unexpected\n', Errno.EFAULT],
  ];
  for (const [stderr, errno] of cases) {
    const e = fail(stderr);
    t.equal(e.errno, errno, stderr);
    t.match(e.message, /^zfs snapshot: /);
  }
  t.equal(fail("cannot create snapshot 'tank/a@x': dataset already exists\nno snapshots were created\n").message,
    "zfs snapshot: cannot create snapshot 'tank/a@x': dataset already exists");
});

t.test('daemon down, missing binary, timeouts, cancellation', async (t) => {
  const down = fail('connect: No such file or directory\nPlease make sure that the zfs-fuse daemon is running.\ninternal error: failed to initialize ZFS library\n');
  t.equal(down.errno, Errno.EIO);
  t.match(down.message, /ZFS is not available/);
  t.match(fail('', { spawnCode: 'ENOENT' }).message, /\/usr\/sbin\/zfs not found.*zfs\.zfs_path/);
  t.equal(fail('', { timedOut: true }).errno, Errno.ETIMEDOUT);
  t.equal(fail('', { canceled: true }).errno, Errno.ECANCELED);
  t.match(fail('').message, /exited with code 1/);
});
