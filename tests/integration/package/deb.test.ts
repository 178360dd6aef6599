/**
 * The release artifact: `npm run package` builds the .deb (the bundled daemon and midclt, the
 * Node runtime, the unit, the config as a conffile, maintainer scripts); it is installed with dpkg into
 * a temporary root (`dpkg --root`, maintainer scripts run outside a chroot with $DPKG_ROOT set), whose
 * dpkg database holds this host's libc6/libgcc-s1/libstdc++6 records, so the package's computed
 * Depends must be met by this Debian. Then: contents, the unit (`systemd-analyze verify` and
 * `security`, exposure ≤ 4.0), the packaged daemon started exactly as the unit's ExecStart starts it
 * (paths under the root) answering core.ping through the packaged midclt and using each module the
 * bundle loads on first use (selfsigned, undici, nodemailer, execa), an upgrade (reinstall)
 * keeping data and a locally edited config, removal keeping data and the unit's enablement (as
 * debhelper's deb-systemd-helper snippets do), purge deleting both.
 * lintian.test.ts checks the package's Debian conventions (copyright, changelog, manual pages).
 * The package is the run's shared one (tests/helpers/shared-deb.ts): `buildDeb` as `npm run package`
 * runs it, from the run's production build (the suite type-checked it already; `npm run package`'s own
 * `tsc -p tsconfig.build.json` checks a subset of `tsc --noEmit`'s files with the same options), and
 * gzip instead of the release's xz to keep the test quick; the contents are the same.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { childEnv } from '../../helpers/daemon.js';
import { runUntilStopped, unitExecStart } from '../../helpers/packaged-daemon.js';
import { sharedDeb } from '../../helpers/shared-deb.js';

const exec = promisify(execFile);

// Waiting for the shared .deb (dpkg-deb; tsc and esbuild too for the file run alone) and two installs of a ~100 MB tree take about a minute on a busy 2-core machine.
t.setTimeout(600_000);

const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-deb-test-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const root = join(tmp, 'root');
const lib = join(root, 'usr/lib/vsnapd');

/** `dpkg --root=<root>` with maintainer scripts run outside a chroot; rejects on failure. */
async function dpkg(...args: string[]): Promise<string> {
  const r = await exec('dpkg', [`--root=${root}`, '--force-script-chrootless', ...args], { env: childEnv() });
  return r.stdout + r.stderr;
}

/** sha256 of a file. */
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Starts the root's unit ExecStart (install paths pointed into the root, config `config`), waits for
 * readiness, runs `whileUp` with the API socket, then SIGTERM as systemd stops it; resolves with the exit code.
 */
async function runPackagedDaemon(t: Test, config: string, socket: string, whileUp: () => Promise<void>): Promise<number | null> {
  const execStart = unitExecStart(root).replaceAll('/usr/lib/vsnapd', lib).replace('/etc/vsnapd/vsnapd.json', config);
  const [file, ...args] = execStart.split(' ');
  // cwd and PATH outside the repository: nothing may come from the checkout.
  return runUntilStopped(file!, args, { cwd: tmp, env: childEnv({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }) }, async (output) => {
    t.match(output(), /"msg":"vsnapd ready"/, `the packaged daemon started (${socket})`);
    await whileUp();
  });
}

/** The packaged midclt against `socket`; rejects when it fails. */
async function midclt(socket: string, ...args: string[]): Promise<string> {
  const r = await exec(join(root, 'usr/bin/midclt'), args, { cwd: tmp, env: childEnv({ VSNAPD_SOCKET: socket, PATH: '/usr/bin:/bin' }) });
  return r.stdout.trim();
}

