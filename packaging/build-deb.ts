/**
 * `npm run package`: builds the release artifact, a Debian package that installs offline on Debian 12
 * and 13 (`apt install ./vsnapd_<version>_<arch>.deb`). It carries:
 * - /usr/lib/vsnapd/dist: the daemon and midclt as `npm run build` bundles them (packaging/bundle.mjs),
 *   their production dependencies inside (no node_modules), the web console, the default config;
 * - /usr/lib/vsnapd/node: the Node runtime that runs this script (≥ 20; Debian 12's own nodejs is 18),
 *   stripped (`strip --strip-unneeded` on the copy), its shared-library dependencies computed by
 *   dpkg-shlibdeps into `Depends:` beside ca-certificates (the runtime reads the system's CA bundle);
 * - /usr/lib/vsnapd/bin/{vsnapd,midclt} launchers, with /usr/sbin/vsnapd and /usr/bin/midclt links;
 * - /usr/lib/systemd/system/vsnapd.service (etc/vsnapd.service), /etc/vsnapd/vsnapd.json (a conffile;
 *   postinst makes it 0600 and /etc/vsnapd 0700: kept on upgrade, removed on purge);
 * - manual pages vsnapd(8) and midclt(1) (packaging/man, gzipped);
 * - the operators' kit: /usr/share/vsnapd/prometheus/vsnapd-rules.yml (etc/prometheus) and
 *   /usr/share/vsnapd/grafana/vsnapd-dashboard.json (etc/grafana);
 * - /usr/share/doc/vsnapd: README.md, changelog.gz (packaging/debian/changelog, whose top entry must
 *   carry package.json's version and gives the Maintainer), a DEP-5 copyright file
 *   (packaging/copyright.ts), THIRD-PARTY-LICENSES.txt and the runtime's NODE-LICENSE.txt;
 * - /usr/share/lintian/overrides/vsnapd (packaging/debian/lintian-overrides: the bundled runtime's);
 * - DEBIAN/control from packaging/debian/control, maintainer scripts from packaging/debian (data kept
 *   on upgrade and removal, deleted on purge; systemd through deb-systemd-helper/deb-systemd-invoke).
 * Made with dpkg-deb (files owned by root); nothing is written to the repository except `--out`.
 * `lintian` reports no error and no warning on it (tests/integration/package/lintian.test.ts).
 *
 * Run: `npm run package [-- --out DIR] [--compress xz|gzip|zstd|none] [--no-build]`; prints the path.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { debianCopyright, nodeLicenseFile, type BundledPackage } from './copyright.js';

/** The repository root. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Options of {@link buildDeb}. */
export interface BuildDebOptions {
  /** Folder the .deb is written to (created; default `<repo>/build`). */
  readonly outDir?: string;
  /** dpkg-deb compression (default xz, the smallest; gzip is the fastest to build). */
  readonly compress?: 'xz' | 'gzip' | 'zstd' | 'none';
  /**
   * A bundle packaging/bundle.mjs already made (`npm run build`'s `<repo>/dist`, the test run's build),
   * copied instead of type-checking and bundling. Default: build it as `npm run build` does, into the
   * package root.
   */
  readonly dist?: string;
  /** Node binary to package (default the one running this script). */
  readonly node?: string;
}

/** What was built. */
export interface BuiltDeb {
  /** Absolute path of the .deb. */
  readonly path: string;
  readonly version: string;
  readonly arch: string;
  /** Size of the .deb in bytes. */
  readonly bytes: number;
}

