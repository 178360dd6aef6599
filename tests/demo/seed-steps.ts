/**
 * Step 4 of the demo: the seed's "Setup Workflow" (seeds/001_*.txt) through the real midclt, written
 * as the seed writes it, with the values of the demo world (the dataset's real mountpoint instead of
 * /mnt/tank/vmware, the simulator's address and port instead of vcenter.example.com). The one step the
 * seed does not have is the secure one a real admin takes: vsnapd verifies the vCenter certificate,
 * so the first create is refused with the certificate's fingerprint, which the admin compares and pins.
 */
import { readFile } from 'node:fs/promises';
import type { MatchResultOut, VmwareEntryOut } from '../../plugins/vmware/schemas.js';
import type { PlanResult } from '../../plugins/vmware/sync/report.js';
import { midcltCall } from './midclt.js';
import { check, command, DemoFailure, note, ok, output, substep } from './output.js';
import { renderEntries, renderMatch, renderPlan } from './render.js';
import { DEMO_VMS, NFS_DATASTORE, VC_PASSWORD, VC_USERNAME, type DemoWorld } from './world.js';

/** What later steps need from this one. */
export interface SeedOutcome {
  readonly entryId: number;
  readonly taskId: number;
  /** The pinned SHA-256 fingerprint. */
  readonly thumbprint: string;
  /** What `midclt call -j pool.snapshottask.run` printed: the run's result (with the per-VM report). */
  readonly run: unknown;
}

/** Options: print raw JSON results too. */
export interface SeedOptions {
  readonly raw?: boolean;
}

const FINGERPRINT = /\b(?:[0-9A-F]{2}:){31}[0-9A-F]{2}\b/i;

/** The seed's snapshot task, on the demo's dataset. */
export function seedTask(dataset: string): Record<string, unknown> {
  return {
    dataset,
    recursive: true,
    lifetime_value: 1,
    lifetime_unit: 'WEEK',
    naming_schema: 'auto-%Y-%m-%d_%H-%M',
    schedule: { minute: '0', hour: '0', dom: '*', month: '*', dow: '*' },
    vmware_sync: true,
  };
}

