/**
 * Add/edit a VMware connection: "Fetch datastores" (`vmware.match_datastores_with_datasets`) shows
 * which local dataset backs each datastore and the user confirms the pairing by ticking the
 * datastores to cover; "Test" (`vmware.test`) tries the draft (or, when editing, the saved entry with
 * the edited fields, reusing the stored password) and offers to pin an untrusted certificate;
 * "Save" creates or updates, with each API error next to its field.
 */
import { useState } from 'preact/hooks';
import { formErrors, type FormErrors } from '../format.js';
import { ActionButton, ErrorBox, Field, FormButtons, invalid, Table, useLive, useRpc } from '../ui.js';
import { TestResultView, type TestResult } from './test-result.js';
import type { VmwareEntry } from './vmware-entry.js';

interface MatchResult {
  datastores: { name: string; description: string; filesystems: string[] }[];
}

interface Draft {
  hostname: string;
  port: string;
  username: string;
  password: string;
  filesystem: string;
  verify: boolean;
  thumbprint: string;
  ca: string;
  enabled: boolean;
}

const NO_ERRORS: FormErrors = { fields: {}, general: null };

function initial(e: VmwareEntry | null): Draft {
  return {
    hostname: e?.hostname ?? '',
    port: String(e?.port ?? 443),
    username: e?.username ?? '',
    password: '',
    filesystem: e?.filesystem ?? '',
    verify: e?.tls.verify ?? true,
    thumbprint: e?.tls.thumbprint ?? '',
    ca: e?.tls.ca ?? '',
    enabled: e?.enabled ?? true,
  };
}

/** The connection fields of the draft, as the API takes them (password only when typed). */
function credentials(d: Draft): Record<string, unknown> {
  const port = Number(d.port);
  return {
    hostname: d.hostname.trim(),
    username: d.username.trim(),
    ...(d.password ? { password: d.password } : {}),
    port: Number.isInteger(port) ? port : d.port,
    tls: { verify: d.verify, thumbprint: d.thumbprint.trim() || null, ca: d.ca.trim() || null },
  };
}

