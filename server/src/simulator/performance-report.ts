// Renders scenario figures as a GET_V2_SELLER_PERFORMANCE_REPORT document, in one of several "dialects":
// the spellings real documents use, the spellings of Amazon's schema examples, extra undocumented fields,
// or dropped sections. Real documents vary this way (docs/report-formats.md §(a), §(b)), and the parser must
// cope.

import type { MarketplaceFigures, OdrCounts, PolicyKey, RateCounts } from './figures.ts';
import { POLICY_KEYS } from './figures.ts';
import { marketplaceInfo } from './marketplaces.ts';
import { hashString } from './prng.ts';
import type { ScenarioName } from './scenarios.ts';
import { isScenarioName, marketplaceFigures, WINDOWS } from './scenarios.ts';

interface ReportDialect {
  /** `real`: ahrStatus, warningStates, preFulfillmentCancellationRate, documentRequests (seen in real data).
   * `model`: accountHealthRatingStatus, warningState, prefulfillmentCancelRate, documentRequest (schema examples),
   * including the examples' copy error `afn.fulfillmentType: "mfn"`. */
  keys: 'real' | 'model';
  /** `2025-06-02T23:59:59Z` when true, `2025-06-02T23:59Z` when false. */
  dateSeconds: boolean;
  /** Adds fields Amazon has not documented: a rate-shaped and a policy-shaped block, a `dateOffset`. */
  extras: boolean;
  /** Sections (by their real spelling) left out of every marketplace. */
  omit: readonly string[];
  ahrScore: boolean;
}

export const DIALECTS = {
  standard: { keys: 'real', dateSeconds: true, extras: false, omit: [], ahrScore: true },
  'model-spellings': {
    keys: 'model',
    dateSeconds: false,
    extras: false,
    omit: ['policyViolationWarnings', 'customerProductReviewsPolicyViolations'],
    ahrScore: true,
  },
  'extra-fields': { keys: 'real', dateSeconds: true, extras: true, omit: [], ahrScore: true },
  trimmed: {
    keys: 'real',
    dateSeconds: true,
    extras: false,
    omit: ['validTrackingRate', 'invoiceDefectRate', 'policyViolationWarnings', 'foodAndProductSafetyIssues'],
    ahrScore: true,
  },
  'no-score': {
    keys: 'real',
    dateSeconds: true,
    extras: false,
    omit: ['lateShipmentRateList', 'unitOnTimeDeliveryRate', 'policyViolationWarnings'],
    ahrScore: false,
  },
} as const satisfies Record<string, ReportDialect>;

export type DialectName = keyof typeof DIALECTS;

export function isDialectName(value: unknown): value is DialectName {
  return typeof value === 'string' && value in DIALECTS;
}

// Weighted towards the common spelling, as real traffic would be.
const SELLER_DIALECTS: readonly DialectName[] = [
  'standard',
  'standard',
  'standard',
  'extra-fields',
  'model-spellings',
  'trimmed',
  'no-score',
];

/** A stable dialect for a seller that was not given one. */
export function dialectForSeller(sellerId: string): DialectName {
  return SELLER_DIALECTS[hashString(`dialect|${sellerId}`) % SELLER_DIALECTS.length] ?? 'standard';
}

export interface SellerPerformanceDocument {
  accountStatuses: { marketplaceId: string; status: string }[];
  performanceMetrics: Record<string, unknown>[];
}

const DAY_MS = 86_400_000;

/**
 * The seller performance report a scenario gives on a virtual day.
 *
 * @param scenario one of SCENARIO_NAMES
 * @param sellerId seeds the figures: two sellers of the same scenario differ, one seller is always the same
 * @param marketplaceIds one `performanceMetrics` and one `accountStatuses` entry each, in this order
 * @param virtualDay days since the scenario started (day 0); drives how the figures evolve
 * @param at the snapshot instant; only its UTC date is used, to date the reporting windows
 * @param dialect how the document is spelled; defaults to the seller's stable dialect
 * @throws Error for an unknown scenario or marketplace
 */
