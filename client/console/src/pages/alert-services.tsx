/**
 * Alert services (`alertservice.*`, live through `alertservice.query`): Mail, Slack and Webhook
 * services, created, edited, tested (`alertservice.test` with the form's unsaved settings) and
 * deleted (asked first). Slack and Webhook URLs carry their token and are secrets: the API reads
 * them as "********", the form never shows them, and an edit that leaves the URL blank sends
 * "********" back, which keeps the stored URL. The SMTP settings are mail-settings.tsx.
 */
import { useState } from 'preact/hooks';
import { formErrors, MASKED, type FormErrors } from '../format.js';
import { ActionButton, ErrorBox, Field, FormButtons, invalid, Table, useAction, useLive, useRpc } from '../ui.js';
import { MailSettings } from './mail-settings.js';

const TYPES = { Mail: 'Email', Slack: 'Slack', Webhook: 'Webhook' } as const;
type ServiceType = keyof typeof TYPES;
const LEVELS = ['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'];

/** A service as `alertservice.query` returns it. */
interface Service {
  id: number;
  name: string;
  attributes: Record<string, string>;
  level: string;
  enabled: boolean;
  type__title: string;
}

function ServiceForm(props: { service: Service | null; onDone(): void }) {
  const rpc = useRpc();
  const s = props.service;
  const [name, setName] = useState(s?.name ?? '');
  const [type, setType] = useState<ServiceType>((s?.attributes.type as ServiceType | undefined) ?? 'Mail');
  const [email, setEmail] = useState(s?.attributes.email ?? '');
  const [url, setUrl] = useState('');
  const [level, setLevel] = useState(s?.level ?? 'WARNING');
  const [enabled, setEnabled] = useState(s?.enabled ?? true);
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, general: null });
  const [tested, setTested] = useState<string | null>(null);
  const { busy, act } = useAction();
  // A stored URL is kept by sending the mask back, only while the type stays the same.
  const keepsUrl = s !== null && s.attributes.type === type && type !== 'Mail';
  const data = () => ({ name, level, enabled, attributes: type === 'Mail' ? { type, email } : { type, url: url === '' && keepsUrl ? MASKED : url } });
  const run = (what: string, fn: () => Promise<void>) =>
    act(what, async () => {
      setTested(null);
      try {
        await fn();
        setErrors({ fields: {}, general: null });
      } catch (err) {
        setErrors(formErrors(err));
      }
    });
  const save = () =>
    run('save', async () => {
      if (s) await rpc.call('alertservice.update', [s.id, data()]);
      else await rpc.call('alertservice.create', [data()]);
      props.onDone();
    });
  const test = () =>
    run('test', async () => {
      await rpc.call('alertservice.test', [data()]);
      setTested(`Test alert sent through "${name}".`);
    });
  const e = errors.fields;
  const label = s ? `Edit alert service ${s.name}` : 'Add alert service';
  return (
    <form
      class="panel"
      aria-label={label}
      onSubmit={(ev) => {
        ev.preventDefault();
        void save();
      }}
    >
      <h2>{label}</h2>
      <div class="grid">
        <Field id="s-name" label="Name" error={e.name}>
          <input id="s-name" value={name} onInput={(ev) => setName(ev.currentTarget.value)} {...invalid('s-name', e.name)} />
        </Field>
        <Field id="s-type" label="Type" error={e['attributes.type']}>
          <select id="s-type" value={type} onChange={(ev) => setType(ev.currentTarget.value as ServiceType)}>
            {(Object.keys(TYPES) as ServiceType[]).map((t) => (
              <option value={t}>{TYPES[t]}</option>
            ))}
          </select>
        </Field>
        {type === 'Mail' ? (
          <Field id="s-email" label="Send to (e-mail)" error={e['attributes.email']} hint="Sent with the SMTP settings below">
            <input id="s-email" type="email" value={email} onInput={(ev) => setEmail(ev.currentTarget.value)} {...invalid('s-email', e['attributes.email'])} />
          </Field>
        ) : (
          <Field
            id="s-url"
            label={type === 'Slack' ? 'Incoming-webhook URL' : 'Webhook URL'}
            error={e['attributes.url']}
            hint={keepsUrl ? 'A URL is stored and not shown; leave blank to keep it' : 'The URL carries its token: it is stored encrypted and never shown again'}
          >
            <input id="s-url" type="password" autocomplete="off" value={url} onInput={(ev) => setUrl(ev.currentTarget.value)} {...invalid('s-url', e['attributes.url'])} />
          </Field>
        )}
        <Field id="s-level" label="Least severe level sent" error={e.level}>
          <select id="s-level" value={level} onChange={(ev) => setLevel(ev.currentTarget.value)}>
            {LEVELS.map((l) => (
              <option value={l}>{l}</option>
            ))}
          </select>
        </Field>
      </div>
      <label class="inline">
        <input type="checkbox" checked={enabled} onChange={(ev) => setEnabled(ev.currentTarget.checked)} /> Enabled
      </label>
      <ErrorBox message={errors.general} />
      {tested && (
        <p class="done" role="status">
          {tested}
        </p>
      )}
      <div class="actions">
        <ActionButton name="test" busy={busy} label="Send test alert" running="Sending…" onClick={test} />
      </div>
      <FormButtons busy={busy === 'save'} label="Save" onCancel={props.onDone} />
    </form>
  );
}

function ServiceRow(props: { s: Service; onEdit(): void }) {
  const rpc = useRpc();
  const { s } = props;
  const { busy, error, act } = useAction();
  const remove = () =>
    act('delete', async () => {
      if (confirm(`Delete the alert service ${s.name}?`)) await rpc.call('alertservice.delete', [s.id]);
    });
  return (
    <tr data-testid={`service-${s.id}`}>
      <td>{s.name}</td>
      <td>{s.type__title}</td>
      <td>{s.attributes.type === 'Mail' ? s.attributes.email : 'URL stored (hidden)'}</td>
      <td>{s.level}</td>
      <td>{s.enabled ? 'yes' : 'no'}</td>
      <td class="actions">
        <button type="button" onClick={props.onEdit}>
          Edit
        </button>
        <button type="button" class="danger" disabled={busy !== null} onClick={remove}>
          Delete
        </button>
        <ErrorBox message={error} />
      </td>
    </tr>
  );
}

export function AlertServicesPage(_props: { arg: string | null }) {
  const list = useLive((rpc) => rpc.call<Service[]>('alertservice.query', [[], { order_by: ['name', 'id'] }]), ['alertservice.query'], []);
  const [editing, setEditing] = useState<Service | 'new' | null>(null);
  return (
    <>
      <section aria-label="Alert services">
        <div class="toolbar">
          <button type="button" class="primary" disabled={editing !== null} onClick={() => setEditing('new')}>
            Add alert service
          </button>
        </div>
        {editing && <ServiceForm key={editing === 'new' ? 'new' : editing.id} service={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
        <ErrorBox message={list.error} />
        {list.data?.length === 0 ? (
          <p>No alert services: alerts are only shown here.</p>
        ) : (
          <Table columns={['Name', 'Type', 'Sends to', 'Level', 'Enabled', 'Actions']}>
            {list.data?.map((s) => (
              <ServiceRow key={s.id} s={s} onEdit={() => setEditing(s)} />
            ))}
          </Table>
        )}
      </section>
      <MailSettings />
    </>
  );
}
