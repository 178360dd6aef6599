/**
 * The production build of the daemon and midclt (`npm run build` runs it after type-checking): esbuild
 * bundles daemon/main.ts and client/cli.ts with their production dependencies into minified ES
 * modules, dist/daemon/main.js and dist/client/cli.js, sharing chunks in dist/chunks/ (modules loaded
 * on first use, daemon/lazy.ts, stay chunks of their own). One file per program instead of ~400
 * modules keeps the idle daemon's memory down (`npm run bench -- footprint`) and means the package
 * needs no node_modules. Every output sits one folder below dist/, which daemon/install-root.ts relies
 * on. The licence texts of the bundled packages (found through esbuild's metafile, the web console's
 * included) are collected in dist/THIRD-PARTY-LICENSES.txt, and as data (name, version, licence,
 * text) in dist/THIRD-PARTY-LICENSES.json; dist/package.json says the files are ES modules. Then it adds what
 * ships beside the code: the default config (OUT/etc/vsnapd.json) and the web console
 * (OUT/client/console/dist, by client/console/build.mjs). OUT is emptied first; the .deb build
 * bundles straight into its package root, so concurrent builds (the package tests) never share a
 * folder. Plain JavaScript, like client/console/build.mjs.
 *
 * Run: `node packaging/bundle.mjs [OUT]` (default `<repo>/dist`); exit status 1 on an error.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository root. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * CommonJS dependencies call `require` for Node's built-in modules; an ES module has none, so each
 * output file defines one (esbuild's shim uses it when present).
 */
const REQUIRE_BANNER = "import { createRequire as __vsnapdCreateRequire } from 'node:module'; const require = __vsnapdCreateRequire(import.meta.url);";

/**
 * A bundled npm package and its licence.
 * @typedef {{ name: string, version: string, license: string, text: string }} BundledPackage
 */

/**
 * The bundled packages, sorted by folder, from the node_modules folders esbuild read; `text` is the
 * package's licence file (LICENSE, LICENCE, COPYING …) or, without one, a line naming its licence.
 * @param {Record<string, unknown>} inputs the metafile's inputs (paths relative to the repository)
 * @returns {BundledPackage[]}
 */
function bundledPackages(inputs) {
  const roots = new Set();
  for (const input of Object.keys(inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) roots.add(m[1]);
  }
  return [...roots].sort().map((root) => {
    const dir = join(REPO, root);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f) && statSync(join(dir, f)).isFile());
    const license = pkg.license ?? 'unknown';
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${pkg.license ?? 'see the package'} (the package ships no licence file)`;
    return { name: pkg.name, version: pkg.version, license, text };
  });
}

/**
 * THIRD-PARTY-LICENSES.txt: one section per package (name@version (licence), then its licence text).
 * @param {BundledPackage[]} packages
 * @returns {string}
 */
function thirdPartyLicenses(packages) {
  const sections = packages.map((p) => `${p.name}@${p.version} (${p.license})\n\n${p.text}\n`);
  return `Packages bundled into vsnapd's dist/, with their licences.\n\n${sections.join('\n' + '-'.repeat(72) + '\n\n')}`;
}

/**
 * The modules the web console's bundle (client/console/build.mjs) is made of, Preact among them: an
 * esbuild pass over its entry with the same module resolution (JSX from preact), writing nothing.
 * @returns {Promise<Record<string, unknown>>} metafile inputs, paths relative to the repository
 */
async function consoleInputs() {
  const r = await build({
    absWorkingDir: REPO,
    entryPoints: ['client/console/src/main.tsx'],
    bundle: true,
    write: false,
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    logLevel: 'warning',
  });
  return r.metafile.inputs;
}

/** @param {string} out the output folder (emptied first) */
async function main(out) {
  rmSync(out, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: ['daemon/main.ts', 'client/cli.ts'],
    outbase: '.',
    outdir: out,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: 'warning',
  });
  // Marks the .js files as ES modules wherever dist/ is copied (the repository's package.json does that only here).
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  const packages = bundledPackages({ ...result.metafile.inputs, ...(await consoleInputs()) });
  writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(packages));
  // The same as data, for the .deb's DEP-5 copyright file (packaging/copyright.ts).
  writeFileSync(join(out, 'THIRD-PARTY-LICENSES.json'), `${JSON.stringify(packages, null, 1)}\n`);
  for (const [file, meta] of Object.entries(result.metafile.outputs)) console.error(`# bundle: ${relative(out, join(REPO, file))} ${meta.bytes} bytes`);
  mkdirSync(join(out, 'etc'));
  copyFileSync(join(REPO, 'etc/vsnapd.json'), join(out, 'etc/vsnapd.json'));
  execFileSync(process.execPath, [join(REPO, 'client/console/build.mjs'), join(out, 'client/console/dist')], { stdio: 'inherit' });
}

try {
  await main(resolve(process.argv[2] ?? join(REPO, 'dist')));
} catch (err) {
  console.error(`bundle failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
