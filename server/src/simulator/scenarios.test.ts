import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, generateSellerPerformanceReport, MARKETPLACE_IDS } from './index.ts';
import type { SellerPerformanceDocument } from './index.ts';

type Block = Record<string, unknown> & { status?: string; rate?: number };
const AT = new Date('2025-06-02T09:30:00Z');
const demo = (scenario: string) => DEMO_ACCOUNTS.find((a) => a.scenario === scenario)!;

function metrics(doc: SellerPerformanceDocument, index = 0): Record<string, unknown> {
  return doc.performanceMetrics[index]!;
}
function block(doc: SellerPerformanceDocument, key: string, index = 0): Block {
  return metrics(doc, index)[key] as Block;
}
function odr(doc: SellerPerformanceDocument, channel: 'afn' | 'mfn', index = 0): Block {
  return block(doc, 'orderDefectRate', index)[channel] as Block;
}
function day(scenario: string, d: number, dialect: 'standard' | 'model-spellings' = 'standard') {
  const account = demo(scenario);
  return generateSellerPerformanceReport(scenario, account.sellerId, account.marketplaceIds, d, AT, dialect);
}

/** Every object with a `rate` and a `status` anywhere in the document. */
function rateBlocks(value: unknown, out: Block[] = []): Block[] {
  if (Array.isArray(value)) value.forEach((v) => rateBlocks(v, out));
  else if (value && typeof value === 'object') {
    const record = value as Block;
    if (typeof record.rate === 'number' && typeof record.status === 'string') out.push(record);
    Object.values(record).forEach((v) => rateBlocks(v, out));
  }
  return out;
}