export function ConnectionForm(props: { entry: VmwareEntry | null; onDone(): void }) {
  const rpc = useRpc();
  const editing = props.entry;
  const [d, setD] = useState<Draft>(() => initial(editing));
  const [match, setMatch] = useState<MatchResult | null>(null);
  const [chosen, setChosen] = useState<string[]>(editing?.datastores ?? []);
  const [test, setTest] = useState<TestResult | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState<string | null>(null);
  const filesystems = useLive((r) => r.call<string[]>('pool.filesystem_choices'), [], []);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((old) => ({ ...old, [k]: v }));
  const err = (f: string) => errors.fields[f];
  // When editing with the password left blank, the saved entry (and its stored password) is used.
  const useSaved = editing !== null && d.password === '';

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setErrors(NO_ERRORS);
    try {
      await fn();
    } catch (e) {
      setErrors(formErrors(e, d.hostname));
    } finally {
      setBusy(null);
    }
  };

  const fetchDatastores = () =>
    run('fetch', async () => {
      const m = await rpc.call<MatchResult>('vmware.match_datastores_with_datasets', [useSaved ? editing.id : credentials(d)]);
      setMatch(m);
      if (!editing || chosen.length === 0) setChosen(m.datastores.filter((ds) => ds.filesystems.includes(d.filesystem)).map((ds) => ds.name));
    });

  const runTest = () =>
    run('test', async () => {
      const overlay = credentials(d);
      setTest(await rpc.call<TestResult>('vmware.test', editing ? [editing.id, overlay] : [{ ...overlay, password: d.password }]));
    });

  const save = (ev: Event) => {
    ev.preventDefault();
    return run('save', async () => {
      const body = { ...credentials(d), filesystem: d.filesystem.trim(), enabled: d.enabled, ...(match || editing ? { datastores: chosen } : {}) };
      if (editing) await rpc.call('vmware.update', [editing.id, body]);
      else await rpc.call('vmware.create', [{ ...body, password: d.password }]);
      props.onDone();
    });
  };

  const text = (id: keyof Draft, label: string, extra: Record<string, unknown> = {}, hint?: string) => (
    <Field id={`c-${id}`} label={label} error={err(id)} {...(hint ? { hint } : {})}>
      <input id={`c-${id}`} value={d[id] as string} onInput={(e) => set(id, e.currentTarget.value as never)} {...invalid(`c-${id}`, err(id))} {...extra} />
    </Field>
  );

  return (
    <form class="panel" onSubmit={save} aria-label={editing ? `Edit connection ${editing.hostname}` : 'Add connection'}>
      <h2>{editing ? `Edit ${editing.hostname}` : 'Add a VMware connection'}</h2>
      <div class="grid">
        {text('hostname', 'vCenter or ESXi host', { required: true, autocomplete: 'off' })}
        {text('port', 'Port', { inputmode: 'numeric' })}
        {text('username', 'User name', { required: true, autocomplete: 'off' })}
        {text('password', 'Password', { type: 'password', autocomplete: 'new-password', required: !editing, placeholder: editing ? '******** (unchanged)' : '' }, editing ? 'Leave blank to keep the stored password' : undefined)}
        <Field id="c-filesystem" label="Filesystem (dataset)" error={err('filesystem')}>
          <input id="c-filesystem" list="c-filesystems" value={d.filesystem} onInput={(e) => set('filesystem', e.currentTarget.value)} required {...invalid('c-filesystem', err('filesystem'))} />
          <datalist id="c-filesystems">{filesystems.data?.map((f) => <option value={f} />)}</datalist>
        </Field>
        {text('thumbprint', 'Pinned certificate fingerprint', { autocomplete: 'off', spellcheck: false }, 'SHA-256 (or vCenter\'s SHA-1); empty = verify against the CAs')}
        <Field id="c-ca" label="Custom CA (PEM)" error={err('tls.ca') ?? err('tls')}>
          <textarea id="c-ca" rows={2} value={d.ca} onInput={(e) => set('ca', e.currentTarget.value)} />
        </Field>
        <div class="checks">
          <label class="inline">
            <input type="checkbox" checked={d.verify} onChange={(e) => set('verify', e.currentTarget.checked)} /> Verify the certificate
          </label>
          <label class="inline">
            <input type="checkbox" checked={d.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} /> Enabled
          </label>
        </div>
      </div>
      {err('tls.thumbprint') && <ErrorBox message={err('tls.thumbprint')} />}
      <div class="actions">
        <ActionButton name="fetch" busy={busy} label="Fetch datastores" running="Fetching…" onClick={fetchDatastores} />
        <ActionButton name="test" busy={busy} label="Test connection" running="Testing…" onClick={runTest} />
      </div>
      {test && <TestResultView result={test} onPin={(sha) => set('thumbprint', sha)} />}
      {match && (
        <fieldset class="pairing" aria-label="Datastore pairing">
          <legend>Datastores to cover (tick to confirm the pairing)</legend>
          <Table columns={['Cover', 'Datastore', 'Backed by (local dataset)']}>
              {match.datastores.map((ds) => (
                <tr class={ds.filesystems.includes(d.filesystem) ? 'paired' : ''}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Cover ${ds.name}`}
                      checked={chosen.includes(ds.name)}
                      onChange={(e) => setChosen((c) => (e.currentTarget.checked ? [...c, ds.name] : c.filter((n) => n !== ds.name)))}
                    />
                  </td>
                  <td>{ds.name}</td>
                  <td>{ds.filesystems.join(', ') || 'no local dataset'}</td>
                </tr>
              ))}
          </Table>
        </fieldset>
      )}
      {(err('datastores') || err('datastore')) && <ErrorBox message={err('datastores') ?? err('datastore')} />}
      <ErrorBox message={errors.general} />
      <FormButtons busy={busy === 'save'} label={match || editing ? `Save with ${chosen.length} datastore${chosen.length === 1 ? '' : 's'}` : 'Save'} onCancel={props.onDone} />
    </form>
  );
}
