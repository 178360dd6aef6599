/**
 * Steps 1–3 of the demo: what each part of the world is, printed as it comes up (the callbacks of
 * {@link buildWorld}), and step 0, the machine check (tests/setup/provision-demo.ts: only what the
 * demo needs, the smaller half of `npm test`'s provisioning).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { VcsimHandle } from '../fixtures/vcsim/index.js';
import { zfs } from '../fixtures/zfs/pool.js';
import { REPO_ROOT, type TestDaemon } from '../helpers/daemon.js';
import { runMidcltProcess, type MidcltTarget } from './midclt.js';
import { check, command, DemoFailure, note, ok, output, step, table, warn } from './output.js';
import type { DemoPool } from './pool.js';
import { DEMO_VMS, VC_PASSWORD, VC_USERNAME, type WorldProgress } from './world.js';

/**
 * Runs tests/setup/provision-demo.ts as its own process (it installs missing Debian packages when root
 * and builds the vcsim launcher); its messages stream through. Throws when it fails.
 */
export async function provision(): Promise<void> {
  step('The machine: zfs-fuse, Go and govmomi (installed when missing), the vcsim launcher (built once)');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tests/setup/provision-demo.ts')], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new DemoFailure(`provisioning failed (exit code ${code}); see the messages above`);
  ok('ready');
}

function describePower(vm: (typeof DEMO_VMS)[number]): string {
  if (vm.template) return 'template';
  if (vm.powerState === 'off') return 'powered off';
  return vm.toolsRunning === false ? 'on, VMware Tools not running' : 'on, VMware Tools running';
}

/** The printing callbacks for {@link buildWorld}: steps 1, 2 and 3. */
export function worldSteps(): WorldProgress {
  return {
    async pool(pool: DemoPool, dir: string) {
      step(`The NAS: a ZFS pool with the dataset ${pool.dataset}`);
      note(`ZFS is zfs-fuse (user space; ${pool.startedZfs ? 'started by the demo' : 'already running'}). The pool lives in ${dir}.`);
      if (pool.pool !== 'tank') warn(`this machine has a pool named tank already: the demo uses ${pool.pool} (read ${pool.dataset} for the seed's tank/vmware)`);
      const root = join(dir, 'mnt');
      command(`zpool create -o cachefile=none -m ${join(root, pool.pool)} ${pool.pool} ${pool.vdev}`);
      command(`zfs create ${pool.dataset}`);
      command(`zfs list -o name,mountpoint -r ${pool.pool}`);
      output(await zfs('list', '-o', 'name,mountpoint', '-r', pool.pool));
    },
    vcsim(vc: VcsimHandle) {
      step('vCenter: VMware\'s simulator (vcsim) with 3 ESXi hosts');
      note(`${vc.url}  (vCenter API ${vc.apiVersion}; login ${VC_USERNAME} / ${VC_PASSWORD}; self-signed certificate)`);
      const hosts = new Map(vc.inventory.hosts.map((h) => [h.moref, h.name]));
      output(
        table(
          ['DATASTORE', 'TYPE', 'MOUNTED FROM'],
          vc.inventory.datastores.map((d) => [d.name, d.type, d.remoteHost ? `${d.remoteHost}:${d.remotePath ?? ''}` : 'local disk of each host']),
        ),
      );
      const placed = new Map(vc.inventory.vms.map((v) => [v.name, hosts.get(v.host) ?? v.host]));
      note('');
      output(table(['VM', 'HOST', 'DATASTORE', 'STATE'], DEMO_VMS.map((vm) => [vm.name, placed.get(vm.name) ?? vm.host ?? '', vm.datastore, describePower(vm)])));
    },
    async daemon(d: TestDaemon, midclt: MidcltTarget) {
      step('vsnapd: the daemon, with a temporary data folder');
      note(`pid ${d.pid}; data folder ${join(dirname(d.socketPath), 'data')}`);
      note(`API: ${d.url} (API key or password) and the Unix socket ${d.socketPath} (root)`);
      note(`daemon and midclt: the production build in ${dirname(dirname(midclt.command.at(-1)!))}, as the .deb ships it`);
      note(`midclt below is a separate process each time, with VSNAPD_SOCKET=${d.socketPath}`);
      command('midclt ping');
      const r = await runMidcltProcess(midclt, ['ping']);
      output(r.stdout || r.stderr);
      check(r.code === 0 && r.stdout.trim() === 'pong', 'the daemon answers', `midclt ping failed: ${r.stderr.trim()}`);
    },
  };
}
