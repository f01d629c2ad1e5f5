import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite } from '../helpers/browser-suite.ts';
import { checkPage, WIDTHS } from '../helpers/pages.ts';
import { freePort } from '../helpers/processes.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// Connecting a seller through Amazon's consent page, in demo mode: the server's own simulator plays Seller
// Central (a consent form listing its sellers, Approve and Deny) on a port the test chooses, so the test can add
// a seller that is not connected yet.

let simulatorUrl: string;
/** The seller the first test connects; the last one disconnects and deletes it. */
let connectedSellerId: string;

const { at, newPage } = browserSuite(async () => {
  const simulatorPort = await freePort();
  simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  return startServerProcess('demo', { SIMULATOR_PORT: String(simulatorPort) });
});

/** A seller the simulator knows and Good Standing does not have yet. */
async function addSimulatedSeller(name: string): Promise<string> {
  const response = await fetch(`${simulatorUrl}/_sim/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, region: 'na', marketplaceIds: ['ATVPDKIKX0DER'], scenario: 'healthy' }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { sellerId: string }).sellerId;
}

/** From the accounts page to the simulator's consent form, the way an admin goes. */
async function startConnecting(page: Page): Promise<void> {
  await page.goto(at('/settings/accounts'));
  await page.getByRole('button', { name: 'Connect an Amazon account' }).click();
  await page.getByLabel('Where the seller sells').selectOption({ label: 'North America' });
  await page.getByRole('button', { name: 'Continue to Amazon' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${simulatorUrl}/apps/authorize/consent`));
}

