/**
 * Prometheus's promtool for the alerting-rule tests, from Debian's `prometheus` package without
 * installing it: installing would enable and, on a machine booted with systemd, start a Prometheus
 * server (prometheus.service on :9090). Provisioning downloads the package with `apt-get download`
 * (apt's lists updated first when it is not found and we are root) and keeps only `usr/bin/promtool`
 * (a static Go binary) in a cache folder outside the repository, once per machine.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ProvisionError } from './debian-packages.js';

/** Cache folder (override with VSNAPD_PROMTOOL_DIR). */
const PROMTOOL_DIR = process.env['VSNAPD_PROMTOOL_DIR'] ?? '/var/cache/vsnapd-tests/promtool';

/** Absolute path of the cached promtool. */
export const PROMTOOL = join(PROMTOOL_DIR, 'promtool');

/** `apt-get download prometheus` into `dir`; false when apt does not know the package. */
async function download(dir: string): Promise<boolean> {
  const r = await execa('apt-get', ['download', 'prometheus'], { cwd: dir, reject: false, all: true });
  return r.exitCode === 0;
}

/** Puts promtool in {@link PROMTOOL} unless it is there. Throws {@link ProvisionError} saying what failed. */
export async function ensurePromtool(): Promise<void> {
  if (existsSync(PROMTOOL)) return;
  const scratch = mkdtempSync(join(tmpdir(), 'vsnapd-promtool-'));
  try {
    if (!(await download(scratch))) {
      if (process.getuid?.() !== 0) throw new ProvisionError('apt-get download prometheus failed (for promtool); run as root, or apt-get update first');
      await execa('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'inherit' });
      if (!(await download(scratch))) throw new ProvisionError('apt-get download prometheus failed after apt-get update (for promtool)');
    }
    const deb = readdirSync(scratch).find((f) => f.endsWith('.deb'));
    if (!deb) throw new ProvisionError('apt-get download prometheus left no .deb');
    await execa('dpkg-deb', ['-x', join(scratch, deb), join(scratch, 'x')]);
    mkdirSync(PROMTOOL_DIR, { recursive: true });
    // Copied under a temporary name and renamed, so a parallel run never sees half a binary.
    copyFileSync(join(scratch, 'x/usr/bin/promtool'), `${PROMTOOL}.partial`);
    renameSync(`${PROMTOOL}.partial`, PROMTOOL);
    console.error(`# provision: promtool from ${deb} in ${PROMTOOL}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
