/**
 * SMTP settings (`mail.config` / `mail.update`, TrueNAS's fields) that Mail alert services send
 * with. The password is write-only: the form never holds the stored one; left blank it is not
 * sent, which keeps it ("Remove the stored password" sends an empty one).
 */
import { useEffect, useState } from 'preact/hooks';
import { formErrors, MASKED, type FormErrors } from '../format.js';
import { ErrorBox, Field, invalid, useAction, useLive, useRpc } from '../ui.js';

/** `mail.config`'s result (its `id` is always 1). */
interface MailConfig {
  id: number;
  fromemail: string;
  fromname: string;
  outgoingserver: string;
  port: number;
  security: 'PLAIN' | 'SSL' | 'TLS';
  smtp: boolean;
  user: string;
  pass: string;
}

export function MailSettings() {
  const rpc = useRpc();
  const stored = useLive((r) => r.call<MailConfig>('mail.config'), [], []);
  const [form, setForm] = useState<Omit<MailConfig, 'id' | 'pass'> | null>(null);
  const [pass, setPass] = useState('');
  const [clearPass, setClearPass] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, general: null });
  const [saved, setSaved] = useState(false);
  const { busy, act } = useAction();
  useEffect(() => {
    if (stored.data) {
      const { fromemail, fromname, outgoingserver, port, security, smtp, user } = stored.data;
      setForm({ fromemail, fromname, outgoingserver, port, security, smtp, user });
    }
  }, [stored.data]);
  if (!form) return <ErrorBox message={stored.error} />;
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => (setSaved(false), setForm({ ...form, [k]: v }));
  const hasPass = stored.data?.pass === MASKED;
  const save = () =>
    act('save', async () => {
      try {
        await rpc.call('mail.update', [{ ...form, ...(clearPass ? { pass: '' } : pass ? { pass } : {}) }]);
        setErrors({ fields: {}, general: null });
        setPass('');
        setClearPass(false);
        setSaved(true);
        stored.reload();
      } catch (err) {
        setErrors(formErrors(err));
      }
    });
  const e = errors.fields;
  return (
    <form
      class="panel"
      aria-label="Mail settings"
      onSubmit={(ev) => {
        ev.preventDefault();
        void save();
      }}
    >
      <h2>Mail settings (SMTP)</h2>
      <div class="grid">
        <Field id="m-fromemail" label="From address" error={e.fromemail}>
          <input id="m-fromemail" type="email" value={form.fromemail} onInput={(ev) => set('fromemail', ev.currentTarget.value)} {...invalid('m-fromemail', e.fromemail)} />
        </Field>
        <Field id="m-fromname" label="From name" error={e.fromname}>
          <input id="m-fromname" value={form.fromname} onInput={(ev) => set('fromname', ev.currentTarget.value)} {...invalid('m-fromname', e.fromname)} />
        </Field>
        <Field id="m-server" label="SMTP server" error={e.outgoingserver}>
          <input id="m-server" value={form.outgoingserver} onInput={(ev) => set('outgoingserver', ev.currentTarget.value)} {...invalid('m-server', e.outgoingserver)} />
        </Field>
        <Field id="m-port" label="Port" error={e.port}>
          <input id="m-port" type="number" value={form.port} onInput={(ev) => set('port', Number(ev.currentTarget.value))} {...invalid('m-port', e.port)} />
        </Field>
        <Field id="m-security" label="Security" error={e.security}>
          <select id="m-security" value={form.security} onChange={(ev) => set('security', ev.currentTarget.value as MailConfig['security'])}>
            <option value="PLAIN">none (plain)</option>
            <option value="SSL">SSL (implicit TLS)</option>
            <option value="TLS">TLS (STARTTLS)</option>
          </select>
        </Field>
      </div>
      <label class="inline">
        <input type="checkbox" checked={form.smtp} onChange={(ev) => set('smtp', ev.currentTarget.checked)} /> Log in to the SMTP server
      </label>
      {form.smtp && (
        <div class="grid">
          <Field id="m-user" label="SMTP user" error={e.user}>
            <input id="m-user" autocomplete="off" value={form.user} onInput={(ev) => set('user', ev.currentTarget.value)} {...invalid('m-user', e.user)} />
          </Field>
          <Field id="m-pass" label="SMTP password" error={e.pass} hint={hasPass ? 'A password is stored and not shown; leave blank to keep it' : undefined}>
            <input id="m-pass" type="password" autocomplete="new-password" value={pass} disabled={clearPass} onInput={(ev) => (setSaved(false), setPass(ev.currentTarget.value))} {...invalid('m-pass', e.pass)} />
          </Field>
          {hasPass && (
            <label class="inline">
              <input type="checkbox" checked={clearPass} onChange={(ev) => setClearPass(ev.currentTarget.checked)} /> Remove the stored password
            </label>
          )}
        </div>
      )}
      <ErrorBox message={errors.general} />
      {saved && (
        <p class="done" role="status">
          Mail settings saved.
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy !== null}>
          {busy ? 'Saving…' : 'Save mail settings'}
        </button>
      </div>
    </form>
  );
}
