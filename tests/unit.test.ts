/**
 * Every unit test file (tests/unit/**\/*.test.ts), in one process: .taprc leaves tests/unit out of
 * its file list and runs this file instead. A unit file's own tests take milliseconds, while a test
 * process of its own costs about 1.5 s of CPU to start (Node, tsx's loader and tap): the 94 files
 * took 163 s of CPU as 94 processes, a fifth of the whole suite's. Unit tests hold no process-wide
 * state (no hooks on tap's root, no environment or timer changes), so they share one. Each file is
 * imported in turn and its tests run as top-level tests of this one; a file that fails to load is a
 * failed test naming it. A single unit file still runs alone: `npx tap tests/unit/<file>.test.ts`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { REPO_ROOT } from './helpers/repo-root.js';

const UNIT = join(REPO_ROOT, 'tests/unit');

const files = readdirSync(UNIT, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .sort();

for (const file of files) {
  try {
    await import(pathToFileURL(join(UNIT, file)).href);
  } catch (err) {
    t.fail(`tests/unit/${file} did not load: ${(err as Error).message}`, { error: err });
  }
}
