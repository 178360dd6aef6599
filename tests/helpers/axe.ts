/**
 * Accessibility checks with axe-core (Deque's engine, npm `axe-core`) in the test's real chromium:
 * its script (node_modules, never downloaded) is evaluated in the page through the DevTools protocol
 * (`page.evaluate`; `addScriptTag` would add an inline script, which the console's strict CSP
 * rightly refuses, and turning the CSP off would blind the tests' CSP checks), then `axe.run` checks
 * the page as it is, against WCAG 2.x A/AA and best practice.
 *
 * ```ts
 * const counts = await checkA11y(t, page, 'restore');   // light, dark and 390×844; asserts 0 serious/critical
 * ```
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';

/** axe-core's minified script. */
export const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let source: string | null = null;
const axeSource = () => (source ??= readFileSync(AXE_SCRIPT, 'utf8'));

/** Violations by impact (axe: minor, moderate, serious, critical). */
export type ImpactCounts = Record<'minor' | 'moderate' | 'serious' | 'critical', number>;

/** One violation as the test reports it. */
export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe once on the page as it is now; returns the violations. */
export async function runAxe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate('typeof globalThis.axe === "object"'))) await page.evaluate(`${axeSource()}\n;undefined`);
  return page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => String(n.target)) })))`);
}

/** Counts by impact. */
export function countImpacts(violations: readonly Violation[]): ImpactCounts {
  const counts: ImpactCounts = { minor: 0, moderate: 0, serious: 0, critical: 0 };
  for (const v of violations) if (v.impact && v.impact in counts) counts[v.impact as keyof ImpactCounts] += v.targets.length;
  return counts;
}

/**
 * Checks the page in the light theme at its size, in the dark theme, and at phone width
 * (390×844, light): prints the counts per pass and asserts no serious or critical violation (listing
 * them when there are), and at phone width that the page needs no sideways scrolling. Restores the
 * viewport and the light theme afterwards.
 */
export async function checkA11y(t: Pick<Test, 'comment' | 'same' | 'ok'>, page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const passes: [string, () => Promise<void>][] = [
    ['light', () => page.emulateMedia({ colorScheme: 'light' })],
    ['dark', () => page.emulateMedia({ colorScheme: 'dark' })],
    ['phone', async () => (await page.emulateMedia({ colorScheme: 'light' }), await page.setViewportSize({ width: 390, height: 844 }))],
  ];
  try {
    for (const [theme, apply] of passes) {
      await apply();
      const found = await runAxe(page);
      const c = countImpacts(found);
      const ids = found.map((v) => `${v.id} (${v.impact ?? '?'}: ${v.targets.join(' ')})`).join(', ');
      t.comment(`axe ${name} (${theme}): critical ${c.critical}, serious ${c.serious}, moderate ${c.moderate}, minor ${c.minor}${ids ? ` — ${ids}` : ''}`);
      const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      t.same(bad, [], `axe: no serious or critical violation on ${name} (${theme})`);
      if (theme === 'phone') {
        const width = await page.evaluate<number>('document.documentElement.scrollWidth');
        t.ok(width <= 390, `${name} fits the phone's width (${width} px, no sideways scrolling)`);
      }
    }
  } finally {
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: 'light' });
  }
}
