import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  AlertList,
  Board,
  OverviewAccount,
  PollRunInfo,
  RefreshQueued,
  Series,
} from '@good-standing/server/api-types.ts';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import { DEMO_ACCOUNTS } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { checkPage, documentWidth, WIDTHS } from '../helpers/pages.ts';
import { freePort, waitFor } from '../helpers/processes.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// The account page in demo mode, on the server's own process and the simulator it starts, on a port the test
// chooses so it can move the simulator's clock: the ODR-drifting seller is polled a few times, days apart, so its
// charts have a history, and its newest report is dated days ahead of this machine's clock (the page's ranges
// end at that report, not at now).

const DAY_MS = 86_400_000;
const US = 'ATVPDKIKX0DER';
const FINISHED = ['succeeded', 'failed', 'abandoned'];
/**
 * Polls made days apart before the page is opened: few, as Amazon's usage plans (which the simulator applies)
 * let a seller's reports be listed about ten times in a row before it paces them, and the refresh the test makes
 * must not wait for that.
 */
const STEPS = 3;
const STEP_DAYS = 6;

let simulatorUrl: string;
const suite = browserSuite(async () => {
  const simulatorPort = await freePort();
  simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  return startServerProcess('demo', { SIMULATOR_PORT: String(simulatorPort) });
});
const { at, newPage } = suite;

/** The API, as the demo's credential-free requests read it (they act as the demo admin). */
async function apiGet<T>(path: string): Promise<T> {
  const response = await fetch(at(path));
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

async function apiPost<T>(url: string, body: unknown = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok, `${url}: ${response.status} ${await response.clone().text()}`).toBe(true);
  return (await response.json()) as T;
}

/** Waits until none of the account's polls is under way (a refresh then starts a run of its own). */
async function settled(accountId: string): Promise<PollRunInfo[]> {
  return waitFor(
    async () => {
      const runs = await apiGet<PollRunInfo[]>(`/api/accounts/${accountId}/poll-runs`);
      return runs.length > 0 && runs.every((r) => FINISHED.includes(r.status)) ? runs : undefined;
    },
    60_000,
    'the polls to end',
  );
}

async function pollNow(accountId: string): Promise<void> {
  const { runId } = await apiPost<RefreshQueued>(at(`/api/accounts/${accountId}/refresh`));
  const run = await waitFor(
    async () => {
      const r = await apiGet<PollRunInfo>(`/api/poll-runs/${runId}`);
      return FINISHED.includes(r.status) ? r : undefined;
    },
    60_000,
    'a poll to end',
  );
  expect(run.status, run.errorMessage ?? '').toBe('succeeded');
}

function idOf(sellerId: string, accounts: OverviewAccount[]): string {
  const account = accounts.find((a) => a.sellerId === sellerId);
  if (!account) throw new Error(`no account for seller ${sellerId}`);
  return account.id;
}

const odrDrift = DEMO_ACCOUNTS.find((a) => a.scenario === 'odr-drift')!;
const revoked = DEMO_ACCOUNTS.find((a) => a.scenario === 'revoked')!;
const healthy = DEMO_ACCOUNTS.find((a) => a.marketplaceIds.length > 1)!;
let odrId: string;
let revokedId: string;

/** The account page, once every chart on it is drawn. */
async function openAccount(page: Page, query: string, accountId = odrId): Promise<void> {
  await page.goto(at(`/accounts/${accountId}${query}`));
  const charts = page.getByTestId('metric-chart');
  await expect.poll(() => charts.count()).toBeGreaterThan(0);
  await expect
    .poll(async () =>
      (await charts.evaluateAll((all) => all.map((e) => e.getAttribute('data-drawn')))).join(),
    )
    .toMatch(/^true(,true)*$/);
}

const alertsPath = (accountId: string) =>
  `/api/alerts?state=open,acknowledged&account=${accountId}&pageSize=200`;

/** The percentage a rate cell shows, as a number: "1.49 %" → 1.49. */
const shown = (text: string | null) => Number.parseFloat((text ?? '').replace(/[^\d.]/g, ''));

