/**
 * `npm run demo -- --keep`: after the run, the world stays up for exploring until the demo process gets
 * Ctrl-C or SIGTERM (then the usual teardown runs; demo.ts waits for that). It stays in the foreground on purpose: the world's
 * processes (daemon, vcsim) are its children and the zfs-fuse lease is held by its pid, so nothing can
 * be orphaned. Prints how to reach everything: midclt on PATH, the socket, a TCP URL with a fresh API
 * key, the simulator's URL and login.
 */
import { runMidcltProcess, writeMidcltWrapper } from './midclt.js';
import { banner, step, style } from './output.js';
import { VC_PASSWORD, VC_USERNAME, type DemoWorld } from './world.js';

/** Prints the ways into the world; resolves when they are printed. */
export async function printKeepInstructions(w: DemoWorld): Promise<void> {
  const bin = await writeMidcltWrapper(w.dir, w.midclt);
  const key = await runMidcltProcess(w.midclt, ['call', 'api_key.create', JSON.stringify({ name: 'demo' })]);
  const apiKey = key.code === 0 ? (JSON.parse(key.stdout) as { key: string }).key : '(api_key.create failed)';
  step('The world stays up (--keep)');
  const lines = [
    'In another shell:',
    `  export PATH=${bin}:$PATH VSNAPD_SOCKET=${w.daemon.socketPath}`,
    `  midclt call vmware.query`,
    `  midclt call vmware.plan '"${w.pool.dataset}"' true`,
    `  midclt call -j pool.snapshottask.run 1`,
    `  zfs list -t all -r ${w.pool.pool}          # files of the VMs: ${w.pool.mountpoint}`,
    'Over TCP with an API key (as a remote client would):',
    `  MIDCLT_URL=${w.daemon.url} MIDCLT_API_KEY=${apiKey} midclt call vmware.query`,
    'The simulated vCenter:',
    `  ${w.vc.url}  user ${VC_USERNAME}  password ${VC_PASSWORD}`,
    `  certificate SHA-256 ${w.vc.thumbprintSha256}`,
    `  fault injection: curl -d '{"action":"quiesceFault","vm":"web01"}' ${w.vc.controlUrl}`,
    '',
    style.bold(`To tear everything down: press Ctrl-C here (or: kill ${process.pid}).`),
  ];
  for (const line of lines) banner(`   ${line}`);
}
