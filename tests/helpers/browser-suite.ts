import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchBrowser } from './browser.ts';
import { PageProblems, WIDTHS } from './pages.ts';
import type { ServerProcess } from './server-process.ts';

// One browser file's setting: the real server process started before its tests, one Chromium, a fresh context
// per page, and after each test every page's errors and CSP violations, which fail it.

export interface BrowserSuite {
  /** The server, once the file's beforeAll has started it. */
  readonly server: ServerProcess;
  /** An absolute URL on the server. */
  at(path: string): string;
  /** A page in a context of its own, `width` px wide, holding `cookies` (a session) when given. */
  newPage(width?: number, options?: { cookies?: Cookie[]; javaScriptEnabled?: boolean }): Promise<Page>;
}

export function browserSuite(start: () => Promise<ServerProcess>): BrowserSuite {
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const problems = new PageProblems();
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await start();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    expect(problems.take(), 'errors and CSP violations in the pages').toEqual([]);
  });

  const suite: BrowserSuite = {
    get server() {
      if (!server) throw new Error('the server is started in beforeAll');
      return server;
    },
    at: (path) => suite.server.url + path,
    async newPage(width = WIDTHS.desktop, options = {}) {
      const { cookies = [], javaScriptEnabled } = options;
      const context = problems.watch(
        await browser!.newContext({
          viewport: { width, height: 800 },
          ...(javaScriptEnabled === undefined ? {} : { javaScriptEnabled }),
        }),
      );
      contexts.push(context);
      await context.addCookies(cookies);
      return context.newPage();
    },
  };
  return suite;
}