describe('generateSellerPerformanceReport', () => {
  it('is deterministic: the same seller, marketplaces, day and date give the same document', () => {
    const a = generateSellerPerformanceReport('healthy', 'A2X7K9QWERTY12', [MARKETPLACE_IDS.US], 12, AT);
    const b = generateSellerPerformanceReport(
      'healthy',
      'A2X7K9QWERTY12',
      [MARKETPLACE_IDS.US],
      12,
      new Date(AT),
    );
    expect(a).toEqual(b);
    const nextDay = generateSellerPerformanceReport(
      'healthy',
      'A2X7K9QWERTY12',
      [MARKETPLACE_IDS.US],
      13,
      AT,
    );
    const otherSeller = generateSellerPerformanceReport(
      'healthy',
      'A3OTHERSELLER1',
      [MARKETPLACE_IDS.US],
      12,
      AT,
    );
    expect(nextDay).not.toEqual(a);
    expect(otherSeller).not.toEqual(a);
  });

  it('dates its windows like the samples: ODR 60 days ending 14 days ago, LSR 10 and 30, policy 180', () => {
    const doc = day('healthy', 0);
    const range = (b: Block) => b.reportingDateRange;
    expect(range(odr(doc, 'mfn'))).toEqual({
      reportingDateFrom: '2025-03-21T00:00:00Z',
      reportingDateTo: '2025-05-19T23:59:59Z',
    });
    const lsr = block(doc, 'lateShipmentRateList') as unknown as Block[];
    expect(lsr.map(range)).toEqual([
      { reportingDateFrom: '2025-05-23T00:00:00Z', reportingDateTo: '2025-06-01T23:59:59Z' },
      { reportingDateFrom: '2025-05-03T00:00:00Z', reportingDateTo: '2025-06-01T23:59:59Z' },
    ]);
    expect(range(block(doc, 'listingPolicyViolations'))).toEqual({
      reportingDateFrom: '2024-12-05T00:00:00Z',
      reportingDateTo: '2025-06-02T23:59:59Z',
    });
    expect(range(block(doc, 'onTimeDeliveryRate'))).toEqual({
      reportingDateFrom: '2025-04-24T00:00:00Z',
      reportingDateTo: '2025-05-23T23:59:59Z',
    });
  });

  it('reports rates as count / denominator rounded to 6 digits', () => {
    const doc = day('odr-drift', 17);
    const mfn = odr(doc, 'mfn');
    expect(mfn.rate).toBe(
      Math.round(((mfn.orderWithDefects as { count: number }).count / (mfn.orderCount as number)) * 1e6) /
        1e6,
    );
    const lsr = block(doc, 'lateShipmentRate');
    expect(lsr.rate).toBe(
      Math.round(((lsr.lateShipmentCount as number) / (lsr.orderCount as number)) * 1e6) / 1e6,
    );
  });

  it('keeps the healthy account healthy in every marketplace over 90 virtual days', () => {
    for (let d = 0; d <= 90; d++) {
      const doc = day('healthy', d);
      expect(doc.accountStatuses.map((s) => s.status)).toEqual(['NORMAL', 'NORMAL', 'NORMAL']);
      for (let i = 0; i < 3; i++) {
        const bad = rateBlocks(metrics(doc, i)).filter((b) => b.status !== 'GOOD');
        expect(bad, `day ${d} marketplace ${i}`).toEqual([]);
        expect((block(doc, 'accountHealthRating', i) as Block).ahrStatus).toBe('GREAT');
        expect(block(doc, 'receivedIntellectualPropertyComplaints', i).defectsCount).toBe(0);
      }
    }
  });

  it('drifts the odr-drift account over 1% MFN ODR between days 18 and 27, then AT_RISK', () => {
    const rates = Array.from({ length: 91 }, (_, d) => odr(day('odr-drift', d), 'mfn').rate as number);
    const breach = rates.findIndex((r) => r >= 0.01);
    expect(breach).toBeGreaterThanOrEqual(18);
    expect(breach).toBeLessThanOrEqual(27);
    expect(rates[0]).toBeLessThan(0.006);
    // A drift, not a jump: the week before the breach is already rising towards it.
    expect(rates[breach - 7]!).toBeGreaterThan(rates[0]!);
    const atBreach = day('odr-drift', breach);
    expect(odr(atBreach, 'mfn').status).toBe('BAD');
    expect((odr(atBreach, 'mfn').orderWithDefects as Block).status).toBe('BAD');
    expect(odr(day('odr-drift', breach - 1), 'mfn').status).toBe('GOOD');
    const claims = (d: number) => (odr(day('odr-drift', d), 'mfn').claims as { count: number }).count;
    expect(claims(breach)).toBeGreaterThan(claims(0));
    expect(day('odr-drift', breach).accountStatuses[0]?.status).toBe('NORMAL');
    expect(day('odr-drift', breach + 8).accountStatuses[0]?.status).toBe('AT_RISK');
    expect(odr(day('odr-drift', 85), 'mfn').status).toBe('GOOD');
  });

  it('spikes the 10-day late shipment rate for some days while the 30-day rate stays under target', () => {
    const statuses = Array.from({ length: 40 }, (_, d) => {
      const list = block(day('late-shipment-spike', d), 'lateShipmentRateList') as unknown as Block[];
      return [list[0]!.status, list[1]!.status];
    });
    const badDays = statuses.flatMap(([ten], d) => (ten === 'BAD' ? [d] : []));
    expect(badDays.length).toBeGreaterThanOrEqual(5);
    expect(badDays[0]).toBeGreaterThan(10);
    expect(statuses[39]).toEqual(['GOOD', 'GOOD']);
    expect(statuses.every(([, thirty]) => thirty === 'GOOD')).toBe(true);
  });

  it('accumulates IP complaints and lowers the AHR to WARNED on the ip-complaints account', () => {
    const start = day('ip-complaints', 0);
    const later = day('ip-complaints', 30);
    expect(block(start, 'receivedIntellectualPropertyComplaints').defectsCount).toBe(0);
    expect(block(later, 'receivedIntellectualPropertyComplaints').defectsCount).toBeGreaterThanOrEqual(5);
    expect(block(later, 'suspectedIntellectualPropertyViolations').status).toBe('BAD');
    const ahr = (doc: SellerPerformanceDocument) => block(doc, 'accountHealthRating');
    expect(ahr(start).ahrStatus).toBe('GREAT');
    expect(ahr(later).ahrStatus).toBe('WARNED');
    expect(ahr(later).ahrScore as number).toBeLessThan(ahr(start).ahrScore as number);
  });

  it('deactivates the suspension account by day 10 with the evidence behind it', () => {
    const statuses = Array.from({ length: 11 }, (_, d) => day('suspension', d).accountStatuses[0]?.status);
    expect(statuses[0]).toBe('NORMAL');
    expect(statuses).toContain('AT_RISK');
    expect(statuses[10]).toBe('DEACTIVATED');
    const doc = day('suspension', 10);
    expect(block(doc, 'productAuthenticityCustomerComplaints').status).toBe('BAD');
    expect(block(doc, 'documentRequests').status).toBe('BAD');
    expect(metrics(doc).warningStates).toEqual([{ warningType: 'spammingSellerMessaging', status: 'BAD' }]);
    expect(block(doc, 'accountHealthRating').ahrScore as number).toBeLessThan(100);
    // Sales stopped on deactivation, so the recent windows empty out and say NONE.
    const lsr10 = (block(day('suspension', 25), 'lateShipmentRateList') as unknown as Block[])[0]!;
    expect(lsr10).toMatchObject({ orderCount: 0, status: 'NONE' });
  });

  it('gives the new seller sparse FBA-only sections', () => {
    const doc = day('new-seller', 0);
    const m = metrics(doc);
    expect(Object.keys(block(doc, 'orderDefectRate'))).toEqual(['afn']);
    expect(odr(doc, 'afn')).toMatchObject({ orderCount: 0, status: 'NONE', rate: 0 });
    expect(m.lateShipmentRate).toBeUndefined();
    expect(m.validTrackingRate).toBeUndefined();
    expect(m.productSafetyCustomerComplaints).toBeUndefined();
    expect(block(doc, 'accountHealthRating')).toMatchObject({ ahrStatus: 'GREAT', ahrScore: 200 });
    expect(odr(day('new-seller', 40), 'afn').orderCount as number).toBeGreaterThan(0);
  });

  it('spells documents in the account’s dialect', () => {
    const model = metrics(day('suspension', 10, 'model-spellings'));
    expect(model).toHaveProperty('prefulfillmentCancelRate');
    expect(model).toHaveProperty('warningState');
    expect(model).toHaveProperty('documentRequest');
    expect(model).not.toHaveProperty('preFulfillmentCancellationRate');
    expect(model.accountHealthRating).toHaveProperty('accountHealthRatingStatus');
    expect((model.documentRequest as Block).reportingDateRange).toEqual({
      reportingDateFrom: '2024-12-05T00:00Z',
      reportingDateTo: '2025-06-02T23:59Z',
    });
    const extra = metrics(
      generateSellerPerformanceReport('healthy', 'A1', [MARKETPLACE_IDS.US], 0, AT, 'extra-fields'),
    );
    expect(extra).toHaveProperty('negativeReturnFeedbackRate');
    expect(extra).toHaveProperty('productComplianceRequests');
    const noScore = metrics(
      generateSellerPerformanceReport('healthy', 'A1', [MARKETPLACE_IDS.US], 0, AT, 'no-score'),
    );
    expect(noScore.accountHealthRating).not.toHaveProperty('ahrScore');
    expect(noScore).not.toHaveProperty('lateShipmentRateList');
  });

  it('refuses unknown scenarios and marketplaces', () => {
    expect(() => generateSellerPerformanceReport('bankrupt', 'A1', [MARKETPLACE_IDS.US], 0, AT)).toThrow(
      /scenario/,
    );
    expect(() => generateSellerPerformanceReport('healthy', 'A1', ['XX'], 0, AT)).toThrow(/marketplace/);
  });
});
