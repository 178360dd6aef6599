/**
 * The run history on vcsim + zfs-fuse: every coordinated run leaves a record (`vmware.run.*`) that
 * survives a restart and is found by the snapshot's `vsnapd:run`; a partial run shows in the task
 * state, an alert and the record; a manual snapshot with an existing name never reaches vCenter;
 * retention prunes the oldest records.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CollectionUpdate } from '../../../client/index.js';
import { SoapProbe } from '../../fixtures/vcsim/probe.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { waitFor } from '../../helpers/wait.js';

interface VmRow {
  name: string;
  action: string;
  reason: string | null;
  kind: string | null;
  held_ms: number | null;
  vmx_path: string | null;
  uuid: string | null;
  datastores: string[];
}
interface Run {
  id: string;
  snapshot: string;
  state: string;
  vmsynced: string | null;
  trigger: { type: string; task_id: number | null };
  /** The client revives `{"$date": ms}` into Date. */
  started_at: Date;
  ended_at: Date;
  entries: { status: string; vms: VmRow[] }[];
}
interface Alert {
  klass: string;
  args: Record<string, unknown>;
}

const NEVER = { minute: '0', hour: '0', dom: '1', month: '1' }; // never due during the test

t.test('run history: recorded, truthful, found after a restart by vsnapd:run, pruned', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [
      { name: 'web', datastore: VM_DS },
      { name: 'db', datastore: VM_DS },
    ],
    sync: { quiesce_retries: 0, quiesce_failure: 'fail' },
    history: { max_runs: 4 },
  });
  const vms = (run: Run) => Object.fromEntries(run.entries.flatMap((e) => e.vms).map((v) => [v.name, v]));
  const events: CollectionUpdate[] = [];
  await w.client.subscribe('vmware.run.query', (u) => events.push(u));

  // 1. A partial task run: db's quiesce fails (policy fail), web is fine.
  await w.vc.control({ action: 'quiesceFault', vm: 'db', times: 1 });
  const task = await w.client.call<{ id: number }>('pool.snapshottask.create', { dataset: w.dataset, vmware_sync: true, naming_schema: 'hist-%Y%m%d-%H%M%S', schedule: NEVER });
  const cli = await w.daemon.midclt(['call', '-j', 'pool.snapshottask.run', String(task.id)]);
  t.equal(cli.code, 0, 'the snapshot was taken: the job succeeds');
  t.match(cli.stderr, /\[100%\] Finished with VMware coordination PARTIAL \(vmsynced partial\)/, 'the last progress line says partial, not plain "Finished"');
  t.notMatch(cli.stderr, /vmsynced=full/);
  const result = JSON.parse(cli.stdout) as { snapshot: string; vmware_sync: { state: string; run_id: string } };
  t.equal(result.vmware_sync.state, 'PARTIAL');
  const runId = result.vmware_sync.run_id;

  const state = (await w.client.call<{ state: Record<string, unknown> }>('pool.snapshottask.get_instance', task.id)).state;
  t.match(state, { state: 'FINISHED', last_snapshot: result.snapshot, vmware_sync: { state: 'PARTIAL', vmsynced: 'partial', run_id: runId } }, 'the task state says partial and names the run');
  t.match(state.warnings, [/VMware coordination PARTIAL/]);
  const alerts = await w.client.call<Alert[]>('alert.list');
  t.ok(alerts.some((a) => a.klass === 'VMWareSyncIncomplete' && a.args.run === runId && /db/.test(String(a.args.summary))), 'VMWareSyncIncomplete names the run and the VM');

  const run = await w.client.call<Run>('vmware.run.get_instance', runId);
  t.match(run, { id: runId, snapshot: result.snapshot, state: 'PARTIAL', vmsynced: 'partial', trigger: { type: 'run', task_id: task.id } });
  t.ok(run.ended_at.getTime() >= run.started_at.getTime(), 'start and end are dates, in order');
  t.match(vms(run).db, { action: 'failed', reason: /quiesce/i, held_ms: null });
  t.match(vms(run).web, { action: 'snapshotted', kind: 'quiesced', vmx_path: /^\[vmstore\] .*web.*\.vmx$/, uuid: /^[0-9a-f-]{36}$/, datastores: [VM_DS] });
  t.ok((vms(run).web?.held_ms ?? -1) >= 0, 'web held its snapshot for a measured time');
  await waitFor('the added event', () => events.find((e) => e.msg === 'added' && e.id === runId));

  // A scheduled run (a cron tick delivered to the scheduler) is recorded as periodic; its snapshot is
  // named by the tick's instant, so it cannot collide with the manual run's name above.
  await w.client.call('pool.snapshottask.test_tick', task.id, new Date(Date.UTC(2027, 0, 1)).toISOString());
  const periodic = await waitFor('the periodic run record', async () => (await w.client.call<Run[]>('vmware.run.query', [['trigger.type', '=', 'periodic']]))[0], 20_000);
  t.match(periodic, { trigger: { type: 'periodic', task_id: task.id }, state: 'SUCCESS' });
  t.match(periodic.snapshot, /@hist-20270101-000000$/, 'named by the tick (UTC)');

  // 2. A manual snapshot: full, and it clears the alert of the dataset.
  const m1 = await w.snapshot('m1');
  const m1Run = await w.client.call<Run>('vmware.run.get_instance', m1.report?.run_id);
  t.match(m1Run, { state: 'SUCCESS', vmsynced: 'full', trigger: { type: 'manual', task_id: null } });
  t.notOk((await w.client.call<Alert[]>('alert.list')).some((a) => a.klass === 'VMWareSyncIncomplete'), 'a SUCCESS clears it');

  // 3. An existing name: refused before vCenter is touched. The canary fault (one SOAP fault on the
  //    next snapshot create) is still armed afterwards, so no create reached vcsim.
  await w.vc.control({ action: 'injectFault', fault: 'RestrictedVersion', methods: ['CreateSnapshot_Task', 'CreateSnapshotEx_Task'], as: 'soap', times: 1 });
  const again1 = await w.daemon.midclt(['call', '-j', 'pool.snapshot.create_coordinated', JSON.stringify({ dataset: w.dataset, name: 'm1', vmware_sync: true })]);
  t.equal(again1.code, 1, 'midclt call -j exits 1 for the FAILED job');
  t.match(again1.stderr, /\[EEXIST\] cannot create snapshot '.*@m1': dataset already exists/);
  const jobs = await w.client.call<{ state: string; progress: { description: string } }[]>('core.get_jobs', [['method', '=', 'pool.snapshot.create_coordinated']]);
  const failed = jobs[jobs.length - 1];
  t.equal(failed?.state, 'FAILED');
  t.notMatch(failed?.progress.description ?? '', /full/, 'a failed job never says full');
  const p = new SoapProbe(w.vc.url, { ca: w.vc.certPem });
  t.teardown(() => p.close());
  const sc = await p.serviceContent();
  await p.login(sc, w.vc.username, w.vc.password);
  const web = { type: 'VirtualMachine', value: w.vc.inventory.vms.find((v) => v.name === 'web')!.moref };
  const canary = await p.call('CreateSnapshot_Task', web, '<name>canary</name><memory>false</memory><quiesce>false</quiesce>');
  t.equal(canary.fault?.type, 'RestrictedVersion', 'the canary fault was still armed: vsnapd made no snapshot create call');
  t.same(await w.probeSnapshots(), [], 'no snapshot at all in vcsim (the canary was refused, SOAP probe)');
  await w.vc.control({ action: 'clearFaults' });

  // 4. After a restart, the snapshot's vsnapd:run finds the report.
  await w.restart();
  const props = await w.zfsProps(`${w.dataset}@m1`);
  const again = await w.client.call<Run>('vmware.run.get_instance', props['vsnapd:run']);
  t.same(again, m1Run, 'the record survives the restart unchanged');
  t.equal(await w.client.call('vmware.run.query', [['snapshot', '=', `${w.dataset}@m1`]], { count: true }), 1);
  const prot = await w.client.call<Record<string, unknown>[]>('vmware.protection_status', [['name', '=', 'db']]);
  t.match(prot, [{ name: 'db', protected: true, last_snapshot: `${w.dataset}@m1`, last_kind: 'quiesced', last_run_id: m1Run.id, last_state: 'SUCCESS' }]);
  // Coverage: the task (January 1 at 00:00) covers it; its interval is a year, the longest one (366 days, across February 29).
  t.match(prot, [{ covered: true, task_id: task.id, task_dataset: w.dataset, expected_interval_ms: 366 * 86_400_000, overdue: false, age_ms: Number }]);
  t.equal(await w.client.call('vmware.protection_status', [['overdue', '=', true]], { count: true }), 0, 'filtered on the computed fields');

  const csv = await w.daemon.midclt(['call', '--csv', 'vmware.protection_status', '[]', '{"select": ["name", "protected", "last_snapshot", "last_action"], "order_by": ["name"]}']);
  t.equal(csv.code, 0, csv.stderr);
  t.equal(csv.stdout, `name,protected,last_snapshot,last_action\ndb,true,${w.dataset}@m1,snapshotted\nweb,true,${w.dataset}@m1,snapshotted\n`, 'protection status as CSV from midclt');

  // Hostile filters get the query engine's validation errors.
  await t.rejects(w.client.call('vmware.run.query', [['id', 'rm -rf', 'x']]), /filters/);
  await t.rejects(w.client.call('vmware.run.query', [['id', '~', '(']]), /filters/);
  await t.rejects(w.client.call('vmware.run.get_instance', '../etc'), /id/);

  // 5. Retention (max_runs 4): two more runs push the first one out, file and all.
  await w.snapshot('m2');
  await w.snapshot('m3');
  await waitFor('the oldest record pruned', async () => (await w.client.call<number>('vmware.run.query', [], { count: true })) === 4 || null);
  await t.rejects(w.client.call('vmware.run.get_instance', runId), /does not exist/);
  t.notOk(existsSync(join(w.dataDir, 'vmware-runs', `${runId}.json`)), 'its file is gone');
  t.ok(existsSync(join(w.dataDir, 'vmware-runs', `${m1Run.id}.json`)));
});
