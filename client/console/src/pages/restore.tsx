/**
 * Instant restore: pick a VM (the VMs of `vmware.protection_status`), one of its restore points
 * (the VM-consistent snapshots whose run snapshotted it, from `vmware.run.query`, with kind and age),
 * a target host (`vmware.inventory`) and the new names; "Plan" (`vmware.plan_restore`) shows what
 * would be created and puts each conflict on its field; "Restore" runs `vmware.restore` with live
 * progress and ends at the running copy. The restores list is restore-list.tsx.
 */
import { useState } from 'preact/hooks';
import { formErrors, span, when } from '../format.js';
import type { Job, WireDate } from '../rpc.js';
import { ActionButton, ErrorBox, Field, invalid, JobProgress, useAction, useLive, useRpc } from '../ui.js';
import { RestoreList, type RestoreEntry } from './restore-list.js';

interface VmRef {
  id: string;
  name: string;
  hostname: string;
  moref: string;
}

interface RunVm {
  name: string;
  moref: string;
  action: string;
  kind: string | null;
}

interface Run {
  id: string;
  snapshot: string;
  vmsynced: string | null;
  started_at: WireDate;
  timings: { vmware_phase_ms: number };
  entries: { id: number; hostname: string; vms: RunVm[] }[];
}

/** `vmware.plan_restore`'s result. */
interface RestorePlan {
  ok: boolean;
  clone: string | null;
  host: { name: string; addresses: string[] } | null;
  share: { path: string; hosts: string[] } | null;
  datastore: { name: string; remote_host: string; remote_path: string } | null;
  vms: { source: string; name: string; vmx_path: string | null }[];
  conflicts: string[];
}

/** A restore point of one VM: a run that snapshotted it for a ZFS snapshot that was taken. */
interface Point {
  run: Run;
  entryId: number;
  kind: string | null;
  at: number;
}

function points(runs: Run[], vm: VmRef): Point[] {
  return runs.flatMap((run) =>
    run.entries.flatMap((e) =>
      e.hostname === vm.hostname
        ? e.vms.filter((v) => v.moref === vm.moref && v.action === 'snapshotted').map((v) => ({ run, entryId: e.id, kind: v.kind, at: run.started_at.$date + run.timings.vmware_phase_ms }))
        : [],
    ),
  );
}

/** Conflicts "field: message" → form fields (`names.<vm>` is the VM name field) and the rest. */
function conflictFields(conflicts: string[], source: string): { fields: Record<string, string>; general: string[] } {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const c of conflicts) {
    const [path = '', ...rest] = c.split(': ');
    const field = path === `names.${source}` ? 'name' : path;
    if (['host', 'name', 'datastore_name'].includes(field)) fields[field] = rest.join(': ');
    else general.push(c);
  }
  return { fields, general };
}

function RestoreForm(props: { vm: VmRef; point: Point }) {
  const rpc = useRpc();
  const { vm, point } = props;
  const inventory = useLive((r) => r.call<{ hosts: { moref: string; name: string; connection_state: string }[] }>('vmware.inventory', [point.entryId]), [], [point.entryId]);
  const [host, setHost] = useState('');
  const [name, setName] = useState('');
  const [datastore, setDatastore] = useState('');
  const [powerOn, setPowerOn] = useState(true);
  const [plan, setPlan] = useState<RestorePlan | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [done, setDone] = useState<RestoreEntry | null>(null);
  const [errors, setErrors] = useState<{ fields: Record<string, string>; general: string[] }>({ fields: {}, general: [] });
  const { busy, error, act } = useAction(vm.hostname);
  const input = () => ({
    snapshot: point.run.snapshot,
    vms: [vm.moref],
    host,
    entry_id: point.entryId,
    power_on: powerOn,
    ...(name ? { names: { [vm.moref]: name } } : {}),
    ...(datastore ? { datastore_name: datastore } : {}),
  });
  const doPlan = () =>
    act('plan', async () => {
      setDone(null);
      const p = await rpc.call<RestorePlan>('vmware.plan_restore', [input()]);
      setPlan(p);
      setErrors(conflictFields(p.conflicts, vm.moref));
    });
  const doRestore = () =>
    act('restore', async () => {
      try {
        const r = await rpc.job<RestoreEntry>('vmware.restore', [input()], setJob);
        setDone(r);
        setPlan(null);
      } catch (err) {
        const f = formErrors(err);
        setErrors({ fields: Object.fromEntries(Object.entries(f.fields).map(([k, v]) => [k === `names.${vm.moref}` ? 'name' : k, v])), general: f.general ? [f.general] : [] });
      }
    });
  const e = errors.fields;
  return (
    <form
      aria-label="Restore"
      onSubmit={(ev) => {
        ev.preventDefault();
        void doPlan();
      }}
    >
      <div class="grid">
        <Field id="r-host" label="Target ESXi host" error={e.host}>
          <select id="r-host" value={host} onChange={(ev) => setHost(ev.currentTarget.value)} {...invalid('r-host', e.host)}>
            <option value="">choose a host</option>
            {inventory.data?.hosts.map((h) => (
              <option value={h.name}>
                {h.name}
                {h.connection_state === 'connected' ? '' : ` (${h.connection_state})`}
              </option>
            ))}
          </select>
        </Field>
        <Field id="r-name" label="Name of the copy" error={e.name} hint={`Default ${vm.name}-restore-<id>`}>
          <input id="r-name" value={name} onInput={(ev) => setName(ev.currentTarget.value)} {...invalid('r-name', e.name)} />
        </Field>
        <Field id="r-datastore" label="New datastore name" error={e.datastore_name} hint="Default vsnapd-restore-<id>">
          <input id="r-datastore" value={datastore} onInput={(ev) => setDatastore(ev.currentTarget.value)} {...invalid('r-datastore', e.datastore_name)} />
        </Field>
      </div>
      <label class="inline">
        <input type="checkbox" checked={powerOn} onChange={(ev) => setPowerOn(ev.currentTarget.checked)} /> Power on the copy (its network stays disconnected)
      </label>
      <ErrorBox message={[inventory.error, error, ...errors.general].filter(Boolean).join('; ') || null} />
      <div class="actions">
        <button type="submit" disabled={busy !== null || !host}>
          {busy === 'plan' ? 'Planning…' : 'Plan'}
        </button>
        <ActionButton name="restore" busy={busy} label="Restore" running="Restoring…" onClick={doRestore} disabled={!plan?.ok} class="primary" />
      </div>
      {plan?.ok && (
        <div class="plan" data-testid="restore-plan">
          <h3>The restore would create</h3>
          <dl>
            <dt>Clone</dt>
            <dd>{plan.clone}</dd>
            <dt>NFS share</dt>
            <dd>
              {plan.share?.path} for {plan.share?.hosts.join(', ')}
            </dd>
            <dt>Datastore</dt>
            <dd>
              {plan.datastore?.name} ({plan.datastore?.remote_host}:{plan.datastore?.remote_path}) on {plan.host?.name}
            </dd>
            {plan.vms.map((v) => (
              <>
                <dt>VM</dt>
                <dd>
                  {v.name} from {v.vmx_path ?? 'its .vmx (searched in the clone)'}
                </dd>
              </>
            ))}
          </dl>
        </div>
      )}
      {job && <JobProgress job={job} label="Restore progress" />}
      {done && <RunningCopy entry={done} />}
    </form>
  );
}

