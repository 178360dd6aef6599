/**
 * The web console's main workflow in Debian's chromium against the real daemon, vcsim and zfs-fuse
 * (the vmware world): log in, add a connection through test (untrusted certificate → pin its
 * fingerprint), "Fetch datastores" (a vCenter that never answers first: "Cannot reach"), the
 * pairing, save; re-test it without the password; create a task with VMware sync (validation errors
 * on the fields first), plan it, run it and watch its progress, read its report; export the
 * inventory; page through more connections than fit a page; dismiss and restore an alert whose
 * text carries HTML; log out. axe-core checks every page (light, dark, phone width). Screenshots
 * of the steps go to client/console/screenshots with VSNAPD_SCREENSHOTS=1 (README).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { checkA11y } from '../../helpers/axe.js';
import { startBrowser } from '../../helpers/browser.js';
import { startVmwareWorld, VC_PASSWORD, VC_USER } from '../../helpers/vmware-world.js';

// A TCP peer that accepts and never speaks: a vCenter that does not answer (connect timeout).
const silent = createServer((s: Socket) => sockets.add(s));
const sockets = new Set<Socket>();
await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
t.teardown(() => {
  for (const s of sockets) s.destroy();
  silent.close();
});
const silentPort = (silent.address() as { port: number }).port;

const w = await startVmwareWorld(t, { config: { vmware: { connect_timeout_seconds: 1, poll_interval_seconds: 3600 } } });
const key = await w.daemon.apiKey('console');
const browser = await startBrowser(t);

/** What the progress recorder uses of the page's global object (the test's tsconfig has no DOM types). */
interface PageGlobals {
  progressSeen: string[];
  document: { body: unknown; querySelector(selector: string): { textContent: string | null } | null };
  MutationObserver: new (cb: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
}
const page = await browser.page();
page.setDefaultTimeout(15_000);

/** A JSON-RPC reply as the probe reads it. */
interface ProbeReply {
  result?: unknown;
  error?: { code: number; data?: { errname?: string } };
}
/**
 * The page's own API connection, routed through Playwright (`page.routeWebSocket`; every message
 * passes unchanged to the real daemon and back): `probe` sends a call on that same connection, as
 * the logged-in (or logged-out) page, and resolves with the reply, which the page never sees.
 */
let pageSocket: { probe(method: string, params?: unknown[]): Promise<ProbeReply> } | null = null;
await page.routeWebSocket(/\/api\/current$/, (ws) => {
  const server = ws.connectToServer();
  const waiting = new Map<string, (r: ProbeReply) => void>();
  let n = 0;
  server.onMessage((message) => {
    const text = typeof message === 'string' ? message : message.toString('utf8');
    const reply = text.includes('"probe-') ? (JSON.parse(text) as ProbeReply & { id?: unknown }) : null;
    const done = typeof reply?.id === 'string' ? waiting.get(reply.id) : undefined;
    if (!done) return ws.send(message);
    waiting.delete(reply!.id as string);
    done(reply!);
  });
  pageSocket = {
    probe: (method, params = []) =>
      new Promise((resolve) => {
        const probeId = `probe-${++n}`;
        waiting.set(probeId, resolve);
        server.send(JSON.stringify({ jsonrpc: '2.0', id: probeId, method, params }));
      }),
  };
});
const base = `http://127.0.0.1:${w.daemon.port}/ui/`;

t.test('log in: a wrong key is refused with a clear message, the right one opens the console', async (t) => {
  const res = await page.goto(base);
  t.match(res?.headers()['content-security-policy'], /script-src 'self'/);
  await page.getByRole('textbox', { name: 'API key' }).fill('1-wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').getByText('Wrong user name or API key').waitFor();
  await browser.screenshot(page, 'login');
  await checkA11y(t, page, 'login');
  await page.getByRole('textbox', { name: 'API key' }).fill(key);
  await page.keyboard.press('Enter'); // by keyboard: Enter submits the form
  await page.getByRole('heading', { name: 'VMware connections' }).waitFor();
  t.equal(await page.evaluate<number>('localStorage.length + sessionStorage.length'), 0, 'nothing of the login is stored in the browser');
});

t.test('add a connection: test, pin the certificate, fetch datastores (timeout first), confirm the pairing, save', async (t) => {
  await page.getByRole('button', { name: 'Add connection' }).click();
  const form = page.getByRole('form', { name: 'Add connection' });
  await form.getByLabel('vCenter or ESXi host').fill('127.0.0.1');
  await form.getByLabel('Port').fill(String(silentPort));
  await form.getByLabel('User name').fill(VC_USER);
  await form.getByLabel('Password', { exact: true }).fill(VC_PASSWORD);
  await form.getByLabel('Filesystem (dataset)').fill(w.ds.vmware);
  await form.getByRole('button', { name: 'Fetch datastores' }).click();
  const unreachable = form.getByRole('alert').filter({ hasText: 'Cannot reach 127.0.0.1' });
  await unreachable.waitFor();
  t.match(await unreachable.textContent(), /did not answer in time/);
  await browser.screenshot(page, 'connection-timeout');

  await form.getByLabel('Port').fill(String(w.vc.port));
  await form.getByRole('button', { name: 'Test connection' }).click();
  const result = form.getByTestId('test-result');
  await result.getByTestId('fingerprint').waitFor();
  t.match(await result.textContent(), /Test failed \(tls\).*not trusted\./);
  const shown = (await result.getByTestId('fingerprint').textContent())?.trim();
  t.equal(shown?.replace(/:/g, '').toLowerCase(), w.vc.thumbprintSha256.replace(/:/g, '').toLowerCase(), 'the fingerprint shown is the simulator\'s');
  await browser.screenshot(page, 'connection-untrusted');
  await result.getByRole('button', { name: 'Pin this certificate' }).click();
  t.equal(await form.getByLabel('Pinned certificate fingerprint').inputValue(), shown);
  await form.getByRole('button', { name: 'Test connection' }).click();
  await form.getByTestId('test-result').getByText(/Connected to .* in \d+ ms/).waitFor();

  await form.getByRole('button', { name: 'Fetch datastores' }).click();
  const pairing = form.getByRole('group', { name: 'Datastore pairing' });
  await pairing.waitFor();
  t.ok(await pairing.getByLabel('Cover vmstore').isChecked(), 'vmstore (backed by the filesystem) is pre-selected');
  t.notOk(await pairing.getByLabel('Cover foreign').isChecked(), 'a datastore of another NAS is not');
  t.match(await pairing.getByRole('row').filter({ hasText: 'vmstore' }).textContent(), w.ds.vmware);
  await browser.screenshot(page, 'connection-pairing');
  await checkA11y(t, page, 'connection form');
  await form.getByRole('button', { name: 'Save with 1 datastore' }).click();
  await form.waitFor({ state: 'detached' });

  const [entry] = await w.root.call<{ id: number; datastores: string[]; tls: { thumbprint: string } }[]>('vmware.query');
  t.same(entry?.datastores, ['vmstore']);
  t.equal(entry?.tls.thumbprint, shown);
  const card = page.getByTestId(`connection-${entry!.id}`);
  await card.getByText(`pinned ${shown}`).waitFor();
});

t.test('re-test the saved connection without the password; its health updates live', async (t) => {
  const [entry] = await w.root.call<{ id: number }[]>('vmware.query');
  const card = page.getByTestId(`connection-${entry!.id}`);
  await card.getByRole('button', { name: 'Test' }).click();
  await card.getByTestId('test-result').getByText(/Connected to/).waitFor();
  // The test recorded health (vmware.query event → the card reloads): VM counts appear.
  await card.getByText(/\d+ hosts, \d+ VMs \(\d+ protected\)/).waitFor();
  t.pass('health observed');
  await browser.screenshot(page, 'connections');
  await checkA11y(t, page, 'connections');
  // Phone width: everything fits the viewport (no sideways scrolling); then the dark theme.
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
  t.ok(width <= 390, `page width at a 390 px viewport: ${width} px`);
  await browser.screenshot(page, 'phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const background = await page.evaluate(() => {
    const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } };
    return g.getComputedStyle(g.document.body).backgroundColor;
  });
  t.equal(background, 'rgb(17, 20, 24)', 'the dark palette applies');
  await browser.screenshot(page, 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

t.test('edit: a wrong password is refused on its field; left blank, the stored one is kept and tested', async (t) => {
  const [entry] = await w.root.call<{ id: number }[]>('vmware.query');
  await page.getByTestId(`connection-${entry!.id}`).getByRole('button', { name: 'Edit' }).click();
  const form = page.getByRole('form', { name: 'Edit connection 127.0.0.1' });
  const password = form.getByLabel('Password', { exact: true });
  t.equal(await password.inputValue(), '', 'the password is never sent to the page');
  await password.fill('not-the-password');
  await form.getByRole('button', { name: /^Save/ }).click();
  await form.locator('#c-password[aria-invalid="true"]').waitFor();
  t.ok(await form.locator('#c-password-error').textContent(), 'the login failure sits on the password field');
  await password.fill('');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await form.getByTestId('test-result').getByText(/Connected to/).waitFor();
  await form.getByRole('button', { name: 'Save with 1 datastore' }).click();
  await form.waitFor({ state: 'detached' });
  const [after] = await w.root.call<{ datastores: string[] }[]>('vmware.query');
  t.same(after?.datastores, ['vmstore']);
});

t.test('inventory export downloads vmware.inventory as JSON', async (t) => {
  const [entry] = await w.root.call<{ id: number }[]>('vmware.query');
  const card = page.getByTestId(`connection-${entry!.id}`);
  const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Export inventory' }).click()]);
  t.equal(download.suggestedFilename(), `vmware-inventory-${entry!.id}.json`);
  const doc = JSON.parse(await readFile((await download.path())!, 'utf8')) as { format: string; vms: { name: string }[] };
  t.equal(doc.format, 'vsnapd.vmware.inventory/1');
  t.ok(doc.vms.some((v) => v.name === 'web01'));
});

t.test('create a task with VMware sync: errors on the fields, then saved', async (t) => {
  await page.getByRole('link', { name: 'Snapshot tasks' }).click();
  await page.getByRole('button', { name: 'Add task' }).click();
  const form = page.getByRole('form', { name: 'Add task' });
  await form.getByLabel('Dataset').fill(w.ds.vmware);
  await form.getByLabel('Keep for').fill('-1');
  await form.getByLabel('Naming schema').fill('no-date');
  await form.getByLabel('Minute').fill('61');
  const invalidField = (label: string) => form.getByLabel(label, { exact: true }).and(page.locator('[aria-invalid="true"]'));
  await form.getByRole('button', { name: 'Save' }).click();
  // The shape check (a negative lifetime) answers before the checks of the values.
  await invalidField('Keep for').waitFor();
  t.match(await form.locator('#t-lifetime_value-error').textContent(), /0|negative/);
  await form.getByLabel('Keep for').fill('1');
  await form.getByRole('button', { name: 'Save' }).click();
  await invalidField('Naming schema').waitFor();
  // The cron error names its field (schedule.minute): shown on the Minute input, inside the schedule group.
  await invalidField('Minute').waitFor();
  t.match(await form.getByRole('group', { name: /^Schedule/ }).getByRole('alert').textContent(), /minute/i);
  t.equal(await invalidField('Keep for').count(), 0, 'the corrected field is no longer marked');
  t.match(await form.locator('#t-naming_schema-error').textContent(), /%/, 'the naming schema error names what is missing');
  await browser.screenshot(page, 'task-validation');
  await checkA11y(t, page, 'task form');
  await form.getByLabel('Naming schema').fill('console-%Y-%m-%d_%H-%M');
  // Once a day, twelve hours from now (host time, the pool's time zone here): never during the test.
  const hour = String((new Date().getHours() + 12) % 24);
  await form.getByLabel('Minute').fill('0');
  await form.getByLabel('Hour').fill(hour);
  await form.getByLabel('Day of week').fill('1-5');
  await form.getByLabel('VMware sync (VM-consistent)').check();
  await form.getByRole('button', { name: 'Save' }).click();
  await form.waitFor({ state: 'detached' });
  const row = page.getByRole('row').filter({ hasText: w.ds.vmware });
  await row.getByText(`At ${hour.padStart(2, '0')}:00, on Monday–Friday`).waitFor();
  t.match(await row.textContent(), /1 week/);
});

t.test('plan, then run now with live progress and the per-VM report', async (t) => {
  const [task] = await w.root.call<{ id: number }[]>('pool.snapshottask.query');
  const row = page.getByTestId(`task-${task!.id}`);
  const details = page.getByTestId(`task-${task!.id}-details`);
  await row.getByRole('button', { name: 'Plan' }).click();
  const plan = details.getByTestId('plan');
  await plan.getByText(/1 to snapshot/).waitFor();
  t.match(await plan.getByRole('listitem').filter({ hasText: 'db01' }).textContent(), /skip/);
  await browser.screenshot(page, 'task-plan');
  await checkA11y(t, page, 'tasks');
  await details.getByRole('button', { name: 'Close plan' }).click();

  // Record every text the progress line shows, in the page, from before the click to the end.
  await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const seen: string[] = [];
    g.progressSeen = seen;
    new g.MutationObserver(() => {
      const text = g.document.querySelector('[data-testid=job-progress] [role=status]')?.textContent;
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
  });
  await row.getByRole('button', { name: 'Run now' }).click();
  await details.getByTestId('job-progress').getByRole('status').getByText(/^SUCCESS 100%/).waitFor();
  const seen = await page.evaluate(() => (globalThis as unknown as PageGlobals).progressSeen);
  t.ok(
    seen.some((s) => /^RUNNING \d+% \S/.test(s)),
    `progress was shown while the job ran (${seen.join(' | ')})`,
  );
  t.match(seen.at(-1), /^SUCCESS 100% Finished/);
  const report = details.getByTestId('run-report');
  await report.waitFor();
  t.match(await report.getByRole('row').filter({ hasText: 'web01' }).textContent(), /snapshotted/);
  t.match(await report.getByRole('heading').textContent(), /full/);
  await browser.screenshot(page, 'task-run');
});

t.test("the run's record: from the task to its report (held time per VM), the run list with filters, protection status", async (t) => {
  const [task] = await w.root.call<{ id: number }[]>('pool.snapshottask.query');
  const [run] = await w.root.call<{ id: string; snapshot: string }[]>('vmware.run.query', [['trigger.task_id', '=', task!.id]]);
  const link = page.getByTestId(`task-${task!.id}`).getByRole('link', { name: /last run/ });
  await link.getByText('SUCCESS').waitFor();
  await link.click();
  const report = page.getByTestId('run-report');
  await report.getByRole('heading', { name: new RegExp(run!.snapshot) }).waitFor();
  t.match(await page.getByRole('region', { name: 'Run' }).textContent(), run!.id, 'the page is the run of the task');
  const web01 = await report.getByRole('row').filter({ hasText: 'web01' }).textContent();
  t.match(web01, /snapshotted\s*quiesced.*\d+(\.\d)? (ms|s)$/, `held time shown (${web01})`);
  t.match(await report.getByTestId('hold-distribution').textContent(), /^Held snapshots \(\d+ VMs\): min .+, median .+, p95 .+, max .+\.$/, 'the hold distribution is shown');
  await browser.screenshot(page, 'run-report');
  await checkA11y(t, page, 'run report');

  await page.getByRole('link', { name: 'All runs' }).click();
  const history = page.getByRole('region', { name: 'Run history' });
  await history.getByTestId(`run-${run!.id}`).waitFor();
  await history.getByLabel('Outcome').selectOption('FAILED');
  await history.getByText('No runs match.').waitFor();
  await history.getByLabel('Outcome').selectOption('SUCCESS');
  await history.getByTestId(`run-${run!.id}`).waitFor();
  await browser.screenshot(page, 'runs');
  await checkA11y(t, page, 'runs');
  await page.getByRole('link', { name: 'Protection' }).click();
  const protection = page.getByRole('region', { name: 'Protection status' });
  t.match(await protection.getByTestId('protection-web01').textContent(), /\(task \d+\)/, 'the task covers web01');
});

t.test('alerts: an alert whose text carries HTML is shown as text, dismissed and restored; the badge follows', async (t) => {
  await w.root.call('alert.oneshot_create', 'TestAlert', { subject: '<img src=x id=injected>', error: '<b>bold?</b>' });
  const badge = page.getByTestId('alert-badge');
  await badge.getByText('1').waitFor();
  await page.getByRole('link', { name: /Alerts/ }).click();
  const alert = page.getByTestId('alert-TestAlert');
  await alert.getByText('<img src=x id=injected>', { exact: false }).waitFor();
  t.equal(await page.locator('#injected').count(), 0, 'the HTML was not rendered');
  await browser.screenshot(page, 'alerts');
  await checkA11y(t, page, 'alerts');
  await alert.getByRole('button', { name: 'Dismiss' }).focus();
  await page.keyboard.press('Enter'); // buttons are reachable and usable by keyboard
  await badge.waitFor({ state: 'detached' });
  await alert.getByRole('button', { name: 'Restore' }).click();
  await badge.getByText('1').waitFor();
  t.pass('badge back');
});

t.test('more connections than a page: Next and Previous page through them (20 a page)', async (t) => {
  const pin = { tls: { thumbprint: w.vc.thumbprintSha256 } };
  const extra: number[] = [];
  for (let i = 0; i < 21; i++) extra.push((await w.root.call<{ id: number }>('vmware.create', w.seed(pin))).id);
  const [first] = await w.root.call<{ id: number }[]>('vmware.query', [], { order_by: ['id'], limit: 1 });
  const last = extra.at(-1)!;
  // The pager's range follows a click at once, the rows when the page's query answers: wait for rows.
  await page.getByRole('link', { name: 'VMware connections' }).click();
  const pager = page.getByRole('navigation', { name: 'Pages' });
  await pager.getByText('1–20 of 22').waitFor();
  await page.getByTestId(`connection-${first!.id}`).waitFor();
  t.equal(await page.getByTestId(/^connection-\d+$/).count(), 20, 'the first page holds 20');
  t.ok(await pager.getByRole('button', { name: 'Previous' }).isDisabled(), 'no page before the first');
  await pager.getByRole('button', { name: 'Next' }).click();
  await pager.getByText('21–22 of 22').waitFor();
  await page.getByTestId(`connection-${last}`).waitFor();
  await page.getByTestId(`connection-${first!.id}`).waitFor({ state: 'detached' });
  t.equal(await page.getByTestId(/^connection-\d+$/).count(), 2, 'the second page holds the other 2');
  t.ok(await pager.getByRole('button', { name: 'Next' }).isDisabled(), 'no page after the last');
  await pager.getByRole('button', { name: 'Previous' }).click();
  await pager.getByText('1–20 of 22').waitFor();
  await page.getByTestId(`connection-${first!.id}`).waitFor();
  for (const id of extra) await w.root.call('vmware.delete', id);
  await pager.waitFor({ state: 'detached' });
  t.pass('one page again: no pager');
});

t.test('delete a connection: asked first; cancelling keeps it', async (t) => {
  await page.getByRole('link', { name: 'VMware connections' }).click();
  const [entry] = await w.root.call<{ id: number }[]>('vmware.query');
  const card = page.getByTestId(`connection-${entry!.id}`);
  const messages: string[] = [];
  page.once('dialog', (d) => (messages.push(d.message()), void d.dismiss()));
  await card.getByRole('button', { name: 'Delete' }).click();
  await card.getByRole('button', { name: 'Delete' }).waitFor();
  t.match(messages[0], /Delete the VMware connection to 127\.0\.0\.1/);
  t.equal((await w.root.call<unknown[]>('vmware.query')).length, 1, 'still there after cancel');
  page.once('dialog', (d) => void d.accept());
  await card.getByRole('button', { name: 'Delete' }).click();
  await card.waitFor({ state: 'detached' });
  t.same(await w.root.call('vmware.query'), []);
});

t.test('log out: back to the log-in screen, and the API refuses the old session', async (t) => {
  t.same((await pageSocket!.probe('vmware.query')).result, [], 'before: the page\'s connection may call the API');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You have logged out.').waitFor();
  const after = await pageSocket!.probe('vmware.query');
  t.equal(after.error?.data?.errname, 'ENOTAUTHENTICATED', `after: the same connection is refused (${JSON.stringify(after.error ?? after.result)})`);
  t.equal(await page.evaluate<number>('localStorage.length + sessionStorage.length'), 0);
  t.same(browser.errors, [], 'no console errors (CSP violations would be logged here)');
});
