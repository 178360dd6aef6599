/**
 * `npm run package`: builds the release artifact, a Debian package that installs offline on Debian 12
 * and 13 (`apt install ./vsnapd_<version>_<arch>.deb`). It carries:
 * - /usr/lib/vsnapd/dist: the daemon and midclt as `npm run build` bundles them (packaging/bundle.mjs),
 *   their production dependencies inside (no node_modules), the web console, the default config;
 * - /usr/lib/vsnapd/node: the Node runtime that runs this script (≥ 20; Debian 12's own nodejs is 18),
 *   its shared-library dependencies computed by dpkg-shlibdeps into `Depends:`;
 * - /usr/lib/vsnapd/bin/{vsnapd,midclt} launchers, with /usr/sbin/vsnapd and /usr/bin/midclt links;
 * - /usr/lib/systemd/system/vsnapd.service (etc/vsnapd.service), /etc/vsnapd/vsnapd.json (a conffile,
 *   mode 0600: kept on upgrade, removed on purge), /usr/share/doc/vsnapd/{README.md,THIRD-PARTY-LICENSES.txt};
 * - maintainer scripts from packaging/debian (data kept on upgrade and removal, deleted on purge).
 * Made with dpkg-deb (files owned by root); nothing is written to the repository except `--out`.
 *
 * Run: `npm run package [-- --out DIR] [--compress xz|gzip|zstd|none] [--no-build]`; prints the path.
 */
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

/** The repository root. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Options of {@link buildDeb}. */
export interface BuildDebOptions {
  /** Folder the .deb is written to (created; default `<repo>/build`). */
  readonly outDir?: string;
  /** dpkg-deb compression (default xz, the smallest; gzip is the fastest to build). */
  readonly compress?: 'xz' | 'gzip' | 'zstd' | 'none';
  /** Build the code as `npm run build` does, but into the package root (default true); false copies `<repo>/dist`. */
  readonly build?: boolean;
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
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; description: string };
  const node = opts.node ?? process.execPath;
  const outDir = resolve(opts.outDir ?? join(REPO, 'build'));
  if (opts.build !== false) await run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json']);
  const scratch = mkdtempSync(join(tmpdir(), 'vsnapd-deb-'));
  try {
    const root = join(scratch, 'root');
    const lib = join(root, 'usr/lib/vsnapd');
    mkdirSync(lib, { recursive: true });
    // Bundled straight into the package root (not via <repo>/dist, which another build may be rewriting).
    if (opts.build !== false) await run(process.execPath, [join(REPO, 'packaging/bundle.mjs'), join(lib, 'dist')]);
    else cpSync(join(REPO, 'dist'), join(lib, 'dist'), { recursive: true });
    install(node, join(lib, 'node'), 0o755);
    for (const bin of ['vsnapd', 'midclt']) install(join(REPO, 'bin', bin), join(lib, 'bin', bin), 0o755);
    mkdirSync(join(root, 'usr/sbin'), { recursive: true });
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    symlinkSync('../lib/vsnapd/bin/vsnapd', join(root, 'usr/sbin/vsnapd'));
    symlinkSync('../lib/vsnapd/bin/midclt', join(root, 'usr/bin/midclt'));
    install(join(REPO, 'etc/vsnapd.service'), join(root, 'usr/lib/systemd/system/vsnapd.service'), 0o644);
    install(join(REPO, 'etc/vsnapd.json'), join(root, 'etc/vsnapd/vsnapd.json'), 0o600);
    chmodSync(join(root, 'etc/vsnapd'), 0o700);
    install(join(REPO, 'README.md'), join(root, 'usr/share/doc/vsnapd/README.md'), 0o644);
    install(join(lib, 'dist/THIRD-PARTY-LICENSES.txt'), join(root, 'usr/share/doc/vsnapd/THIRD-PARTY-LICENSES.txt'), 0o644);

    const debian = join(root, 'DEBIAN');
    mkdirSync(debian);
    for (const script of ['postinst', 'prerm', 'postrm']) install(join(REPO, 'packaging/debian', script), join(debian, script), 0o755);
    writeFileSync(join(debian, 'conffiles'), '/etc/vsnapd/vsnapd.json\n');
    const arch = (await run('dpkg', ['--print-architecture'])).trim();
    const installedKb = (await run('du', ['-sk', '--apparent-size', '--exclude=DEBIAN', root])).split(/\s/)[0];
    const control = [
      'Package: vsnapd',
      `Version: ${pkg.version}`,
      `Architecture: ${arch}`,
      'Maintainer: vsnapd maintainers <root@localhost>',
      `Installed-Size: ${installedKb}`,
      `Depends: ${await nodeDepends(node, scratch)}`,
      'Recommends: systemd, zfsutils-linux | zfs-fuse, nfs-kernel-server',
      'Section: admin',
      'Priority: optional',
      `Description: ${pkg.description}`,
      ' vsnapd speaks TrueNAS middleware API (JSON-RPC 2.0 over WebSocket, midclt) and quiesces',
      ' VMware VMs around ZFS snapshots of their datastores. Ships its own Node.js runtime.',
      '',
    ].join('\n');
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
  const deb = await buildDeb({ outDir: values.out, compress: values.compress as BuildDebOptions['compress'], build: !values['no-build'] });
  console.log(`${deb.path} (${(deb.bytes / 1048576).toFixed(1)} MiB)`);
}
