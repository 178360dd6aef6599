/**
 * `npm run demo`'s step 0, the smaller half of `npm test`'s provisioning (tests/setup/provision.ts
 * runs it too): only what the demo's world needs (SPEC §5).
 * 1. Debian packages golang-go and golang-github-vmware-govmomi-dev (to build the vcsim launcher) and
 *    zfs-fuse (the NAS's ZFS), installed when missing (tests/setup/debian-packages.ts).
 * 2. The vcsim launcher (tests/fixtures/vcsim/bin/vcsim-launcher), built if missing or stale, once,
 *    so test files running in parallel do not each build it.
 * Run: `node --import tsx tests/setup/provision-demo.ts` (exit 1 with what to do when it cannot).
 */
import { pathToFileURL } from 'node:url';
import { ensureVcsimBuilt, vcsimBuildNeeded } from '../fixtures/vcsim/build.js';
import { ensureDebianPackages, runProvisioning } from './debian-packages.js';

/** Debian packages the demo's world needs. */
export const DEMO_PACKAGES = ['golang-go', 'golang-github-vmware-govmomi-dev', 'zfs-fuse'] as const;

/** Builds the vcsim launcher when it is missing or older than its sources, printing the time taken. */
export async function ensureVcsimLauncher(): Promise<void> {
  if (!(await vcsimBuildNeeded())) return;
  const t0 = Date.now();
  console.error('# provision: building the vcsim launcher');
  await ensureVcsimBuilt();
  console.error(`# provision: vcsim launcher built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The demo's provisioning (see the module comment). Throws when a step cannot be done. */
export async function provisionDemo(): Promise<void> {
  await ensureDebianPackages(DEMO_PACKAGES);
  await ensureVcsimLauncher();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runProvisioning(provisionDemo);
