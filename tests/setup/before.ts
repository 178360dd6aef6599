/**
 * tap global `before` (see .taprc): runs once before the test files. Builds the daemon and midclt that
 * the fixtures start (tests/helpers/test-build.ts), and starts the zfs-fuse daemon when no ZFS answers
 * yet, leased to the tap runner (our parent process) so `after.ts` can stop it.
 */
import { ensureZfsDaemon } from '../fixtures/zfs/daemon.js';
import { makeTestBuild } from '../helpers/test-build.js';

const build = makeTestBuild(process.ppid).catch((err: unknown) => {
  // The fixtures start the sources through tsx instead: slower, but every test still runs.
  console.error(`# before: the production build failed, tests start the sources: ${(err as Error).message}`);
});

try {
  const { started } = await ensureZfsDaemon({ owner: process.ppid });
  if (started) console.error('# before: started zfs-fuse for the test run');
} catch (err) {
  // Tests that need ZFS will fail with their own clear error; the others still run.
  console.error(`# before: zfs-fuse is not available: ${(err as Error).message}`);
}
await build;
