import { describe, expect, it } from 'vitest';
import { loadFixture, loadSample, sampleFileNames } from './fixtures/sample-files.ts';
import {
  INTERNAL_ERROR_NOTE,
  parseSellerPerformanceReport,
  ReportFormatError,
} from './parse-seller-performance.ts';
import type { MarketplaceHealth, ParsedReport, PolicyMetric, RateMetric } from './types.ts';

function marketplace(report: ParsedReport, id: string): MarketplaceHealth {
  const found = report.marketplaces.find((m) => m.marketplaceId === id);
  if (found === undefined) throw new Error(`marketplace ${id} missing from ${JSON.stringify(report)}`);
  return found;
}

function rate(health: MarketplaceHealth, metric: string, channel = 'all'): RateMetric {
  const found = health.rates.filter((r) => r.metric === metric && r.channel === channel);
  if (found.length !== 1) throw new Error(`expected one ${metric}/${channel}, found ${found.length}`);
  return found[0]!;
}

function policy(health: MarketplaceHealth, category: string): PolicyMetric {
  const found = health.policies.find((p) => p.category === category);
  if (found === undefined) throw new Error(`policy ${category} missing`);
  return found;
}

function marketplaceIdsIn(doc: unknown): Set<string> {
  const ids = new Set<string>();
  const record = doc as Record<string, unknown>;
  for (const key of ['accountStatuses', 'performanceMetrics']) {
    const list = record[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) ids.add((entry as { marketplaceId: string }).marketplaceId);
  }
  return ids;
}

const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const MX = 'A1AM78C64UM0Y8';
const UK = 'A1F83G8C2ARO7P';
const DE = 'A1PA6795UKMFR9';