export function generateSellerPerformanceReport(
  scenario: string,
  sellerId: string,
  marketplaceIds: readonly string[],
  virtualDay: number,
  at: Date,
  dialect: DialectName | ReportDialect = dialectForSeller(sellerId),
): SellerPerformanceDocument {
  if (!isScenarioName(scenario)) throw new Error(`Unknown scenario: ${scenario}`);
  const spelling = typeof dialect === 'string' ? DIALECTS[dialect] : dialect;
  const snapshot = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const document: SellerPerformanceDocument = { accountStatuses: [], performanceMetrics: [] };
  for (const marketplaceId of marketplaceIds) {
    const marketplace = marketplaceInfo(marketplaceId);
    if (!marketplace) throw new Error(`Unknown marketplace: ${marketplaceId}`);
    const figures = marketplaceFigures(scenario as ScenarioName, { sellerId, marketplace, day: virtualDay });
    document.accountStatuses.push({ marketplaceId, status: figures.accountStatus });
    const renderer = new MarketplaceRenderer(spelling, snapshot, marketplace.region === 'eu' ? 0.97 : 0.9);
    document.performanceMetrics.push(renderer.render(marketplaceId, figures));
  }
  return document;
}

/** Rounds a rate to 6 decimals, as the samples do; whole values stay integers (`0`, `1`). */
export function roundRate(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : Math.round((numerator / denominator) * 1e6) / 1e6;
}

type Condition = 'LESS_THAN' | 'GREATER_THAN';

class MarketplaceRenderer {
  constructor(
    private readonly dialect: ReportDialect,
    private readonly snapshotMs: number,
    private readonly onTimeTarget: number,
  ) {}

  render(marketplaceId: string, f: MarketplaceFigures): Record<string, unknown> {
    const model = this.dialect.keys === 'model';
    const out: Record<string, unknown> = { marketplaceId };
    const put = (realKey: string, value: unknown, modelKey = realKey) => {
      if (value === undefined || this.dialect.omit.includes(realKey)) return;
      out[model ? modelKey : realKey] = value;
    };
    const s = f.shipping;
    if (s) {
      const lsr10 = this.rateBlock(WINDOWS.lateShipment10, s.lateShipment10, 0.04, 'LESS_THAN', [
        'orderCount',
        'lateShipmentCount',
      ]);
      const lsr30 = this.rateBlock(WINDOWS.lateShipment30, s.lateShipment30, 0.04, 'LESS_THAN', [
        'orderCount',
        'lateShipmentCount',
      ]);
      put('lateShipmentRate', lsr30);
      put('lateShipmentRateList', [lsr10, { ...lsr30 }]);
    }
    if (f.invoice) put('invoiceDefectRate', this.invoiceBlock(f.invoice));
    const odr: Record<string, unknown> = {};
    if (f.odr.afn) odr.afn = this.odrBlock(f.odr.afn, model ? 'mfn' : 'afn');
    if (f.odr.mfn) odr.mfn = this.odrBlock(f.odr.mfn, 'mfn');
    put('orderDefectRate', odr);
    if (s) {
      put(
        'onTimeDeliveryRate',
        this.rateBlock(WINDOWS.onTimeDelivery, s.onTimeDelivery, this.onTimeTarget, 'GREATER_THAN', [
          'shipmentCountWithValidTracking',
          'onTimeDeliveryCount',
        ]),
      );
      if (s.unitOnTimeDelivery) {
        put(
          'unitOnTimeDeliveryRate',
          this.rateBlock(WINDOWS.unitOnTimeDelivery, s.unitOnTimeDelivery, 0.9, 'GREATER_THAN', [
            'totalUnitCount',
            'unitOnTimeDeliveryCount',
          ]),
        );
      }
      put(
        'validTrackingRate',
        this.rateBlock(WINDOWS.validTracking, s.validTracking, 0.95, 'GREATER_THAN', [
          'shipmentCount',
          'validTrackingCount',
        ]),
      );
      put(
        'preFulfillmentCancellationRate',
        this.rateBlock(WINDOWS.preFulfillmentCancellation, s.preFulfillmentCancellation, 0.025, 'LESS_THAN', [
          'orderCount',
          'cancellationCount',
        ]),
        'prefulfillmentCancelRate',
      );
    }
    put('warningStates', f.warningStates, 'warningState');
    put('accountHealthRating', this.ahrBlock(f.ahr));
    for (const key of POLICY_KEYS) {
      const count = f.policy[key];
      if (count !== undefined) put(key, this.policyBlock(count), policyModelKey(key));
    }
    if (f.policyViolationWarnings !== undefined) {
      put('policyViolationWarnings', {
        warningsCount: f.policyViolationWarnings,
        reportingDateRange: this.range(WINDOWS.policy),
      });
    }
    if (this.dialect.extras) {
      if (s) {
        out.negativeReturnFeedbackRate = this.rateBlock(
          WINDOWS.negativeReturnFeedback,
          s.negativeReturnFeedback,
          0.01,
          'LESS_THAN',
          ['returnCount', 'negativeReturnFeedbackCount'],
        );
      }
      out.productComplianceRequests = this.policyBlock(0);
    }
    return out;
  }

