import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateReport, type AlertEvent } from '@good-standing/server/alerts/alerts.service.ts';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import { DEMO_ACCOUNTS } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

// A report that carries only the rating's label (no number) is judged with the score Amazon's Data Kiosk gave for
// the days just before it: the rating rules see the number, its band and its fall, and the alert says where the
// number came from. An older Data Kiosk score is not taken for today's.

const DAY_MS = 86_400_000;
const NOW = new Date(Date.UTC(2026, 10, 20, 6));
const healthy = DEMO_ACCOUNTS.find((a) => a.scenario === 'healthy')!;
const US = healthy.marketplaceIds[0]!;

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('postgres');
});
afterAll(async () => {
  await t?.destroy();
});

async function account(sellerId: string): Promise<string> {
  const row = await t.db
    .insertInto('seller_accounts')
    .values({ seller_id: sellerId, name: sellerId, region: 'na' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One day of Data Kiosk history with this score, captured at the day's last second as the backfill stores it. */
async function kioskDay(accountId: string, daysBefore: number, score: number): Promise<void> {
  const day = new Date(
    Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate()) - daysBefore * DAY_MS,
  );
  await t.db
    .insertInto('health_snapshots')
    .values({
      account_id: accountId,
      marketplace_id: US,
      captured_at: new Date(day.getTime() + DAY_MS - 1000),
      source: 'data_kiosk',
      granularity: 'day',
      ahr_score: score,
      ahr_band: score < 100 ? 'critical' : score < 200 ? 'at_risk' : 'healthy',
    })
    .execute();
}

/** Today's report in the spelling without a numeric score, stored and evaluated as the poller does. */
async function reportWithoutScore(accountId: string): Promise<AlertEvent[]> {
  const document = generateSellerPerformanceReport('healthy', healthy.sellerId, [US], 10, NOW, 'no-score');
  const report = parseSellerPerformanceReport(document);
  expect(report.marketplaces[0]?.ahrScore).toBeNull();
  const stored = await ingestReport(t.db, {
    accountId,
    bytes: Buffer.from(JSON.stringify(document)),
    amazonReportId: null,
    amazonDocumentId: null,
    marketplaceIds: [US],
    capturedAt: NOW,
    parsed: { ok: true, report },
  });
  const evaluated = await evaluateReport(t.db, stored.reportDocumentId, { now: NOW });
  return evaluated!.events.filter((e) => e.event === 'opened');
}

describe('the rating rules with a report that has no score', () => {
  it("take Data Kiosk's score of the last days, and say so", async () => {
    const id = await account('A1KIOSKSCORE');
    await kioskDay(id, 5, 420);
    await kioskDay(id, 1, 150);
    const opened = await reportWithoutScore(id);

    const rating = opened.find((e) => e.rule === 'rating');
    expect(rating, JSON.stringify(opened)).toBeDefined();
    expect(rating!.title).toBe('Account Health Rating 150 (at risk)');
    expect(rating!.details).toMatchObject({ score: 150, band: 'at_risk', scoreSource: 'data_kiosk' });
    expect(Date.parse(String(rating!.details.scoreAt))).toBe(NOW.getTime() - 6 * 3_600_000 - 1000);

    const drop = opened.find((e) => e.rule === 'score_drop');
    expect(drop?.title).toBe('Account Health Rating fell from 420 to 150, into at risk');
    expect(drop?.details).toMatchObject({ score: 150, previousScore: 420, scoreSource: 'data_kiosk' });
  });

  it('leave a Data Kiosk score older than three days aside', async () => {
    const id = await account('A2KIOSKSCORE');
    await kioskDay(id, 4, 150);
    const opened = await reportWithoutScore(id);
    expect(opened.filter((e) => e.rule === 'rating' || e.rule === 'score_drop')).toEqual([]);
  });
});
