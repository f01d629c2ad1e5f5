import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateReport, type AlertEvent } from '@good-standing/server/alerts/alerts.service.ts';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import { DEMO_ACCOUNTS } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

// The rules over the simulator's stories, one report a day for 90 virtual days, stored and evaluated the way the
// poller's reports are: early enough, never on a healthy account, critical on suspension, quiet after recovery.

const DAYS = 90;
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5, 6);
const SCENARIOS = [
  'healthy',
  'odr-drift',
  'suspension',
  'late-shipment-spike',
  'ip-complaints',
  'new-seller',
];

let t: TestDatabase;
/** Every alert event of each scenario, in order. */
const events: Record<string, AlertEvent[]> = {};
/** Each scenario's served ODR (seller-fulfilled) per day, to find the day it crossed. */
const statusByDay: Record<string, Array<string | null>> = {};

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  for (const scenario of SCENARIOS) {
    const demo = DEMO_ACCOUNTS.find((a) => a.scenario === scenario)!;
    const account = await t.db
      .insertInto('seller_accounts')
      .values({ seller_id: demo.sellerId, name: demo.name, region: demo.region })
      .returning('id')
      .executeTakeFirstOrThrow();
    events[scenario] = [];
    statusByDay[scenario] = [];
    for (let day = 0; day < DAYS; day++) {
      const at = new Date(START + day * DAY_MS);
      const document = generateSellerPerformanceReport(scenario, demo.sellerId, demo.marketplaceIds, day, at);
      const report = parseSellerPerformanceReport(document);
      statusByDay[scenario].push(report.marketplaces[0]?.accountStatus ?? null);
      const stored = await ingestReport(t.db, {
        accountId: account.id,
        bytes: Buffer.from(JSON.stringify(document)),
        amazonReportId: null,
        amazonDocumentId: null,
        marketplaceIds: demo.marketplaceIds,
        capturedAt: at,
        parsed: { ok: true, report },
      });
      const evaluated = await evaluateReport(t.db, stored.reportDocumentId, { now: at });
      expect(evaluated, `${scenario} day ${day}`).not.toBeNull();
      events[scenario].push(...evaluated!.events);
    }
  }
}, 180_000);
afterAll(async () => {
  if (process.env.DUMP_ALERTS) {
    for (const scenario of SCENARIOS) {
      console.log(
        scenario,
        events[scenario]!.filter((e) => e.event !== 'updated')
          .map((e) => `${dayOf(e)} ${e.event} ${e.rule} ${e.subject} ${e.severity}`)
          .join('\n  '),
      );
    }
  }
  await t?.destroy();
});

const dayOf = (e: AlertEvent) => Math.round((e.at.getTime() - START) / DAY_MS);
const opened = (scenario: string, rule: string, subject?: string) =>
  events[scenario]!.filter(
    (e) => e.event === 'opened' && e.rule === rule && (subject === undefined || e.subject === subject),
  );

describe('the rules over 90 days of the simulator', () => {
  it('never warns a healthy account', () => {
    expect(events.healthy!.map((e) => `${dayOf(e)} ${e.event} ${e.rule} ${e.subject}`)).toEqual([]);
  });

  it('warns the drifting ODR at least 7 days before it breaches, then raises the breach', () => {
    const subject = 'order_defect_rate:mfn:60';
    const early = [
      ...opened('odr-drift', 'metric_trend', subject),
      ...opened('odr-drift', 'metric_margin', subject),
    ];
    const breach = opened('odr-drift', 'metric_breach', subject);
    expect(early.length, 'an early warning').toBeGreaterThan(0);
    expect(breach.length, 'a breach').toBeGreaterThan(0);
    const firstWarning = Math.min(...early.map(dayOf));
    const firstBreach = dayOf(breach[0]!);
    expect(firstBreach - firstWarning).toBeGreaterThanOrEqual(7);
    expect(breach[0]!.severity).toBe('critical');
    const trend = opened('odr-drift', 'metric_trend', subject)[0];
    if (trend) expect(trend.details.projectedBreachAt).toEqual(expect.any(String));
    // The early warnings give way to the breach rather than stand beside it.
    const resolvedEarly = events['odr-drift']!.filter(
      (e) => e.event === 'resolved' && e.subject === subject && e.rule !== 'metric_breach',
    );
    expect(resolvedEarly.some((e) => dayOf(e) === firstBreach)).toBe(true);
  });

  it('resolves the breach when the ODR recovers, with the time it cleared', () => {
    const resolved = events['odr-drift']!.filter(
      (e) => e.event === 'resolved' && e.rule === 'metric_breach' && e.subject === 'order_defect_rate:mfn:60',
    );
    expect(resolved.length).toBeGreaterThan(0);
    const breachDay = dayOf(opened('odr-drift', 'metric_breach', 'order_defect_rate:mfn:60')[0]!);
    expect(dayOf(resolved[0]!)).toBeGreaterThan(breachDay);
  });

  it('raises a critical alert on the first report that shows the suspension', () => {
    const firstDeactivated = statusByDay.suspension!.indexOf('DEACTIVATED');
    expect(firstDeactivated).toBeGreaterThan(0);
    const status = events.suspension!.filter((e) => e.rule === 'account_status');
    const critical = status.find(
      (e) => e.severity === 'critical' && (e.event === 'opened' || e.event === 'escalated'),
    );
    expect(critical).toBeDefined();
    expect(dayOf(critical!)).toBe(firstDeactivated);
    // One alert for the marketplace's status, escalated from at risk rather than opened twice.
    expect(new Set(status.map((e) => e.alertId)).size).toBe(1);
  });

  it('opens one alert per condition, however many reports show it', () => {
    for (const scenario of SCENARIOS) {
      const openedKeys = events[scenario]!.filter((e) => e.event === 'opened').map((e) => `${e.alertId}`);
      expect(new Set(openedKeys).size, scenario).toBe(openedKeys.length);
    }
    const breach = events['odr-drift']!.filter((e) => e.rule === 'metric_breach');
    // Opened once, refreshed as the rate moved, resolved once.
    expect(breach.filter((e) => e.event === 'opened')).toHaveLength(1);
    expect(breach.filter((e) => e.event === 'updated').length).toBeGreaterThan(0);
  });

  it('raises no trend warning from the noise of a new, low-volume seller', () => {
    expect(opened('new-seller', 'metric_trend')).toEqual([]);
  });

  it('warns of policy complaints as they arrive, and of the rating turning WARNED', () => {
    expect(opened('ip-complaints', 'policy').length).toBeGreaterThan(0);
    expect(opened('ip-complaints', 'rating').length).toBeGreaterThan(0);
  });
});
