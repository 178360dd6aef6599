/**
 * One .deb for all the package tests of a tap run, from the run's production build (./test-build.ts).
 * Building it (dpkg-deb; tsc and esbuild too for a file run alone) takes 20–45 s,
 * and every package test installs it; the first file to ask builds it, the others wait for that build.
 *
 * Under tap (`TAP=1`) the run is told apart by tap's runner process (every test file's and
 * tests/setup/after.ts's parent, `process.ppid`): the package lives in
 * `<tmpdir>/vsnapd-test-deb-<ppid>/`, which after.ts removes. A file run alone (`node --import tsx …`)
 * builds into a folder of its own pid and removes it when it exits.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDeb, type BuiltDeb } from '../../packaging/build-deb.js';
import { processAlive } from '../../daemon/process-alive.js';
import { builtDist } from './test-build.js';

/** Under tap: every test file of the run shares the runner's folder. */
const underTap = process.env['TAP'] === '1';

/** The shared folder of the run whose runner is `runner` (default: tap's runner, or this process outside tap). */
export function sharedDebDir(runner: number = underTap ? process.ppid : process.pid): string {
  return join(tmpdir(), `vsnapd-test-deb-${runner}`);
}

/** How often a waiting test file looks for the package, in ms (it waits for a file, not for time). */
const POLL_MS = 250;

/**
 * The run's .deb (gzip-compressed), built by the first caller. Throws the builder's error when the
 * build failed, or when the builder died without finishing.
 */
export async function sharedDeb(): Promise<BuiltDeb> {
  const dir = sharedDebDir();
  const ready = join(dir, 'ready.json');
  const failed = join(dir, 'failed.txt');
  const owner = join(dir, 'builder.pid');
  if (!underTap) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  let builder = false;
  try {
    mkdirSync(dir); // atomic: exactly one test file of the run gets to build
    writeFileSync(owner, String(process.pid));
    builder = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (builder) {
    try {
      // The run's production build (./test-build.ts) when there is one: the suite type-checked it already.
      const deb = await buildDeb({ outDir: join(dir, 'out'), compress: 'gzip', dist: builtDist() });
      writeFileSync(ready, JSON.stringify(deb));
      return deb;
    } catch (err) {
      writeFileSync(failed, (err as Error).message);
      throw err;
    }
  }
  for (;;) {
    if (existsSync(ready)) return JSON.parse(readFileSync(ready, 'utf8')) as BuiltDeb;
    if (existsSync(failed)) throw new Error(`the shared .deb build failed: ${readFileSync(failed, 'utf8')}`);
    const pid = existsSync(owner) ? Number(readFileSync(owner, 'utf8')) : NaN;
    if (Number.isInteger(pid) && !processAlive(pid)) throw new Error(`the shared .deb's builder (pid ${pid}) ended without building it; remove ${dir}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
