/**
 * tap global `after` (see .taprc): runs once after the test files. Stops the zfs-fuse daemon that
 * `before.ts` started (by its recorded pid), unless another live test run still holds a lease.
 */
import { releaseZfsDaemon } from '../fixtures/zfs/daemon.js';

try {
  const { stopped } = await releaseZfsDaemon({ owner: process.ppid });
  if (stopped) console.error('# after: stopped zfs-fuse');
} catch (err) {
  console.error(`# after: could not stop zfs-fuse: ${(err as Error).message}`);
}
