/**
 * A real browser for the console tests: Debian's chromium (installed by tests/setup/provision.ts,
 * never downloaded) driven headless through playwright-core, with a fresh profile in a temporary
 * folder that is removed at teardown together with the browser.
 *
 * ```ts
 * const b = await startBrowser(t);
 * const page = await b.page();
 * await page.goto(`http://127.0.0.1:${daemon.port}/ui/`);
 * await b.screenshot(page, 'login');   // client/console/screenshots/login.png with VSNAPD_SCREENSHOTS=1
 * ```
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, type Teardown } from './daemon.js';
import { tempDir } from './tmp-datastore.js';

/** Debian's chromium binary. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-less headless chromium (the tests run as root). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where README screenshots go when `VSNAPD_SCREENSHOTS=1` (otherwise into the test's temp folder). */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'client/console/screenshots');

/** A running browser. */
export interface TestBrowser {
  readonly context: BrowserContext;
  /** A new tab, 1280×800 unless `viewport` says otherwise; console errors are collected in `errors`. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** Messages the pages logged as errors (CSP violations show up here). */
  readonly errors: string[];
  /** Saves a full-page PNG named `name.png`; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
}

/** Starts chromium with a fresh profile; browser and profile are removed at teardown. */
export async function startBrowser(t: Teardown, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<TestBrowser> {
  const profile = tempDir(t, 'vsnapd-chromium-');
  const shots = process.env.VSNAPD_SCREENSHOTS === '1' ? SCREENSHOT_DIR : tempDir(t, 'vsnapd-shots-');
  mkdirSync(shots, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    colorScheme: opts.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  // Registered after tempDir's teardown, so it runs first (tap runs teardowns last-in first-out).
  t.teardown(() => context.close());
  const errors: string[] = [];
  return {
    context,
    errors,
    async page(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      return page;
    },
    async screenshot(page, name) {
      const path = join(shots, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
  };
}

/**
 * Opens the console at `url` (`http://127.0.0.1:<port>/ui/`) and logs in with API `key`, submitted
 * by Enter; resolves once the first page (VMware connections) shows. Rejects on the page's default
 * timeout when the login does not get there.
 */
export async function logIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'API key' }).fill(key);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'VMware connections' }).waitFor();
}