/** The packaged midclt against `socket`, failing or not: its stdout and stderr together. */
async function midcltOutput(socket: string, ...args: string[]): Promise<string> {
  return midclt(socket, ...args).catch((e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`.trim());
}

t.test('npm run package builds a .deb that installs, runs, upgrades, removes and purges', async (t) => {
  const deb = await sharedDeb();
  t.match(deb.path, /\/vsnapd_\d+\.\d+\.\d+_[a-z0-9]+\.deb$/, `built ${deb.path} (${(deb.bytes / 1048576).toFixed(1)} MiB)`);
  const info = (await exec('dpkg-deb', ['--info', deb.path])).stdout;
  t.match(info, /Depends: .*libc6 \(>= [\d.]+\)/, 'Depends computed from the packaged node binary');
  t.match(info, /Depends: ca-certificates, /, 'Depends on ca-certificates (the runtime reads the system\'s CA bundle)');
  t.match(info, /Version: \d+\.\d+\.\d+/, 'versioned');

  // A dpkg database knowing this host's C/C++ runtime packages and CA certificates: the Depends must be met by them.
  mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  const runtime = (await exec('dpkg-query', ['--status', 'libc6', 'libgcc-s1', 'libstdc++6', 'ca-certificates'])).stdout;
  writeFileSync(join(root, 'var/lib/dpkg/status'), `${runtime.trim()}\n\n`);
  await dpkg('--install', deb.path);
  t.match((await exec('dpkg-query', [`--root=${root}`, '--show', '--showformat=${Status}', 'vsnapd'])).stdout, 'install ok installed', 'installed, dependencies met');

  // Contents.
  const node = join(lib, 'node');
  const version = (await exec(node, ['--version'])).stdout.trim();
  t.ok(Number(/^v(\d+)\./.exec(version)?.[1]) >= 20, `packaged Node runtime ${version} (≥ 20)`);
  t.ok(existsSync(join(lib, 'dist/daemon/main.js')) && existsSync(join(lib, 'dist/client/cli.js')), 'bundled daemon and client');
  t.notOk(existsSync(join(lib, 'dist/tests')), 'no tests in dist');
  t.notOk(existsSync(join(lib, 'node_modules')), 'no node_modules: the production dependencies are inside the bundle');
  const licences = readFileSync(join(root, 'usr/share/doc/vsnapd/THIRD-PARTY-LICENSES.txt'), 'utf8');
  for (const dep of ['pino', 'ws', 'zod', 'undici', 'execa', 'prom-client']) t.match(licences, new RegExp(`^${dep}@\\d`, 'm'), `licence of the bundled ${dep}`);
  t.match(licences, /^preact@\d/m, "licence of preact, bundled into the web console's app.js");
  t.notMatch(licences, /^(esbuild|tsx|typescript|tap|playwright-core)@/m, 'no build-time or dev dependency bundled');
  t.ok(existsSync(join(lib, 'dist/client/console/dist/index.html')) && existsSync(join(lib, 'dist/etc/vsnapd.json')), 'web console and default config');
  t.equal(readlinkSync(join(root, 'usr/bin/midclt')), '../lib/vsnapd/bin/midclt', 'midclt on PATH');
  t.equal(readlinkSync(join(root, 'usr/sbin/vsnapd')), '../lib/vsnapd/bin/vsnapd', 'vsnapd in /usr/sbin');
  const conf = join(root, 'etc/vsnapd/vsnapd.json');
  t.equal(statSync(conf).mode & 0o777, 0o600, 'postinst made the config 0600');
  t.equal(statSync(join(root, 'etc/vsnapd')).mode & 0o777, 0o700, 'postinst made /etc/vsnapd 0700');
  t.match(readFileSync(join(root, 'var/lib/dpkg/info/vsnapd.conffiles'), 'utf8'), '/etc/vsnapd/vsnapd.json', 'config is a conffile');
  t.equal(statSync(join(root, 'var/lib/vsnapd')).mode & 0o777, 0o700, 'postinst created /var/lib/vsnapd, mode 0700');
  const wants = join(root, 'etc/systemd/system/multi-user.target.wants/vsnapd.service');
  t.ok(lstatSync(wants).isSymbolicLink(), 'postinst enabled the unit');

  // The unit, as installed.
  const unitPath = join(root, 'usr/lib/systemd/system/vsnapd.service');
  const unitHere = join(tmp, 'vsnapd.service');
  writeFileSync(unitHere, readFileSync(unitPath, 'utf8').replaceAll('/usr/lib/vsnapd', lib));
  const verify = await exec('systemd-analyze', ['verify', unitHere]).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  t.equal(verify.code, 0, `systemd-analyze verify (ExecStart resolved in the root): ${verify.out}`);
  const security = await exec('systemd-analyze', ['security', '--offline=true', unitHere]);
  const exposure = Number(/Overall exposure level for vsnapd\.service: ([\d.]+)/.exec(security.stdout)?.[1]);
  t.ok(exposure <= 4.0, `systemd-analyze security: exposure ${exposure} (≤ 4.0)`);
  t.match(readFileSync(unitPath, 'utf8'), /^Type=notify$/m, 'Type=notify');

  // The packaged daemon, started as the unit starts it, data in the root's /var/lib/vsnapd.
  const socket = join(tmp, 'vsnapd.sock');
  const config = join(tmp, 'vsnapd.json');
  const settings = JSON.parse(readFileSync(conf, 'utf8')) as Record<string, unknown>;
  writeFileSync(config, JSON.stringify({ ...settings, listen: { host: '127.0.0.1', port: 0, socket, tls: { self_signed: true } }, data_dir: join(root, 'var/lib/vsnapd') }));
  let keyId = '';
  const code = await runPackagedDaemon(t, config, socket, async () => {
    t.equal(await midclt(socket, 'call', 'core.ping'), 'pong', 'core.ping through the packaged midclt');
    keyId = String((JSON.parse(await midclt(socket, 'call', 'api_key.create', '{"name": "upgrade-check"}')) as { id: number }).id);
    // Each module the bundle loads on first use (its own chunk) works: selfsigned made the TLS
    // certificate at start; undici dials a vCenter, nodemailer an SMTP server (port 1 on loopback:
    // nothing listens there), execa runs zfs.
    t.ok(existsSync(join(root, 'var/lib/vsnapd/tls/vsnapd.crt')), 'listen.tls.self_signed: certificate generated (selfsigned)');
    const vc = JSON.parse(await midclt(socket, 'call', 'vmware.test', '{"hostname": "127.0.0.1", "port": 1, "username": "u", "password": "p"}')) as { error: { class: string; message: string } };
    t.match(vc.error, { class: 'network', message: /connection refused/ }, 'vmware.test reaches the network (undici)');
    await midclt(socket, 'call', 'mail.update', '{"outgoingserver": "127.0.0.1", "port": 1}');
    const mail = await midcltOutput(socket, 'call', 'alertservice.test', '{"name": "m", "attributes": {"type": "Mail", "email": "ops@example.invalid"}, "level": "WARNING", "enabled": true}');
    t.match(mail, /mail to 127\.0\.0\.1:1 failed: connect ECONNREFUSED/, 'alertservice.test reaches the network (nodemailer)');
    t.ok(Array.isArray(JSON.parse(await midclt(socket, 'call', 'pool.dataset.query'))), 'pool.dataset.query runs zfs (execa)');
  });
  t.equal(code, 0, 'SIGTERM stops it cleanly');
  const db = join(root, 'var/lib/vsnapd/vsnapd.db.json');
  const key = join(root, 'var/lib/vsnapd/secret.key');
  const keyDigest = digest(key);

  // Upgrade (a reinstall runs prerm upgrade / postinst configure <old version>): data and an edited config kept.
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('"log_level": "info"', '"log_level": "warn"'));
  await dpkg('--install', deb.path);
  t.match(readFileSync(conf, 'utf8'), '"log_level": "warn"', 'upgrade: the locally edited config is kept');
  t.equal(digest(key), keyDigest, 'upgrade: the secret key is kept');
  t.ok(existsSync(db), 'upgrade: the datastore is kept');
  await runPackagedDaemon(t, config, socket, async () => {
    const keys = JSON.parse(await midclt(socket, 'call', 'api_key.query', '[["name", "=", "upgrade-check"]]')) as { id: number }[];
    t.same(keys.map((k) => String(k.id)), [keyId], 'upgrade: the new version reads the old data');
  });

  await dpkg('--remove', 'vsnapd');
  t.notOk(existsSync(lib), 'remove: the program is gone');
  // As debhelper's postrm: the enablement is configuration, kept until purge (a reinstall keeps the admin's choice).
  t.ok(lstatSync(wants).isSymbolicLink(), 'remove: the enablement is kept');
  t.ok(existsSync(db) && existsSync(key), 'remove: data kept');
  t.ok(existsSync(conf), 'remove: config kept');

  await dpkg('--purge', 'vsnapd');
  t.notOk(existsSync(join(root, 'var/lib/vsnapd')), 'purge: data deleted');
  t.notOk(existsSync(join(root, 'etc/vsnapd')), 'purge: config deleted');
  t.notOk(lstatSync(wants, { throwIfNoEntry: false }), 'purge: deb-systemd-helper removed the enablement');
});
