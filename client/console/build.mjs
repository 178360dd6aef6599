/**
 * Builds the web console (client/console/src, Preact + TypeScript) with esbuild into
 * client/console/dist, or into the folder given as the first argument (`npm run build` puts a copy
 * next to the compiled daemon, dist/client/console/dist): one minified ES module `app.js`,
 * `app.css`, `icon.svg` and `index.html`, nothing inline (the daemon serves them under `/ui/` with a
 * strict Content-Security-Policy, daemon/server/console-files.ts). Plain JavaScript so that it runs
 * from `npm ci` (prepare), also with `--omit=dev` where tsx is absent. Prints each file's size in
 * bytes and gzipped bytes, and app.js against its budget ({@link BUDGET_GZIP} bytes gzipped);
 * exit status 1 when esbuild reports an error or app.js is over budget.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The console's folder (this file's). */
const ROOT = dirname(fileURLToPath(import.meta.url));
/** Static files copied as they are. */
const STATIC = ['index.html', 'app.css', 'icon.svg'];
/** app.js's size budget, gzipped bytes (30 kB). */
const BUDGET_GZIP = 30 * 1024;

/** @param {string} out the output folder (emptied first) */
async function main(out) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'src/main.tsx')],
    outfile: join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const f of STATIC) copyFileSync(join(ROOT, 'src', f), join(out, f));
  for (const f of readdirSync(out).sort()) {
    const body = readFileSync(join(out, f));
    console.error(`# console: ${f} ${body.length} bytes (${gzipSync(body).length} gzipped)`);
  }
  const app = gzipSync(readFileSync(join(out, 'app.js'))).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  console.error(`# console: app.js ${kb(app)} gzipped of its ${kb(BUDGET_GZIP)} budget`);
  if (app > BUDGET_GZIP) throw new Error(`app.js is ${kb(app)} gzipped, over its ${kb(BUDGET_GZIP)} budget`);
}

try {
  await main(resolve(process.argv[2] ?? join(ROOT, 'dist')));
} catch (err) {
  console.error(`console build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