  private range(window: { from: number; to: number }): Record<string, unknown> {
    const from = new Date(this.snapshotMs - window.from * DAY_MS).toISOString().slice(0, 10);
    const to = new Date(this.snapshotMs - window.to * DAY_MS).toISOString().slice(0, 10);
    return this.dialect.dateSeconds
      ? { reportingDateFrom: `${from}T00:00:00Z`, reportingDateTo: `${to}T23:59:59Z` }
      : { reportingDateFrom: `${from}T00:00Z`, reportingDateTo: `${to}T23:59Z` };
  }

  private rateBlock(
    window: { from: number; to: number },
    counts: RateCounts,
    targetValue: number,
    targetCondition: Condition,
    [denominatorKey, numeratorKey]: [string, string],
  ): Record<string, unknown> {
    const rate = roundRate(counts.numerator, counts.denominator);
    return {
      reportingDateRange: this.range(window),
      status: rateStatus(counts.denominator, rate, targetValue, targetCondition),
      targetValue,
      targetCondition,
      [denominatorKey]: counts.denominator,
      [numeratorKey]: counts.numerator,
      rate,
    };
  }

  private odrBlock(c: OdrCounts, fulfillmentType: string): Record<string, unknown> {
    const rate = roundRate(c.orderWithDefects, c.orderCount);
    const status = rateStatus(c.orderCount, rate, 0.01, 'LESS_THAN');
    const part = (count: number, partStatus: string) => ({
      count,
      status: c.orderCount === 0 ? 'NONE' : partStatus,
    });
    return {
      reportingDateRange: this.range(WINDOWS.odr),
      status,
      targetValue: 0.01,
      targetCondition: 'LESS_THAN',
      orderWithDefects: part(c.orderWithDefects, status),
      claims: part(c.claims, 'NONE'),
      chargebacks: part(c.chargebacks, 'NONE'),
      negativeFeedback: part(c.negativeFeedback, 'NONE'),
      orderCount: c.orderCount,
      rate,
      fulfillmentType,
    };
  }

  private invoiceBlock(c: NonNullable<MarketplaceFigures['invoice']>): Record<string, unknown> {
    const rate = roundRate(c.invoiceDefect, c.orderCount);
    const status = rateStatus(c.orderCount, rate, 0.05, 'LESS_THAN');
    return {
      reportingDateRange: this.range(WINDOWS.invoice),
      status,
      targetValue: 0.05,
      targetCondition: 'LESS_THAN',
      invoiceDefect: { count: c.invoiceDefect, status },
      missingInvoice: { count: c.missingInvoice, status: 'NONE' },
      lateInvoice: { count: c.lateInvoice, status: 'NONE' },
      orderCount: c.orderCount,
      rate,
    };
  }

  private ahrBlock(ahr: MarketplaceFigures['ahr']): Record<string, unknown> {
    const block: Record<string, unknown> = {
      [this.dialect.keys === 'model' ? 'accountHealthRatingStatus' : 'ahrStatus']: ahr.status,
    };
    if (this.dialect.ahrScore) block.ahrScore = ahr.score;
    const range = this.range(WINDOWS.policy);
    if (this.dialect.extras) range.dateOffset = { duration: 'P180D', offset: 'P0D' };
    block.reportingDateRange = range;
    return block;
  }

  private policyBlock(count: number): Record<string, unknown> {
    return {
      reportingDateRange: this.range(WINDOWS.policy),
      status: count > 0 ? 'BAD' : 'GOOD',
      targetValue: 0,
      targetCondition: 'EQUALS',
      defectsCount: count,
    };
  }
}

function policyModelKey(key: PolicyKey): string {
  return key === 'documentRequests' ? 'documentRequest' : key;
}

function rateStatus(denominator: number, rate: number, target: number, condition: Condition): string {
  if (denominator === 0) return 'NONE';
  return (condition === 'LESS_THAN' ? rate < target : rate > target) ? 'GOOD' : 'BAD';
}
