/**
 * The release artifact on each Debian release it supports (12 bookworm, 13 trixie): the .deb from
 * `npm run package` is installed with `dpkg -i` inside a copy of a Debian root (debootstrap minbase
 * with systemd, not running here, and zfs-fuse; built once by provision: tests/fixtures/debian/roots.ts) through `chroot`,
 * so its Depends are checked against that release's own dpkg database and its packaged Node runs
 * on that release's C library. Then the installed daemon is started as the unit starts it
 * (/usr/sbin/vsnapd, data in /var/lib/vsnapd), answers core.ping through the installed midclt,
 * and stops cleanly; purge removes it and its data. Nothing is fetched: the install is offline.
 * The host's own dpkg --root test (deb.test.ts) covers upgrade, removal and the unit's analysis.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { sharedDeb } from '../../helpers/shared-deb.js';
import { DEBIAN_RELEASES, debianRoot, debianRootReady, type DebianSuite } from '../../fixtures/debian/roots.js';
import { runUntilStopped, unitExecStart } from '../../helpers/packaged-daemon.js';

const exec = promisify(execFile);

// The build (tsc, esbuild, dpkg-deb) and two installs take under a minute on a busy 2-core machine.
t.setTimeout(300_000);

const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-debian-releases-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

/** The whole environment of commands inside the root. */
const CHROOT_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };

/**
 * `env -i … chroot <root> …args`: `env -i` because tap adds its NODE_OPTIONS (a hook in this
 * checkout) to every child's environment, which a Node inside the root cannot load.
 */
function chrootCommand(root: string, args: readonly string[], env: Record<string, string> = {}): string[] {
  return ['-i', ...Object.entries({ ...CHROOT_ENV, ...env }).map(([k, v]) => `${k}=${v}`), 'chroot', root, ...args];
}

/** Runs `args` inside `root`; resolves with stdout+stderr, rejects on failure. */
async function inRoot(root: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await exec('env', chrootCommand(root, args, env));
  return r.stdout + r.stderr;
}

const deb = await sharedDeb();

for (const suite of Object.keys(DEBIAN_RELEASES) as DebianSuite[]) {
  t.test(`Debian ${DEBIAN_RELEASES[suite]} (${suite}): install offline, run, purge`, async (t) => {
    t.ok(debianRootReady(suite), `provision built the ${suite} root in ${debianRoot(suite)}`);
    const root = join(tmp, suite);
    let procMounted = false;
    t.teardown(async () => {
      if (procMounted) await exec('umount', [join(root, 'proc')]);
      rmSync(root, { recursive: true, force: true });
    });
    await exec('cp', ['-a', debianRoot(suite), root]);
    t.equal(readFileSync(join(root, 'etc/debian_version'), 'utf8').split('.')[0], String(DEBIAN_RELEASES[suite]), `the root is Debian ${DEBIAN_RELEASES[suite]}`);

    // A running system has /proc (the daemon's lock reads the boot id); unmounted before the copy is removed.
    await exec('mount', ['-t', 'proc', 'proc', join(root, 'proc')]);
    procMounted = true;
    copyFileSync(deb.path, join(root, 'tmp/vsnapd.deb'));
    await inRoot(root, ['dpkg', '-i', '/tmp/vsnapd.deb']);
    t.equal(await inRoot(root, ['dpkg-query', '--show', '--showformat=${Status}', 'vsnapd']), 'install ok installed', 'dpkg -i: installed, Depends met by the release');
    t.match(await inRoot(root, ['/usr/lib/vsnapd/node', '--version']), /^v(2\d|[3-9]\d)\./, 'the packaged Node runs on the release');

    const settings = JSON.parse(readFileSync(join(root, 'etc/vsnapd/vsnapd.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(root, 'etc/vsnapd/test.json'), JSON.stringify({ ...settings, listen: { host: '127.0.0.1', port: 0, socket: '/run/vsnapd-test.sock' } }));
    const [file, ...args] = unitExecStart(root).replace('/etc/vsnapd/vsnapd.json', '/etc/vsnapd/test.json').split(' ');
    const code = await runUntilStopped('env', chrootCommand(root, [file!, ...args]), {}, async () => {
      t.equal((await inRoot(root, ['midclt', 'call', 'core.ping'], { VSNAPD_SOCKET: '/run/vsnapd-test.sock' })).trim(), 'pong', 'core.ping through the installed midclt');
    });
    t.equal(code, 0, 'SIGTERM stops it cleanly');
    t.ok(existsSync(join(root, 'var/lib/vsnapd/secret.key')), 'the daemon wrote its data in /var/lib/vsnapd');

    await inRoot(root, ['dpkg', '--purge', 'vsnapd']);
    t.notOk(existsSync(join(root, 'usr/lib/vsnapd')) || existsSync(join(root, 'var/lib/vsnapd')) || existsSync(join(root, 'etc/vsnapd')), 'purge: program, data and config gone');
  });
}
