/**
 * The production build of the daemon and midclt, made once per tap run and started by the test
 * fixtures instead of the sources. Through tsx (its loader resolves and transforms some 400 modules)
 * a daemon start costs about 2.0 s of CPU against 0.5 s from the bundle, a midclt call 0.62 s against
 * 0.13 s, and the suite starts a few hundred of each.
 *
 * tests/setup/before.ts runs packaging/bundle.mjs (exactly what `npm run build` and the .deb ship)
 * into `<tmpdir>/vsnapd-test-build-<runner pid>/dist`, with the repository's package.json beside it
 * as in the .deb's /usr/lib/vsnapd (midclt reads its version there); tests/setup/after.ts removes it.
 * The runner is tap's runner process, every test file's parent (`process.ppid`), as in
 * ./shared-deb.ts. A file run alone (`node --import tsx …`), or a run whose build failed, starts the
 * sources through tsx instead.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo-root.js';

/** Under tap: every test file of the run shares the runner's build. */
const underTap = process.env['TAP'] === '1';

/** The build folder of the run whose tap runner is `runner` (default: this test file's runner). */
export function testBuildDir(runner: number = process.ppid): string {
  return join(tmpdir(), `vsnapd-test-build-${runner}`);
}

/**
 * Builds into {@link testBuildDir}(runner) and marks it ready. Rejects with the bundler's output when
 * packaging/bundle.mjs fails (the fixtures then start the sources).
 */
export async function makeTestBuild(runner: number): Promise<void> {
  const dir = testBuildDir(runner);
  await buildProduction(dir);
  writeFileSync(join(dir, 'ready'), '');
}

/**
 * Runs packaging/bundle.mjs into `<dir>/dist` and copies package.json beside it, as the .deb lays
 * out /usr/lib/vsnapd (about 1 s, 0.4 s of CPU). Resolves with the dist folder's path; rejects with
 * the bundler's output when it fails.
 */
export async function buildProduction(dir: string): Promise<string> {
  const dist = join(dir, 'dist');
  // tap's `before` script records V8 coverage, and so would the bundler it starts (tap's process
  // tracker passes itself on to child processes) unless told not to; .taprc measures none.
  const env = { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0' };
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'packaging/bundle.mjs'), dist], { cwd: REPO_ROOT, env });
  copyFileSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  return dist;
}

/** The daemon's and midclt's command lines (before their arguments) of the build in `dist`. */
export function builtCommands(dist: string): { daemon: string[]; midclt: string[] } {
  return { daemon: [process.execPath, join(dist, 'daemon/main.js')], midclt: [process.execPath, join(dist, 'client/cli.js')] };
}

/** The run's built dist/ folder, or undefined when there is none (see the module comment). */
export function builtDist(): string | undefined {
  const dir = testBuildDir();
  return underTap && existsSync(join(dir, 'ready')) ? join(dir, 'dist') : undefined;
}

/** The daemon's command line before its arguments: the run's build, else the sources through tsx. */
export function daemonCommand(): string[] {
  const dist = builtDist();
  return dist ? builtCommands(dist).daemon : [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'daemon/main.ts')];
}

/** midclt's command line before its arguments: the run's build, else client/bin/midclt.js (tsx). */
export function midcltCommand(): string[] {
  const dist = builtDist();
  return dist ? builtCommands(dist).midclt : [process.execPath, join(REPO_ROOT, 'client/bin/midclt.js')];
}
