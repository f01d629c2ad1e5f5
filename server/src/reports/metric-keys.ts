// How Amazon's keys map onto our stable names. Spellings from docs/report-formats.md §(a) and §(b).
import type { PolicyCategory, RateMetricName } from './types.ts';

export interface RateSpec {
  metric: RateMetricName;
  /** A plain count field (`lateShipmentCount`) or a `{count,status}` part (`orderWithDefects`). */
  numerator: { field: string } | { part: string };
  denominator: string;
  parts: readonly string[];
}

export const ORDER_DEFECT_RATE: RateSpec = {
  metric: 'order_defect_rate',
  numerator: { part: 'orderWithDefects' },
  denominator: 'orderCount',
  parts: ['orderWithDefects', 'claims', 'chargebacks', 'negativeFeedback'],
};

/** Rate blocks reported once per marketplace (channel `all`), by canonical Amazon key. */
export const RATE_SPECS: Readonly<Record<string, RateSpec>> = {
  lateShipmentRate: {
    metric: 'late_shipment_rate',
    numerator: { field: 'lateShipmentCount' },
    denominator: 'orderCount',
    parts: [],
  },
  preFulfillmentCancellationRate: {
    metric: 'pre_fulfillment_cancellation_rate',
    numerator: { field: 'cancellationCount' },
    denominator: 'orderCount',
    parts: [],
  },
  validTrackingRate: {
    metric: 'valid_tracking_rate',
    numerator: { field: 'validTrackingCount' },
    denominator: 'shipmentCount',
    parts: [],
  },
  onTimeDeliveryRate: {
    metric: 'on_time_delivery_rate',
    numerator: { field: 'onTimeDeliveryCount' },
    denominator: 'shipmentCountWithValidTracking',
    parts: [],
  },
  unitOnTimeDeliveryRate: {
    metric: 'unit_on_time_delivery_rate',
    numerator: { field: 'unitOnTimeDeliveryCount' },
    denominator: 'totalUnitCount',
    parts: [],
  },
  invoiceDefectRate: {
    metric: 'invoice_defect_rate',
    numerator: { part: 'invoiceDefect' },
    denominator: 'orderCount',
    parts: ['invoiceDefect', 'missingInvoice', 'lateInvoice'],
  },
};

/** Policy-compliance blocks (`{defectsCount,status,targetValue,targetCondition,reportingDateRange}`). */
export const POLICY_CATEGORIES: Readonly<Record<string, PolicyCategory>> = {
  listingPolicyViolations: 'listing_policy_violations',
  productAuthenticityCustomerComplaints: 'product_authenticity_customer_complaints',
  productConditionCustomerComplaints: 'product_condition_customer_complaints',
  productSafetyCustomerComplaints: 'product_safety_customer_complaints',
  receivedIntellectualPropertyComplaints: 'received_intellectual_property_complaints',
  restrictedProductPolicyViolations: 'restricted_product_policy_violations',
  suspectedIntellectualPropertyViolations: 'suspected_intellectual_property_violations',
  foodAndProductSafetyIssues: 'food_and_product_safety_issues',
  customerProductReviewsPolicyViolations: 'customer_product_reviews_policy_violations',
  otherPolicyViolations: 'other_policy_violations',
  documentRequests: 'document_requests',
};

/** S's example spellings -> the spelling seen in real documents. */
export const KEY_ALIASES: Readonly<Record<string, string>> = {
  prefulfillmentCancelRate: 'preFulfillmentCancellationRate',
  warningState: 'warningStates',
  documentRequest: 'documentRequests',
};

export function toSnakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
