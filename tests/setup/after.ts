/**
 * tap global `after` (see .taprc): runs once after the test files. Removes the run's build and shared .deb, and
 * stops the zfs-fuse daemon that `before.ts` started (by its recorded pid), unless another live test
 * run still holds a lease.
 */
import { rmSync } from 'node:fs';
import { releaseZfsDaemon } from '../fixtures/zfs/daemon.js';
import { sharedDebDir } from '../helpers/shared-deb.js';
import { testBuildDir } from '../helpers/test-build.js';

// The .deb the package tests shared (tests/helpers/shared-deb.ts): this run's runner is our parent too.
rmSync(sharedDebDir(process.ppid), { recursive: true, force: true });
// The daemon and midclt the fixtures started (tests/helpers/test-build.ts).
rmSync(testBuildDir(process.ppid), { recursive: true, force: true });

try {
  const { stopped } = await releaseZfsDaemon({ owner: process.ppid });
  if (stopped) console.error('# after: stopped zfs-fuse');
} catch (err) {
  console.error(`# after: could not stop zfs-fuse: ${(err as Error).message}`);
}
