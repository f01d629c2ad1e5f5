import { describe, expect, it } from 'vitest';
import {
  DEMO_ACCOUNTS,
  DEMO_APPLICATION_ID,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  SimulatorState,
} from './index.ts';
import { MARKETPLACE_IDS } from './marketplaces.ts';
import { generateSellerPerformanceReport, roundRate } from './performance-report.ts';
import { accountHealthQuery, checkQuery } from './seller-analytics.ts';

const BASE = new Date('2025-06-02T10:00:00Z');
const demo = (scenario: string) => DEMO_ACCOUNTS.find((a) => a.scenario === scenario)!;
const drift = demo('odr-drift');
const suspension = demo('suspension');
const healthy = demo('healthy');
const newSeller = demo('new-seller');

function state(days = 0): SimulatorState {
  const s = new SimulatorState({
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    applicationId: DEMO_APPLICATION_ID,
    appDraft: true,
    rateScale: 1,
    burstScale: 1,
    reportProcessingMs: 0,
    accounts: 'demo',
    now: () => BASE,
  });
  s.advanceClock({ days });
  return s;
}

const date = (day: number) => new Date(Date.UTC(2025, 5, 2 + day)).toISOString().slice(0, 10);

function query(
  args: string,
  selection = 'startDate endDate totals { accountHealth { accountHealthRatingScore { value } } }',
) {
  return `query { analytics_sellerAnalytics_2025_03_31 { sellerAnalyticsView(${args}) { ${selection} } } }`;
}

type Row = Record<string, unknown> & { startDate: string; endDate: string };
type Health = Record<string, { value: number; timeRangeBenchmarking: unknown } | null>;
interface Group {
  groupByKey: { marketplaceId: string; fulfilmentChannel?: string };
  metrics: { accountHealth: Health };
}

function rows(
  s: SimulatorState,
  sellerId: string,
  request: Parameters<SimulatorState['dataKioskRows']>[1],
): Row[] {
  const result = s.dataKioskRows(sellerId, request);
  if ('error' in result) throw new Error(result.error);
  return result.rows as Row[];
}

const totals = (row: Row) => (row.totals as { accountHealth: Health }).accountHealth;
const groups = (row: Row) => row.metrics as Group[];
const value = (health: Health, field: string) => health[field]?.value ?? null;

