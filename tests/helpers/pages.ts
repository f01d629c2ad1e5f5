import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

// What every browser test watches on every page: uncaught errors and Content-Security-Policy violations (both
// fail the test even when the page looks right), accessibility by axe-core, and the width of a phone.

export const SCREENSHOTS = fileURLToPath(new URL('../e2e/screenshots/', import.meta.url));
mkdirSync(SCREENSHOTS, { recursive: true });

export const WIDTHS = { desktop: 1280, phone: 375 } as const;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Collects what went wrong in a context's pages; `take()` hands it over and starts again. */
export class PageProblems {
  private problems: string[] = [];

  watch(context: BrowserContext): BrowserContext {
    context.on('page', (page) => this.watchPage(page));
    for (const page of context.pages()) this.watchPage(page);
    return context;
  }

  private watchPage(page: Page): void {
    page.on('pageerror', (error) => this.problems.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      // Chromium reports every blocked script, style or connection on the console, nowhere else.
      if (/Content Security Policy/i.test(message.text()))
        this.problems.push(`${page.url()}: ${message.text()}`);
    });
  }

  take(): string[] {
    return this.problems.splice(0);
  }
}

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's serious and critical findings on the page as it is now. Evaluated through the DevTools protocol,
 * which the page's CSP does not govern: an injected <script> tag would be refused, and rightly.
 */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate<boolean>('typeof axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate<AxeFinding[]>(`
    axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })),
    )
  `);
}

/** How wide the document is: wider than the viewport means sideways scrolling. */
export function documentWidth(page: Page): Promise<number> {
  // A string expression, because the tests compile without the DOM library.
  return page.evaluate<number>('document.documentElement.scrollWidth');
}

/** Whether the element has the keyboard focus. */
export async function isFocused(locator: Locator): Promise<boolean> {
  return (await locator.and(locator.page().locator(':focus')).count()) === 1;
}

/** `<name>.png` at the desktop width, `<name>-mobile.png` at the phone's (tests/e2e/README.md). */
export function screenshotPath(name: string, width: number): string {
  return join(SCREENSHOTS, width === WIDTHS.phone ? `${name}-mobile.png` : `${name}.png`);
}

/** Axe finds nothing serious, nothing scrolls sideways; then the screenshot, for a person to look at. */
export async function checkPage(page: Page, name: string): Promise<void> {
  const width = page.viewportSize()?.width ?? WIDTHS.desktop;
  expect(await seriousAxeFindings(page), `axe on ${name} at ${width} px`).toEqual([]);
  expect(await documentWidth(page), `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
  await page.screenshot({ path: screenshotPath(name, width), fullPage: true });
}
