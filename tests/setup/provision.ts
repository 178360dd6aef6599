/**
 * First step of `npm test`: makes the test world available (SPEC §5).
 * 1. Debian packages: golang-go and golang-github-vmware-govmomi-dev (to build the vcsim launcher) and
 *    zfs-fuse (the ZFS the integration tests use), python3 (a NOTIFY_SOCKET listener standing in for
 *    systemd), systemd (systemd-analyze verify/security of the unit, systemd-notify), jq (the
 *    README's restore cleanup command picks the restore id with it), chromium (the web console's
 *    browser tests drive Debian's build; no browser is downloaded) and dpkg-dev (dpkg-shlibdeps, for
 *    the .deb's Depends) and debootstrap (step 3). Detected with `dpkg -s`; when some are missing and
 *    we run as root they are installed with apt-get (update first), otherwise this prints what to
 *    install and exits 1.
 * 2. Builds the vcsim launcher (tests/fixtures/vcsim/bin/vcsim-launcher) if missing or stale, so test
 *    files running in parallel do not each build it.
 * 3. Builds minimal Debian 12 and 13 roots (tests/fixtures/debian/roots.ts) if missing, for the
 *    package's install test; the only step that needs Debian's mirror, once per machine.
 * 4. Builds Debian 12 and 13 roots with systemd (tests/fixtures/systemd/provision.ts) for the tests
 *    that boot them, once per machine.
 */
import { execa } from 'execa';
import { DEBIAN_RELEASES, debianRootReady, ensureDebianRoot, type DebianSuite } from '../fixtures/debian/roots.js';
import { ensureVcsimBuilt, vcsimBuildNeeded } from '../fixtures/vcsim/build.js';
import { provisionSystemdRoots } from '../fixtures/systemd/provision.js';

/** Debian packages the tests need. */
export const REQUIRED_PACKAGES = ['golang-go', 'golang-github-vmware-govmomi-dev', 'zfs-fuse', 'python3', 'systemd', 'jq', 'chromium', 'curl', 'dpkg-dev', 'debootstrap'] as const;

/** True when dpkg reports the package installed ("Status: install ok installed"). */
async function installed(pkg: string): Promise<boolean> {
  const r = await execa('dpkg-query', ['-W', '-f=${Status}', pkg], { reject: false });
  return r.exitCode === 0 && r.stdout.trim() === 'install ok installed';
}

/** Packages of `REQUIRED_PACKAGES` that are not installed. Throws when dpkg is unavailable. */
export async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  for (const pkg of REQUIRED_PACKAGES) if (!(await installed(pkg))) missing.push(pkg);
  return missing;
}

async function aptInstall(pkgs: string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  console.error(`# provision: apt-get install ${pkgs.join(' ')}`);
  await execa('apt-get', ['update'], { env, stdio: 'inherit' });
  await execa('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env, stdio: 'inherit' });
}

async function main(): Promise<number> {
  let missing: string[];
  try {
    missing = await missingPackages();
  } catch (err) {
    console.error(`# provision: cannot ask dpkg (${(err as Error).message}); assuming the packages are present`);
    missing = [];
  }
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      console.error(
        `provision: missing Debian packages: ${missing.join(' ')}\n` +
          `Install them as root, then run npm test again:\n  apt-get update && apt-get install -y ${missing.join(' ')}`,
      );
      return 1;
    }
    await aptInstall(missing);
    const still = await missingPackages();
    if (still.length > 0) {
      console.error(`provision: apt-get did not install: ${still.join(' ')}`);
      return 1;
    }
  }
  if (await vcsimBuildNeeded()) {
    const t0 = Date.now();
    console.error('# provision: building the vcsim launcher');
    await ensureVcsimBuilt();
    console.error(`# provision: vcsim launcher built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const suite of Object.keys(DEBIAN_RELEASES) as DebianSuite[]) {
    if (debianRootReady(suite)) continue;
    const t0 = Date.now();
    console.error(`# provision: debootstrap ${suite} (Debian ${DEBIAN_RELEASES[suite]}) for the package test`);
    try {
      await ensureDebianRoot(suite);
      console.error(`# provision: ${suite} root built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      // Only the package test needs it; it then fails naming the missing root, the rest still runs.
      console.error(`# provision: WARNING: no ${suite} root (tests/integration/package/debian-releases.test.ts will fail): ${(err as Error).message}`);
    }
  }
  await provisionSystemdRoots();
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`provision: ${(err as Error).message}`);
  process.exitCode = 1;
}
