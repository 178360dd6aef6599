/**
 * The console's protection and restore pages in Debian's chromium against the real daemon, vcsim
 * (NFS datastores) and zfs-fuse: protection at a glance (no task covers the VMs, then a task does,
 * and the VM whose snapshot failed is overdue; server-side filter, sort, CSV export), then a restore through the UI (restore points with kind
 * and age, a plan whose conflict sits on its field, the restore with live progress ending at the
 * running copy), a FAILED restore highlighted in the restores list, and both cleaned up (asked
 * first, live progress) until nothing is left. axe-core checks each page (light, dark, phone).
 * Screenshots go to client/console/screenshots with VSNAPD_SCREENSHOTS=1 (README).
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { checkA11y } from '../../helpers/axe.js';
import { logIn, startBrowser } from '../../helpers/browser.js';
import { startSyncWorld, VM_DS } from '../../helpers/sync-world.js';

const HOST = 'DC0_C0_H0';
const w = await startSyncWorld(t, {
  vms: [
    { name: 'web', datastore: VM_DS, host: HOST, nics: 1 },
    { name: 'db', datastore: VM_DS, host: HOST },
    { name: 'app', datastore: VM_DS, host: HOST },
  ],
  nfs: true,
});
// app's snapshot fails: it has no VM-consistent snapshot, so once a task covers it, it is overdue.
await w.vc.control({ action: 'injectFault', fault: 'RestrictedVersion', methods: ['CreateSnapshot_Task', 'CreateSnapshotEx_Task'], target: 'app', as: 'soap' });
await w.snapshot('ui1');
await w.vc.control({ action: 'clearFaults' });
const key = await w.daemon.apiKey('console');
const browser = await startBrowser(t);
const page = await browser.page();
page.setDefaultTimeout(30_000);
const base = `http://127.0.0.1:${w.daemon.port}/ui/`;

/** What the progress recorder uses of the page's global object (the test's tsconfig has no DOM types). */
interface PageGlobals {
  progressSeen: string[];
  document: { body: unknown; querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
  MutationObserver: new (cb: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
}

/** Records, in the page, every text a job progress line inside `scope` (a CSS selector) shows from now on. */
async function recordProgress(scope: string): Promise<() => Promise<string[]>> {
  await page.evaluate((scope) => {
    const g = globalThis as unknown as PageGlobals;
    const seen: string[] = [];
    g.progressSeen = seen;
    new g.MutationObserver(() => {
      for (const el of Array.from(g.document.querySelectorAll(`${scope} [data-testid=job-progress] [role=status]`))) {
        const text = el.textContent;
        if (text && !seen.includes(text)) seen.push(text);
      }
    }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
  }, scope);
  return () => page.evaluate(() => (globalThis as unknown as PageGlobals).progressSeen);
}

t.test('log in', () => logIn(page, base, key));

t.test('protection at a glance: uncovered VMs highlighted, then covered by a task; filter, sort, CSV', async (t) => {
  await page.getByRole('link', { name: 'Protection' }).click();
  const region = page.getByRole('region', { name: 'Protection status' });
  const web = region.getByTestId('protection-web');
  await web.getByText('not covered').waitFor();
  t.match(await web.getAttribute('class'), /attention/, 'a VM no task covers is highlighted');
  t.match(await web.textContent(), new RegExp(`${w.dataset}@ui1`));
  t.match(await web.textContent(), /quiesced|crash-consistent/);
  await region.getByLabel('Show').selectOption('overdue');
  await region.getByText('No VM matches.').waitFor();
  await region.getByLabel('Show').selectOption('uncovered');
  await region.getByTestId('protection-app').waitFor();
  t.equal(await region.getByTestId(/^protection-/).count(), 3, 'the server filter keeps the three uncovered VMs');
  await checkA11y(t, page, 'protection');

  // A task covering the VMs (once a year: it never fires during the test); the page follows the task event.
  const task = await w.client.call<{ id: number }>('pool.snapshottask.create', {
    dataset: w.dataset,
    vmware_sync: true,
    naming_schema: 'ui-%Y%m%d-%H%M',
    schedule: { minute: '0', hour: '0', dom: '1', month: '1' },
  });
  await region.getByText('No VM matches.').waitFor();
  await region.getByLabel('Show').selectOption('overdue');
  const app = region.getByTestId('protection-app');
  await app.getByText('overdue').waitFor();
  t.equal(await region.getByTestId(/^protection-/).count(), 1, 'only app is overdue: covered, never VM-consistent');
  t.match(await app.getAttribute('class'), /attention/, 'an overdue VM is highlighted');
  t.match(await app.textContent(), /never.*failed/);
  await region.getByLabel('Show').selectOption('all');
  await web.getByText('ok').waitFor();
  t.notMatch(await web.getAttribute('class'), /attention/, 'covered and recent: not highlighted');
  t.match(await web.textContent(), new RegExp(`\\(task ${task.id}\\)366 d`), 'the task and its interval (the longest gap of its schedule)');

  const heading = region.getByRole('columnheader', { name: 'VM', exact: true });
  await heading.getByRole('button').click();
  t.equal(await heading.getAttribute('aria-sort'), 'descending', 'sorted by name, descending (ascending was the default)');
  await region.getByTestId(/^protection-/).first().and(web).waitFor();
  await heading.getByRole('button').click();
  await region.getByTestId(/^protection-/).first().and(app).waitFor();
  await browser.screenshot(page, 'protection');

  const [download] = await Promise.all([page.waitForEvent('download'), region.getByRole('button', { name: 'Export CSV' }).click()]);
  t.equal(download.suggestedFilename(), 'vsnapd-protection.csv');
  const lines = (await readFile((await download.path())!, 'utf8')).split('\r\n');
  t.equal(lines[0], 'vm,vcenter,last_snapshot,last_snapshot_at,age_seconds,kind,task_id,task_dataset,interval_seconds,status,last_state,last_action,last_reason');
  t.match(lines[1], new RegExp(`^app,${w.vc.host},,,,,${task.id},${w.dataset},31622400,overdue,PARTIAL,failed,.+`));
  t.match(lines[2], new RegExp(`^db,${w.vc.host},${w.dataset}@ui1,\\d{4}-.*Z,\\d+,\\w+,${task.id},${w.dataset},31622400,ok,PARTIAL,snapshotted,`));
  t.match(lines[3], /^web,/);
  t.equal(lines.length, 5, 'three rows, in the page\'s order, and the final CRLF');
});

t.test('restore through the UI: restore points, a conflict on its field, live progress, the running copy', async (t) => {
  const [vm] = await w.client.call<{ id: string; moref: string }[]>('vmware.protection_status', [['name', '=', 'web']]);
  await page.getByRole('link', { name: 'Restore' }).click();
  const section = page.getByRole('region', { name: 'Restore a VM' });
  await section.getByLabel('VM', { exact: true }).selectOption(vm!.id);
  const point = section.getByTestId(`point-${w.dataset}@ui1`);
  t.match(await point.textContent(), /(quiesced|crash-consistent).*ago/);
  await point.getByRole('radio').check();
  const form = page.getByRole('form', { name: 'Restore' });
  await form.getByLabel('Target ESXi host').selectOption(HOST);
  await form.getByLabel('New datastore name').fill(VM_DS);
  await form.getByRole('button', { name: 'Plan' }).click();
  await form.locator('#r-datastore[aria-invalid="true"]').waitFor();
  t.match(await form.locator('#r-datastore-error').textContent(), /vmstore already exists/, 'the conflict sits on the datastore field');
  t.ok(await form.getByRole('button', { name: 'Restore' }).isDisabled(), 'no restore while the plan has conflicts');
  await browser.screenshot(page, 'restore-conflict');

  await form.getByLabel('New datastore name').fill('');
  await form.getByLabel('Name of the copy').fill('web-copy');
  await form.getByRole('button', { name: 'Plan' }).click();
  const plan = form.getByTestId('restore-plan');
  await plan.getByText(/web-copy from \[vsnapd-restore-/).waitFor();
  t.equal(await form.locator('[aria-invalid="true"]').count(), 0, 'no field is marked any more');
  await checkA11y(t, page, 'restore plan');
  await browser.screenshot(page, 'restore-plan');

  const seen = await recordProgress('form[aria-label=Restore]');
  await form.getByRole('button', { name: 'Restore' }).click();
  const result = form.getByTestId('restore-result');
  await result.getByRole('heading', { name: /READY/ }).waitFor();
  const progress = await seen();
  t.ok(progress.some((s) => /^RUNNING \d+% \S/.test(s)), `progress was shown while the job ran (${progress.join(' | ')})`);
  t.match(await result.textContent(), /vsnapd-restore-[0-9a-f]{8} on DC0_C0_H0.*web-copy: powered on, 1 NIC disconnected/);
  const [restore] = await w.client.call<{ id: string; vms: { name: string; powered_on: boolean }[] }[]>('vmware.restore.query');
  t.match(restore?.vms, [{ name: 'web-copy', powered_on: true }], 'the API agrees');
  const row = page.getByRole('region', { name: 'Restores' }).getByTestId(`restore-${restore!.id}`);
  t.match(await row.textContent(), /READY.*clone .*-restore-.*VM web-copy \(powered on\)/);
  await browser.screenshot(page, 'restore-done');
});

t.test('a FAILED restore is highlighted; cleanup asks first, shows progress and leaves nothing', async (t) => {
  await w.vc.control({ action: 'injectFault', methods: ['CreateNasDatastore'], fault: 'PlatformConfigFault', as: 'soap', times: 1, message: 'NFS mount failed: Unable to connect to NFS server.' });
  const form = page.getByRole('form', { name: 'Restore' });
  await form.getByLabel('Name of the copy').fill('web-copy2');
  await form.getByRole('button', { name: 'Plan' }).click();
  await form.getByTestId('restore-plan').getByText(/web-copy2 from/).waitFor();
  await form.getByRole('button', { name: 'Restore' }).click();
  await form.getByTestId('restore-result').getByRole('heading', { name: /FAILED/ }).waitFor();
  const failed = (await w.client.call<{ id: string }[]>('vmware.restore.query', [['state', '=', 'FAILED']]))[0]!;
  const list = page.getByRole('region', { name: 'Restores' });
  const row = list.getByTestId(`restore-${failed.id}`);
  await row.getByText(/Unable to connect to NFS server/).waitFor();
  t.match(await row.getAttribute('class'), /attention/, 'the FAILED restore is highlighted');
  t.match(await row.textContent(), /clone .*share /, 'what exists is listed');
  await checkA11y(t, page, 'restores');
  await browser.screenshot(page, 'restores-failed');

  const messages: string[] = [];
  page.once('dialog', (d) => (messages.push(d.message()), void d.dismiss()));
  await row.getByRole('button', { name: 'Clean up' }).click();
  await row.getByRole('button', { name: 'Clean up' }).waitFor();
  t.match(messages[0], new RegExp(`Clean up restore ${failed.id}\\?.*destroys clone`));
  t.equal((await w.client.call<unknown[]>('vmware.restore.query')).length, 2, 'cancelled: both restores still exist');

  for (const r of await w.client.call<{ id: string }[]>('vmware.restore.query')) {
    const seen = await recordProgress('section[aria-label=Restores]');
    page.once('dialog', (d) => void d.accept());
    await list.getByTestId(`restore-${r.id}`).getByRole('button', { name: 'Clean up' }).click();
    await list.getByRole('status').getByText(`Restore ${r.id} is cleaned up: nothing of it is left.`).waitFor();
    await list.getByTestId(`restore-${r.id}`).waitFor({ state: 'detached' });
    const progress = await seen();
    t.ok(progress.some((s) => /^RUNNING \d+% (removing|withdrawing|destroying)/.test(s)), `cleanup progress shown (${progress.join(' | ')})`);
  }
  t.same(await w.client.call('vmware.restore.query'), [], 'nothing left (the API)');
  await list.getByText('No restores exist.').waitFor();
  t.same(browser.errors, [], 'no console errors (CSP violations would be logged here)');
});
