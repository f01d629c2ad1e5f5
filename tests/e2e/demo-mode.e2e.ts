import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '@good-standing/server/simulator/index.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { checkPage, screenshotPath, WIDTHS } from '../helpers/pages.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// Demo mode on the server's own process: no SP-API credentials, the server's own simulator and demo sellers,
// and the demo admin signed in by the API on the first request that has no session.

const NOTICE = 'Demo mode — you are signed in as the demo admin; data comes from the built-in simulator';

const { at, newPage } = browserSuite(() => startServerProcess('demo'));

/** The accounts the overview lists: its rows are per account and marketplace. */
async function overviewAccounts(page: Page): Promise<number> {
  const ids = await page
    .getByTestId('board-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account-id')));
  return new Set(ids).size;
}

describe('demo mode', () => {
  it('signs the demo admin in on the server: the first page is rendered signed in and keeps the cookie', async () => {
    // Without JavaScript, all the browser has is what the server rendered and the cookies it was given: the
    // API's set-cookie on the layout's own session call must reach it through SvelteKit.
    const page = await newPage(WIDTHS.desktop, { javaScriptEnabled: false });
    const response = await page.goto(at('/'));
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByTestId('demo-notice').textContent()).toBe(NOTICE);
    expect(await overviewAccounts(page)).toBe(DEMO_ACCOUNTS.length);
    expect(await page.getByRole('button', { name: 'Sign out' }).isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('demo-no-javascript', WIDTHS.desktop), fullPage: true });

    const cookie = (await page.context().cookies()).find((c) => c.name === 'gs_session');
    expect(cookie, 'the session cookie the API set').toBeDefined();
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');

    // The next request carries it: the same session, not another demo sign-in.
    const again = await page.goto(at('/settings/profile'));
    expect(again?.status()).toBe(200);
    expect((await page.context().cookies()).find((c) => c.name === 'gs_session')?.value).toBe(cookie?.value);
  });

  it('shows the notice on every page, and the sign-in page sends the signed-in demo admin on', async () => {
    const page = await newPage();
    for (const path of ['/', '/alerts', '/cases', '/settings/accounts', '/settings/users', '/status']) {
      await page.goto(at(path));
      expect(await page.getByTestId('demo-notice').textContent(), path).toBe(NOTICE);
    }
    await page.goto(at('/sign-in?next=%2Fcases'));
    expect(new URL(page.url()).pathname).toBe('/cases');
  });

  it.each(Object.values(WIDTHS))(
    'lists the demo sellers on the overview and accounts pages at %i px',
    async (width) => {
      const page = await newPage(width);
      await page.goto(at('/'));
      expect(await overviewAccounts(page)).toBe(DEMO_ACCOUNTS.length);
      await checkPage(page, 'demo-overview');
      await page.goto(at('/settings/accounts'));
      expect(await page.getByTestId('account').count()).toBe(DEMO_ACCOUNTS.length);
      await checkPage(page, 'demo-accounts');
    },
  );
});
