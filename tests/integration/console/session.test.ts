/**
 * The web console's edges against a bare daemon (no vSphere or ZFS needed): how `/ui/` is served
 * (CSP, MIME types, no way out of the built folder), the admin-password log-in and log-out, a page
 * of another origin that cannot open the API, a daemon restart while the page is open (reconnect,
 * log in again, subscribe again) and a session that ends because its API key was deleted. axe-core
 * checks the log-in screens (light, dark, phone width).
 */
import { request } from 'node:http';
import { createServer } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { runDaemonCommand, startTestDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { checkA11y } from '../../helpers/axe.js';
import { startBrowser } from '../../helpers/browser.js';
import { tempDir } from '../../helpers/tmp-datastore.js';

const PASSWORD = 'console admin password';
/** The file's test: what lives across subtests (the restarted daemon) is torn down with it. */
const file = t;
const hashed = await runDaemonCommand(['hash-password'], { input: `${PASSWORD}\n` });
const dataDir = join(tempDir(t, 'vsnapd-console-data-'), 'data');
const config = { data_dir: dataDir, auth: { admin: { username: 'admin', password_hash: hashed.stdout.trim() } } };
let daemon: TestDaemon = await startTestDaemon(t, { config });
const port = daemon.port;
const key = await daemon.apiKey('console');
const base = `http://127.0.0.1:${port}/ui/`;
const browser = await startBrowser(t);
const page = await browser.page();
page.setDefaultTimeout(15_000);

/** A raw GET/POST of `path` (sent as is: no client-side `..` folding), to the daemon's TCP port. */
function raw(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('/ui/ is served with a strict CSP and MIME types, and nothing outside the built files', async (t) => {
  const index = await raw('/ui/');
  t.equal(index.status, 200);
  t.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  const csp = String(index.headers['content-security-policy']);
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) t.match(csp, d);
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/, 'no inline, no eval, no other host');
  t.equal(index.headers['x-content-type-options'], 'nosniff');
  t.notMatch(index.body, /<script>|style=/, 'no inline script or style in the page');
  t.equal((await raw('/ui/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
  t.equal((await raw('/ui/app.css')).headers['content-type'], 'text/css; charset=utf-8');
  const moved = await raw('/ui');
  t.equal(moved.status, 301);
  t.equal(moved.headers.location, '/ui/');
  for (const path of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/..%2fpackage.json', '/ui/%2e%2e%2f%2e%2e%2fpackage.json', '/ui/src/main.tsx', '/ui/nothing.js']) {
    const r = await raw(path);
    t.equal(r.status, 404, `${path} → 404`);
    t.notMatch(r.body, /"name": "vsnapd"/);
  }
  t.equal((await raw('/ui/', 'POST')).status, 405);
});

t.test('admin password: a wrong one is refused clearly; the right one logs in; log out', async (t) => {
  await page.goto(base);
  await page.getByRole('radio', { name: 'Admin password' }).check();
  t.equal(await page.getByLabel('User name').inputValue(), 'admin');
  await page.getByRole('textbox', { name: 'Password' }).fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').getByText('Wrong user name or password').waitFor();
  await checkA11y(t, page, 'password log-in with its error');
  await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'VMware connections' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You have logged out.').waitFor();
  await checkA11y(t, page, 'logged out');
  t.pass('logged in and out');
});

t.test('a cross-site page cannot open the API', async (t) => {
  const evil = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(
      `<!doctype html><title>loading</title><script>
        const ws = new WebSocket('ws://127.0.0.1:${port}/api/current');
        ws.onopen = () => { document.title = 'opened'; ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'core.ping', params: [] })); };
        ws.onerror = () => { document.title = 'refused'; };
      </script>`,
    );
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  t.teardown(() => evil.close());
  const errorsBefore = browser.errors.length;
  const evilPage = await browser.page();
  t.teardown(() => evilPage.close());
  await evilPage.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
  await evilPage.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title !== 'loading');
  t.equal(await evilPage.title(), 'refused', 'the WebSocket handshake of another origin fails');
  t.match(daemon.output(), /refused a cross-site browser handshake/);
  // The refused handshake is logged by the evil page itself: drop exactly those messages, and keep
  // every earlier one for the final check.
  const fromEvil = browser.errors.slice(errorsBefore);
  t.same(fromEvil.filter((e) => !/^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/api\/current' failed/.test(e)), [], 'the new console errors are the refused handshake\'s');
  browser.errors.splice(errorsBefore, fromEvil.length);
});

t.test('a daemon restart while the page is open: reconnect, log in again, subscribe again', async (t) => {
  await page.goto(base);
  await page.getByRole('textbox', { name: 'API key' }).fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.getByText('No alerts.').waitFor();
  const status = page.getByRole('status').filter({ hasText: /Connected|Reconnecting/ });
  await daemon.stop();
  await status.getByText('Reconnecting…').waitFor();
  // The same data folder (the key is still valid) on the same port: what a service restart is.
  daemon = await startTestDaemon(file, { config, args: ['--port', String(port)] });
  await status.getByText('Connected').waitFor();
  const root = await daemon.root();
  await root.call('alert.oneshot_create', 'TestAlert', { subject: 'after restart', error: 'live' });
  await page.getByTestId('alert-badge').getByText('1').waitFor();
  await page.getByText('Test alert about after restart: live.').waitFor();
  t.pass('the new alert arrived through the renewed subscription');
});

t.test('a deleted API key ends the session: back to log-in with a clear message', async (t) => {
  const root = await daemon.root();
  await root.call('api_key.delete', Number(key.split('-')[0]));
  await page.getByRole('link', { name: 'Snapshot tasks' }).click();
  await page.getByText(/Your session has ended: vsnapd no longer accepts it/).waitFor();
  t.equal(await page.getByRole('button', { name: 'Log in' }).count(), 1);
  await checkA11y(t, page, 'session ended');
  t.equal(await page.evaluate(() => (globalThis as unknown as { localStorage: { length: number }; sessionStorage: { length: number } }).localStorage.length), 0);
  t.same(browser.errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), [], 'no other console errors');
});
