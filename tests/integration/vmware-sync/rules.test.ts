/**
 * Selection rules on a vmware entry, one world (vcsim with the vapi tagging simulator, zfs-fuse,
 * the daemon): rules naming unknown tags/folders/attributes are refused with what exists; an
 * exclusion of each kind (name, folder, moref, uuid, tag, attribute) wins over the include rules;
 * tag selection; per-VM modes observed on the snapshots vcsim was asked for (quiesced or not, never
 * with memory); `vmware.plan`, the run report and `vmware.get_virtual_machines` name the rule of
 * every VM and agree with each other; a tag deleted after the rules were saved is a plan warning and
 * its rule no longer matches.
 */
import t from 'tap';
import type { PlanResult } from '../../../plugins/vmware/sync/report.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';
import { deleteTag, tagVms } from '../../helpers/vcsim-tags.js';
import { validationErrors } from '../../helpers/validation.js';

const on = (name: string, extra: Record<string, unknown> = {}) => ({ name, datastore: VM_DS, ...extra });

t.test('selection rules: validation, exclusions of every kind, tags, modes, plan = run', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [
      on('gold-db', { folder: 'Prod/DB' }),
      on('web', { folder: 'Prod', attributes: { quiesce: 'no' } }),
      on('scratch-1', { folder: 'Prod' }),
      on('legacy', { folder: 'Prod/Legacy' }),
      on('by-moref', { folder: 'Prod' }),
      on('by-uuid', { folder: 'Prod' }),
      on('attr-no', { folder: 'Prod', attributes: { backup: 'no' } }),
      on('tag-never', { folder: 'Prod' }),
      on('skipper', { folder: 'Prod' }),
      on('tagged-app'),
      on('outsider', { attributes: { backup: 'yes' } }),
    ],
  });
  await tagVms(w.vc, [
    { category: 'backup', tag: 'gold', vms: ['gold-db', 'tagged-app'] },
    { category: 'backup', tag: 'never', vms: ['tag-never'] },
  ]);
  const vm = (name: string) => w.vc.inventory.vms.find((v) => v.name === name)!;

  await t.test('rules naming what does not exist are refused, every error at once, with what exists', async (t) => {
    const err = Object.fromEntries(
      await validationErrors(
        w.client.call('vmware.update', w.entryId, {
          rules: {
            include: [{ tag: { category: 'backup', tag: 'platinum' } }, { tag: { category: 'tier', tag: 'one' } }],
            exclude: [{ folder: '/DC0/vm/Nope' }, { attribute: { name: 'owner', value: '*' } }],
          },
        }),
      ),
    );
    t.match(err['vmware_update.rules.include.0.tag.tag'], /Tag "platinum" does not exist in category "backup"; its tags: gold, never/);
    t.match(err['vmware_update.rules.include.1.tag.category'], /Tag category "tier" does not exist; categories: backup/);
    t.match(err['vmware_update.rules.exclude.0.folder'], /Folder "\/DC0\/vm\/Nope" does not exist.*\/DC0\/vm\/Prod\/Legacy/);
    t.match(err['vmware_update.rules.exclude.1.attribute.name'], /Custom attribute "owner" does not exist; attributes: backup, quiesce/);
    const entry = await w.client.call<{ rules: { include: unknown[] } }>('vmware.get_instance', w.entryId);
    t.same(entry.rules.include, [], 'nothing stored');
  });

  const rules = {
    include: [{ folder: '/DC0/vm/Prod' }, { tag: { category: 'backup', tag: 'gold' } }],
    exclude: [
      { name: 'scratch-*' },
      { folder: '/DC0/vm/Prod/Legacy' },
      { moref: vm('by-moref').moref },
      { uuid: vm('by-uuid').instanceUuid },
      { attribute: { name: 'backup', value: 'no' } },
      { tag: { category: 'backup', tag: 'never' } },
      { name: 'no-such-vm-*' },
    ],
    modes: [
      { match: { attribute: { name: 'quiesce', value: 'no' } }, mode: 'crash_consistent' },
      { match: { name: 'skipper' }, mode: 'skip' },
    ],
  };
  type Health = { health: { summary: { protected_vms: number } | null } };
  const updated = await w.client.call<Health>('vmware.update', w.entryId, { rules });

  const plan = await w.client.call<PlanResult>('vmware.plan', w.dataset, false);
  const planned = Object.fromEntries(plan.entries[0]!.vms.map((v) => [v.name, v]));
  t.ok(plan.entries[0]!.warnings.some((x) => /exclude\[6\] name "no-such-vm-\*" matches no VM/.test(x)), 'a glob matching nothing is a plan warning');

  const expected: Record<string, { action: 'snapshot' | 'skip'; code: string | null; rule: RegExp | null; kind?: string }> = {
    'gold-db': { action: 'snapshot', code: null, rule: /^include\[0\] folder \/DC0\/vm\/Prod$/, kind: 'quiesced' },
    web: { action: 'snapshot', code: null, rule: /^include\[0\]/, kind: 'crash_consistent' },
    'tagged-app': { action: 'snapshot', code: null, rule: /^include\[1\] tag backup\/gold$/, kind: 'quiesced' },
    'scratch-1': { action: 'skip', code: 'excluded', rule: /^exclude\[0\] name "scratch-\*"$/ },
    legacy: { action: 'skip', code: 'excluded', rule: /^exclude\[1\] folder/ },
    'by-moref': { action: 'skip', code: 'excluded', rule: /^exclude\[2\] moref vm-/ },
    'by-uuid': { action: 'skip', code: 'excluded', rule: /^exclude\[3\] uuid / },
    'attr-no': { action: 'skip', code: 'excluded', rule: /^exclude\[4\] attribute backup="no"$/ },
    'tag-never': { action: 'skip', code: 'excluded', rule: /^exclude\[5\] tag backup\/never$/ },
    skipper: { action: 'skip', code: 'mode_skip', rule: /^include\[0\]/ },
    outsider: { action: 'skip', code: 'not_included', rule: null },
  };
  for (const [name, e] of Object.entries(expected)) {
    const p = planned[name];
    t.equal(p?.action, e.action, `plan: ${name} ${e.action}`);
    t.equal(p?.code, e.code, `plan: ${name} code`);
    if (e.rule) t.match(p?.rule, e.rule, `plan: ${name} rule`);
    else t.equal(p?.rule, null, `plan: ${name} has no selecting rule`);
    if (e.kind) t.equal(p?.kind, e.kind, `plan: ${name} kind`);
  }
  t.match(planned['scratch-1']?.reason, /exclude wins over include/, 'the conflict is said');
  const snapshotted = plan.entries[0]!.vms.filter((v) => v.action === 'snapshot').length;
  t.equal(snapshotted, 3);
  t.equal(updated.health.summary?.protected_vms, snapshotted, 'health.summary.protected_vms counts with the rules just saved');
  t.match(await w.client.call('vmware.test', w.entryId), { ok: true });
  t.equal((await w.client.call<Health>('vmware.get_instance', w.entryId)).health.summary?.protected_vms, snapshotted, '… and so does a health check (vmware.test of the saved entry)');
  t.equal(planned.web?.mode, 'crash_consistent');
  t.match(planned.web?.mode_rule, /modes\[0\] attribute quiesce="no" → crash_consistent/);

  const { report } = await w.snapshot('rules-1');
  const ran = Object.fromEntries(report!.entries[0]!.vms.map((v) => [v.name, v]));
  t.equal(Object.keys(planned).length, 11, 'the plan lists all 11 VMs of the datastore');
  t.same(Object.keys(ran).sort(), Object.keys(planned).sort(), 'the run reports the VMs the plan lists');
  for (const p of plan.entries[0]!.vms) {
    const r = ran[p.name];
    t.equal(r?.action, p.action === 'snapshot' ? 'snapshotted' : 'skipped', `run = plan: ${p.name}`);
    t.equal(r?.rule, p.rule, `run = plan: ${p.name} rule`);
    t.equal(r?.code, p.code, `run = plan: ${p.name} code`);
    t.equal(r?.kind ?? null, p.kind, `run = plan: ${p.name} kind`);
  }
  t.same(report!.entries[0]!.warnings, plan.entries[0]!.warnings, 'same rule warnings');
  t.equal(report!.vmsynced, 'full');

  // What vcsim was asked for: only the selected VMs, quiesced or not as planned, never with memory.
  const { snapshots = [] } = await w.vc.control({ action: 'createdSnapshots' });
  t.same(
    snapshots.map((s) => [s.vm, s.quiesced, s.memory]).sort(),
    [
      ['gold-db', true, false],
      ['tagged-app', true, false],
      ['web', false, false],
    ],
  );
  t.same(await w.probeSnapshots(), [], 'nothing left in vcsim: every VM\'s whole snapshot tree is empty (SOAP probe)');

  const listed = await w.client.call<{ name: string; protected: boolean; rule: string | null; mode: string }[]>('vmware.get_virtual_machines', w.entryId);
  t.same(listed.map((v) => v.name).sort(), Object.keys(planned).sort(), 'get_virtual_machines lists the VMs the plan lists');
  for (const v of listed) {
    t.equal(v.rule, planned[v.name]?.rule, `get_virtual_machines = plan: ${v.name} rule`);
    t.equal(v.protected, planned[v.name]?.action === 'snapshot', `get_virtual_machines = plan: ${v.name} protected`);
  }

  await deleteTag(w.vc, 'backup', 'never');
  const after = await w.client.call<PlanResult>('vmware.plan', w.dataset, false);
  t.ok(
    after.entries[0]!.warnings.includes('rule exclude.5.tag.tag: Tag "never" does not exist in category "backup"; its tags: gold'),
    'a tag deleted since the rules were saved is named in the plan',
  );
  t.match(after.entries[0]!.vms.find((v) => v.name === 'tag-never'), { action: 'snapshot', rule: /^include\[0\]/ }, 'its exclude rule no longer matches');
});