describe('checkQuery', () => {
  it('takes the Seller Analytics query with its arguments', () => {
    const check = checkQuery(
      query(
        'startDate: "2025-05-01", endDate: "2025-05-31", aggregateBy: WEEK, marketplaceId: "ATVPDKIKX0DER"',
      ),
    );
    expect(check).toMatchObject({
      ok: true,
      query: {
        startDate: '2025-05-01',
        endDate: '2025-05-31',
        aggregateBy: 'WEEK',
        marketplaceIds: ['ATVPDKIKX0DER'],
      },
    });
  });

  it('refuses at createQuery what cannot be parsed or names another dataset, as the model shows', () => {
    expect(checkQuery('query { analytics_sellerAnalytics_2025_03_31 {')).toMatchObject({
      ok: false,
      stage: 'request',
      details: expect.stringMatching(/^Invalid Syntax : /),
    });
    expect(checkQuery('query {invalidSampleQuery(startDate:"2023-03-01"){sales{date}}}')).toEqual({
      ok: false,
      stage: 'request',
      details: "Query 'invalidSampleQuery' is not supported.",
    });
  });

  it('lets the rest fail at processing, with a message that says why', () => {
    const processing = (text: string) => {
      const check = checkQuery(text);
      return !check.ok && check.stage === 'processing'
        ? check.message
        : `not a processing failure: ${JSON.stringify(check)}`;
    };
    const args =
      'startDate: "2025-05-01", endDate: "2025-05-31", aggregateBy: DAY, marketplaceId: ["ATVPDKIKX0DER"]';
    expect(
      processing(query(args, 'startDate metrics { accountHealth { accountHealthRatingScore { value } } }')),
    ).toBe(
      'Validation error (FieldUndefined@[analytics_sellerAnalytics_2025_03_31/sellerAnalyticsView/metrics/accountHealth])' +
        " : Field 'accountHealth' in type 'SellerAnalyticsViewGroupedBy' is undefined",
    );
    expect(processing(query(args.replace('marketplaceId', 'marketplaceIds')))).toMatch(
      /UnknownArgument.*'marketplaceIds' \(the argument is 'marketplaceId', a list\)/,
    );
    expect(processing(query(args.replace('aggregateBy: DAY, ', '')))).toMatch(
      /Missing field argument 'aggregateBy'/,
    );
    expect(processing(query(args.replace('DAY', 'DAYS')))).toMatch(
      /'aggregateBy' with value 'DAYS' is not a valid 'DateGranularity'/,
    );
    expect(processing(query(args.replace('2025-05-31', '2025-02-30')))).toMatch(/not a valid 'Date'/);
    expect(processing(query(args, 'totals { accountHealth }'))).toMatch(/SubselectionRequired/);
    expect(processing(query(args, 'startDate { value }'))).toMatch(/SubselectionNotAllowed/);
    expect(processing(query(args, 'metrics { groupByKey { asin } }'))).toMatch(/does not model the catalog/);
    expect(
      processing(
        'query { analytics_sellerAnalytics_2025_03_31 { a: sellerAnalyticsView { startDate } b: sellerAnalyticsView { startDate } } }',
      ),
    ).toMatch(/exactly once/);
    expect(processing(query(args, 'startDate ...F'))).toMatch(/Fragments are not supported/);
  });

  it('accepts every field of the full account-health query, which stays under the 8000-character limit', () => {
    const text = accountHealthQuery({
      startDate: '2025-05-01',
      endDate: '2025-05-02',
      marketplaceIds: ['ATVPDKIKX0DER'],
      byChannel: true,
    });
    expect(checkQuery(text).ok).toBe(true);
  });
});

