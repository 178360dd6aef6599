/**
 * tap global `before` (see .taprc): runs once before the test files. Starts the zfs-fuse daemon when
 * no ZFS answers yet, leased to the tap runner (our parent process) so `after.ts` can stop it.
 */
import { ensureZfsDaemon } from '../fixtures/zfs/daemon.js';

try {
  const { started } = await ensureZfsDaemon({ owner: process.ppid });
  if (started) console.error('# before: started zfs-fuse for the test run');
} catch (err) {
  // Tests that need ZFS will fail with their own clear error; the others still run.
  console.error(`# before: zfs-fuse is not available: ${(err as Error).message}`);
}
