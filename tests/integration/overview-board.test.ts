import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertList, Board, OverviewAccount } from '@good-standing/server/api-types.ts';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { Board as BoardSchema } from '@good-standing/server/metrics/metrics.schemas.ts';
import { windowDays } from '@good-standing/server/metrics/metrics.repository.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import type { ParsedReport } from '@good-standing/server/reports/types.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildPollingApp, connectDemoAccount, demoSeller, startTestSimulator } from '../helpers/poller.ts';

// The overview page's rows over real Postgres, fed by real polls of the simulator on several days: each figure
// and each day of its trend must be what the simulator served, and the order, filters and pages what they say.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
const ids: Record<string, string> = {};
/** What the simulator served on each polled day, by scenario, oldest first. */
const served: Record<string, ParsedReport[]> = {};

const SCENARIOS = ['healthy', 'odr-drift', 'suspension', 'late-shipment-spike'] as const;
const DAYS_POLLED = 4;

async function board(query = ''): Promise<Board> {
  const res = await app.inject({ method: 'GET', url: `/api/overview/board${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return BoardSchema.parse(res.json()) as Board;
}

async function pollAll(): Promise<void> {
  for (const scenario of SCENARIOS) {
    (served[scenario] ??= []).push(
      parseSellerPerformanceReport(sim.state.currentDocument(demoSeller(scenario).sellerId)),
    );
  }
  const results = await app.poller.pollNow(SCENARIOS.map((s) => ids[s]!));
  for (const r of results) expect(r).toMatchObject({ status: 'succeeded' });
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  app = await buildPollingApp(t, sim, {}, 50);
  for (const scenario of SCENARIOS) ids[scenario] = await connectDemoAccount(app, scenario);
  // Two polls on the first day (the later one stands for the day), then one a day; day 9 is past the
  // suspension scenario's deactivation.
  await pollAll();
  sim.state.advanceClock({ hours: 6 });
  await pollAll();
  for (let day = 1; day < DAYS_POLLED; day++) {
    sim.state.advanceClock({ days: 3 });
    await pollAll();
  }
  await storeKioskDays();
});

/** Data Kiosk's seller-fulfilled ODR (no window named) on the days stored here, for the healthy seller. */
const KIOSK_ODR: Record<string, number> = {};
let kioskMarketplace = '';

/**
 * Data Kiosk days of the healthy seller, as a backfill stores them: the two days between its last two reports, and
 * the last report's own day, where the report must win.
 */
async function storeKioskDays(): Promise<void> {
  const am = await t.db
    .selectFrom('account_marketplaces')
    .select(['marketplace_id', 'last_report_at'])
    .where('account_id', '=', ids.healthy!)
    .orderBy('marketplace_id')
    .executeTakeFirstOrThrow();
  kioskMarketplace = am.marketplace_id;
  const newest = Date.UTC(
    am.last_report_at!.getUTCFullYear(),
    am.last_report_at!.getUTCMonth(),
    am.last_report_at!.getUTCDate(),
  );
  for (const back of [0, 1, 2]) {
    const day = new Date(newest - back * 86_400_000).toISOString().slice(0, 10);
    const capturedAt = new Date(`${day}T23:59:59Z`);
    const snapshot = await t.db
      .insertInto('health_snapshots')
      .values({
        account_id: ids.healthy!,
        marketplace_id: am.marketplace_id,
        captured_at: capturedAt,
        source: 'data_kiosk',
        granularity: 'day',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    KIOSK_ODR[day] = 0.0071 + back / 1000;
    await t.db
      .insertInto('metric_snapshots')
      .values({
        snapshot_id: snapshot.id,
        metric: 'order_defect_rate',
        channel: 'mfn',
        window_days: null,
        rate: KIOSK_ODR[day]!,
        numerator: null,
        denominator: null,
        status: null,
        target_value: null,
        target_condition: null,
        window_from: null,
        window_to: null,
        parts: null,
      })
      .execute();
    await t.db
      .insertInto('daily_snapshots')
      .values({
        account_id: ids.healthy!,
        marketplace_id: am.marketplace_id,
        source: 'data_kiosk',
        day,
        snapshot_id: snapshot.id,
        captured_at: capturedAt,
      })
      .execute();
  }
}
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

/** Trends carry four significant digits. */
const fourDigits = (v: number | null) => (v === null ? null : Number(v.toPrecision(4)));
const FIGURE_KEYS = ['odr_afn', 'odr_mfn', 'lsr_10', 'lsr_30', 'cancel', 'vtr', 'otdr'];

describe('GET /api/overview/board', () => {
  it('has a row per account and marketplace with the latest figures served, against their targets', async () => {
    const all = await board('?pageSize=200');
    const expectedRows = SCENARIOS.reduce((n, s) => n + served[s]!.at(-1)!.marketplaces.length, 0);
    expect(all.total).toBe(expectedRows);
    expect(all.rows).toHaveLength(expectedRows);
    expect(all.summary.accounts).toBe(SCENARIOS.length);

    for (const scenario of SCENARIOS) {
      const latest = served[scenario]!.at(-1)!;
      for (const m of latest.marketplaces) {
        const row = all.rows.find(
          (r) => r.accountId === ids[scenario] && r.marketplace?.id === m.marketplaceId,
        );
        expect(row, `${scenario} ${m.marketplaceId}`).toBeDefined();
        expect(row!.figures).toHaveLength(FIGURE_KEYS.length);
        expect(row!.accountStatus).toBe(m.accountStatus);
        const odrMfn = m.rates.find((r) => r.metric === 'order_defect_rate' && r.channel === 'mfn');
        const shown = row!.figures[FIGURE_KEYS.indexOf('odr_mfn')];
        if (!odrMfn) {
          expect(shown).toBeNull();
          continue;
        }
        expect(shown).toMatchObject({ rate: odrMfn.rate });
        expect(shown!.target).toMatchObject({
          value: odrMfn.targetValue,
          condition: odrMfn.targetCondition,
          published: false,
        });
        const late10 = m.rates.find((r) => r.metric === 'late_shipment_rate' && windowDays(r.window) === 10);
        if (late10) expect(row!.figures[FIGURE_KEYS.indexOf('lsr_10')]!.rate).toBe(late10.rate);
      }
    }
  });

  it('shows each day of the trend as the last report of that day, ending on the newest report', async () => {
    const all = await board('?pageSize=200');
    const row = all.rows.find((r) => r.accountId === ids['odr-drift'])!;
    const odr = row.figures[FIGURE_KEYS.indexOf('odr_mfn')]!;
    expect(odr.trend).toHaveLength(30);
    const reports = served['odr-drift']!;
    const rateOn = (report: ParsedReport) =>
      fourDigits(
        report.marketplaces
          .find((m) => m.marketplaceId === row.marketplace!.id)!
          .rates.find((r) => r.metric === 'order_defect_rate' && r.channel === 'mfn')!.rate,
      );
    // Newest last; then every three days back, the day's later report (the first day was polled twice).
    expect(odr.trend.at(-1)).toBe(rateOn(reports.at(-1)!));
    expect(odr.trend.at(-4)).toBe(rateOn(reports.at(-2)!));
    const firstDay = odr.trend.at(-1 - 3 * (DAYS_POLLED - 1));
    // The 6-hour later poll may have crossed midnight UTC; either way the day holds its last report.
    expect([rateOn(reports[1]!), rateOn(reports[0]!)]).toContain(firstDay);
    expect(odr.trend.filter((v) => v !== null).length).toBeGreaterThanOrEqual(DAYS_POLLED);
    expect(odr.trend.filter((v) => v !== null).length).toBeLessThanOrEqual(DAYS_POLLED + 1);
  });

  it("fills a day without a report with Data Kiosk's figure, and keeps the report's where both have the day", async () => {
    const all = await board('?pageSize=200');
    const row = all.rows.find((r) => r.accountId === ids.healthy && r.marketplace?.id === kioskMarketplace)!;
    const odr = row.figures[FIGURE_KEYS.indexOf('odr_mfn')]!;
    const days = Object.keys(KIOSK_ODR).sort();
    const reported = served
      .healthy!.at(-1)!
      .marketplaces.find((m) => m.marketplaceId === row.marketplace!.id)!;
    const reportRate = reported.rates.find(
      (r) => r.metric === 'order_defect_rate' && r.channel === 'mfn',
    )!.rate;
    expect(odr.trend.at(-1)).toBe(fourDigits(reportRate));
    expect(odr.trend.at(-2)).toBe(fourDigits(KIOSK_ODR[days[1]!]!));
    expect(odr.trend.at(-3)).toBe(fourDigits(KIOSK_ODR[days[0]!]!));
  });

  it("gives the rating 90 days of the day's score, ending on the newest report", async () => {
    const all = await board('?pageSize=200');
    for (const scenario of SCENARIOS) {
      const reports = served[scenario]!;
      for (const row of all.rows.filter((r) => r.accountId === ids[scenario])) {
        const scoreOn = (report: ParsedReport) =>
          report.marketplaces.find((m) => m.marketplaceId === row.marketplace!.id)?.ahrScore ?? null;
        expect(row.ahr.trend).toHaveLength(90);
        expect(row.ahr.trend.at(-1)).toBe(scoreOn(reports.at(-1)!));
        expect(row.ahr.trend.at(-1)).toBe(row.ahr.score);
        expect(row.ahr.trend.at(-4)).toBe(scoreOn(reports.at(-2)!));
        expect(row.ahr.trend.slice(0, -1 - 3 * DAYS_POLLED).every((v) => v === null)).toBe(true);
      }
    }
  });

  it('puts suspended first, then at risk closest to a target first', async () => {
    const { rows } = await board('?pageSize=200');
    const rank = { suspended: 0, at_risk: 1, unknown: 2, fine: 3 } as const;
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1]!;
      const b = rows[i]!;
      expect(rank[a.standing], `${a.accountName} before ${b.accountName}`).toBeLessThanOrEqual(
        rank[b.standing],
      );
      if (a.standing === b.standing && a.closestToTarget !== null && b.closestToTarget !== null) {
        expect(a.closestToTarget).toBeGreaterThanOrEqual(b.closestToTarget);
      }
    }
    expect(rows[0]!.accountId).toBe(ids.suspension);
    expect(rows[0]!.standing).toBe('suspended');
  });

  it('marks a figure near its target from 75 % of its allowance, and breached past it', async () => {
    const { rows } = await board('?pageSize=200');
    for (const f of rows.flatMap((r) => r.figures)) {
      if (!f || f.allowanceUsed === null) continue;
      // Amazon's BAD makes a figure breached whatever its share; short of that, the share decides.
      if (f.allowanceUsed >= 1) expect(f.tone).toBe('breached');
      else if (f.tone !== 'breached') expect(f.tone).toBe(f.allowanceUsed >= 0.75 ? 'near' : 'good');
    }
  });

  it('filters by text, standing and marketplace; the summary still counts every account', async () => {
    const byName = await board(
      `?q=${encodeURIComponent(demoSeller('odr-drift').name.slice(0, 6).toLowerCase())}`,
    );
    expect(byName.rows.length).toBeGreaterThan(0);
    expect(byName.rows.every((r) => r.accountId === ids['odr-drift'])).toBe(true);
    expect(byName.summary.accounts).toBe(SCENARIOS.length);

    const bySeller = await board(`?q=${demoSeller('healthy').sellerId}`);
    expect(bySeller.rows.map((r) => r.accountId)).toEqual(bySeller.rows.map(() => ids.healthy));

    const suspended = await board('?standing=suspended');
    expect(suspended.rows.length).toBeGreaterThan(0);
    expect(suspended.rows.every((r) => r.standing === 'suspended')).toBe(true);

    const all = await board('?pageSize=200');
    const marketplace = all.marketplaces.at(-1)!;
    const inIt = await board(`?marketplace=${marketplace.id}&pageSize=200`);
    expect(inIt.total).toBe(marketplace.rows);
    expect(inIt.rows.every((r) => r.marketplace?.id === marketplace.id)).toBe(true);

    expect((await board('?q=no-such-seller-anywhere')).total).toBe(0);
  });

  it('sorts by a figure with the worst first, either way, and leaves rows without it last', async () => {
    const worst = await board('?sort=odr_mfn&pageSize=200');
    expect(worst.query).toMatchObject({ sort: 'odr_mfn', dir: 'desc' });
    const used = (b: Board) => b.rows.map((r) => r.figures[1]?.allowanceUsed ?? null);
    const values = used(worst);
    const known = values.filter((v): v is number => v !== null);
    expect(known).toEqual([...known].sort((a, b) => b - a));
    expect(values.slice(known.length).every((v) => v === null)).toBe(true);

    const best = await board('?sort=odr_mfn&dir=asc&pageSize=200');
    const ascending = used(best).filter((v): v is number => v !== null);
    expect(ascending).toEqual([...known].reverse());

    const named = await board('?sort=name&pageSize=200');
    const names = named.rows.map((r) => r.accountName);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('pages, and keeps a page past the end on the last one', async () => {
    const all = await board('?pageSize=200');
    const first = await board('?pageSize=2');
    expect(first.pages).toBe(Math.ceil(all.total / 2));
    expect(first.rows.map((r) => r.accountId)).toEqual(all.rows.slice(0, 2).map((r) => r.accountId));
    const second = await board('?pageSize=2&page=2');
    expect(second.rows.map((r) => r.marketplace?.id + r.accountId)).toEqual(
      all.rows.slice(2, 4).map((r) => r.marketplace?.id + r.accountId),
    );
    const beyond = await board('?pageSize=2&page=999');
    expect(beyond.page).toBe(first.pages);
  });

  it('refuses a query it does not understand', async () => {
    for (const query of ['?sort=nonsense', '?standing=great', '?pageSize=0', '?marketplace=a;b']) {
      const res = await app.inject({ method: 'GET', url: `/api/overview/board${query}` });
      expect(res.statusCode, query).toBe(400);
    }
  });
});

describe('GET /api/overview/version and /api/accounts/:id/overview', () => {
  it('changes its version when a poll ends, and the board shows the new figures', async () => {
    const before = (await app.inject({ method: 'GET', url: '/api/overview/version' })).json() as {
      version: string;
    };
    sim.state.advanceClock({ days: 1 });
    const report = parseSellerPerformanceReport(sim.state.currentDocument(demoSeller('odr-drift').sellerId));
    const [run] = await app.poller.pollNow([ids['odr-drift']!]);
    expect(run).toMatchObject({ status: 'succeeded' });
    const after = (await app.inject({ method: 'GET', url: '/api/overview/version' })).json() as {
      version: string;
    };
    expect(after.version).not.toBe(before.version);
    const row = (await board(`?q=${demoSeller('odr-drift').sellerId}`)).rows[0]!;
    const odr = report.marketplaces
      .find((m) => m.marketplaceId === row.marketplace!.id)!
      .rates.find((r) => r.metric === 'order_defect_rate' && r.channel === 'mfn')!;
    expect(row.figures[1]!.rate).toBe(odr.rate);
    expect(row.figures[1]!.trend.at(-1)).toBe(fourDigits(odr.rate));
  });

  it("gives one account's entry, and 404 for an account that does not exist", async () => {
    const res = await app.inject({ method: 'GET', url: `/api/accounts/${ids.suspension}/overview` });
    expect(res.statusCode, res.body).toBe(200);
    const account = res.json() as OverviewAccount;
    expect(account).toMatchObject({ id: ids.suspension, standing: 'suspended' });
    expect(account.marketplaces.length).toBeGreaterThan(0);
    // Headroom from the report's own counts: the largest count still under the target, less the count now.
    const drifting = (
      await app.inject({ method: 'GET', url: `/api/accounts/${ids['odr-drift']}/overview` })
    ).json() as OverviewAccount;
    const odr = drifting.marketplaces[0]!.metrics.find(
      (f) => f.metric === 'order_defect_rate' && f.channel === 'mfn',
    )!;
    const allowed = Math.ceil(odr.target!.value * odr.denominator! - 1e-9) - 1;
    expect(odr.headroom).toBe(allowed >= odr.numerator! ? allowed - odr.numerator! : null);
    const missing = await app.inject({
      method: 'GET',
      url: '/api/accounts/00000000-0000-4000-8000-000000000000/overview',
    });
    expect(missing.statusCode).toBe(404);
  });
});

async function version(): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/api/overview/version' });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { version: string }).version;
}

async function unresolvedAlerts(): Promise<AlertList> {
  const res = await app.inject({ method: 'GET', url: '/api/alerts?state=open,acknowledged&pageSize=200' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as AlertList;
}

const bySeverity = (alerts: readonly Alert[]) => ({
  critical: alerts.filter((a) => a.severity === 'critical').length,
  warning: alerts.filter((a) => a.severity === 'warning').length,
  info: alerts.filter((a) => a.severity === 'info').length,
});

/** The alerts a row counts: its marketplace's, and its account's own. */
const alertsOfRow = (alerts: readonly Alert[], row: Board['rows'][number]) =>
  alerts.filter(
    (a) =>
      a.accountId === row.accountId &&
      (a.marketplaceId === null || row.marketplace === null || a.marketplaceId === row.marketplace.id),
  );

describe('open alerts on the board', () => {
  it("counts each row's open alerts by severity, once the engine has evaluated the polls' reports", async () => {
    const before = await version();
    // Nothing has evaluated the reports the polls stored: the board has no alert yet.
    expect((await board('?pageSize=200')).alerts).toEqual({ critical: 0, warning: 0, info: 0 });
    const events = await app.alerts.pass();
    expect(events.filter((e) => e.event === 'opened').length).toBeGreaterThan(0);
    // Evaluating changes no account and no snapshot: the alerts alone must move the version.
    expect(await version()).not.toBe(before);

    const all = await board('?pageSize=200');
    const { alerts, counts } = await unresolvedAlerts();
    expect(all.alerts).toEqual(counts);
    for (const row of all.rows) {
      expect(row.alerts, `${row.accountName} ${row.marketplace?.id}`).toEqual(
        bySeverity(alertsOfRow(alerts, row)),
      );
      for (const figure of row.figures) {
        if (!figure?.alert) continue;
        const alert = alerts.find((a) => a.id === figure.alert!.id);
        expect(alert, figure.key).toBeDefined();
        expect(alert).toMatchObject({ accountId: row.accountId, marketplaceId: row.marketplace!.id });
      }
    }
    // The deactivated seller: its account status is a critical alert, on its row.
    const suspended = all.rows.find((r) => r.accountId === ids.suspension)!;
    expect(suspended.alerts.critical).toBeGreaterThan(0);
  });

  it("marks the figure a trend alert is about with its projected breach, and the row's earliest", async () => {
    // A second seller drifting like odr-drift, with twelve days of reports: enough for a trend, short of its target.
    const seller = sim.state.addAccount({
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER'],
      scenario: 'odr-drift',
    });
    const connected = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      payload: {
        sellerId: seller.sellerId,
        name: 'Trending Seller',
        region: 'na',
        refreshToken: seller.refreshToken,
      },
    });
    expect(connected.statusCode, connected.body).toBe(201);
    const id = (connected.json() as { id: string }).id;
    // The last test refreshes every account, this one too.
    ids.trending = id;
    const DAYS = 12;
    const start = Date.now() - DAYS * 86_400_000;
    for (let day = 0; day <= DAYS; day++) {
      const at = new Date(start + day * 86_400_000);
      const document = generateSellerPerformanceReport(
        'odr-drift',
        seller.sellerId,
        ['ATVPDKIKX0DER'],
        day,
        at,
      );
      await ingestReport(app.database.db, {
        accountId: id,
        bytes: Buffer.from(JSON.stringify(document)),
        amazonReportId: null,
        amazonDocumentId: null,
        marketplaceIds: ['ATVPDKIKX0DER'],
        capturedAt: at,
        parsed: { ok: true, report: parseSellerPerformanceReport(document) },
      });
    }
    await app.alerts.pass();

    const { alerts } = await unresolvedAlerts();
    const trend = alerts.find((a) => a.accountId === id && a.rule === 'metric_trend');
    expect(trend, JSON.stringify(alerts.filter((a) => a.accountId === id))).toMatchObject({
      subject: 'order_defect_rate:mfn:60',
      severity: 'warning',
    });
    const projected = trend!.details.projectedBreachAt as string;
    expect(Date.parse(projected)).toBeGreaterThan(Date.now());

    const row = (await board(`?q=${seller.sellerId}`)).rows[0]!;
    expect(row.accountId).toBe(id);
    const odr = row.figures[FIGURE_KEYS.indexOf('odr_mfn')]!;
    expect(odr.alert).toEqual({ id: trend!.id, severity: 'warning', projectedBreachAt: projected });
    // The other figures have no alert of their own.
    for (const f of row.figures) if (f && f.key !== 'odr_mfn') expect(f.alert, f.key).toBeNull();
    expect(row.projectedBreachAt).toBe(projected);
    expect(row.alerts).toEqual(bySeverity(alertsOfRow(alerts, row)));

    // Acknowledged, it is still open work: counted and marked, and the version moved.
    const beforeAck = await version();
    const ack = await app.inject({
      method: 'POST',
      url: `/api/alerts/${trend!.id}/acknowledge`,
      payload: {},
    });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(await version()).not.toBe(beforeAck);
    const acked = (await board(`?q=${seller.sellerId}`)).rows[0]!;
    expect(acked.figures[FIGURE_KEYS.indexOf('odr_mfn')]!.alert?.id).toBe(trend!.id);

    // Resolved by hand, it leaves the board at once: no poll, no account changed.
    const beforeResolve = await version();
    const resolved = await app.inject({
      method: 'POST',
      url: `/api/alerts/${trend!.id}/resolve`,
      payload: { note: 'checked the claims' },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(await version()).not.toBe(beforeResolve);
    const after = (await board(`?q=${seller.sellerId}`)).rows[0]!;
    expect(after.figures[FIGURE_KEYS.indexOf('odr_mfn')]!.alert).toBeNull();
    expect(after.projectedBreachAt).toBeNull();
    expect(after.alerts.warning).toBe(row.alerts.warning - 1);
  });
});

describe('GET /api/poll-runs?ids=', () => {
  it('reads the runs a refresh of every account started, and refuses a list it cannot read', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/accounts/refresh', payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const { runs } = res.json() as { runs: Array<{ accountId: string; runId: string }> };
    expect(runs.map((r) => r.accountId).sort()).toEqual(Object.values(ids).sort());

    const missing = '00000000-0000-4000-8000-000000000000';
    const read = await app.inject({
      method: 'GET',
      url: `/api/poll-runs?ids=${[...runs.map((r) => r.runId), missing].join(',')}`,
    });
    expect(read.statusCode, read.body).toBe(200);
    const found = read.json() as Array<{ id: string; accountId: string; status: string }>;
    expect(found.map((r) => r.id).sort()).toEqual(runs.map((r) => r.runId).sort());
    for (const run of found) {
      expect(runs.find((r) => r.runId === run.id)!.accountId).toBe(run.accountId);
    }

    for (const query of ['', '?ids=', '?ids=not-a-uuid', `?ids=${Array(101).fill(missing).join(',')}`]) {
      expect((await app.inject({ method: 'GET', url: `/api/poll-runs${query}` })).statusCode, query).toBe(
        400,
      );
    }
  });
});