describe('Seller Analytics rows', () => {
  it('has one line per day up to yesterday, one metrics entry per marketplace, and totals across them', () => {
    const s = state(3);
    const all = rows(s, healthy.sellerId, { startDate: date(-2), endDate: date(10) });
    expect(all.map((r) => r.startDate)).toEqual([date(-2), date(-1), date(0), date(1), date(2)]);
    for (const row of all) {
      expect(row.endDate).toBe(row.startDate);
      expect(groups(row).map((g) => g.groupByKey.marketplaceId)).toEqual(healthy.marketplaceIds);
    }
    const row = all[4]!;
    const perMarketplace = groups(row).map((g) => g.metrics.accountHealth);
    const sum = (field: string) => perMarketplace.reduce((n, h) => n + (value(h, field) ?? 0), 0);
    expect(value(totals(row), 'accountHealthOrderCount')).toBe(sum('accountHealthOrderCount'));
    expect(value(totals(row), 'accountHealthOrderDefectRate')).toBe(
      roundRate(sum('accountHealthTotalOrderDefects'), sum('accountHealthOrderCount')),
    );
    expect(value(totals(row), 'accountHealthRatingScore')).toBe(
      Math.min(...perMarketplace.map((h) => value(h, 'accountHealthRatingScore')!)),
    );
    // Rates are fractions, as in the seller performance report; DAY rows have no benchmarks.
    expect(value(totals(row), 'accountHealthOrderDefectRate')).toBeLessThan(0.02);
    expect(totals(row).accountHealthOrderDefectRate?.timeRangeBenchmarking).toBeNull();
    // The region-wide product-defect snapshots are not modelled: null, "not yet available".
    const region = rows(
      s,
      healthy.sellerId,
      query(
        `startDate: "${date(1)}" endDate: "${date(1)}" aggregateBy: DAY marketplaceId: ["${MARKETPLACE_IDS.US}"]`,
        'totals { accountHealth { regionDistinctCountDefectTypeT120Days { value } } }',
      ),
    );
    expect(region).toEqual([{ totals: { accountHealth: { regionDistinctCountDefectTypeT120Days: null } } }]);
  });

  it('answers in the shape of the selection, aliases and __typename included', () => {
    const s = state(2);
    const text = query(
      `startDate: "${date(0)}" endDate: "${date(0)}" aggregateBy: DAY marketplaceId: ["${MARKETPLACE_IDS.US}"]`,
      'day: startDate __typename totals { sales { unitsOrdered { value } } ah: accountHealth { score: accountHealthRatingScore { value __typename } } }',
    );
    expect(rows(s, suspension.sellerId, text)).toEqual([
      {
        day: date(0),
        __typename: 'SellerAnalyticsView',
        totals: { sales: null, ah: { score: { value: 260, __typename: 'IntWithBenchmarking' } } },
      },
    ]);
  });

  it('continues the seller performance report day for day (suspension): score, rates and counts', () => {
    const s = state(13);
    const days = rows(s, suspension.sellerId, { startDate: date(0), endDate: date(12), byChannel: true });
    expect(days).toHaveLength(13);
    for (const [d, row] of days.entries()) {
      const report = generateSellerPerformanceReport(
        'suspension',
        suspension.sellerId,
        suspension.marketplaceIds,
        d,
        new Date(`${date(d)}T12:00:00Z`),
        'standard',
      );
      const m = report.performanceMetrics[0] as Record<string, Record<string, unknown>>;
      const mfn = (m.orderDefectRate as Record<string, Record<string, unknown>>).mfn!;
      const fbm = groups(row).find((g) => g.groupByKey.fulfilmentChannel === 'FBM')!.metrics.accountHealth;
      expect(row.startDate).toBe(date(d));
      expect(value(totals(row), 'accountHealthRatingScore')).toBe(
        (m.accountHealthRating as { ahrScore: number }).ahrScore,
      );
      expect(value(fbm, 'accountHealthOrderDefectRate')).toBe(mfn.rate);
      expect(value(fbm, 'accountHealthOrderCount')).toBe(mfn.orderCount);
      expect(value(fbm, 'accountHealthTotalOrderDefects')).toBe(
        (mfn.orderWithDefects as { count: number }).count,
      );
      expect(value(fbm, 'accountHealthAtozClaimOrderCount')).toBe((mfn.claims as { count: number }).count);
      expect(value(fbm, 'accountHealthLateShipmentRate')).toBe(m.lateShipmentRate!.rate);
      expect(value(fbm, 'accountHealthLateShipmentOrderCount')).toBe(m.lateShipmentRate!.lateShipmentCount);
      expect(value(fbm, 'accountHealthPreFulfillmentCancelRate')).toBe(
        m.preFulfillmentCancellationRate!.rate,
      );
      expect(value(fbm, 'accountHealthValidTrackingRate')).toBe(m.validTrackingRate!.rate);
      expect(value(fbm, 'accountHealthOnTimeDeliveryRate')).toBe(m.onTimeDeliveryRate!.rate);
      expect(value(fbm, 'accountHealthPackageUnits')).toBe(m.unitOnTimeDeliveryRate!.totalUnitCount);
    }
    expect(value(totals(days[12]!), 'accountHealthRatingScore')).toBe(40);
  });

  it('continues the report for odr-drift: FBA and FBM are its afn and mfn ODR, the totals combine them', () => {
    const s = state(46);
    const days = rows(s, drift.sellerId, { startDate: date(20), endDate: date(45), byChannel: true });
    expect(days).toHaveLength(26);
    let breached = 0;
    for (const row of days) {
      const d = Math.round((Date.parse(row.startDate) - Date.parse(date(0))) / 86_400_000);
      const report = s.currentDocument(drift.sellerId, undefined, new Date(`${row.startDate}T23:00:00Z`));
      const odr = (report.performanceMetrics[0] as Record<string, Record<string, Record<string, unknown>>>)
        .orderDefectRate!;
      const channel = (name: string) =>
        groups(row).find((g) => g.groupByKey.fulfilmentChannel === name)!.metrics.accountHealth;
      expect(value(channel('FBA'), 'accountHealthOrderDefectRate')).toBe(odr.afn!.rate);
      expect(value(channel('FBM'), 'accountHealthOrderDefectRate')).toBe(odr.mfn!.rate);
      const defects =
        (odr.afn!.orderWithDefects as { count: number }).count +
        (odr.mfn!.orderWithDefects as { count: number }).count;
      const orders = (odr.afn!.orderCount as number) + (odr.mfn!.orderCount as number);
      expect(value(totals(row), 'accountHealthOrderDefectRate')).toBe(roundRate(defects, orders));
      expect(value(totals(row), 'accountHealthRatingScore')).toBe(
        (report.performanceMetrics[0]!.accountHealthRating as { ahrScore: number }).ahrScore,
      );
      if ((odr.mfn!.rate as number) >= 0.01) breached += 1;
      expect(d).toBeGreaterThanOrEqual(20);
    }
    expect(breached).toBeGreaterThan(15);
  });

  it('gives a newly connected account two years of plausible, deterministic history before day 0', () => {
    const s = state(0);
    const history = rows(s, drift.sellerId, { startDate: '2023-06-02', endDate: date(-1), byChannel: true });
    expect(history).toHaveLength(731);
    expect(history[0]?.startDate).toBe('2023-06-02');
    const odr = history.map((r) => value(totals(r), 'accountHealthOrderDefectRate')!);
    expect(Math.max(...odr)).toBeLessThan(0.01);
    expect(Math.min(...odr)).toBeGreaterThan(0.001);
    expect(new Set(odr.slice(0, 30)).size).toBeGreaterThan(10);
    const again = rows(state(0), drift.sellerId, {
      startDate: '2023-06-02',
      endDate: '2023-06-09',
      byChannel: true,
    });
    expect(again).toEqual(history.slice(0, 8));
  });

  it('aggregates WEEK (Sunday to Saturday) and MONTH, clipped to the range, with benchmarks', () => {
    const s = state(40);
    const weeks = rows(s, drift.sellerId, {
      startDate: '2025-06-04',
      endDate: '2025-06-30',
      aggregateBy: 'WEEK',
    });
    expect(weeks.map((r) => [r.startDate, r.endDate])).toEqual([
      ['2025-06-04', '2025-06-07'],
      ['2025-06-08', '2025-06-14'],
      ['2025-06-15', '2025-06-21'],
      ['2025-06-22', '2025-06-28'],
      ['2025-06-29', '2025-06-30'],
    ]);
    // A period stands at its last day: the same figures as that day's row.
    const lastDay = rows(s, drift.sellerId, { startDate: '2025-06-14', endDate: '2025-06-14' })[0]!;
    expect(totals(weeks[1]!)).toMatchObject({
      accountHealthOrderDefectRate: { value: value(totals(lastDay), 'accountHealthOrderDefectRate') },
    });
    const previous = rows(s, drift.sellerId, { startDate: '2025-06-07', endDate: '2025-06-07' })[0]!;
    const now = value(totals(lastDay), 'accountHealthOrderCount')!;
    const before = value(totals(previous), 'accountHealthOrderCount')!;
    expect(totals(weeks[1]!).accountHealthOrderCount?.timeRangeBenchmarking).toEqual({
      weekOverWeek: Math.round(((now - before) / before) * 1e6) / 1e6,
      monthOverMonth: null,
      yearOverYear: expect.any(Number),
    });
    const months = rows(s, drift.sellerId, {
      startDate: '2025-05-15',
      endDate: '2025-07-31',
      aggregateBy: 'MONTH',
    });
    expect(months.map((r) => [r.startDate, r.endDate])).toEqual([
      ['2025-05-15', '2025-05-31'],
      ['2025-06-01', '2025-06-30'],
      ['2025-07-01', '2025-07-11'],
    ]);
    expect(totals(months[1]!).accountHealthRatingScore?.timeRangeBenchmarking).toMatchObject({
      weekOverWeek: null,
    });
  });

  it('has no rows before a new seller’s first orders, and none for days to come', () => {
    const s = state(30);
    expect(rows(s, newSeller.sellerId, { startDate: date(-30), endDate: date(4) })).toEqual([]);
    const first = rows(s, newSeller.sellerId, { startDate: date(-30), endDate: date(6), byChannel: true });
    expect(first.map((r) => r.startDate)).toEqual([date(5), date(6)]);
    // FBA only: no seller-fulfilled figures, and no ODR before orders reach its window.
    expect(groups(first[0]!).map((g) => g.groupByKey.fulfilmentChannel)).toEqual(['FBA']);
    const health = groups(first[0]!)[0]!.metrics.accountHealth;
    expect(health.accountHealthOrderDefectRate).toBeNull();
    expect(health.accountHealthLateShipmentRate).toBeNull();
    expect(value(health, 'accountHealthOrderCount')).toBe(0);
    expect(value(health, 'accountHealthRatingScore')).toBe(200);
    expect(rows(s, healthy.sellerId, { startDate: date(30), endDate: date(40) })).toEqual([]);
    // A marketplace the seller does not sell in has no data; an unknown one is an error.
    expect(
      rows(s, suspension.sellerId, {
        startDate: date(1),
        endDate: date(2),
        marketplaceIds: [MARKETPLACE_IDS.DE],
      }),
    ).toEqual([]);
    expect(
      s.dataKioskRows(suspension.sellerId, { startDate: date(1), endDate: date(2), marketplaceIds: ['XYZ'] }),
    ).toEqual({
      error: 'Invalid marketplaceId: XYZ.',
    });
  });

  it('refuses a start more than two years back, and an end before the start', () => {
    const s = state(0);
    expect(s.dataKioskRows(healthy.sellerId, { startDate: '2023-06-01', endDate: '2023-06-30' })).toEqual({
      error: 'The start date must be no more than two years ago: startDate 2023-06-01 is before 2023-06-02.',
    });
    expect(s.dataKioskRows(healthy.sellerId, { startDate: '2025-05-02', endDate: '2025-05-01' })).toEqual({
      error: 'endDate 2025-05-01 is before startDate 2025-05-02.',
    });
  });

  it("answers documentLines periods ending at the query's last one for a benchmark, however far back", () => {
    const s = state(10);
    s.setDocumentLines(healthy.sellerId, 1200);
    // One line a day, oldest first, its startDate and the two-year limit set aside; the last is yesterday.
    const days = rows(s, healthy.sellerId, { startDate: '2025-06-01', endDate: '2025-06-30' });
    expect(days).toHaveLength(1200);
    expect(days[0]?.startDate).toBe('2022-02-28');
    expect(days.at(-1)?.endDate).toBe(date(9));
    expect(new Set(days.map((r) => r.startDate)).size).toBe(1200);
    // Past the first 1000 days the figures come from fresh histories: the same figures as the query as asked.
    s.setDocumentLines(healthy.sellerId, null);
    expect(rows(s, healthy.sellerId, { startDate: date(2), endDate: date(9) })).toEqual(days.slice(-8));
    // Weeks from a Sunday, months from the first.
    s.setDocumentLines(healthy.sellerId, 30);
    const weeks = rows(s, healthy.sellerId, { startDate: date(8), endDate: date(8), aggregateBy: 'WEEK' });
    const months = rows(s, healthy.sellerId, { startDate: date(8), endDate: date(8), aggregateBy: 'MONTH' });
    expect(weeks).toHaveLength(30);
    expect(weeks[0]?.startDate).toBe('2024-11-17');
    expect(months).toHaveLength(30);
    expect(months[0]?.startDate).toBe('2023-01-01');
    // A shop that opened on day 5 has no lines before it.
    s.setDocumentLines(newSeller.sellerId, 100);
    expect(rows(s, newSeller.sellerId, { startDate: date(9), endDate: date(9) })).toHaveLength(5);
    expect(() => s.setDocumentLines(healthy.sellerId, 0)).toThrow(/documentLines/);
    expect(() => s.setDocumentLines(healthy.sellerId, 250_001)).toThrow(/documentLines/);
  });
});
