// What a scenario decides for one marketplace on one virtual day, before any document spelling is chosen.
// Counts are the figures behind each rate; the renderer derives rates and statuses from them.

export const POLICY_KEYS = [
  'listingPolicyViolations',
  'productAuthenticityCustomerComplaints',
  'productConditionCustomerComplaints',
  'productSafetyCustomerComplaints',
  'receivedIntellectualPropertyComplaints',
  'restrictedProductPolicyViolations',
  'suspectedIntellectualPropertyViolations',
  'foodAndProductSafetyIssues',
  'customerProductReviewsPolicyViolations',
  'otherPolicyViolations',
  'documentRequests',
] as const;

export type PolicyKey = (typeof POLICY_KEYS)[number];

export type AccountStatus = 'NORMAL' | 'AT_RISK' | 'DEACTIVATED';

export interface RateCounts {
  /** Orders, shipments or units the rate is taken over. */
  denominator: number;
  /** Late shipments, cancellations, valid-tracking shipments, on-time deliveries... */
  numerator: number;
}

export interface OdrCounts {
  orderCount: number;
  orderWithDefects: number;
  claims: number;
  chargebacks: number;
  negativeFeedback: number;
}

export interface InvoiceCounts {
  orderCount: number;
  invoiceDefect: number;
  missingInvoice: number;
  lateInvoice: number;
}

export interface MarketplaceFigures {
  accountStatus: AccountStatus;
  ahr: { status: 'GREAT' | 'WARNED'; score: number };
  odr: { afn?: OdrCounts; mfn?: OdrCounts };
  /** Absent for sellers who ship nothing themselves. */
  shipping?: {
    lateShipment10: RateCounts;
    lateShipment30: RateCounts;
    preFulfillmentCancellation: RateCounts;
    validTracking: RateCounts;
    onTimeDelivery: RateCounts;
    /** US only. */
    unitOnTimeDelivery?: RateCounts;
    /** Returns with negative feedback; only rendered by dialects that add fields Amazon has not documented. */
    negativeReturnFeedback: RateCounts;
  };
  /** US only. */
  invoice?: InvoiceCounts;
  /** A key missing here is a section missing from the document. */
  policy: Partial<Record<PolicyKey, number>>;
  policyViolationWarnings?: number;
  warningStates: { warningType: string; status: string }[];
  hasSuspendedListings: boolean;
}