describe('every sample', () => {
  const names = sampleFileNames();

  it('finds the samples', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'at_risk_odr_ip_complaints.json',
        'healthy_multi_marketplace.json',
        'sparse_new_seller.json',
      ]),
    );
  });

  it.each(names)('%s parses cleanly into one entry per marketplace', (name) => {
    const doc = loadSample(name);
    const report = parseSellerPerformanceReport(doc);
    expect(report.notes.filter((n) => n.includes(INTERNAL_ERROR_NOTE))).toEqual([]);
    expect(new Set(report.marketplaces.map((m) => m.marketplaceId))).toEqual(marketplaceIdsIn(doc));
    expect(report.marketplaces).toHaveLength(marketplaceIdsIn(doc).size);
    for (const health of report.marketplaces) {
      for (const r of health.rates) {
        for (const date of [r.window.from, r.window.to]) {
          if (date !== null)
            expect(date, `${name} ${r.source}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
      }
    }
  });
});

describe('healthy_multi_marketplace.json', () => {
  const report = parseSellerPerformanceReport(loadSample('healthy_multi_marketplace.json'));

  it('reads statuses and AHR per marketplace', () => {
    expect(report.notes).toEqual([]);
    expect(
      report.marketplaces.map((m) => [m.marketplaceId, m.accountStatus, m.ahrStatus, m.ahrScore]),
    ).toEqual([
      [US, 'NORMAL', 'GREAT', 712],
      [CA, 'NORMAL', 'GREAT', 540],
      [MX, 'NORMAL', 'GREAT', 200],
    ]);
    expect(report.marketplaces.map((m) => m.ahrBand)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(marketplace(report, US).ahrWindow).toEqual({
      from: '2024-12-05T00:00:00.000Z',
      to: '2025-06-02T23:59:59.000Z',
    });
  });

  it('reads the US order defect rate per channel with its parts', () => {
    const us = marketplace(report, US);
    const mfn = rate(us, 'order_defect_rate', 'mfn');
    expect(mfn).toMatchObject({
      rate: 0.004494,
      numerator: 37,
      denominator: 8233,
      status: 'GOOD',
      targetValue: 0.01,
      targetCondition: 'LESS_THAN',
      source: 'orderDefectRate.mfn',
      window: { from: '2025-03-21T00:00:00.000Z', to: '2025-05-19T23:59:59.000Z' },
    });
    expect(mfn.parts).toEqual({
      orderWithDefects: { count: 37, status: 'GOOD' },
      claims: { count: 9, status: 'NONE' },
      chargebacks: { count: 2, status: 'NONE' },
      negativeFeedback: { count: 27, status: 'NONE' },
    });
    expect(rate(us, 'order_defect_rate', 'afn')).toMatchObject({
      rate: 0.003453,
      numerator: 41,
      denominator: 11874,
    });
  });

  it('reports each late shipment window once', () => {
    const lsr = marketplace(report, US).rates.filter((r) => r.metric === 'late_shipment_rate');
    expect(lsr.map((r) => [r.window.from, r.window.to, r.numerator, r.denominator, r.rate])).toEqual([
      ['2025-05-03T00:00:00.000Z', '2025-06-01T23:59:59.000Z', 31, 4380, 0.007078],
      ['2025-05-23T00:00:00.000Z', '2025-06-01T23:59:59.000Z', 9, 1412, 0.006374],
    ]);
  });

  it('reads the US-only unit on-time delivery and invoice defect blocks', () => {
    const us = marketplace(report, US);
    expect(rate(us, 'unit_on_time_delivery_rate')).toMatchObject({
      rate: 0.950244,
      numerator: 2731,
      denominator: 2874,
      targetValue: 0.9,
      targetCondition: 'GREATER_THAN',
    });
    const invoice = rate(us, 'invoice_defect_rate');
    expect(invoice).toMatchObject({ rate: 0.018868, numerator: 4, denominator: 212 });
    expect(invoice.parts).toEqual({
      invoiceDefect: { count: 4, status: 'GOOD' },
      missingInvoice: { count: 3, status: 'NONE' },
      lateInvoice: { count: 1, status: 'NONE' },
    });
    expect(rate(us, 'valid_tracking_rate')).toMatchObject({ numerator: 4287, denominator: 4302 });
    expect(rate(us, 'on_time_delivery_rate')).toMatchObject({ numerator: 3989, denominator: 4157 });
    expect(rate(us, 'pre_fulfillment_cancellation_rate')).toMatchObject({ numerator: 4, denominator: 1006 });
    for (const id of [CA, MX]) {
      const metrics = marketplace(report, id).rates.map((r) => r.metric);
      expect(metrics).not.toContain('unit_on_time_delivery_rate');
      expect(metrics).not.toContain('invoice_defect_rate');
      expect(metrics).toHaveLength(7);
    }
    expect(rate(marketplace(report, MX), 'valid_tracking_rate')).toMatchObject({
      rate: 1,
      numerator: 66,
      denominator: 66,
    });
  });

  it('reads all eleven policy metrics at zero', () => {
    for (const health of report.marketplaces) {
      expect(health.policies).toHaveLength(11);
      expect(health.policies.every((p) => p.count === 0 && p.status === 'GOOD')).toBe(true);
      expect(policy(health, 'customer_product_reviews_policy_violations').targetCondition).toBe('EQUALS');
      expect(health.policyViolationWarnings?.count).toBe(0);
      expect(health.warningStates).toEqual([]);
      expect(health.unknownKeys).toEqual([]);
    }
  });
});

describe('at_risk_odr_ip_complaints.json', () => {
  const report = parseSellerPerformanceReport(loadSample('at_risk_odr_ip_complaints.json'));
  const uk = marketplace(report, UK);

  it('reads the at-risk UK account', () => {
    expect(report.notes).toEqual([]);
    expect([uk.accountStatus, uk.ahrStatus, uk.ahrScore, uk.ahrBand]).toEqual([
      'AT_RISK',
      'WARNED',
      150,
      'at_risk',
    ]);
    expect(uk.policyViolationWarnings).toEqual({
      count: 1,
      window: { from: '2024-12-05T00:00:00.000Z', to: '2025-06-02T23:59:59.000Z' },
    });
  });

  it('reads the bad MFN order defect rate', () => {
    const mfn = rate(uk, 'order_defect_rate', 'mfn');
    expect(mfn).toMatchObject({ rate: 0.018692, numerator: 24, denominator: 1284, status: 'BAD' });
    expect(mfn.parts['claims']).toEqual({ count: 9, status: 'NONE' });
    expect(mfn.parts['chargebacks']).toEqual({ count: 2, status: 'NONE' });
    expect(mfn.parts['negativeFeedback']).toEqual({ count: 15, status: 'NONE' });
    expect(rate(uk, 'order_defect_rate', 'afn')).toMatchObject({
      rate: 0.003145,
      numerator: 1,
      status: 'GOOD',
    });
  });

  it('keeps the bad 10-day and good 30-day LSR windows apart', () => {
    const lsr = uk.rates.filter((r) => r.metric === 'late_shipment_rate');
    const byFrom = Object.fromEntries(lsr.map((r) => [r.window.from, r]));
    expect(lsr).toHaveLength(2);
    expect(byFrom['2025-05-23T00:00:00.000Z']).toMatchObject({
      status: 'BAD',
      rate: 0.054726,
      numerator: 22,
    });
    expect(byFrom['2025-05-03T00:00:00.000Z']).toMatchObject({
      status: 'GOOD',
      rate: 0.036771,
      numerator: 46,
    });
  });

  it('trusts Amazon on OTDR and reads the policy complaints', () => {
    expect(rate(uk, 'on_time_delivery_rate')).toMatchObject({
      status: 'BAD',
      rate: 0.950337,
      targetValue: 0.97,
      numerator: 1129,
      denominator: 1188,
    });
    expect(policy(uk, 'received_intellectual_property_complaints')).toMatchObject({
      count: 3,
      status: 'BAD',
    });
    expect(policy(uk, 'suspected_intellectual_property_violations')).toMatchObject({
      count: 1,
      status: 'BAD',
    });
    expect(policy(uk, 'listing_policy_violations')).toMatchObject({ count: 2, status: 'BAD' });
    expect(policy(uk, 'document_requests')).toMatchObject({ count: 0, source: 'documentRequests' });
    expect(rate(uk, 'pre_fulfillment_cancellation_rate')).toMatchObject({ numerator: 5, denominator: 296 });
  });
});

describe('sparse_new_seller.json', () => {
  const report = parseSellerPerformanceReport(loadSample('sparse_new_seller.json'));
  const de = marketplace(report, DE);

  it('reports only what is there, with missing blocks as not reported', () => {
    expect(report.notes).toEqual([]);
    expect([de.accountStatus, de.ahrStatus, de.ahrScore, de.ahrBand]).toEqual([
      'NORMAL',
      'GREAT',
      200,
      'healthy',
    ]);
    expect(de.rates).toHaveLength(1);
    expect(rate(de, 'order_defect_rate', 'afn')).toMatchObject({
      rate: 0,
      numerator: 0,
      denominator: 0,
      status: 'NONE',
    });
    expect(de.policies.map((p) => p.category).sort()).toEqual([
      'listing_policy_violations',
      'product_authenticity_customer_complaints',
      'received_intellectual_property_complaints',
    ]);
    expect(de.policyViolationWarnings?.count).toBe(0);
  });
});

describe("S's example spellings (fixtures/s-example-spellings.json)", () => {
  const report = parseSellerPerformanceReport(loadFixture('s-example-spellings.json'));
  const uk = marketplace(report, UK);

  it('accepts SUSPENDED and unknown account statuses, including accountStatuses-only marketplaces', () => {
    expect(uk.accountStatus).toBe('SUSPENDED');
    const es = marketplace(report, 'A1RKKUPIHCS9HS');
    expect(es.accountStatus).toBe('UNDER_REVIEW');
    expect(es.rates).toEqual([]);
    expect(es.ahrScore).toBeNull();
    expect(es.ahrBand).toBeNull();
  });

  it('reads accountHealthRatingStatus without a score, and dateOffset windows', () => {
    expect(uk.ahrStatus).toBe('WARNED');
    expect(uk.ahrScore).toBeNull();
    expect(uk.ahrBand).toBe('at_risk');
    expect(uk.ahrWindow).toEqual({ from: '2024-12-05T00:00:00.000Z', to: '2025-06-02T23:59:00.000Z' });
  });

  it('reads the alias spellings', () => {
    expect(rate(uk, 'pre_fulfillment_cancellation_rate')).toMatchObject({
      numerator: 5,
      denominator: 296,
      rate: 0.016892,
      source: 'prefulfillmentCancelRate',
      window: { from: '2025-05-26T00:00:00.000Z', to: '2025-06-01T23:59:00.000Z' },
    });
    expect(uk.warningStates).toEqual([{ type: 'spammingSellerMessaging', status: 'BAD' }]);
    expect(policy(uk, 'document_requests')).toMatchObject({ count: 0, source: 'documentRequest' });
    expect(uk.policies).toHaveLength(10);
  });

  it('decides the channel by the parent key, not fulfillmentType', () => {
    expect(rate(uk, 'order_defect_rate', 'afn')).toMatchObject({ rate: 0.003145, denominator: 318 });
    expect(rate(uk, 'order_defect_rate', 'mfn')).toMatchObject({ rate: 0.018692, denominator: 1284 });
    expect(report.notes.some((n) => n.includes('orderDefectRate.afn') && n.includes('fulfillmentType'))).toBe(
      true,
    );
  });

  it('leaves the blocks it lacks as not reported', () => {
    expect(uk.policyViolationWarnings).toBeNull();
    expect(uk.rates.filter((r) => r.metric === 'late_shipment_rate')).toHaveLength(1);
    expect(uk.policies.map((p) => p.category)).not.toContain('customer_product_reviews_policy_violations');
    expect(report.notes.filter((n) => n.includes(INTERNAL_ERROR_NOTE))).toEqual([]);
  });
});

describe('Account Health Rating band', () => {
  function healthWith(accountHealthRating: unknown): MarketplaceHealth {
    return marketplace(
      parseSellerPerformanceReport({ performanceMetrics: [{ marketplaceId: 'A', accountHealthRating }] }),
      'A',
    );
  }

  it.each([
    ['GREAT', 'healthy'],
    ['GOOD', 'healthy'],
    ['HEALTHY', 'healthy'],
    ['WARNED', 'at_risk'],
    ['AT_RISK', 'at_risk'],
    ['FAIR', 'at_risk'],
    ['AT_RISK_OF_DEACTIVATION', 'critical'],
    ['CRITICAL', 'critical'],
    ['POOR', 'critical'],
    ['UNHEALTHY', 'critical'],
    ['BAD', 'critical'],
    ['At Risk', 'at_risk'],
    ['at-risk of deactivation', 'critical'],
    ['Healthy', 'healthy'],
  ])('reads the label %s as %s without a score, keeping the label as spelled', (label, band) => {
    expect(healthWith({ ahrStatus: label })).toMatchObject({
      ahrStatus: label,
      ahrScore: null,
      ahrBand: band,
    });
  });

  it.each([
    [0, 'critical'],
    [40, 'critical'],
    [99, 'critical'],
    [99.5, 'critical'],
    [100, 'at_risk'],
    [199.9, 'at_risk'],
    [200, 'healthy'],
    [1000, 'healthy'],
    ['150', 'at_risk'],
    [-1, null],
  ])('falls back on the score %j for an unknown or missing label: %s', (score, band) => {
    expect(healthWith({ ahrScore: score }).ahrBand).toBe(band);
    expect(healthWith({ ahrStatus: 'SOMETHING_NEW', ahrScore: score })).toMatchObject({
      ahrStatus: 'SOMETHING_NEW',
      ahrBand: band,
    });
  });

  it('takes the band from the score when there is one, whatever the label says', () => {
    // WARNED only says "not GREAT": Amazon's score is the finer verdict.
    expect(healthWith({ ahrStatus: 'WARNED', ahrScore: 40 }).ahrBand).toBe('critical');
    expect(healthWith({ ahrStatus: 'WARNED', ahrScore: 75 }).ahrBand).toBe('critical');
    expect(healthWith({ ahrStatus: 'WARNED', ahrScore: 150 }).ahrBand).toBe('at_risk');
    expect(healthWith({ ahrStatus: 'WARNED', ahrScore: 900 }).ahrBand).toBe('healthy');
    expect(healthWith({ ahrStatus: 'GREAT', ahrScore: 40 }).ahrBand).toBe('critical');
    expect(healthWith({ accountHealthRatingStatus: 'CRITICAL', ahrScore: 250 }).ahrBand).toBe('healthy');
    // A score we cannot place leaves it to the label.
    expect(healthWith({ ahrStatus: 'WARNED', ahrScore: -1 }).ahrBand).toBe('at_risk');
  });

  it('is null when neither the label nor the score tells, or the block is missing or broken', () => {
    expect(healthWith({ ahrStatus: 'SOMETHING_NEW' }).ahrBand).toBeNull();
    expect(healthWith({ ahrStatus: 7, ahrScore: 'lots' }).ahrBand).toBeNull();
    expect(healthWith(null).ahrBand).toBeNull();
    expect(healthWith(undefined).ahrBand).toBeNull();
    expect(healthWith({ ahrStatus: 7, ahrScore: 300 }).ahrBand).toBe('healthy');
  });
});

describe('tolerance rules', () => {
  const window = { reportingDateFrom: '2025-05-03T00:00:00Z', reportingDateTo: '2025-06-01T23:59:59Z' };

  it('selects by marketplaceId, not position', () => {
    const report = parseSellerPerformanceReport({
      accountStatuses: [
        { marketplaceId: 'B', status: 'DEACTIVATED' },
        { marketplaceId: 'A', status: 'NORMAL' },
      ],
      performanceMetrics: [
        { marketplaceId: 'A', accountHealthRating: { ahrStatus: 'GREAT', ahrScore: 900 } },
        { marketplaceId: 'B', accountHealthRating: { ahrStatus: 'WARNED', ahrScore: 12 } },
      ],
    });
    expect(marketplace(report, 'A')).toMatchObject({ accountStatus: 'NORMAL', ahrScore: 900 });
    expect(marketplace(report, 'B')).toMatchObject({ accountStatus: 'DEACTIVATED', ahrScore: 12 });
  });

  it('parses numeric strings and decimal scores, and notes garbage', () => {
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          accountHealthRating: { ahrStatus: 'AT_RISK_OF_DEACTIVATION', ahrScore: '187.5' },
          lateShipmentRate: {
            reportingDateRange: window,
            rate: '0.012',
            targetValue: 0.04,
            orderCount: 'lots',
            lateShipmentCount: 3,
          },
          validTrackingRate: { rate: 1, targetValue: 1, shipmentCount: 5, validTrackingCount: [5] },
        },
      ],
    });
    const a = marketplace(report, 'A');
    expect(a.ahrScore).toBe(187.5);
    expect(a.ahrStatus).toBe('AT_RISK_OF_DEACTIVATION');
    expect(rate(a, 'late_shipment_rate')).toMatchObject({ rate: 0.012, numerator: 3, denominator: null });
    expect(rate(a, 'valid_tracking_rate')).toMatchObject({ rate: 1, numerator: null, denominator: 5 });
    expect(report.notes.some((n) => n.includes('lateShipmentRate.orderCount') && n.includes('"lots"'))).toBe(
      true,
    );
    expect(report.notes.some((n) => n.includes('validTrackingRate.validTrackingCount'))).toBe(true);
  });

  it('does not recompute rates that disagree with their counts', () => {
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          onTimeDeliveryRate: {
            status: 'GOOD',
            rate: 0.43,
            targetValue: 0.97,
            shipmentCountWithValidTracking: 808046,
            onTimeDeliveryCount: 847987,
          },
        },
      ],
    });
    expect(rate(marketplace(report, 'A'), 'on_time_delivery_rate')).toMatchObject({
      rate: 0.43,
      status: 'GOOD',
      numerator: 847987,
      denominator: 808046,
    });
  });

  it('classifies unknown keys by shape', () => {
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          counterfeitAIComplaints: {
            defectsCount: 4,
            status: 'BAD',
            targetValue: 0,
            targetCondition: 'EQUALS',
          },
          returnDissatisfactionRate: { rate: 0.2, targetValue: 0.1, status: 'BAD', refunds: { count: 7 } },
          responseTimeRateList: [{ rate: 0.9, targetValue: 0.9, reportingDateRange: window }, 'junk'],
          onTimeDeliveryRateList: [{ rate: 0.99, targetValue: 0.97, onTimeDeliveryCount: 99 }],
          sellerFeedbackSummary: { positive: 10 },
          auditTrailList: [1, 2],
        },
      ],
    });
    const a = marketplace(report, 'A');
    expect(policy(a, 'counterfeit_ai_complaints')).toMatchObject({ count: 4, status: 'BAD' });
    expect(rate(a, 'return_dissatisfaction_rate')).toMatchObject({
      rate: 0.2,
      numerator: null,
      parts: { refunds: { count: 7, status: null } },
      source: 'returnDissatisfactionRate',
    });
    expect(rate(a, 'response_time_rate')).toMatchObject({ rate: 0.9, source: 'responseTimeRateList[0]' });
    expect(rate(a, 'on_time_delivery_rate')).toMatchObject({ rate: 0.99, numerator: 99 });
    expect(a.unknownKeys).toEqual(['sellerFeedbackSummary', 'auditTrailList']);
  });

  it('names unknown rate metrics in snake case like unknown policies, keeping the Amazon key as source', () => {
    const fancy = { rate: 0.02, targetValue: 0.05, status: 'GOOD' };
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          newFancyRate: fancy,
          newSplitRate: { afn: fancy, mfn: { ...fancy, rate: 0.03 } },
          newWindowedRateList: [{ ...fancy, reportingDateRange: window }],
          newFancyComplaints: { defectsCount: 1 },
        },
      ],
    });
    const a = marketplace(report, 'A');
    expect(a.rates.map((r) => [r.metric, r.channel, r.source, r.rate])).toEqual([
      ['new_fancy_rate', 'all', 'newFancyRate', 0.02],
      ['new_split_rate', 'afn', 'newSplitRate.afn', 0.02],
      ['new_split_rate', 'mfn', 'newSplitRate.mfn', 0.03],
      ['new_windowed_rate', 'all', 'newWindowedRateList[0]', 0.02],
    ]);
    expect(a.policies.map((p) => [p.category, p.source])).toEqual([
      ['new_fancy_complaints', 'newFancyComplaints'],
    ]);
    expect(report.notes).toEqual([
      'A: newFancyRate: unknown key read as the rate metric new_fancy_rate',
      'A: newSplitRate: unknown key read as the rate metric new_split_rate split by afn/mfn',
      'A: newWindowedRateList: unknown key read as the multi-window rate metric new_windowed_rate',
      'A: newFancyComplaints: unknown key read as the policy metric new_fancy_complaints',
    ]);
  });

  it('accepts warning states as strings or objects, in either spelling', () => {
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          warningStates: ['spammingSellerMessaging', { warningType: 'x', status: 'WARNED' }, 7],
        },
        { marketplaceId: 'B', warningState: { warningType: 'y', status: 'BAD' } },
      ],
    });
    expect(marketplace(report, 'A').warningStates).toEqual([
      { type: 'spammingSellerMessaging', status: null },
      { type: 'x', status: 'WARNED' },
    ]);
    expect(marketplace(report, 'B').warningStates).toEqual([{ type: 'y', status: 'BAD' }]);
  });

  it('reports a repeated LSR window once, but keeps copies that disagree', () => {
    const single = {
      reportingDateRange: window,
      rate: 0.01,
      targetValue: 0.04,
      status: 'GOOD',
      orderCount: 100,
      lateShipmentCount: 1,
    };
    const abridged = { reportingDateRange: window, rate: 0.01, targetValue: 0.04, status: 'GOOD' };
    const parse = (list: unknown[]) =>
      marketplace(
        parseSellerPerformanceReport({
          performanceMetrics: [{ marketplaceId: 'A', lateShipmentRateList: list, lateShipmentRate: single }],
        }),
        'A',
      ).rates.filter((r) => r.metric === 'late_shipment_rate');
    expect(parse([abridged]).map((r) => [r.source, r.numerator, r.denominator])).toEqual([
      ['lateShipmentRate', 1, 100],
    ]);
    expect(parse([{ ...abridged, status: 'BAD' }]).map((r) => r.status)).toEqual(['BAD', 'GOOD']);
  });

  it('keeps the first of two spellings of one block, with a note', () => {
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          prefulfillmentCancelRate: { rate: 0.5, targetValue: 0.025, cancellationCount: 1, orderCount: 2 },
          preFulfillmentCancellationRate: {
            rate: 0.25,
            targetValue: 0.025,
            cancellationCount: 1,
            orderCount: 4,
          },
        },
      ],
    });
    expect(marketplace(report, 'A').rates.map((r) => [r.source, r.rate])).toEqual([
      ['prefulfillmentCancelRate', 0.5],
    ]);
    expect(report.notes).toContain(
      'A: preFulfillmentCancellationRate: repeats prefulfillmentCancelRate; kept prefulfillmentCancelRate',
    );
  });

  it('keeps a window whose start is after its end, as Amazon gave it', () => {
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          documentRequest: {
            defectsCount: 8,
            reportingDateRange: {
              reportingDateFrom: '2020-11-21T00:00Z',
              reportingDateTo: '2020-11-19T23:59Z',
            },
          },
        },
      ],
    });
    expect(policy(marketplace(report, 'A'), 'document_requests')).toMatchObject({
      count: 8,
      window: { from: '2020-11-21T00:00:00.000Z', to: '2020-11-19T23:59:00.000Z' },
    });
  });

  it('normalizes dates with and without seconds, and nulls bad ones with a note', () => {
    const report = parseSellerPerformanceReport({
      performanceMetrics: [
        {
          marketplaceId: 'A',
          listingPolicyViolations: {
            defectsCount: 1,
            reportingDateRange: {
              reportingDateFrom: '2020-11-21T00:00Z',
              reportingDateTo: '2020-02-30T23:59Z',
            },
          },
          otherPolicyViolations: {
            defectsCount: 2,
            reportingDateRange: { reportingDateFrom: '2021-12-27T23:59:59Z', reportingDateTo: '1' },
          },
        },
      ],
    });
    const a = marketplace(report, 'A');
    expect(policy(a, 'listing_policy_violations').window).toEqual({
      from: '2020-11-21T00:00:00.000Z',
      to: null,
    });
    expect(policy(a, 'other_policy_violations').window).toEqual({
      from: '2021-12-27T23:59:59.000Z',
      to: null,
    });
    expect(report.notes.filter((n) => n.includes('unparseable date'))).toHaveLength(2);
  });

  it('survives null and mistyped sections with notes', () => {
    const report = parseSellerPerformanceReport({
      accountStatuses: [{ marketplaceId: 'A', status: 3 }, 'x', { status: 'NORMAL' }],
      performanceMetrics: [
        {
          marketplaceId: 'A',
          orderDefectRate: { afn: null, mfn: 'n/a' },
          lateShipmentRate: [],
          lateShipmentRateList: 'none',
          accountHealthRating: null,
          policyViolationWarnings: 5,
          listingPolicyViolations: null,
          warningStates: null,
        },
        null,
      ],
    });
    const a = marketplace(report, 'A');
    expect(a).toMatchObject({ accountStatus: null, ahrScore: null, rates: [], policies: [] });
    expect(a.policyViolationWarnings).toBeNull();
    expect(report.marketplaces).toHaveLength(1);
    expect(report.notes.length).toBeGreaterThanOrEqual(10);
    expect(report.notes.every((n) => !n.includes('\n'))).toBe(true);
  });

  it.each([
    [null, 'not a JSON object'],
    [[], 'not a JSON object'],
    ['x', 'not a JSON object'],
    [42, 'not a JSON object'],
    [{ reportType: 'GET_FLAT_FILE_OPEN_LISTINGS_DATA' }, 'neither performanceMetrics nor accountStatuses'],
    [{ performanceMetrics: 'x', accountStatuses: null }, 'no usable'],
  ])('refuses %j as not a seller performance report', (doc, reason) => {
    expect(() => parseSellerPerformanceReport(doc)).toThrowError(ReportFormatError);
    try {
      parseSellerPerformanceReport(doc);
    } catch (error) {
      expect((error as ReportFormatError).code).toBe('REPORT_MALFORMED');
      expect((error as Error).message).toContain(reason);
    }
  });

  it.each([
    { performanceMetrics: [] },
    { performanceMetrics: [null, 5] },
    { performanceMetrics: [{ marketplaceId: 5 }] },
    { performanceMetrics: [{ marketplaceId: '' }, { accountHealthRating: { ahrScore: 700 } }] },
    { accountStatuses: [] },
    { accountStatuses: [{ status: 'NORMAL' }], performanceMetrics: 'x' },
    { accountStatuses: {}, performanceMetrics: [] },
  ])('refuses %j, which names no marketplace, rather than report nothing as a good poll', (doc) => {
    expect(() => parseSellerPerformanceReport(doc)).toThrowError(ReportFormatError);
    try {
      parseSellerPerformanceReport(doc);
    } catch (error) {
      expect((error as ReportFormatError).code).toBe('REPORT_MALFORMED');
      expect((error as Error).message).toBe('report document names no marketplace');
    }
  });

  it('still parses a document whose only marketplace comes from one usable entry', () => {
    const statusOnly = parseSellerPerformanceReport({
      accountStatuses: [{ marketplaceId: 'A', status: 'NORMAL' }],
      performanceMetrics: [],
    });
    expect(statusOnly.marketplaces.map((m) => [m.marketplaceId, m.accountStatus])).toEqual([['A', 'NORMAL']]);
    const metricsOnly = parseSellerPerformanceReport({
      performanceMetrics: [null, { marketplaceId: 5 }, { marketplaceId: 'B' }],
    });
    expect(metricsOnly.marketplaces.map((m) => m.marketplaceId)).toEqual(['B']);
    expect(metricsOnly.notes).toHaveLength(2);
  });

  it('parses a 25 KB document well under a millisecond', () => {
    const doc = loadSample('healthy_multi_marketplace.json');
    for (let i = 0; i < 50; i++) parseSellerPerformanceReport(doc);
    const runs = 500;
    const start = performance.now();
    for (let i = 0; i < runs; i++) parseSellerPerformanceReport(doc);
    // Generous bound so a loaded CI machine does not flake; locally it is about 0.2 ms.
    expect((performance.now() - start) / runs).toBeLessThan(1);
  });
});