function failed(what: string, r: { code: number | null; stderr: string }): DemoFailure {
  output(r.stderr);
  return new DemoFailure(`${what} failed (midclt exit code ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

/** Runs the seed's workflow; throws {@link DemoFailure} at the first step that does not do what it should. */
export async function runSeedSteps(w: DemoWorld, opts: SeedOptions = {}): Promise<SeedOutcome> {
  const midclt = w.midclt;
  const raw = opts.raw ?? false;
  const dataset = w.pool.dataset;

  substep('4.1', 'Share the dataset over NFS (seed step 1)');
  note('ESXi mounts the export; here the simulated hosts mount it from 127.0.0.1.');
  let r = await midcltCall(midclt, 'sharing.nfs.create', [{ path: w.pool.mountpoint, networks: ['127.0.0.0/8'], maproot_user: 'root', maproot_group: 'wheel' }], { raw });
  if (r.code !== 0) throw failed('sharing.nfs.create', r);
  const share = r.result as { id: number; path: string };
  ok(`share ${share.id} created; vsnapd wrote the exports file (the demo does not reload a real NFS server):`);
  command(`cat ${w.exportsPath}`);
  output(await readFile(w.exportsPath, 'utf8'));

  substep('4.2', 'Add the VMware credentials (seed step 3)');
  note(`The datastore "${NFS_DATASTORE}" is already mounted in the simulated vCenter (seed step 2).`);
  const seed = { hostname: w.vc.host, port: w.vc.port, username: VC_USERNAME, password: VC_PASSWORD, filesystem: dataset };
  r = await midcltCall(midclt, 'vmware.create', [seed], { raw });
  if (r.code === 0) throw new DemoFailure('vmware.create accepted an unverified self-signed certificate; it must refuse it by default');
  output(r.stderr);
  const seen = FINGERPRINT.exec(r.stderr)?.[0];
  if (!seen) throw new DemoFailure(`vmware.create failed without a certificate fingerprint: ${r.stderr.trim()}`);
  note('Refused: vsnapd verifies the vCenter certificate, and this one is self-signed (as a fresh vCenter\'s is).');
  note('Compare the fingerprint with the certificate vCenter shows (or `openssl s_client -connect host:443 | openssl x509 -noout -fingerprint -sha256`), then pin it:');
  check(seen.toUpperCase() === w.vc.thumbprintSha256.toUpperCase(), 'the fingerprint is the simulator\'s own certificate (SHA-256)', `fingerprint ${seen} is not the simulator's ${w.vc.thumbprintSha256}`);
  r = await midcltCall(midclt, 'vmware.create', [{ ...seed, tls: { thumbprint: seen } }], { raw });
  if (r.code !== 0) throw failed('vmware.create with the pinned certificate', r);
  const entry = r.result as VmwareEntryOut;
  check(
    entry.datastores.length === 1 && entry.datastores[0] === NFS_DATASTORE,
    `entry ${entry.id} created; datastore "${NFS_DATASTORE}" found from ${dataset} (no datastore given); password returned as ${entry.password}`,
    `entry ${entry.id} covers datastores ${JSON.stringify(entry.datastores)}, expected ["${NFS_DATASTORE}"]`,
  );

  substep('4.3', 'List the credentials');
  r = await midcltCall(midclt, 'vmware.query', [], { raw });
  if (r.code !== 0) throw failed('vmware.query', r);
  output(renderEntries(r.result as VmwareEntryOut[]));

  substep('4.4', 'Which datastores are backed by which datasets');
  r = await midcltCall(midclt, 'vmware.match_datastores_with_datasets', [entry.id], { raw });
  if (r.code !== 0) throw failed('vmware.match_datastores_with_datasets', r);
  const match = r.result as MatchResultOut;
  output(renderMatch(match, w.pool.pool));
  const backed = match.datastores.find((d) => d.name === NFS_DATASTORE);
  check(backed?.filesystems.includes(dataset) === true, `${NFS_DATASTORE} ↔ ${dataset} (exact path match)`, `${NFS_DATASTORE} is not matched with ${dataset}`);

  substep('4.5', 'Does the dataset have VMs?');
  r = await midcltCall(midclt, 'vmware.dataset_has_vms', [dataset], { raw });
  if (r.code !== 0) throw failed('vmware.dataset_has_vms', r);
  output(String(r.result));
  check(r.result === true, `${dataset} is covered by a VMware entry`, `vmware.dataset_has_vms answered ${String(r.result)}`);

  substep('4.6', 'Create the snapshot task with vmware_sync (seed step 4)');
  r = await midcltCall(midclt, 'pool.snapshottask.create', [seedTask(dataset)], { raw });
  if (r.code !== 0) throw failed('pool.snapshottask.create', r);
  const task = r.result as { id: number; vmware_sync: boolean; schedule: { begin: string; end: string } };
  check(task.vmware_sync === true, `task ${task.id}: daily at 00:00, keep 1 week, names auto-%Y-%m-%d_%H-%M, vmware_sync true`, 'vmware_sync was not stored');

  substep('4.7', 'Dry run: what a run would do (vsnapd\'s vmware.plan; nothing is touched)');
  r = await midcltCall(midclt, 'vmware.plan', [dataset, true], { raw });
  if (r.code !== 0) throw failed('vmware.plan', r);
  const plan = r.result as PlanResult;
  output(renderPlan(plan));
  checkPlan(plan);

  substep('4.8', 'Run the task now, as a job with progress');
  r = await midcltCall(midclt, 'pool.snapshottask.run', [task.id], { job: true, raw });
  if (r.code !== 0) throw failed('pool.snapshottask.run', r);
  ok('the job finished');
  return { entryId: entry.id, taskId: task.id, thumbprint: seen, run: r.result };
}

/** Checks the plan against what the demo world was built for (DEMO_VMS). */
function checkPlan(plan: PlanResult): void {
  const vms = new Map(plan.entries.flatMap((e) => e.vms.map((v) => [v.name, v] as const)));
  const wrong: string[] = [];
  for (const vm of DEMO_VMS) {
    const p = vms.get(vm.name);
    const got = p === undefined ? 'missing' : p.action === 'snapshot' ? p.kind : p.code === 'other_datastore' ? 'elsewhere' : 'skipped';
    if (got !== vm.expect) wrong.push(`${vm.name}: planned ${got}, expected ${vm.expect}`);
  }
  check(wrong.length === 0, 'the plan matches the world: running VMs on vmware-nfs snapshotted, the others skipped with a reason', `plan differs: ${wrong.join('; ')}`);
}
