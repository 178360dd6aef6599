/**
 * Task pre/post scripts and task rules, one world (vcsim as a standalone ESXi host, zfs-fuse, the
 * daemon): scripts see the run's environment and the VMs file; a failing pre-script skips the VMware
 * phase (the ZFS snapshot is still taken) or not, per policy; hanging, chatty, non-executable and
 * writable scripts are bounded and reported. Without the Automation API (ESXi) tag rules are refused
 * on the entry and, in a task's rules, reported while the other rules still apply.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanResult, SyncReport } from '../../../plugins/vmware/sync/report.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { tempDir } from '../../helpers/tmp-datastore.js';
import { validationErrors } from '../../helpers/validation.js';

/** A schedule that cannot fire during the test (1 January, 00:00). */
const NEVER_NOW = { minute: '0', hour: '0', dom: '1', month: '1', dow: '*' };

function gone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

t.test('pre/post scripts and task rules on an ESXi host', async (t) => {
  const w = await startSyncWorld(t, { vcsim: { model: 'esx' }, vms: [{ name: 'a', datastore: VM_DS }, { name: 'b', datastore: VM_DS }] });
  const dir = tempDir(t, 'vsnapd-scripts-test-'); // root-owned, mode 0700
  const script = async (name: string, body: string, mode = 0o700): Promise<string> => {
    const p = join(dir, name);
    await writeFile(p, `#!/bin/sh\n${body}\n`);
    await chmod(p, mode);
    return p;
  };
  const record = await script('record', `env | grep '^VSNAPD_' | sort > "${dir}/$VSNAPD_PHASE-$VSNAPD_TASK_ID.env"; cp "$VSNAPD_VMS_FILE" "${dir}/$VSNAPD_PHASE-$VSNAPD_TASK_ID.vms.json"`);
  const fail = await script('fail', 'echo "database freeze failed" >&2; exit 3');
  const hang = await script('hang', `sleep 60 & echo $! > "${dir}/hang.pid"; wait`);
  const chatty = await script('chatty', 'head -c 2000000 /dev/zero | tr "\\0" x');
  const noexec = await script('noexec', 'exit 0');
  const writable = await script('writable', 'exit 0');

  const env = async (phase: string, task: number) =>
    Object.fromEntries((await readFile(join(dir, `${phase}-${task}.env`), 'utf8')).trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  let n = 0;
  const createTask = (extra: Record<string, unknown>) =>
    w.client.call<{ id: number }>('pool.snapshottask.create', {
      dataset: w.dataset,
      naming_schema: `t${++n}-%Y%m%d%H%M`,
      schedule: NEVER_NOW,
      vmware_sync: true,
      ...extra,
    });
  const runTask = async (extra: Record<string, unknown>, before?: () => Promise<void>) => {
    const task = await createTask(extra);
    await before?.();
    const res = await w.client.callJob<{ snapshot: string; vmware_sync: { report: SyncReport } }>('pool.snapshottask.run', [task.id]);
    return { id: task.id, snapshot: res.snapshot, report: res.vmware_sync.report };
  };
  const created = async () => (await w.vc.control({ action: 'createdSnapshots' })).snapshots ?? [];

  await t.test('the scripts see the run, and the task rules replace the entry\'s', async (t) => {
    const rules = { include: [{ name: 'a' }], exclude: [], modes: [] };
    const plan = await w.client.call<PlanResult>('vmware.plan', w.dataset, false, { rules });
    const r = await runTask({ vmware_rules: rules, vmware_scripts: { pre: record, post: record, timeout_seconds: 20 } });
    const pre = await env('pre', r.id);
    const [dataset, name] = r.snapshot.split('@');
    t.same(pre, {
      VSNAPD_DATASET: dataset,
      VSNAPD_OUTCOME: 'pending',
      VSNAPD_PHASE: 'pre',
      VSNAPD_RUN_ID: r.report.run_id,
      VSNAPD_SNAPSHOT: r.snapshot,
      VSNAPD_SNAPSHOT_NAME: name,
      VSNAPD_TASK_ID: String(r.id),
      VSNAPD_VMS_FILE: pre.VSNAPD_VMS_FILE,
    });
    t.equal((await env('post', r.id)).VSNAPD_OUTCOME, 'full', 'post sees the outcome');
    const vms = JSON.parse(await readFile(join(dir, `pre-${r.id}.vms.json`), 'utf8')) as { name: string; kind: string; mode: string }[];
    t.same(vms.map((v) => [v.name, v.kind, v.mode]), [['a', 'quiesced', 'quiesce']], 'the VMs file lists the selected VMs');
    t.equal((await w.zfsProps(r.snapshot))['vsnapd:run'], r.report.run_id);
    t.match(r.report.scripts, { pre: { ok: true, exit_code: 0 }, post: { ok: true, exit_code: 0 } });
    const ran = r.report.entries[0]!.vms.map((v) => [v.name, v.action, v.rule]);
    t.same(ran, plan.entries[0]!.vms.map((v) => [v.name, v.action === 'snapshot' ? 'snapshotted' : 'skipped', v.rule]), 'plan with the task rules = run');
    t.same((await created()).map((s) => s.vm), ['a']);
  });

  await t.test('a failing pre-script with skip_vmware: no VMware snapshot, the ZFS snapshot is taken', async (t) => {
    const before = (await created()).length;
    const r = await runTask({ vmware_scripts: { pre: fail, post: record, pre_failure: 'skip_vmware' } });
    t.equal((await created()).length, before, 'no snapshot was requested');
    t.equal(r.report.vmsynced, 'none');
    t.equal((await w.zfsProps(r.snapshot))['vsnapd:vmsynced'], 'none', 'the ZFS snapshot exists');
    t.match(r.report.scripts.pre, { ok: false, exit_code: 3, error: /exited with status 3/, stderr: /database freeze failed/ });
    const vms = r.report.entries[0]?.vms ?? [];
    t.same(vms.map((v) => v.name).sort(), ['a', 'b'], 'both VMs are in the report');
    t.ok(vms.every((v) => v.action === 'failed' && /pre-script failed/.test(v.reason ?? '')), 'every VM says why');
    t.equal((await env('post', r.id)).VSNAPD_OUTCOME, 'none', 'post runs after a skipped VMware phase too');
  });

  await t.test('a failing pre-script with continue: the VMware phase runs', async (t) => {
    const r = await runTask({ vmware_scripts: { pre: fail, pre_failure: 'continue' } });
    t.equal(r.report.vmsynced, 'full');
    t.equal(r.report.scripts.pre?.ok, false);
    t.equal(r.report.scripts.post, null);
  });

  await t.test('a hanging pre-script is killed with its children at the timeout; megabytes of output are bounded', async (t) => {
    const r = await runTask({ vmware_scripts: { pre: hang, post: chatty, timeout_seconds: 1 } });
    t.match(r.report.scripts.pre, { ok: false, timed_out: true, signal: 'SIGKILL', error: /did not finish within 1000 ms/ });
    const child = Number(await readFile(join(dir, 'hang.pid'), 'utf8'));
    t.ok(gone(child), 'the script\'s own child was killed too');
    t.equal(r.report.vmsynced, 'none', 'skip_vmware is the default policy');
    t.equal((await w.zfsProps(r.snapshot))['vsnapd:vmsynced'], 'none', 'the ZFS snapshot exists (read with the zfs CLI)');
    t.equal(r.report.scripts.post?.ok, true);
    t.equal(r.report.scripts.post?.output_bytes, 2_000_000, 'every byte was read');
    t.ok((r.report.scripts.post?.stdout.length ?? 0) < 17_000, 'only the first 16 KiB are kept');
    t.match(r.report.scripts.post?.stdout, /more bytes not kept/);
  });

  await t.test('non-executable and writable scripts: refused at create, and again at run time where the run goes on', async (t) => {
    const spoil = async () => {
      await chmod(noexec, 0o600);
      await chmod(writable, 0o777);
    };
    const r = await runTask({ vmware_scripts: { pre: noexec, post: writable, pre_failure: 'continue' } }, spoil);
    t.same(await validationErrors(createTask({ vmware_scripts: { pre: noexec, post: writable } })), [
      ['periodic_snapshot_create.vmware_scripts.pre', `The script cannot run: ${noexec} is not executable (mode 600); chmod u+x it`],
      ['periodic_snapshot_create.vmware_scripts.post', `The script cannot run: ${writable} is writable by group or others (mode 777); chmod go-w it`],
    ]);
    t.match(r.report.scripts.pre?.error, /refused: .*noexec is not executable/);
    t.match(r.report.scripts.post?.error, /refused: .*writable is writable by group or others/);
    t.equal(r.report.vmsynced, 'full');
  });

  await t.test('ESXi alone: tag rules are refused when saved; rules saved unchecked are reported at run time and the others apply', async (t) => {
    const tagRules = { include: [{ tag: { category: 'backup', tag: 'gold' } }], exclude: [{ name: 'b' }] };
    const refused = /Tag rules are refused: .*offers no vSphere Automation API/;
    // Exactly one error each (t.match on a list compares only the items it is given).
    const onUpdate = await validationErrors(w.client.call('vmware.update', w.entryId, { rules: tagRules }));
    t.equal(onUpdate.length, 1, 'vmware.update: exactly one error');
    t.match(onUpdate, [['vmware_update.rules.include.0.tag', refused]]);
    const onCreate = await validationErrors(createTask({ vmware_rules: tagRules }));
    t.equal(onCreate.length, 1, 'pool.snapshottask.create: exactly one error');
    t.match(onCreate, [['periodic_snapshot_create.vmware_rules.include.0.tag', refused]]);
    // Saved while no enabled entry covered the dataset, so nothing could check them.
    await w.client.call('vmware.update', w.entryId, { enabled: false });
    const task = await createTask({ vmware_rules: tagRules });
    await w.client.call('vmware.update', w.entryId, { enabled: true });
    const res = await w.client.callJob<{ vmware_sync: { report: SyncReport } }>('pool.snapshottask.run', [task.id]);
    const entry = res.vmware_sync.report.entries[0]!;
    const vms = Object.fromEntries(entry.vms.map((v) => [v.name, v]));
    t.equal(vms.a?.action, 'snapshotted', 'the refused tag rule does not leave VMs unprotected');
    t.equal(vms.b?.code, 'excluded', 'the other rules still apply');
    t.ok(entry.warnings.some((x) => refused.test(x)), 'the refusal is in the report');
  });
  t.same(await w.probeSnapshots(), [], 'nothing left in vcsim: every VM\'s whole snapshot tree is empty (SOAP probe)');
});
