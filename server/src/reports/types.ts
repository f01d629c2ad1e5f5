// The normalized shape of a seller performance report. The parser produces it from any document variant;
// the poller stores it. Every figure Amazon did not report is `null` ("not reported"), never 0.

/** Amazon's verdict on a metric. Open: `GOOD`, `BAD`, `NONE` (no data), `WARNED`, or whatever Amazon adds. */
export type MetricStatus = string;

/** `LESS_THAN`, `GREATER_THAN`, `EQUALS`, or an unknown condition kept as Amazon spelled it. */
export type TargetCondition = string;

/** Our stable names for Amazon's rate metrics; an unknown rate-shaped block is named by its Amazon key in snake
 * case (`newFancyRate` -> `new_fancy_rate`), like unknown policy categories. */
export type RateMetricName =
  | 'order_defect_rate'
  | 'late_shipment_rate'
  | 'pre_fulfillment_cancellation_rate'
  | 'valid_tracking_rate'
  | 'on_time_delivery_rate'
  | 'unit_on_time_delivery_rate'
  | 'invoice_defect_rate'
  | (string & {});

/** `afn` (fulfilled by Amazon), `mfn` (merchant fulfilled), `all` when the metric is not split. */
export type FulfillmentChannel = 'afn' | 'mfn' | 'all';

export interface ReportingWindow {
  /** ISO 8601 instant, normalized to full seconds (`2025-06-01T23:59:59.000Z`), or null when absent. */
  from: string | null;
  to: string | null;
}

export interface CountWithStatus {
  count: number | null;
  status: MetricStatus | null;
}

export interface RateMetric {
  metric: RateMetricName;
  channel: FulfillmentChannel;
  window: ReportingWindow;
  rate: number | null;
  /** The defect count behind the rate (orders with defects, late shipments, cancellations, valid-tracking
   * shipments, on-time deliveries, invoice defects...). */
  numerator: number | null;
  /** What the rate is taken over (orders, shipments, units). */
  denominator: number | null;
  status: MetricStatus | null;
  targetValue: number | null;
  targetCondition: TargetCondition | null;
  /** Sub-counts: for ODR `orderWithDefects`, `claims`, `chargebacks`, `negativeFeedback`; for invoice defects
   * `invoiceDefect`, `missingInvoice`, `lateInvoice`. Keys as Amazon spells them. */
  parts: Record<string, CountWithStatus>;
  /** The Amazon key this came from (`orderDefectRate.mfn`, `lateShipmentRateList[0]`...), for tracing. */
  source: string;
}

/** Our stable policy category names (Amazon's key in snake case); an unknown `defectsCount` block is named the
 * same way. */
export type PolicyCategory =
  | 'listing_policy_violations'
  | 'product_authenticity_customer_complaints'
  | 'product_condition_customer_complaints'
  | 'product_safety_customer_complaints'
  | 'received_intellectual_property_complaints'
  | 'restricted_product_policy_violations'
  | 'suspected_intellectual_property_violations'
  | 'food_and_product_safety_issues'
  | 'customer_product_reviews_policy_violations'
  | 'other_policy_violations'
  | 'document_requests'
  | (string & {});

export interface PolicyMetric {
  category: PolicyCategory;
  count: number | null;
  status: MetricStatus | null;
  targetValue: number | null;
  targetCondition: TargetCondition | null;
  window: ReportingWindow;
  source: string;
}

export interface WarningState {
  type: string;
  status: MetricStatus | null;
}

/** Account Health Rating band as Seller Central names them (Healthy, At risk, Critical), whatever label Amazon
 * used (docs/report-formats.md §(b)4). */
export const AHR_BANDS = ['healthy', 'at_risk', 'critical'] as const;
export type AhrBand = (typeof AHR_BANDS)[number];

export interface MarketplaceHealth {
  marketplaceId: string;
  /** `NORMAL`, `AT_RISK`, `DEACTIVATED`, `SUSPENDED` or unknown; null when `accountStatuses` lacks it. */
  accountStatus: string | null;
  /** Account Health Rating band as Amazon labels it (`GREAT`, `WARNED`, ...), or null. */
  ahrStatus: string | null;
  /** Numeric Account Health Rating 0-1000, or null when not reported. */
  ahrScore: number | null;
  /** The band of `ahrScore` (0-99 critical, 100-199 at risk, 200 and up healthy); without a score, the band
   * `ahrStatus` stands for when it is a label we know; null when neither tells. Lets alerts and the dashboard
   * compare marketplaces without knowing every label Amazon has used. */
  ahrBand: AhrBand | null;
  ahrWindow: ReportingWindow;
  rates: RateMetric[];
  policies: PolicyMetric[];
  /** "Policy Violation Warnings" box; null when the block is absent. */
  policyViolationWarnings: { count: number | null; window: ReportingWindow } | null;
  warningStates: WarningState[];
  /** Keys of this marketplace's block that the parser did not understand (their data stays in the raw doc). */
  unknownKeys: string[];
}

export interface ParsedReport {
  /** One entry per marketplace seen in `performanceMetrics` or `accountStatuses`; never empty, since a document
   * that names no marketplace is refused (a poll that read nothing must not count as fresh data). */
  marketplaces: MarketplaceHealth[];
  /** Things the parser tolerated (renamed fields, wrong types, dropped values), one line each. */
  notes: string[];
}
