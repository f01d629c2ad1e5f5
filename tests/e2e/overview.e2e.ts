import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Board } from '@good-standing/server/api-types.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import { DEMO_ACCOUNTS } from '@good-standing/server/simulator/index.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { checkPage, WIDTHS } from '../helpers/pages.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// The morning check as a user meets it: the server in its own process on real Postgres, Amazon played by a
// simulator holding the demo's scenario sellers. The admin signs in, connects the sellers, and the overview must
// show what the simulator serves, worst first, and follow the simulator's story without being reloaded. The tests
// run in order on one server.

const ADMIN = { email: 'morning@example.com', password: 'a morning check password' };
/** The revoked seller cannot be connected: its token is refused, which is its scenario. */
const SELLERS = DEMO_ACCOUNTS.filter((a) => a.scenario !== 'revoked');
const seller = (scenario: string) => SELLERS.find((a) => a.scenario === scenario)!;
const ids: Record<string, string> = {};

const suite = browserSuite(() =>
  startServerProcess('live', { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }, 'demo'),
);

const { at, newPage } = suite;
const simulator = () => suite.server.simulator!;

let cookies: Awaited<ReturnType<ReturnType<Page['context']>['cookies']>> = [];
const RANK = { suspended: 0, at_risk: 1, unknown: 2, fine: 3 } as const;

async function api<T>(page: Page, path: string): Promise<T> {
  const res = await page.request.get(at(path));
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as T;
}

async function signedInPage(width: number = WIDTHS.desktop): Promise<Page> {
  const page = await newPage(width, { cookies });
  await page.goto(at('/'));
  await page.getByTestId('board').waitFor();
  // The filters act through the page's script: typed before it runs, a search would go nowhere. "Refresh all"
  // is enabled once it does.
  await expect.poll(() => page.getByRole('button', { name: 'Refresh all' }).isEnabled()).toBe(true);
  return page;
}

/** Rows as the page shows them: account, marketplace, standing. */
async function shownRows(page: Page) {
  return page.getByTestId('board-row').evaluateAll((rows) =>
    rows.map((r) => ({
      accountId: r.getAttribute('data-account-id'),
      marketplaceId: r.getAttribute('data-marketplace-id'),
      standing: r.getAttribute('data-standing'),
      text: r.textContent ?? '',
    })),
  );
}

/** What the simulator serves each connected seller now, as the app's own parser reads it. */
function served() {
  return SELLERS.map((a) => ({
    accountId: ids[a.scenario]!,
    scenario: a.scenario,
    report: parseSellerPerformanceReport(simulator().state.currentDocument(a.sellerId)),
  }));
}

