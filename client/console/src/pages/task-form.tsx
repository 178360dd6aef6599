/**
 * Create/edit a periodic snapshot task with TrueNAS's fields (dataset, recursive, exclude,
 * lifetime_value/unit, naming_schema, schedule with begin/end, allow_empty, enabled, vmware_sync).
 * Validation errors of `pool.snapshottask.create/update` are shown on the fields they name.
 */
import { useState } from 'preact/hooks';
import { formErrors, scheduleWords, type FormErrors, type Schedule } from '../format.js';
import { ErrorBox, Field, FormButtons, invalid, useLive, useRpc } from '../ui.js';
import type { Task } from './snapshot-task.js';

interface Draft {
  dataset: string;
  recursive: boolean;
  exclude: string;
  lifetime_value: string;
  lifetime_unit: string;
  naming_schema: string;
  schedule: Schedule;
  allow_empty: boolean;
  enabled: boolean;
  vmware_sync: boolean;
}

const UNITS = ['HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR'];
const NO_ERRORS: FormErrors = { fields: {}, general: null };
/** The schedule's fields in the order the form shows them, each with its label. */
const SCHEDULE_FIELDS: readonly (readonly [keyof Schedule, string])[] = [
  ['minute', 'Minute'],
  ['hour', 'Hour'],
  ['dom', 'Day of month'],
  ['month', 'Month'],
  ['dow', 'Day of week'],
  ['begin', 'Window begins (HH:MM)'],
  ['end', 'Window ends (HH:MM)'],
];
const DEFAULT_SCHEDULE: Schedule = { minute: '0', hour: '0', dom: '*', month: '*', dow: '*', begin: '00:00', end: '23:59' };

function initial(t: Task | null): Draft {
  return {
    dataset: t?.dataset ?? '',
    recursive: t?.recursive ?? false,
    exclude: t?.exclude.join(', ') ?? '',
    lifetime_value: String(t?.lifetime_value ?? 2),
    lifetime_unit: t?.lifetime_unit ?? 'WEEK',
    naming_schema: t?.naming_schema ?? 'auto-%Y-%m-%d_%H-%M',
    schedule: t?.schedule ?? DEFAULT_SCHEDULE,
    allow_empty: t?.allow_empty ?? true,
    enabled: t?.enabled ?? true,
    vmware_sync: t?.vmware_sync ?? false,
  };
}

export function TaskForm(props: { task: Task | null; onDone(): void }) {
  const rpc = useRpc();
  const [d, setD] = useState<Draft>(() => initial(props.task));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const filesystems = useLive((r) => r.call<string[]>('pool.filesystem_choices'), [], []);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((old) => ({ ...old, [k]: v }));
  const setSchedule = (k: keyof Schedule, v: string) => setD((old) => ({ ...old, schedule: { ...old.schedule, [k]: v } }));
  const err = (f: string) => errors.fields[f];

  const save = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    const value = Number(d.lifetime_value);
    const body = {
      dataset: d.dataset.trim(),
      recursive: d.recursive,
      exclude: d.exclude.split(',').map((s) => s.trim()).filter(Boolean),
      lifetime_value: d.lifetime_value.trim() !== '' && Number.isFinite(value) ? value : d.lifetime_value,
      lifetime_unit: d.lifetime_unit,
      naming_schema: d.naming_schema,
      schedule: d.schedule,
      allow_empty: d.allow_empty,
      enabled: d.enabled,
      vmware_sync: d.vmware_sync,
    };
    try {
      if (props.task) await rpc.call('pool.snapshottask.update', [props.task.id, body]);
      else await rpc.call('pool.snapshottask.create', [body]);
      props.onDone();
    } catch (e) {
      setErrors(formErrors(e));
    } finally {
      setBusy(false);
    }
  };

  const cron = (k: keyof Schedule, label: string) => {
    const id = `t-schedule-${k}`;
    const e = err(`schedule.${k}`);
    return (
      <Field id={id} label={label} error={e}>
        <input id={id} value={d.schedule[k]} onInput={(ev) => setSchedule(k, ev.currentTarget.value)} {...invalid(id, e)} />
      </Field>
    );
  };
  const check = (k: 'recursive' | 'allow_empty' | 'enabled' | 'vmware_sync', label: string) => (
    <label class="inline">
      <input type="checkbox" checked={d[k]} onChange={(e) => set(k, e.currentTarget.checked)} /> {label}
    </label>
  );

  return (
    <form class="panel" onSubmit={save} aria-label={props.task ? `Edit task ${props.task.dataset}` : 'Add task'}>
      <h2>{props.task ? `Edit the task of ${props.task.dataset}` : 'Add a snapshot task'}</h2>
      <div class="grid">
        <Field id="t-dataset" label="Dataset" error={err('dataset')}>
          <input id="t-dataset" list="t-filesystems" value={d.dataset} onInput={(e) => set('dataset', e.currentTarget.value)} {...invalid('t-dataset', err('dataset'))} />
          <datalist id="t-filesystems">{filesystems.data?.map((f) => <option value={f} />)}</datalist>
        </Field>
        <Field id="t-exclude" label="Exclude (comma-separated)" error={err('exclude')}>
          <input id="t-exclude" value={d.exclude} onInput={(e) => set('exclude', e.currentTarget.value)} {...invalid('t-exclude', err('exclude'))} />
        </Field>
        <Field id="t-lifetime_value" label="Keep for" error={err('lifetime_value')}>
          <input id="t-lifetime_value" inputmode="numeric" value={d.lifetime_value} onInput={(e) => set('lifetime_value', e.currentTarget.value)} {...invalid('t-lifetime_value', err('lifetime_value'))} />
        </Field>
        <Field id="t-lifetime_unit" label="Unit" error={err('lifetime_unit')}>
          <select id="t-lifetime_unit" value={d.lifetime_unit} onChange={(e) => set('lifetime_unit', e.currentTarget.value)}>
            {UNITS.map((u) => (
              <option value={u}>{u.toLowerCase()}s</option>
            ))}
          </select>
        </Field>
        <Field id="t-naming_schema" label="Naming schema" error={err('naming_schema')} hint="strftime, e.g. auto-%Y-%m-%d_%H-%M">
          <input id="t-naming_schema" value={d.naming_schema} onInput={(e) => set('naming_schema', e.currentTarget.value)} {...invalid('t-naming_schema', err('naming_schema'))} />
        </Field>
      </div>
      <fieldset>
        <legend>Schedule: {scheduleWords(d.schedule)}</legend>
        <div class="grid narrow">
          {SCHEDULE_FIELDS.map(([k, label]) => cron(k, label))}
        </div>
        {err('schedule') && <ErrorBox message={err('schedule')} />}
      </fieldset>
      <div class="checks">
        {check('recursive', 'Recursive')}
        {check('vmware_sync', 'VMware sync (VM-consistent)')}
        {check('allow_empty', 'Keep empty snapshots')}
        {check('enabled', 'Enabled')}
      </div>
      {err('vmware_sync') && <ErrorBox message={err('vmware_sync')} />}
      <ErrorBox message={errors.general} />
      <FormButtons busy={busy} label="Save" onCancel={props.onDone} />
    </form>
  );
}