describe("connecting through Amazon's consent page", () => {
  it('approving connects the seller and shows its first poll', async () => {
    const sellerId = (connectedSellerId = await addSimulatedSeller('Harbor Lane Goods'));
    const page = await newPage();
    await startConnecting(page);

    await page.getByLabel(new RegExp(`Harbor Lane Goods \\(${sellerId}`)).check();
    await page.getByRole('button', { name: 'Approve' }).click();

    await page.waitForURL((url) => url.pathname === '/settings/accounts/connect-result');
    expect(new URL(page.url()).searchParams.get('outcome')).toBe('connected');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Account connected');
    // The account is named as Amazon registered its business: the simulator's seller name unless told otherwise.
    expect(await page.getByTestId('connected-account').textContent()).toBeTruthy();
    const firstPoll = page.getByTestId('first-poll');
    await expect.poll(() => firstPoll.getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    expect(await firstPoll.textContent()).toMatch(/done — [1-9]\d* figures? stored/);
    await checkPage(page, 'connect-result');

    await page.goto(at('/settings/accounts'));
    const account = page.getByTestId('account').filter({ hasText: sellerId });
    expect(await account.count()).toBe(1);
    expect(await account.locator('.badge').textContent()).toContain('Connected');
  });

  it("fetches the new account's two years of history and charts them", async () => {
    const accounts = (await (await fetch(at('/api/accounts'))).json()) as { id: string; sellerId: string }[];
    const accountId = accounts.find((a) => a.sellerId === connectedSellerId)?.id;
    expect(accountId).toBeDefined();
    const page = await newPage();
    await page.goto(at('/settings/accounts'));
    const history = page
      .getByTestId('account')
      .filter({ hasText: connectedSellerId })
      .getByTestId('account-history');
    // Queued at connect, ahead of the demo's own histories: done within a couple of minutes.
    await expect
      .poll(async () => (await page.reload(), await history.getByTestId('history-status').textContent()), {
        timeout: 150_000,
        interval: 3_000,
      })
      .toBe('Done');
    const text = (await history.textContent()) ?? '';
    const [, from, to, done, total] =
      /(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2}),\s*([\d,]+) of ([\d,]+) days/.exec(text) ?? [];
    expect(done).toBe(total);
    expect(Number(total?.replace(/,/g, ''))).toBe(730);
    expect(await history.getByRole('button', { name: 'Fetch two years of history' }).isEnabled()).toBe(true);
    await checkPage(page, 'accounts-history-done');

    // What the simulator served: one row a day over the job's range.
    const served = await fetch(
      `${simulatorUrl}/_sim/accounts/${connectedSellerId}/data-kiosk?startDate=${from}&endDate=${to}`,
    );
    type Figure = { value: number } | null;
    const rows = (
      (await served.json()) as {
        rows: { startDate: string; totals: { accountHealth: { accountHealthRatingScore: Figure } } }[];
      }
    ).rows;
    expect(rows.length).toBe(730);

    await page.goto(at(`/accounts/${accountId}?days=730`));
    const chart = page.locator(
      // Data Kiosk's late shipment rate is the 30-day one: it continues that line of the reports.
      '[data-testid="metric-chart"][data-metric="late_shipment_rate"][data-window-days="30"]',
    );
    await expect.poll(() => chart.getAttribute('data-drawn'), { timeout: 30_000 }).toBe('true');
    // One point a day across both sources: the Data Kiosk's days, then the reports' (which win a shared day).
    const points = Number(await chart.getAttribute('data-points'));
    expect(points).toBeGreaterThanOrEqual(rows.length - 2);
    const sources = ((await chart.getByTestId('sources').textContent()) ?? '').replace(/\s+/g, ' ');
    const kioskDays = Number(
      /([\d,]+)\s+days? from Amazon's Data Kiosk history/.exec(sources)?.[1]?.replace(/,/g, ''),
    );
    expect(kioskDays).toBeGreaterThanOrEqual(rows.length - 3);
    expect(kioskDays).toBeLessThanOrEqual(rows.length);
    expect(sources).toContain('then the reports from');
    const oldest = await chart
      .getByTestId('metric-table')
      .locator('tbody tr[data-captured-at]')
      .last()
      .getAttribute('data-captured-at');
    // The chart reaches back to the history's first day (the range starts 730 days ago, to the hour).
    expect(Math.abs(Date.parse(oldest ?? '') - Date.parse(`${from}T00:00:00Z`))).toBeLessThanOrEqual(
      2 * 86_400_000,
    );

    // The numeric rating over the same two years, each Data Kiosk day the score the simulator served.
    const scores = page.getByTestId('score-chart');
    await expect.poll(() => scores.getAttribute('data-drawn')).toBe('true');
    expect(Number(await scores.getAttribute('data-points'))).toBeGreaterThanOrEqual(rows.length - 2);
    for (const row of [rows[0]!, rows[Math.floor(rows.length / 2)]!]) {
      const cell = scores
        .getByTestId('score-table')
        .locator(`tr[data-day="${row.startDate}"] td[data-score]`);
      expect(await cell.getAttribute('data-score')).toBe(
        String(row.totals.accountHealth.accountHealthRatingScore?.value),
      );
    }
    await checkPage(page, 'account-two-years');
  }, 240_000);

  it('denying connects nothing and says why', async () => {
    await addSimulatedSeller('Quiet Cove Crafts');
    const page = await newPage(WIDTHS.phone);
    await page.goto(at('/settings/accounts'));
    const before = await page.getByTestId('account').count();
    await startConnecting(page);

    await page.getByRole('button', { name: 'Deny' }).click();

    await page.waitForURL((url) => url.pathname === '/settings/accounts/connect-result');
    expect(new URL(page.url()).searchParams.get('outcome')).toBe('denied');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Amazon was not authorized');
    expect(await page.getByTestId('connect-result').textContent()).toContain(
      "The authorization was cancelled on Amazon's consent page",
    );
    await checkPage(page, 'connect-result-denied');

    await page.getByRole('link', { name: 'Back to the accounts settings' }).click();
    await page.waitForURL(at('/settings/accounts'));
    expect(await page.getByTestId('account').count()).toBe(before);
  });

  it('disconnects the account, then deletes it once its name is typed', async () => {
    const page = await newPage();
    await page.goto(at('/settings/accounts'));
    const account = page.getByTestId('account').filter({ hasText: connectedSellerId });
    const name = (await account.getByRole('heading', { level: 2 }).textContent()) ?? '';

    await account.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await page
      .getByRole('dialog', { name: `Disconnect ${name}?` })
      .getByRole('button', { name: 'Disconnect' })
      .click();
    await expect.poll(() => account.locator('.badge').textContent()).toBe('Disconnected');
    expect(await account.getByRole('button', { name: 'Reconnect through Amazon' }).count()).toBe(1);

    await account.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${name}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete for good' });
    const typed = dialog.getByLabel(/to confirm/);
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill(`${name} (not quite)`);
    expect(await confirm.isDisabled()).toBe(true);
    await checkPage(page, 'accounts-delete-dialog');
    await typed.fill(name);
    await confirm.click();
    await expect.poll(() => account.count()).toBe(0);
  });
});
