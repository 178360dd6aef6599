/**
 * First step of `npm test`: makes the whole test world available (SPEC §5); `npm run demo` runs only
 * its smaller half, tests/setup/provision-demo.ts.
 * 1. Debian packages (tests/setup/debian-packages.ts): the demo's (golang-go,
 *    golang-github-vmware-govmomi-dev, zfs-fuse) and python3 (a NOTIFY_SOCKET listener standing in
 *    for systemd; TrueNAS's Python client), systemd (systemd-analyze verify/security of the unit,
 *    systemd-notify), jq (the README's restore cleanup command picks the restore id with it),
 *    chromium (the web console's browser tests drive Debian's build; no browser is downloaded), curl,
 *    dpkg-dev (dpkg-shlibdeps, for the .deb's Depends), debootstrap (step 2) and lintian (the .deb's
 *    check).
 * 2. Side by side, once per machine:
 *    - the vcsim launcher, as the demo's provisioning builds it;
 *    - the Debian 12 and 13 roots (tests/fixtures/debian/roots.ts), if missing, for the package's
 *      install test and the tests that boot systemd;
 *    - promtool from Debian's prometheus package, downloaded but not installed (tests/setup/promtool.ts).
 *    The roots and promtool are the only steps that need Debian's mirror.
 * Exit 1 with what to do when a step cannot be done (e.g. packages missing and not root).
 */
import { DEBIAN_RELEASES, debianRootReady, ensureDebianRoot, type DebianSuite } from '../fixtures/debian/roots.js';
import { ensureDebianPackages, runProvisioning } from './debian-packages.js';
import { DEMO_PACKAGES, ensureVcsimLauncher } from './provision-demo.js';
import { ensurePromtool } from './promtool.js';

/** Debian packages the tests need beyond the demo's. */
export const TEST_PACKAGES = ['python3', 'systemd', 'jq', 'chromium', 'curl', 'dpkg-dev', 'debootstrap', 'lintian'] as const;

/** Builds `suite`'s root if it is missing; a failure is a warning (only the package tests need it). */
async function ensureRoot(suite: DebianSuite): Promise<void> {
  if (debianRootReady(suite)) return;
  const t0 = Date.now();
  console.error(`# provision: debootstrap ${suite} (Debian ${DEBIAN_RELEASES[suite]}) with systemd, dbus, ca-certificates and zfs-fuse for the package tests`);
  try {
    await ensureDebianRoot(suite);
    console.error(`# provision: ${suite} root built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    // Only the package tests need it; they then fail naming the missing root, the rest still runs.
    console.error(`# provision: WARNING: no ${suite} root (tests/integration/package/debian-releases.test.ts and systemd*.test.ts will fail): ${(err as Error).message}`);
  }
}

await runProvisioning(async () => {
  await ensureDebianPackages([...DEMO_PACKAGES, ...TEST_PACKAGES]);
  // Side by side: debootstrap is CPU-bound, and two at a time on 2 cores beat one after another (the
  // four roots of an earlier layout took 155 s in a row, 112 s two at a time).
  await Promise.all([ensureVcsimLauncher(), ...(Object.keys(DEBIAN_RELEASES) as DebianSuite[]).map(ensureRoot), ensurePromtool()]);
});
