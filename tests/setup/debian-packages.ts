/**
 * The Debian packages a provisioning step needs: detected with `dpkg-query`; when some are missing
 * and we run as root they are installed with apt-get (`update` first, `--no-install-recommends`),
 * otherwise {@link ensureDebianPackages} fails with the command to run.
 */
import { execa } from 'execa';

/** A provisioning step that cannot go on; its message says what to do. */
export class ProvisionError extends Error {}

/** True when dpkg reports the package installed ("Status: install ok installed"). */
async function installed(pkg: string): Promise<boolean> {
  const r = await execa('dpkg-query', ['-W', '-f=${Status}', pkg], { reject: false });
  return r.exitCode === 0 && r.stdout.trim() === 'install ok installed';
}

/** The packages of `pkgs` that are not installed. Throws when dpkg-query cannot be run. */
export async function missingPackages(pkgs: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const pkg of pkgs) if (!(await installed(pkg))) missing.push(pkg);
  return missing;
}

async function aptInstall(pkgs: readonly string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  console.error(`# provision: apt-get install ${pkgs.join(' ')}`);
  await execa('apt-get', ['update'], { env, stdio: 'inherit' });
  await execa('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env, stdio: 'inherit' });
}

/**
 * Makes sure `pkgs` are installed (see the module comment). Without dpkg (not Debian) it assumes
 * they are and says so. Throws {@link ProvisionError} naming the missing packages when not root or
 * when apt-get left some uninstalled; apt-get's own failure propagates.
 */
export async function ensureDebianPackages(pkgs: readonly string[]): Promise<void> {
  let missing: string[];
  try {
    missing = await missingPackages(pkgs);
  } catch (err) {
    console.error(`# provision: cannot ask dpkg (${(err as Error).message}); assuming the packages are present`);
    return;
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new ProvisionError(
      `missing Debian packages: ${missing.join(' ')}\n` +
        `Install them as root, then run again:\n  apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
  }
  await aptInstall(missing);
  const still = await missingPackages(missing);
  if (still.length > 0) throw new ProvisionError(`apt-get did not install: ${still.join(' ')}`);
}

/** Runs a provisioning script's `main`, printing its failure; sets the exit code (0 or 1). */
export async function runProvisioning(main: () => Promise<void>): Promise<void> {
  try {
    await main();
    process.exitCode = 0;
  } catch (err) {
    console.error(`provision: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
