/**
 * The installed package's daemon run as its systemd unit runs it: the unit's ExecStart, then
 * SIGTERM as `systemctl stop` sends it. For the package tests (deb.test.ts with `dpkg --root`,
 * debian-releases.test.ts inside a chroot).
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitReady } from './daemon.js';

/** How long the packaged daemon may take to log "vsnapd ready", in ms. */
const READY_TIMEOUT_MS = 60_000;

/** The ExecStart command line of the vsnapd unit installed under `root` (`/usr/sbin/vsnapd …`). */
export function unitExecStart(root: string): string {
  const unit = readFileSync(join(root, 'usr/lib/systemd/system/vsnapd.service'), 'utf8');
  return /^ExecStart=(.+)$/m.exec(unit)![1]!;
}

/**
 * Spawns `file args` (stdin ignored, stdout and stderr collected), waits for its ready line, runs
 * `whileUp` with the output so far, then sends SIGTERM, also when `whileUp` throws. Resolves with
 * the exit code (null when a signal ended it). Rejects when the daemon exits or is not ready within
 * {@link READY_TIMEOUT_MS} (the error carries its output), or with `whileUp`'s error.
 */
export async function runUntilStopped(
  file: string,
  args: readonly string[],
  options: Omit<SpawnOptions, 'stdio'>,
  whileUp: (output: () => string) => Promise<void>,
): Promise<number | null> {
  const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output += d.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitReady(child, () => output, READY_TIMEOUT_MS);
    await whileUp(() => output);
  } finally {
    child.kill('SIGTERM');
  }
  return exited;
}
