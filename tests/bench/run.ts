/**
 * `npm run bench`: runs every benchmark in tests/bench/ (each `*.ts` file except this one and dotfiles), one after
 * another, each in its own process so they cannot disturb each other, and prints their figures.
 * `npm run bench -- rpc` runs only the files whose name contains one of the given words.
 * Exit code 1 when a benchmark failed (the others still run).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('.') && f !== basename(fileURLToPath(import.meta.url)))
  .filter((f) => only.length === 0 || only.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f)], { stdio: 'inherit' });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    failed++;
    console.log(`=== ${f}: FAILED (exit ${r.status ?? r.signal}) after ${secs} s ===`);
  } else {
    console.log(`=== ${f}: done in ${secs} s ===`);
  }
}
console.log(`\n${files.length - failed}/${files.length} benchmarks completed`);
process.exitCode = failed > 0 ? 1 : 0;
