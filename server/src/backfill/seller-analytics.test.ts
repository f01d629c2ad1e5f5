import { describe, expect, it } from 'vitest';
import { AnalyticsLineError, parseAnalyticsLine, sellerAnalyticsQuery } from './seller-analytics.ts';

const line = (accountHealth: Record<string, unknown> | null, metrics: unknown[] = []) =>
  JSON.stringify({ startDate: '2026-03-01', endDate: '2026-03-01', totals: { accountHealth }, metrics });

describe('the Seller Analytics query', () => {
  it('asks for one marketplace by day, each account-health value, within Amazon’s length limit', () => {
    const q = sellerAnalyticsQuery({
      marketplaceId: 'ATVPDKIKX0DER',
      startDay: '2026-01-01',
      endDay: '2026-03-31',
    });
    expect(q).toContain('analytics_sellerAnalytics_2025_03_31');
    expect(q).toContain('sellerAnalyticsView(startDate: "2026-01-01" endDate: "2026-03-31" aggregateBy: DAY');
    expect(q).toContain('marketplaceId: ["ATVPDKIKX0DER"]');
    expect(q).toContain('accountHealthRatingScore { value }');
    expect(q).toContain('metrics { groupByKey { fulfilmentChannel } metrics { accountHealth {');
    expect(q.replace(/\s+/g, ' ').length).toBeLessThan(8000);
  });
});

describe('a line of the document', () => {
  it('becomes the day, the rating with its band and the figures under the product’s names', () => {
    const health = {
      accountHealthRatingScore: { value: 180, timeRangeBenchmarking: null },
      accountHealthOrderCount: { value: 1000 },
      accountHealthTotalOrderDefects: { value: 7 },
      accountHealthOrderDefectRate: { value: 0.007 },
      accountHealthNegativeFeedbackOrderCount: { value: 3 },
      accountHealthAtozClaimOrderCount: { value: 2 },
      accountHealthChargebackClaimOrderCount: { value: 2 },
      accountHealthLateShipmentOrderCount: { value: 4 },
      accountHealthLateShipmentRate: { value: 0.01 },
      accountHealthPreFulfillmentCancelOrderCount: null,
      accountHealthPreFulfillmentCancelRate: null,
      accountHealthPackageCount: { value: 400 },
      accountHealthValidTrackingDefectPackageCount: { value: 8 },
      accountHealthValidTrackingRate: { value: 0.98 },
      accountHealthOnTimeDeliveryDefectPackageCount: { value: 12 },
      accountHealthOnTimeDeliveryRate: { value: 0.969 },
    };
    const day = parseAnalyticsLine(
      line(health, [
        {
          groupByKey: { fulfilmentChannel: 'FBA' },
          metrics: {
            accountHealth: {
              accountHealthOrderDefectRate: { value: 0.002 },
              accountHealthTotalOrderDefects: { value: 1 },
              accountHealthOrderCount: { value: 500 },
            },
          },
        },
        {
          groupByKey: { fulfilmentChannel: 'FBM' },
          metrics: {
            accountHealth: {
              accountHealthOrderDefectRate: { value: 0.012 },
              accountHealthTotalOrderDefects: { value: 6 },
              accountHealthOrderCount: { value: 500 },
            },
          },
        },
        { groupByKey: { fulfilmentChannel: 'FBM' }, metrics: { accountHealth: null } },
      ]),
    );
    expect(day).toMatchObject({ day: '2026-03-01', marketplaceId: null, score: 180, band: 'at_risk' });
    const byMetric = Object.fromEntries(
      day.figures.filter((f) => f.channel === 'all').map((f) => [f.metric, f]),
    );
    // The ODR comes per channel, as the report gives it; the combined figure would be a line of its own.
    expect(Object.keys(byMetric).sort()).toEqual([
      'late_shipment_rate',
      'on_time_delivery_rate',
      'valid_tracking_rate',
    ]);
    const perChannel = day.figures.filter((f) => f.channel !== 'all');
    expect(perChannel.map((f) => [f.metric, f.channel, f.rate, f.numerator, f.denominator])).toEqual([
      ['order_defect_rate', 'afn', 0.002, 1, 500],
      ['order_defect_rate', 'mfn', 0.012, 6, 500],
    ]);
    // Without channels in the document, the marketplace's combined ODR is what there is.
    const combined = parseAnalyticsLine(line(health)).figures.find((f) => f.metric === 'order_defect_rate');
    expect(combined).toMatchObject({ channel: 'all', rate: 0.007, numerator: 7, denominator: 1000 });
    expect(combined!.parts).toMatchObject({ claims: { count: 2 }, negativeFeedback: { count: 3 } });
    expect(byMetric.late_shipment_rate).toMatchObject({ rate: 0.01, numerator: 4, denominator: null });
    expect(byMetric.valid_tracking_rate).toMatchObject({ rate: 0.98, numerator: 392, denominator: 400 });
    expect(byMetric.on_time_delivery_rate).toMatchObject({ rate: 0.969, numerator: null });
    expect(byMetric.on_time_delivery_rate!.parts).toEqual({ lateDeliveries: { count: 12, status: null } });
  });

  it('keeps a day with nothing known yet as a day without figures', () => {
    expect(parseAnalyticsLine(line(null))).toEqual({
      day: '2026-03-01',
      marketplaceId: null,
      score: null,
      band: null,
      figures: [],
    });
  });

  it('refuses what is not a row', () => {
    expect(() => parseAnalyticsLine('{"oops"')).toThrow(AnalyticsLineError);
    expect(() => parseAnalyticsLine('{"endDate":"2026-03-01"}')).toThrow(AnalyticsLineError);
  });
});