describe('the overview', () => {
  it('is empty until the admin, signed in through the page, connects the sellers', async () => {
    const page = await newPage();
    await page.goto(at('/'));
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(at('/'));
    expect(await page.getByTestId('empty-state').textContent()).toContain('No seller accounts yet');
    cookies = await page.context().cookies();

    // Connecting each seller with its refresh token, as the settings page's paste path does.
    const { csrfToken } = await api<{ csrfToken: string }>(page, '/api/auth/session');
    for (const a of SELLERS) {
      const res = await page.request.post(at('/api/accounts'), {
        headers: { 'x-csrf-token': csrfToken },
        data: { sellerId: a.sellerId, name: a.name, region: a.region, refreshToken: a.refreshToken },
      });
      expect(res.status(), await res.text()).toBe(201);
      ids[a.scenario] = ((await res.json()) as { id: string }).id;
    }
    // Each connection queues a first poll; the overview has every seller's figures once they have ended.
    await expect
      .poll(async () => (await api<Board>(page, '/api/overview/board')).summary.unknown, { timeout: 60_000 })
      .toBe(0);
  });

  it("lists every seller's marketplaces with the statuses the simulator serves, worst first", async () => {
    const page = await signedInPage();
    const rows = await shownRows(page);
    const expected = served();
    expect(rows).toHaveLength(expected.reduce((n, s) => n + s.report.marketplaces.length, 0));

    for (const { accountId, report, scenario } of expected) {
      const mine = rows.filter((r) => r.accountId === accountId);
      expect(mine, scenario).toHaveLength(report.marketplaces.length);
      for (const m of report.marketplaces) {
        const status = m.accountStatus ?? 'NORMAL';
        const row = mine.find((r) => r.marketplaceId === m.marketplaceId);
        expect(row, `${scenario} ${m.marketplaceId}`).toBeDefined();
        if (status === 'DEACTIVATED') expect(row!.standing).toBe('suspended');
        if (status === 'AT_RISK') expect(row!.standing).toBe('at_risk');
        if (status !== 'NORMAL')
          expect(row!.text).toContain(status === 'AT_RISK' ? 'At risk' : 'Deactivated');
      }
    }
    for (let i = 1; i < rows.length; i++) {
      const a = RANK[rows[i - 1]!.standing as keyof typeof RANK];
      const b = RANK[rows[i]!.standing as keyof typeof RANK];
      expect(a, `row ${i} after row ${i - 1}`).toBeLessThanOrEqual(b);
    }
    // The page shows the API's own order, and its summary.
    const board = await api<Board>(page, '/api/overview/board');
    expect(rows.map((r) => r.accountId)).toEqual(board.rows.map((r) => r.accountId));
    expect(await page.getByTestId('overview-summary').textContent()).toContain(
      `${board.summary.atRisk} at risk`,
    );
    await checkPage(page, 'overview');
    await checkPage(await signedInPage(WIDTHS.phone), 'overview');
  });

  it('follows the simulator after "Refresh all", without a reload', async () => {
    const page = await signedInPage();
    const suspension = ids.suspension!;
    expect((await shownRows(page)).find((r) => r.accountId === suspension)!.standing).not.toBe('suspended');
    await page.evaluate('window.__notReloaded = true');

    // The suspension scenario is deactivated by its ninth day.
    simulator().state.advanceClock({ days: 10 });
    await page.getByTestId('refresh-all').click();
    await expect
      .poll(async () => page.getByTestId('refresh-progress').textContent(), { timeout: 60_000 })
      .toMatch(new RegExp(`Refreshed ${SELLERS.length} of ${SELLERS.length}`));
    // Each poll's figures show as it ends; the last one's within the page's next look.
    await expect
      .poll(async () => (await shownRows(page))[0], { timeout: 10_000 })
      .toMatchObject({ accountId: suspension, standing: 'suspended' });
    const first = (await shownRows(page))[0]!;
    expect(first.text).toContain('Deactivated');
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
  });

  it("counts each row's open alerts by severity, linked to the inbox, and sums them at the top", async () => {
    const page = await signedInPage();
    const suspension = ids.suspension!;
    // The engine evaluates the deactivated seller's new report after its poll; the page follows without a reload.
    const cell = page
      .locator(`[data-testid="board-row"][data-account-id="${suspension}"]`)
      .first()
      .getByTestId('row-alerts');
    await expect.poll(() => cell.getAttribute('data-critical'), { timeout: 30_000 }).not.toBe('0');
    expect(await cell.textContent()).toMatch(/\d+ critical/);
    expect(await cell.getByRole('link').getAttribute('href')).toBe(`/alerts?account=${suspension}`);

    // Every row as the API counts it (open and acknowledged, the account's own alerts on each of its rows).
    const counts = async () =>
      page
        .getByTestId('row-alerts')
        .evaluateAll((cells) =>
          cells.map((c) => ['critical', 'warning', 'info'].map((s) => Number(c.getAttribute(`data-${s}`)))),
        );
    await expect
      .poll(async () => {
        const board = await api<Board>(page, '/api/overview/board');
        const shown = await counts();
        return board.rows.every((r, i) =>
          [r.alerts.critical, r.alerts.warning, r.alerts.info].every((n, j) => shown[i]?.[j] === n),
        );
      })
      .toBe(true);
    const board = await api<Board>(page, '/api/overview/board');
    const total = board.alerts.critical + board.alerts.warning + board.alerts.info;
    const summary = page.getByTestId('overview-alerts');
    expect(await summary.getAttribute('href')).toBe('/alerts');
    expect(await summary.textContent()).toContain(`${total} open alert`);
    await checkPage(page, 'overview-alerts');
  });

  it('shows a poll it did not start within seconds, without a reload', async () => {
    const page = await signedInPage();
    await page.evaluate('window.__notReloaded = true');
    const drifting = seller('odr-drift');
    const rowOf = page.locator(`[data-testid="board-row"][data-account-id="${ids['odr-drift']}"]`);
    const before = await rowOf.getByTestId('figure').nth(1).textContent();

    simulator().state.advanceClock({ days: 4 });
    const odr = parseSellerPerformanceReport(
      simulator().state.currentDocument(drifting.sellerId),
    ).marketplaces[0]!.rates.find((r) => r.metric === 'order_defect_rate' && r.channel === 'mfn')!;
    // As the page writes a rate: a percentage to two decimals, trailing zeros dropped.
    const shown = `${(Math.round(odr.rate! * 10_000) / 100).toFixed(2).replace(/\.?0+$/, '')}\u00a0%`;
    const { csrfToken } = await api<{ csrfToken: string }>(page, '/api/auth/session');
    const res = await page.request.post(at(`/api/accounts/${ids['odr-drift']}/refresh`), {
      headers: { 'x-csrf-token': csrfToken },
      data: {},
    });
    expect(res.status(), await res.text()).toBe(202);

    await expect
      .poll(async () => rowOf.getByTestId('figure').nth(1).textContent(), { timeout: 30_000 })
      .toContain(shown);
    expect(await rowOf.getByTestId('figure').nth(1).textContent()).not.toBe(before);
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
  });

  it('filters by text and status, and sorts by a column, keeping the view in the address', async () => {
    const page = await signedInPage();
    await page.getByLabel('Search').fill(seller('healthy').sellerId);
    await page.waitForURL(/q=/);
    await expect
      .poll(async () => new Set((await shownRows(page)).map((r) => r.accountId)))
      .toEqual(new Set([ids.healthy]));

    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('Status').selectOption({ label: 'Suspended' });
    await page.waitForURL(/standing=suspended/);
    await expect.poll(async () => (await shownRows(page)).map((r) => r.standing)).toEqual(['suspended']);

    await page.goto(at('/'));
    await page.getByRole('link', { name: /ODR seller/ }).click();
    await page.waitForURL(/sort=odr_mfn/);
    const header = page.getByRole('columnheader', { name: /ODR seller/ });
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const board = await api<Board>(page, '/api/overview/board?sort=odr_mfn');
    expect((await shownRows(page)).map((r) => r.accountId)).toEqual(board.rows.map((r) => r.accountId));
    await checkPage(page, 'overview-sorted');
  });

  it('keeps a search typed while the board updates itself', async () => {
    const page = await signedInPage();
    // Every check finds a new version, so each one (every 5 s) reloads the board, and the search's own load is
    // held 7 s, so that a check falls while it runs: the reload must not take the search's place.
    const checks: number[] = [];
    let held: { from: number; to: number } | undefined;
    await page.route('**/api/overview/version', (route) => {
      checks.push(Date.now());
      return route.fulfill({ json: { version: `changed-${checks.length}` } });
    });
    await page.route(/__data\.json\?(.*&)?q=/, async (route) => {
      const from = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      held ??= { from, to: Date.now() };
      await route.continue();
    });
    await page.getByLabel('Search').fill(seller('healthy').sellerId);
    await page.waitForURL(/q=/, { timeout: 20_000 });
    await expect
      .poll(async () => new Set((await shownRows(page)).map((r) => r.accountId)))
      .toEqual(new Set([ids.healthy]));
    expect(
      checks.some((t) => t > held!.from && t < held!.to),
      'a check while the search loaded',
    ).toBe(true);
    expect(await page.getByLabel('Search').inputValue()).toBe(seller('healthy').sellerId);
  });
});
