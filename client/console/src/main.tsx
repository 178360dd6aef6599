/**
 * The console's shell: log-in screen, header (navigation, alert badge, link state, log out) and the
 * page chosen by the URL hash (#/connections, #/tasks, #/runs, #/protection, #/restore, #/alerts,
 * #/alertservices, #/audit).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AlertServicesPage } from './pages/alert-services.js';
import { AlertsPage } from './pages/alerts.js';
import { AuditPage } from './pages/audit.js';
import { ConnectionsPage } from './pages/connections.js';
import { LoginPage } from './pages/login.js';
import { ProtectionPage } from './pages/protection.js';
import { RestorePage } from './pages/restore.js';
import { RunsPage } from './pages/runs.js';
import { TasksPage } from './pages/tasks.js';
import { Rpc, type LinkState } from './rpc.js';
import { RpcContext, useLive, useRpc } from './ui.js';

const PAGES = {
  connections: { title: 'VMware connections', view: ConnectionsPage },
  tasks: { title: 'Snapshot tasks', view: TasksPage },
  runs: { title: 'Runs', view: RunsPage },
  protection: { title: 'Protection', view: ProtectionPage },
  restore: { title: 'Restore', view: RestorePage },
  alerts: { title: 'Alerts', view: AlertsPage },
  alertservices: { title: 'Alert services', view: AlertServicesPage },
  audit: { title: 'Audit log', view: AuditPage },
} as const;
type PageName = keyof typeof PAGES;

function pageFromHash(): { page: PageName; arg: string | null } {
  const [, name, arg] = location.hash.split('/');
  return { page: name && name in PAGES ? (name as PageName) : 'connections', arg: arg ? decodeURIComponent(arg) : null };
}

function AlertBadge() {
  const alerts = useLive((rpc) => rpc.call<{ dismissed: boolean }[]>('alert.list'), ['alert.list'], []);
  const n = alerts.data?.filter((a) => !a.dismissed).length ?? 0;
  return n > 0 ? (
    <span class="badge" aria-label={`${n} active alerts`} data-testid="alert-badge">
      {n}
    </span>
  ) : null;
}

function Shell(props: { link: LinkState; onLogout(): void }) {
  const rpc = useRpc();
  const [route, setRoute] = useState(pageFromHash());
  useEffect(() => {
    const on = () => setRoute(pageFromHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const Page = PAGES[route.page].view;
  return (
    <>
      <header>
        <strong class="brand">vsnapd</strong>
        <nav aria-label="Sections">
          {(Object.keys(PAGES) as PageName[]).map((p) => (
            <a href={`#/${p}`} aria-current={p === route.page ? 'page' : undefined}>
              {PAGES[p].title}
              {p === 'alerts' && <AlertBadge />}
            </a>
          ))}
        </nav>
        <span class={`link ${props.link}`} role="status">
          {props.link === 'open' ? 'Connected' : props.link === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </span>
        <button type="button" onClick={() => void rpc.logout().then(props.onLogout)}>
          Log out
        </button>
      </header>
      <main>
        <h1>{PAGES[route.page].title}</h1>
        <Page arg={route.arg} />
      </main>
    </>
  );
}

function App() {
  const [rpc] = useState(() => new Rpc());
  const [loggedIn, setLoggedIn] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [link, setLink] = useState<LinkState>('connecting');
  useEffect(() => {
    rpc.onLink = setLink;
    rpc.onExpired = (message) => {
      setNotice(message);
      setLoggedIn(false);
    };
    rpc.onResumed = () => window.dispatchEvent(new Event('vsnapd-resumed'));
  }, [rpc]);
  return (
    <RpcContext.Provider value={rpc}>
      {loggedIn ? (
        <Shell link={link} onLogout={() => (setNotice('You have logged out.'), setLoggedIn(false))} />
      ) : (
        <LoginPage notice={notice} onLogin={() => (setNotice(null), setLoggedIn(true))} />
      )}
    </RpcContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