/** Runs a command, output to stderr; throws with its output when it fails. */
async function run(file: string, args: readonly string[], cwd = REPO): Promise<string> {
  const r = await execa(file, [...args], { cwd, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${r.exitCode}):\n${r.all}`);
  return r.stdout;
}

/** Copies `from` to `to` with `mode`, creating folders. */
function install(from: string, to: string, mode: number): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  chmodSync(to, mode);
}

/**
 * DEBIAN/md5sums (what `dpkg --verify` and debsums check): `<md5>  <path>` of every regular file
 * under `root` but DEBIAN/ and the conffiles `conffiles` (dpkg keeps their sums itself), sorted.
 */
function md5sums(root: string, conffiles: readonly string[]): string {
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => !f.startsWith('DEBIAN') && !conffiles.includes(f) && lstatSync(join(root, f)).isFile())
    .sort();
  return files.map((f) => `${createHash('md5').update(readFileSync(join(root, f))).digest('hex')}  ${f}\n`).join('');
}

/** Writes `data` gzipped as `gzip -9n` does (best compression, no name or time stamp: reproducible) to `to`, mode 0644. */
function installGzipped(data: string | Buffer, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  // Node's gzip header carries no name and a zero time stamp, as -n asks.
  writeFileSync(to, gzipSync(data, { level: 9 }));
  chmodSync(to, 0o644);
}

/** The top entry of packaging/debian/changelog, by dpkg-parsechangelog. */
async function changelogTop(file: string): Promise<{ version: string; maintainer: string }> {
  const version = (await run('dpkg-parsechangelog', ['-l', file, '-S', 'Version'])).trim();
  const maintainer = (await run('dpkg-parsechangelog', ['-l', file, '-S', 'Maintainer'])).trim();
  return { version, maintainer };
}

/** Fills `${Name}` fields of a template; throws naming any left unfilled. */
function fill(template: string, fields: Readonly<Record<string, string>>): string {
  const out = template.replace(/\$\{([A-Za-z:-]+)\}/g, (whole, name: string) => fields[name] ?? whole);
  const left = /\$\{[A-Za-z:-]+\}/.exec(out);
  if (left) throw new Error(`packaging template field ${left[0]} has no value`);
  return out;
}

/** `Depends:` of the node binary, by dpkg-shlibdeps (it wants a debian/control beside it). */
async function nodeDepends(node: string, scratch: string): Promise<string> {
  mkdirSync(join(scratch, 'debian'), { recursive: true });
  writeFileSync(join(scratch, 'debian/control'), 'Source: vsnapd\n\nPackage: vsnapd\nArchitecture: any\n');
  const out = await run('dpkg-shlibdeps', ['-O', node], scratch);
  const m = /^shlibs:Depends=(.+)$/m.exec(out);
  if (!m) throw new Error(`dpkg-shlibdeps printed no shlibs:Depends for ${node}: ${out}`);
  return m[1]!;
}

/** Builds the .deb; see the module comment. */
export async function buildDeb(opts: BuildDebOptions = {}): Promise<BuiltDeb> {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const changelog = join(REPO, 'packaging/debian/changelog');
  const top = await changelogTop(changelog);
  if (top.version !== pkg.version) {
    throw new Error(`packaging/debian/changelog's top entry is version ${top.version}, package.json's version is ${pkg.version}: add a changelog entry for ${pkg.version}`);
  }
  const node = opts.node ?? process.execPath;
  const nodeLicense = nodeLicenseFile(node);
  const outDir = resolve(opts.outDir ?? join(REPO, 'build'));
  if (!opts.dist) await run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json']);
  const scratch = mkdtempSync(join(tmpdir(), 'vsnapd-deb-'));
  try {
    const root = join(scratch, 'root');
    const lib = join(root, 'usr/lib/vsnapd');
    const doc = join(root, 'usr/share/doc/vsnapd');
    mkdirSync(lib, { recursive: true });
    // Bundled straight into the package root (not via <repo>/dist, which another build may be rewriting).
    if (!opts.dist) await run(process.execPath, [join(REPO, 'packaging/bundle.mjs'), join(lib, 'dist')]);
    else cpSync(opts.dist, join(lib, 'dist'), { recursive: true });
    // The licence data is a build input of the copyright file, not part of the program.
    const bundled = JSON.parse(readFileSync(join(lib, 'dist/THIRD-PARTY-LICENSES.json'), 'utf8')) as BundledPackage[];
    rmSync(join(lib, 'dist/THIRD-PARTY-LICENSES.json'));
    install(node, join(lib, 'node'), 0o755);
    // Debian ships binaries without their symbol tables (policy §10.1); debug symbols stay upstream's.
    await run('strip', ['--strip-unneeded', '--remove-section=.comment', '--remove-section=.note', join(lib, 'node')]);
    for (const bin of ['vsnapd', 'midclt']) install(join(REPO, 'bin', bin), join(lib, 'bin', bin), 0o755);
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    symlinkSync('../lib/vsnapd/bin/vsnapd', join(root, 'usr/sbin/vsnapd'));
    symlinkSync('../lib/vsnapd/bin/midclt', join(root, 'usr/bin/midclt'));
    install(join(REPO, 'etc/vsnapd.service'), join(root, 'usr/lib/systemd/system/vsnapd.service'), 0o644);
    // 0644 in the archive; postinst makes it 0600 and /etc/vsnapd 0700 (see packaging/debian/postinst).
    install(join(REPO, 'etc/vsnapd.json'), join(root, 'etc/vsnapd/vsnapd.json'), 0o644);
    install(join(REPO, 'etc/prometheus/vsnapd-rules.yml'), join(root, 'usr/share/vsnapd/prometheus/vsnapd-rules.yml'), 0o644);
    install(join(REPO, 'etc/grafana/vsnapd-dashboard.json'), join(root, 'usr/share/vsnapd/grafana/vsnapd-dashboard.json'), 0o644);
    installGzipped(readFileSync(join(REPO, 'packaging/man/vsnapd.8')), join(root, 'usr/share/man/man8/vsnapd.8.gz'));
    installGzipped(readFileSync(join(REPO, 'packaging/man/midclt.1')), join(root, 'usr/share/man/man1/midclt.1.gz'));
    install(join(REPO, 'README.md'), join(doc, 'README.md'), 0o644);
    // Moved: documentation lives in /usr/share/doc.
    install(join(lib, 'dist/THIRD-PARTY-LICENSES.txt'), join(doc, 'THIRD-PARTY-LICENSES.txt'), 0o644);
    rmSync(join(lib, 'dist/THIRD-PARTY-LICENSES.txt'));
    install(nodeLicense, join(doc, 'NODE-LICENSE.txt'), 0o644);
    // A native package (its version has no Debian revision): the changelog is changelog.gz.
    installGzipped(readFileSync(changelog), join(doc, 'changelog.gz'));
    const copyrightTemplate = readFileSync(join(REPO, 'packaging/debian/copyright.in'), 'utf8');
    writeFileSync(join(doc, 'copyright'), debianCopyright(copyrightTemplate, top.maintainer, bundled, readFileSync(nodeLicense, 'utf8')));
    chmodSync(join(doc, 'copyright'), 0o644);
    install(join(REPO, 'packaging/debian/lintian-overrides'), join(root, 'usr/share/lintian/overrides/vsnapd'), 0o644);

    const debian = join(root, 'DEBIAN');
    mkdirSync(debian);
    for (const script of ['postinst', 'prerm', 'postrm']) install(join(REPO, 'packaging/debian', script), join(debian, script), 0o755);
    writeFileSync(join(debian, 'conffiles'), '/etc/vsnapd/vsnapd.json\n');
    writeFileSync(join(debian, 'md5sums'), md5sums(root, ['etc/vsnapd/vsnapd.json']));
    const arch = (await run('dpkg', ['--print-architecture'])).trim();
    const installedKb = (await run('du', ['-sk', '--apparent-size', '--exclude=DEBIAN', root])).split(/\s/)[0]!;
    const control = fill(readFileSync(join(REPO, 'packaging/debian/control'), 'utf8'), {
      Version: pkg.version,
      Architecture: arch,
      Maintainer: top.maintainer,
      'Installed-Size': installedKb,
      'shlibs:Depends': await nodeDepends(join(lib, 'node'), scratch),
    });
    writeFileSync(join(debian, 'control'), control);

    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, `vsnapd_${pkg.version}_${arch}.deb`);
    await run('dpkg-deb', ['--root-owner-group', `-Z${opts.compress ?? 'xz'}`, '--build', root, path]);
    return { path, version: pkg.version, arch, bytes: statSync(path).size };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, compress: { type: 'string' }, 'no-build': { type: 'boolean' } } });
  const deb = await buildDeb({ outDir: values.out, compress: values.compress as BuildDebOptions['compress'], dist: values['no-build'] ? join(REPO, 'dist') : undefined });
  console.log(`${deb.path} (${(deb.bytes / 1048576).toFixed(1)} MiB)`);
}
