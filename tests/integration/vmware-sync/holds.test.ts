/**
 * Truthful holds and removal order (issue 21), checked against what vcsim itself recorded: the
 * launcher's log of RemoveSnapshot_Task requests (arrival order, the snapshot's vSphere createTime,
 * the task) and the tasks' `info.completeTime` read through the independent SOAP probe.
 *
 * With one operation in flight, the first VM of the inventory (a) is busy once (TaskInProgress), so its
 * retry queues behind the others and its snapshot is created LAST: removal in creation order must
 * remove it last, not first as the inventory order would.
 */
import t from 'tap';
import { SoapProbe } from '../../fixtures/vcsim/probe.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';

t.test('removals start in creation order and held_ms is createTime → RemoveSnapshot_Task completeTime', async (t) => {
  const names = ['a', 'b', 'c', 'd'];
  const w = await startSyncWorld(t, {
    vms: names.map((name) => ({ name, datastore: VM_DS, toolsRunning: false })),
    sync: { concurrency: { global: 1, per_host: 1 }, busy_retry_delay_ms: 0 },
    vcsim: { delays: { RemoveSnapshot_Task: 20 } },
  });
  await w.vc.control({ action: 'busyVm', vm: 'a', times: 1 });

  const { report } = await w.snapshot('holds-1');
  const vms = (report?.entries ?? []).flatMap((e) => e.vms);
  t.same(vms.map((v) => [v.name, v.action, v.removed]).sort(), names.map((n) => [n, 'snapshotted', true]).sort(), 'every VM snapshotted and removed');
  t.equal(vms[0]?.name, 'a', 'the busy VM comes first in the inventory (the order the snapshots were requested)');
  t.equal(vms[0]?.attempts, 2, 'the busy VM was retried');

  const log = (await w.vc.control({ action: 'removedSnapshots' })).removals ?? [];
  t.equal(log.length, names.length, 'one removal request per VM');
  const created = [...log].sort((a, b) => Date.parse(a.createTime) - Date.parse(b.createTime)).map((r) => r.vm);
  t.equal(created[created.length - 1], 'a', 'the busy VM was created last');
  t.same(
    log.map((r) => r.vm),
    created,
    'removal requests arrived in the order vSphere created the snapshots',
  );

  const p = new SoapProbe(w.vc.url, { ca: w.vc.certPem });
  t.teardown(() => p.close());
  const sc = await p.serviceContent();
  await p.login(sc, w.vc.username, w.vc.password);
  for (const r of log) {
    const info = (await p.props(sc, { type: 'Task', value: r.task }, ['info'])).info as Record<string, unknown>;
    t.equal(info.state, 'success', `${r.vm}: its removal task succeeded`);
    const held = Date.parse(String(info.completeTime)) - Date.parse(r.createTime);
    const v = vms.find((x) => x.name === r.vm);
    t.equal(v?.snapshot, r.snapshot, `${r.vm}: the report names the removed snapshot`);
    t.equal(v?.held_ms, held, `${r.vm}: held_ms = completeTime − createTime as vSphere reports them (${held} ms)`);
    t.equal(v?.held_source, 'vsphere', `${r.vm}: from vSphere's times`);
  }

  const dist = report?.timings.held_ms;
  const holds = vms.map((v) => v.held_ms as number).sort((a, b) => a - b);
  t.same(dist, { count: 4, observed: 0, min: holds[0], median: holds[1], p95: holds[3], max: holds[3] }, 'the run report has the hold distribution');

  // The run record and the protection status carry the same holds.
  const run = await w.client.call<{ timings: { held_ms: unknown }; entries: { vms: { name: string; held_ms: number | null; held_source: string | null }[] }[] }>(
    'vmware.run.get_instance',
    report?.run_id,
  );
  t.same(run.timings.held_ms, dist, 'the run record has the distribution');
  const prot = await w.client.call<{ name: string; last_held_ms: number | null; last_held_source: string | null }[]>('vmware.protection_status', [], { order_by: ['name'] });
  for (const v of vms) {
    t.equal(run.entries.flatMap((e) => e.vms).find((x) => x.name === v.name)?.held_ms, v.held_ms, `${v.name}: run record held_ms`);
    t.match(prot.find((x) => x.name === v.name), { last_held_ms: v.held_ms, last_held_source: 'vsphere' }, `${v.name}: protection status`);
  }
  t.same(await w.markedSnapshots(), [], 'nothing left in vcsim');
});
