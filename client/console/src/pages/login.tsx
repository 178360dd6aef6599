/** Log-in: an API key (`<id>-<secret>`) or the admin password, through `auth.login_ex`. */
import { useState } from 'preact/hooks';
import { describe } from '../format.js';
import { ErrorBox, Field, useRpc } from '../ui.js';

export function LoginPage(props: { notice: string | null; onLogin(): void }) {
  const rpc = useRpc();
  const [mechanism, setMechanism] = useState<'API_KEY_PLAIN' | 'PASSWORD_PLAIN'>('API_KEY_PLAIN');
  const [username, setUsername] = useState('root');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await rpc.login(
        mechanism === 'API_KEY_PLAIN' ? { mechanism, username, api_key: secret.trim() } : { mechanism, username, password: secret },
      );
      setSecret('');
      props.onLogin();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  const pick = (m: typeof mechanism) => {
    setMechanism(m);
    setUsername(m === 'API_KEY_PLAIN' ? 'root' : 'admin');
    setSecret('');
  };
  return (
    <main class="login">
      <h1>vsnapd</h1>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      <form onSubmit={submit} aria-label="Log in">
        <fieldset>
          <legend>Log in with</legend>
          <label class="inline">
            <input type="radio" name="mechanism" checked={mechanism === 'API_KEY_PLAIN'} onChange={() => pick('API_KEY_PLAIN')} /> API key
          </label>
          <label class="inline">
            <input type="radio" name="mechanism" checked={mechanism === 'PASSWORD_PLAIN'} onChange={() => pick('PASSWORD_PLAIN')} /> Admin password
          </label>
        </fieldset>
        <Field id="username" label="User name" hint={mechanism === 'API_KEY_PLAIN' ? 'The user the key belongs to (root for keys made with midclt on the NAS)' : 'auth.admin.username (admin)'}>
          <input id="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
        </Field>
        <Field id="secret" label={mechanism === 'API_KEY_PLAIN' ? 'API key' : 'Password'}>
          <input id="secret" type="password" autocomplete={mechanism === 'API_KEY_PLAIN' ? 'off' : 'current-password'} value={secret} onInput={(e) => setSecret(e.currentTarget.value)} required />
        </Field>
        <ErrorBox message={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