/** The rates of one chart's table, keyed by capture instant, and the API's for the same chart. */
async function tableAgainstApi(page: Page, days: number, channel: 'afn' | 'mfn') {
  const account = await apiGet<OverviewAccount>(`/api/accounts/${odrId}/overview`);
  const from = new Date(Date.parse(account.freshness.lastReportAt!) - days * DAY_MS).toISOString();
  const resolution = days <= 30 ? 'report' : 'day';
  const series = await apiGet<Series>(
    `/api/accounts/${odrId}/series?from=${encodeURIComponent(from)}&marketplace=${US}` +
      `&metrics=order_defect_rate&resolution=${resolution}`,
  );
  const expected = series.series.find((s) => s.channel === channel)!.points;
  // The reports' rows (an alert's opening has a row of its own among them).
  const rows = page.locator(
    `table[data-testid="metric-table"][data-metric="order_defect_rate"][data-channel="${channel}"] tbody tr[data-captured-at]`,
  );
  const table = await rows.evaluateAll((all) =>
    all.map((row) => ({
      capturedAt: row.getAttribute('data-captured-at'),
      rate: row.querySelector('td[data-rate]')?.textContent ?? null,
    })),
  );
  return { expected, table };
}

describe('the account page', () => {
  beforeAll(async () => {
    const overview = await waitFor(
      async () => {
        const o = await apiGet<{ accounts: OverviewAccount[] }>('/api/overview');
        const odr = o.accounts.find((a) => a.sellerId === odrDrift.sellerId);
        return odr?.freshness.lastReportAt ? o : undefined;
      },
      60_000,
      'the ODR-drifting seller’s first report',
    );
    odrId = idOf(odrDrift.sellerId, overview.accounts);
    revokedId = idOf(revoked.sellerId, overview.accounts);
    await settled(odrId);
    for (let step = 0; step < STEPS; step += 1) {
      await apiPost(`${simulatorUrl}/_sim/clock/advance`, { days: STEP_DAYS });
      await pollNow(odrId);
    }
  }, 180_000);

  it('draws the ODR per channel with its target and warning band, beside a table of the API’s figures', async () => {
    const page = await newPage();
    await openAccount(page, `?days=30&marketplace=${US}`);

    const account = await apiGet<OverviewAccount>(`/api/accounts/${odrId}/overview`);
    // The newest report is dated by the simulator, days ahead of this clock: shown as a date, never "in 20 days".
    expect(Date.parse(account.freshness.lastReportAt!)).toBeGreaterThan(Date.now() + 10 * DAY_MS);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(account.name);
    const captured = (await page.getByTestId('report-captured').textContent()) ?? '';
    expect(captured).toMatch(/\d{4}, \d\d:\d\d/);
    expect(captured).not.toMatch(/\bin \d/);

    for (const channel of ['afn', 'mfn'] as const) {
      const figure = page.locator(
        `figure[data-testid="metric-chart"][data-metric="order_defect_rate"][data-channel="${channel}"]`,
      );
      expect(await figure.getAttribute('data-window-days')).toBe('60');
      expect(await figure.getAttribute('data-drawn')).toBe('true');
      expect((await figure.getAttribute('data-datasets'))?.split(',')).toEqual([
        'rate',
        'target',
        'band',
        'alert',
      ]);
      // The target is written beside the rate, and the band under it.
      expect(await figure.textContent()).toContain('target under 1\u00a0%');
      expect(await figure.textContent()).toContain('Warning band: 0.75\u00a0% to 1\u00a0%');
      // Drawn for real: some of the canvas' pixels are painted.
      const painted = await figure.locator('canvas').evaluate((canvas) => {
        const c = canvas as unknown as {
          width: number;
          height: number;
          getContext(kind: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
          };
        };
        const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let count = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) count += 1;
        return count;
      });
      expect(painted, `painted pixels of the ${channel} chart`).toBeGreaterThan(1_000);
      expect(await figure.getByRole('img').getAttribute('aria-label')).toMatch(
        /latest \d+(\.\d+)?\u00a0%.*target under 1\u00a0%/,
      );

      const { expected, table } = await tableAgainstApi(page, 30, channel);
      expect(expected.capturedAt.length).toBeGreaterThanOrEqual(STEPS);
      expect(table.length).toBe(expected.capturedAt.length);
      // Newest first in the table, oldest first in the API.
      const byTime = new Map(table.map((row) => [Date.parse(row.capturedAt!), row.rate]));
      expected.capturedAt.forEach((capturedAt, i) => {
        const rate = expected.rate[i]!;
        // Shown to two decimals of a percent, as the page rounds (a Data Kiosk day has six decimals).
        expect(shown(byTime.get(Date.parse(capturedAt)) ?? null), capturedAt).toBeCloseTo(
          Math.round(rate * 10_000) / 100,
          6,
        );
      });
    }

    // The seller-fulfilled ODR drifts past 1 %: said in words, not by colour alone.
    const mfn = page.locator('figure[data-metric="order_defect_rate"][data-channel="mfn"]');
    expect(await mfn.locator('table tbody').textContent()).toContain('Past target');
    await page.locator('figure[data-metric="order_defect_rate"][data-channel="mfn"] summary').click();
    await checkPage(page, 'account-page');
  });

  it('lists the open alerts, and marks on the ODR chart where its alert opened', async () => {
    // The engine evaluates each report after its poll: the breach of the drifting ODR is an alert by now, or soon.
    const ODR_MFN = 'order_defect_rate:mfn:60';
    const list = await waitFor(
      async () => {
        const l = await apiGet<AlertList>(alertsPath(odrId));
        return l.alerts.some((a) => a.subject === ODR_MFN && a.marketplaceId === US) ? l : undefined;
      },
      30_000,
      'the ODR alert',
    );
    const odr = list.alerts.find((a) => a.subject === ODR_MFN && a.marketplaceId === US)!;
    expect(odr).toMatchObject({ rule: 'metric_breach', severity: 'critical' });

    const page = await newPage();
    await openAccount(page, `?days=30&marketplace=${US}`);
    const section = page.getByTestId('open-alerts');
    expect(await section.getByRole('heading', { level: 2 }).textContent()).toMatch(/^\s*Open alerts/);
    expect(await section.getByTestId('open-alert').count()).toBe(list.total);
    const item = section.locator(`[data-alert-id="${odr.id}"]`);
    expect(await item.textContent()).toContain('Critical');
    expect(await item.getByRole('link', { name: odr.title }).getAttribute('href')).toBe(
      `/alerts?account=${odrId}&rule=metric_breach`,
    );
    expect(await section.getByTestId('open-alerts-inbox').getAttribute('href')).toBe(
      `/alerts?account=${odrId}`,
    );

    const figure = page.locator('figure[data-metric="order_defect_rate"][data-channel="mfn"]');
    expect(await figure.getAttribute('data-alerts')).toBe('1');
    expect(await figure.getByTestId('chart-alert').getAttribute('data-alert-id')).toBe(odr.id);
    // The chart's plugin drew the line where the alert opened; the other channel's chart has none.
    expect((await figure.locator('canvas').getAttribute('data-alert-lines'))?.split(',')).toEqual([
      odr.openedAt,
    ]);
    const afn = page.locator('figure[data-metric="order_defect_rate"][data-channel="afn"]');
    expect(await afn.locator('canvas').getAttribute('data-alert-lines')).toBe('');
    expect(await figure.getByTestId('chart-alert-key').textContent()).toContain('Critical alert opened');
    // And the table under it has the opening among the reports, newest first.
    await figure.locator('summary').click();
    const rows = figure.locator('tbody tr');
    const opened = figure.locator(`tbody tr.alert-row[data-alert-id="${odr.id}"]`);
    expect(await opened.textContent()).toContain(`Critical alert opened: ${odr.title}`);
    const order = await rows.evaluateAll((all) =>
      all.map((r) => Date.parse(r.getAttribute('data-captured-at') ?? r.getAttribute('data-opened-at')!)),
    );
    expect(order).toEqual([...order].sort((a, b) => b - a));
    await checkPage(page, 'account-page-alerts');
  });

  it('says when a trend projects a breach: above the chart, in the open alerts and on the overview', async () => {
    // A seller whose order defect rate has climbed for twelve days, short of its target: its reports stored as a
    // poll would store them, for the server's engine to evaluate. Not polled (nothing in the simulator plays it).
    const db = suite.server.database.db;
    const last = Date.now() - 3_600_000;
    const account = await db
      .insertInto('seller_accounts')
      .values({
        seller_id: 'ATRENDINGSELLER01',
        name: 'Trending Goods',
        region: 'na',
        poll_enabled: false,
        last_good_poll_at: new Date(),
        last_success_at: new Date(last),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('account_marketplaces')
      .values({ account_id: account.id, marketplace_id: US, country_code: 'US', name: 'Amazon.com' })
      .execute();
    for (let day = 0; day <= 12; day++) {
      const capturedAt = new Date(last - (12 - day) * DAY_MS);
      const document = generateSellerPerformanceReport(
        'odr-drift',
        'ATRENDINGSELLER01',
        [US],
        day,
        capturedAt,
      );
      await ingestReport(db, {
        accountId: account.id,
        bytes: Buffer.from(JSON.stringify(document)),
        amazonReportId: null,
        amazonDocumentId: null,
        marketplaceIds: [US],
        capturedAt,
        parsed: { ok: true, report: parseSellerPerformanceReport(document) },
      });
    }
    const trend = await waitFor(
      async () =>
        (await apiGet<AlertList>(alertsPath(account.id))).alerts.find((a) => a.rule === 'metric_trend'),
      30_000,
      'the trend alert',
    );
    const projected = trend.details.projectedBreachAt as string;
    const utc = (options: Intl.DateTimeFormatOptions) =>
      new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(new Date(projected));

    const page = await newPage();
    await openAccount(page, `?days=30&marketplace=${US}`, account.id);
    const figure = page.locator('figure[data-metric="order_defect_rate"][data-channel="mfn"]');
    expect(await figure.getByTestId('chart-breach').textContent()).toBe(
      `Breach projected ${utc({ day: 'numeric', month: 'short', year: 'numeric' })}`,
    );
    expect(await figure.getByTestId('chart-alert').textContent()).toMatch(/\d+ days after the newest report/);
    // Opened after the newest report was read: the chart reaches on to show it.
    expect((await figure.locator('canvas').getAttribute('data-alert-lines'))?.split(',')).toEqual([
      trend.openedAt,
    ]);
    expect(await figure.locator('tbody tr').first().getAttribute('data-alert-id')).toBe(trend.id);
    const item = page.getByTestId('open-alerts').locator(`[data-alert-id="${trend.id}"]`);
    expect(await item.getByTestId('open-alert-projected').textContent()).toContain(
      utc({ day: 'numeric', month: 'short', year: 'numeric' }),
    );
    expect(await item.textContent()).toContain('Warning');
    await checkPage(page, 'account-page-trend');
    const phone = await newPage(WIDTHS.phone);
    await openAccount(phone, `?days=30&marketplace=${US}`, account.id);
    await checkPage(phone, 'account-page-trend');

    // The overview: the row's alerts by severity, linked to the inbox, and the date under the figure concerned.
    const board = await apiGet<Board>('/api/overview/board?q=Trending');
    const row = board.rows[0]!;
    // The alert as it stands now: an evaluation since may have moved its projection by hours.
    const now = (await apiGet<AlertList>(alertsPath(account.id))).alerts.find((a) => a.id === trend.id)!;
    expect(row.projectedBreachAt).toBe(now.details.projectedBreachAt);
    expect(row.projectedBreachAt!.slice(0, 10)).toBe(projected.slice(0, 10));
    for (const width of [WIDTHS.desktop, WIDTHS.phone]) {
      const overview = await newPage(width);
      await overview.goto(at('/?q=Trending'));
      const shown = overview.locator(`[data-testid="board-row"][data-account-id="${account.id}"]`);
      const cell = shown.getByTestId('row-alerts');
      expect(await cell.getAttribute('data-warning')).toBe(String(row.alerts.warning));
      expect(await cell.getAttribute('data-critical')).toBe(String(row.alerts.critical));
      expect(await cell.textContent()).toContain(`${row.alerts.warning} warning`);
      expect(await cell.getByRole('link').getAttribute('href')).toBe(`/alerts?account=${account.id}`);
      const odrCell = shown.locator(`[data-testid="figure"][data-alert-id="${trend.id}"]`);
      expect(await odrCell.getByTestId('figure-breach').textContent()).toBe(
        `Breach projected ${utc({ day: 'numeric', month: 'short' })}`,
      );
      const total = board.alerts.critical + board.alerts.warning + board.alerts.info;
      expect(await overview.getByTestId('overview-alerts').textContent()).toContain(`${total} open alerts`);
      await checkPage(overview, 'overview-trend');
    }
  });

  it('ends each range at the newest report: a week holds fewer reports than a month, as the API says', async () => {
    const page = await newPage();
    await openAccount(page, `?days=30&marketplace=${US}`);
    const month = (await tableAgainstApi(page, 30, 'mfn')).table.length;
    await page
      .getByRole('navigation', { name: 'Range of the charts' })
      .getByRole('link', { name: '7 days' })
      .click();
    await page.waitForURL((url) => url.searchParams.get('days') === '7');
    expect(new URL(page.url()).searchParams.get('marketplace')).toBe(US);
    await expect
      .poll(async () => {
        const { expected, table } = await tableAgainstApi(page, 7, 'mfn');
        return table.length === expected.capturedAt.length && table.length > 0;
      })
      .toBe(true);
    const week = (await tableAgainstApi(page, 7, 'mfn')).table.length;
    expect(week).toBeLessThan(month);
    expect(await page.getByRole('link', { name: '7 days' }).getAttribute('aria-current')).toBe('page');

    await page.goto(at(`/accounts/${odrId}?days=365&marketplace=${US}`));
    const { expected, table } = await tableAgainstApi(page, 365, 'mfn');
    expect(table.length).toBe(expected.capturedAt.length);
  });

  it('Refresh now follows the poll and adds it to the poll history', async () => {
    await settled(odrId);
    // A day on, so that the poll brings a report of its own.
    await apiPost(`${simulatorUrl}/_sim/clock/advance`, { days: 1 });
    const page = await newPage();
    await openAccount(page, `?days=30&marketplace=${US}`);
    const rows = page.locator('[data-testid="poll-history"] tbody tr');
    const before = await rows.count();
    expect(before).toBeGreaterThan(STEPS);

    const refresh = page.getByTestId('refresh-now');
    await expect.poll(() => refresh.isEnabled()).toBe(true);
    const answered = page.waitForResponse(
      (r) => r.url().endsWith(`/api/accounts/${odrId}/refresh`) && r.request().method() === 'POST',
    );
    await refresh.click();
    const response = await answered;
    expect(response.status()).toBe(202);
    const { runId } = (await response.json()) as RefreshQueued;

    const progress = page.getByTestId('refresh-progress');
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    expect(await page.getByTestId('refresh-status').textContent()).toMatch(
      /^Done in .+: \d+ figures? stored\.$/,
    );
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(before + 1);
    const newest = page.locator(`[data-testid="poll-history"] tbody tr[data-run-id="${runId}"]`);
    expect(await newest.getAttribute('data-status')).toBe('succeeded');
    expect(await newest.textContent()).toContain('Refresh now');
    expect(await refresh.isEnabled()).toBe(true);
  });

  it('fits a phone: nothing scrolls sideways, even with every table open', async () => {
    const page = await newPage(WIDTHS.phone);
    await openAccount(page, `?days=30&marketplace=${US}`);
    const summaries = page.locator('[data-testid="metric-chart"] summary');
    for (let i = 0; i < (await summaries.count()); i += 1) await summaries.nth(i).click();
    expect(await page.locator('[data-testid="metric-table"]:visible').count()).toBe(await summaries.count());
    expect(await documentWidth(page)).toBeLessThanOrEqual(WIDTHS.phone);
    await checkPage(page, 'account-page');
  });

  it('switches between the marketplaces of a seller who sells in several, keeping the range', async () => {
    const overview = await apiGet<{ accounts: OverviewAccount[] }>('/api/overview');
    const account = overview.accounts.find((a) => a.sellerId === healthy.sellerId)!;
    expect(account.marketplaces.length).toBe(healthy.marketplaceIds.length);
    const page = await newPage();
    // Opened until its charts are drawn: the choice of marketplace acts through the page's script.
    await openAccount(page, '?days=7', account.id);
    const select = page.getByLabel('Marketplace');
    expect(await select.locator('option').count()).toBe(healthy.marketplaceIds.length);
    const shown = await select.inputValue();
    const other = account.marketplaces.find((m) => m.marketplaceId !== shown)!;
    await select.selectOption(other.marketplaceId);
    await page.waitForURL((url) => url.searchParams.get('marketplace') === other.marketplaceId);
    expect(new URL(page.url()).searchParams.get('days')).toBe('7');
    await expect.poll(() => page.getByTestId('account-header').textContent()).toContain(other.name!);
    await expect
      .poll(async () =>
        (
          await page
            .getByTestId('metric-chart')
            .evaluateAll((all) => all.map((e) => e.getAttribute('data-drawn')))
        ).join(),
      )
      .toMatch(/^true(,true)*$/);
  });

  it('says an account without a report has none, and why Refresh now cannot poll it', async () => {
    const page = await newPage();
    await page.goto(at(`/accounts/${revokedId}`));
    expect(await page.getByTestId('empty-state').textContent()).toContain('No report yet');
    expect(await page.getByTestId('connection-state').textContent()).toContain('Needs reauthorization');
    expect(await page.getByTestId('connection-action').getByRole('link').getAttribute('href')).toBe(
      '/settings/accounts',
    );
    expect(await page.getByTestId('metric-chart').count()).toBe(0);

    const refresh = page.getByTestId('empty-state').getByTestId('refresh-now');
    await expect.poll(() => refresh.isEnabled()).toBe(true);
    await refresh.click();
    const refused = page.getByTestId('refresh-refused');
    await expect.poll(() => refused.textContent()).toContain('needs reauthorization');
    expect(await refused.getByRole('link', { name: /Reconnect it/ }).getAttribute('href')).toBe(
      '/settings/accounts',
    );
    await checkPage(page, 'account-page-no-report');

    const missing = await page.goto(at('/accounts/00000000-0000-4000-8000-000000000000'));
    expect(missing?.status()).toBe(404);
  });
});