/** Where the restored copy runs. */
function RunningCopy(props: { entry: RestoreEntry }) {
  const r = props.entry;
  return (
    <div class={`report${r.state === 'FAILED' ? ' failed' : ''}`} data-testid="restore-result">
      <h3>
        Restore {r.id}: {r.state}
      </h3>
      <ErrorBox message={r.error} />
      <dl>
        <dt>Datastore</dt>
        <dd>
          {r.datastore.name} on {r.host.name}
        </dd>
        {r.vms.map((v) => (
          <>
            <dt>VM</dt>
            <dd>
              {v.name}: {v.powered_on ? 'powered on' : 'powered off'}
              {v.nics_disconnected !== null ? `, ${v.nics_disconnected} NIC${v.nics_disconnected === 1 ? '' : 's'} disconnected` : ', network connected'}
            </dd>
          </>
        ))}
      </dl>
    </div>
  );
}

function RestorePoints(props: { vm: VmRef }) {
  const { vm } = props;
  const runs = useLive(
    (r) => r.call<Run[]>('vmware.run.query', [[['entries.vms.moref', '=', vm.moref], ['entries.hostname', '=', vm.hostname], ['vmsynced', 'in', ['full', 'partial']]], { order_by: ['-started_at'], limit: 50 }]),
    ['vmware.run.query'],
    [vm.id],
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const list = runs.data ? points(runs.data, vm) : [];
  const point = list.find((p) => p.run.id === chosen) ?? null;
  const now = Date.now();
  return (
    <>
      <ErrorBox message={runs.error} />
      {runs.data && list.length === 0 && <p>No VM-consistent snapshot of {vm.name} yet.</p>}
      {list.length > 0 && (
        <fieldset>
          <legend>Restore points of {vm.name}</legend>
          {list.map((p) => (
            <label class="point" data-testid={`point-${p.run.snapshot}`}>
              <input type="radio" name="point" value={p.run.id} checked={p.run.id === chosen} onChange={() => setChosen(p.run.id)} />
              <span>{p.run.snapshot}</span>
              <span class={`pill ${p.kind === 'quiesced' ? 'good' : 'warn'}`}>{p.kind?.replace('_', '-') ?? 'unknown'}</span>
              <small class="muted">
                {when(p.at)}, {span(now - p.at)} ago
              </small>
            </label>
          ))}
        </fieldset>
      )}
      {point && <RestoreForm key={point.run.id} vm={vm} point={point} />}
    </>
  );
}

export function RestorePage(_props: { arg: string | null }) {
  const vms = useLive((r) => r.call<VmRef[]>('vmware.protection_status', [[['last_snapshot', '!=', null]], { order_by: ['name', 'hostname'], select: ['id', 'name', 'hostname', 'moref'] }]), ['vmware.run.query'], []);
  const [vmId, setVmId] = useState('');
  const vm = vms.data?.find((v) => v.id === vmId) ?? null;
  return (
    <>
      <section aria-label="Restore a VM">
        <h2>Restore a VM</h2>
        <ErrorBox message={vms.error} />
        <div class="field">
          <label for="r-vm">VM</label>
          <select id="r-vm" value={vmId} onChange={(e) => setVmId(e.currentTarget.value)}>
            <option value="">choose a VM</option>
            {vms.data?.map((v) => (
              <option value={v.id}>
                {v.name} ({v.hostname})
              </option>
            ))}
          </select>
        </div>
        {vm && <RestorePoints key={vm.id} vm={vm} />}
      </section>
      <RestoreList />
    </>
  );
}
