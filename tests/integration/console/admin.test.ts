/**
 * The console's alerting and audit pages in Debian's chromium against the real daemon, with a real
 * SMTP server (AUTH required) and a real HTTP receiver on loopback: SMTP settings (a bad port on its
 * field; the password write-only: never shown, kept when left blank), Mail and Webhook alert services
 * created, tested (the test alert arrives), edited without re-entering the secret URL (it is never
 * put into the page and is kept) and deleted (asked first), a Slack service, the SMTP password
 * removed on request; the audit log filtered by user, method
 * and time and paged on the server. axe-core checks each page (light, dark, phone). Screenshots go
 * to client/console/screenshots with VSNAPD_SCREENSHOTS=1 (README).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { checkA11y } from '../../helpers/axe.js';
import { logIn, startBrowser } from '../../helpers/browser.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { smtpReceiver } from '../../helpers/smtp-receiver.js';
import { waitFor } from '../../helpers/wait.js';

const port = (s: { address(): AddressInfo | string | null }) => (s.address() as AddressInfo).port;
const SMTP_PASSWORD = 's3cret pass';
const TOKEN = 'tok-SECRET-4711';

const smtp = await smtpReceiver(t, { username: 'vsnapd', password: SMTP_PASSWORD });
const { mails } = smtp;

const posted: { url: string; body: Record<string, unknown> }[] = [];
const http = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => (posted.push({ url: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> }), res.writeHead(200).end('ok')));
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise<void>((r) => (http.closeAllConnections(), http.close(() => r()))));
const hookUrl = `http://127.0.0.1:${port(http)}/hook?token=${TOKEN}`;

const d = await startTestDaemon(t, { config: { alertservice: { timeout_seconds: 5, retries: 1, retry_delay_ms: 100 } } });
const root = await d.root();
const key = await d.apiKey('console');
const browser = await startBrowser(t);
const page = await browser.page();
page.setDefaultTimeout(30_000);

t.test('log in', () => logIn(page, `http://127.0.0.1:${d.port}/ui/`, key));

t.test('SMTP settings: a bad port on its field; the password is write-only and kept when left blank', async (t) => {
  await page.getByRole('link', { name: 'Alert services' }).click();
  const form = page.getByRole('form', { name: 'Mail settings' });
  await form.getByLabel('From address', { exact: true }).fill('nas@example.com');
  await form.getByLabel('SMTP server', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('Port', { exact: true }).fill('0');
  await form.getByLabel('Security', { exact: true }).selectOption('PLAIN');
  await form.getByLabel('Log in to the SMTP server', { exact: true }).check();
  await form.getByLabel('SMTP user', { exact: true }).fill('vsnapd');
  await form.getByLabel('SMTP password', { exact: true }).fill(SMTP_PASSWORD);
  await form.getByRole('button', { name: 'Save mail settings' }).click();
  await form.locator('#m-port[aria-invalid="true"]').waitFor();
  t.ok(await form.locator('#m-port-error').textContent(), 'the error sits on the port');
  await form.getByLabel('Port', { exact: true }).fill(String(smtp.port));
  await form.getByRole('button', { name: 'Save mail settings' }).click();
  await form.getByRole('status').getByText('Mail settings saved.').waitFor();
  t.match(await root.call('mail.config'), { outgoingserver: '127.0.0.1', port: smtp.port, smtp: true, user: 'vsnapd', pass: '********' });

  // Back on the page: the stored password is not in the form; saving another field keeps it.
  await page.getByRole('link', { name: 'Alerts', exact: true }).click();
  await page.getByRole('link', { name: 'Alert services' }).click();
  await form.getByText('A password is stored and not shown; leave blank to keep it').waitFor();
  t.equal(await form.getByLabel('SMTP password', { exact: true }).inputValue(), '', 'the password is never put into the page');
  await form.getByLabel('From name', { exact: true }).fill('vsnapd NAS');
  await form.getByRole('button', { name: 'Save mail settings' }).click();
  await form.getByRole('status').getByText('Mail settings saved.').waitFor();
  t.match(await root.call('mail.config'), { fromname: 'vsnapd NAS', pass: '********' });
  await checkA11y(t, page, 'alert services');
  await browser.screenshot(page, 'mail-settings');
});

t.test('a Mail service: tested (the mail arrives, sent with the kept password), saved', async (t) => {
  await page.getByRole('button', { name: 'Add alert service' }).click();
  const form = page.getByRole('form', { name: 'Add alert service' });
  await form.getByLabel('Name', { exact: true }).fill('ops mail');
  await form.getByLabel('Send to (e-mail)', { exact: true }).fill('ops@example.com');
  await form.getByRole('button', { name: 'Send test alert' }).click();
  await form.getByRole('status').getByText('Test alert sent through "ops mail".').waitFor();
  const mail = await waitFor('the test mail', () => mails.find((m) => m.to.includes('ops@example.com')) ?? null);
  t.equal(mail.user, 'vsnapd', 'logged in with the stored password');
  t.match(mail.data, /Test alert from vsnapd/);
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });
  const [svc] = await root.call<{ id: number }[]>('alertservice.query', [['name', '=', 'ops mail']]);
  t.match(await page.getByTestId(`service-${svc!.id}`).textContent(), /ops mailEmailops@example\.comWARNINGyes/);
});

t.test('a Webhook service: a bad URL on its field; the secret URL is never shown and kept on edit; delete asks first', async (t) => {
  await page.getByRole('button', { name: 'Add alert service' }).click();
  const form = page.getByRole('form', { name: 'Add alert service' });
  await form.getByLabel('Name', { exact: true }).fill('hook');
  await form.getByLabel('Type', { exact: true }).selectOption('Webhook');
  await form.getByLabel('Webhook URL', { exact: true }).fill('not a url');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.locator('#s-url[aria-invalid="true"]').waitFor();
  t.match(await form.locator('#s-url-error').textContent(), /http:\/\/ or https:\/\//);
  await form.getByLabel('Webhook URL', { exact: true }).fill(hookUrl);
  await form.getByRole('button', { name: 'Send test alert' }).click();
  await form.getByRole('status').getByText('Test alert sent through "hook".').waitFor();
  t.equal(posted.length, 1, 'the receiver got the test alert');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });
  const [svc] = await root.call<{ id: number; attributes: { url: string } }[]>('alertservice.query', [['name', '=', 'hook']]);
  t.equal(svc?.attributes.url, '********');
  const row = page.getByTestId(`service-${svc!.id}`);
  await row.getByText('URL stored (hidden)').waitFor();

  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit alert service hook' });
  t.equal(await edit.getByLabel('Webhook URL', { exact: true }).inputValue(), '', 'the URL is not put into the form');
  t.notOk((await page.content()).includes(TOKEN), 'the token is nowhere in the page');
  await edit.getByLabel('Least severe level sent', { exact: true }).selectOption('ERROR');
  await edit.getByRole('button', { name: 'Send test alert' }).click();
  await edit.getByRole('status').getByText('Test alert sent through "hook".').waitFor();
  t.equal(posted[1]?.url, `/hook?token=${TOKEN}`, 'left blank, the stored URL is used');
  await browser.screenshot(page, 'alert-services');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.waitFor({ state: 'detached' });
  await row.getByText('ERROR').waitFor();

  const messages: string[] = [];
  page.once('dialog', (dlg) => (messages.push(dlg.message()), void dlg.dismiss()));
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('button', { name: 'Delete' }).waitFor();
  t.equal(messages[0], 'Delete the alert service hook?');
  t.equal((await root.call<unknown[]>('alertservice.query')).length, 2, 'cancelled: still there');
  page.once('dialog', (dlg) => void dlg.accept());
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
  t.same(await root.call('alertservice.query', [['name', '=', 'hook']]), []);
});

t.test('a Slack service is saved with its URL hidden; the stored SMTP password is removed on request', async (t) => {
  await page.getByRole('link', { name: 'Alert services' }).click();
  await page.getByRole('button', { name: 'Add alert service' }).click();
  const form = page.getByRole('form', { name: 'Add alert service' });
  await form.getByLabel('Name', { exact: true }).fill('team chat');
  await form.getByLabel('Type', { exact: true }).selectOption('Slack');
  await form.getByLabel('Incoming-webhook URL', { exact: true }).fill(`https://hooks.slack.example/services/${TOKEN}`);
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });
  const [svc] = await root.call<{ id: number; attributes: Record<string, string> }[]>('alertservice.query', [['name', '=', 'team chat']]);
  t.same(svc?.attributes, { type: 'Slack', url: '********' });
  await page.getByTestId(`service-${svc!.id}`).getByText('URL stored (hidden)').waitFor();
  t.notOk((await page.content()).includes(TOKEN), 'the token is nowhere in the page');

  const mail = page.getByRole('form', { name: 'Mail settings' });
  await mail.getByLabel('Remove the stored password', { exact: true }).check();
  t.ok(await mail.getByLabel('SMTP password', { exact: true }).isDisabled(), 'no password to type while removing it');
  await mail.getByRole('button', { name: 'Save mail settings' }).click();
  await mail.getByRole('status').getByText('Mail settings saved.').waitFor();
  await mail.getByText('A password is stored and not shown; leave blank to keep it').waitFor({ state: 'detached' });
  t.equal((await root.call<{ pass: string }>('mail.config')).pass, '', 'the password is gone');
});

t.test('audit log: filtered by user, method and time, paged on the server', async (t) => {
  // 25 more audited write calls, so one method has more records than a page.
  for (let i = 0; i < 25; i++) await root.call('mail.update', { fromname: `NAS ${i}` });
  await page.getByRole('link', { name: 'Audit log' }).click();
  const region = page.getByRole('region', { name: 'Audit log' });
  await region.getByTestId(/^audit-/).first().waitFor();
  await region.getByLabel('Method starts with', { exact: true }).fill('alertservice.create');
  await region.getByRole('row').filter({ hasText: 'alertservice.create' }).first().waitFor();
  const rows = region.getByTestId(/^audit-/);
  const expected = await root.call<number>('audit.query', [['event_data.method', '=', 'alertservice.create']], { count: true });
  await waitFor('the filtered rows', async () => ((await rows.count()) === expected ? true : null));
  t.ok(expected >= 3, `alertservice.create records: ${expected} (two saved, one refused)`);
  t.match(await rows.filter({ hasText: 'failed' }).first().textContent(), /alertservice\.create/, 'the refused create is listed as failed');
  await checkA11y(t, page, 'audit log');
  await browser.screenshot(page, 'audit');

  await region.getByLabel('Method starts with', { exact: true }).fill('mail.update');
  const pager = region.getByRole('navigation', { name: 'Pages' });
  const total = await root.call<number>('audit.query', [['event_data.method', '=', 'mail.update']], { count: true });
  await pager.getByText(`1–20 of ${total}`).waitFor();
  await pager.getByRole('button', { name: 'Next' }).click();
  await pager.getByText(`21–${Math.min(40, total)} of ${total}`).waitFor();

  await region.getByLabel('User', { exact: true }).fill('nobody');
  await region.getByText('No audit records match.').waitFor();
  await region.getByLabel('User', { exact: true }).fill('');
  const p2 = (n: number) => String(n).padStart(2, '0');
  const tomorrow = new Date(Date.now() + 86_400_000);
  await region.getByLabel('From', { exact: true }).fill(`${tomorrow.getFullYear()}-${p2(tomorrow.getMonth() + 1)}-${p2(tomorrow.getDate())}T00:00`);
  await region.getByText('No audit records match.').waitFor();
  t.pass('a time range in the future selects nothing');
  t.same(browser.errors, [], 'no console errors (CSP violations would be logged here)');
});
