import type { Overview, SellerAccount } from '$lib/api';

// The words beside each state's colour: a badge never says something with colour alone.

type Tone = 'good' | 'warning' | 'critical' | 'neutral';

export const STANDING: Record<Overview['accounts'][number]['standing'], { tone: Tone; label: string }> = {
  suspended: { tone: 'critical', label: 'Suspended' },
  at_risk: { tone: 'warning', label: 'At risk' },
  fine: { tone: 'good', label: 'Fine' },
  unknown: { tone: 'neutral', label: 'No data yet' },
};

export const CONNECTION: Record<SellerAccount['connectionState'], { tone: Tone; label: string }> = {
  connected: { tone: 'good', label: 'Connected' },
  needs_reauthorization: { tone: 'critical', label: 'Needs reauthorization' },
  degraded: { tone: 'warning', label: 'Polls failing' },
  disconnected: { tone: 'neutral', label: 'Disconnected' },
};

export const REGIONS: Record<SellerAccount['region'], string> = {
  na: 'North America',
  eu: 'Europe',
  fe: 'Far East',
};

/**
 * The Far East's marketplaces each have a Seller Central of their own, so consent there needs the marketplace
 * named, not only the region (docs/oauth.md §6).
 */
export const FAR_EAST_MARKETPLACES = [
  { id: 'A1VC38T7YXB528', name: 'Japan' },
  { id: 'A39IBJ37TRP1C6', name: 'Australia' },
  { id: 'A19VAU5U5O7RUS', name: 'Singapore' },
] as const;

/** Amazon's metrics in Amazon's words, with what each rate counts, and the order the account page lists them. */
export const METRICS: Record<string, { name: string; of: string }> = {
  order_defect_rate: { name: 'Order defect rate', of: 'orders' },
  late_shipment_rate: { name: 'Late shipment rate', of: 'orders' },
  pre_fulfillment_cancellation_rate: { name: 'Pre-fulfilment cancellation rate', of: 'orders' },
  valid_tracking_rate: { name: 'Valid tracking rate', of: 'shipments' },
  on_time_delivery_rate: { name: 'On-time delivery rate', of: 'shipments with tracking' },
  unit_on_time_delivery_rate: { name: 'Unit on-time delivery rate', of: 'units' },
  invoice_defect_rate: { name: 'Invoice defect rate', of: 'orders' },
  negative_return_feedback_rate: { name: 'Negative return feedback rate', of: 'returns' },
};

/** What one more bad event is, per metric: what the headroom counts. */
const BAD_EVENTS: Record<string, [one: string, many: string]> = {
  order_defect_rate: ['order with a defect', 'orders with a defect'],
  late_shipment_rate: ['late shipment', 'late shipments'],
  pre_fulfillment_cancellation_rate: ['cancellation', 'cancellations'],
  valid_tracking_rate: ['shipment without valid tracking', 'shipments without valid tracking'],
  on_time_delivery_rate: ['late delivery', 'late deliveries'],
  unit_on_time_delivery_rate: ['unit delivered late', 'units delivered late'],
  invoice_defect_rate: ['invoice defect', 'invoice defects'],
};

/** "Takes 2 more orders with a defect before the target"; null when there is nothing to say. */
export function headroomWords(metric: string, headroom: number | null): string | null {
  if (headroom === null) return null;
  const [one, many] = BAD_EVENTS[metric] ?? ['bad event', 'bad events'];
  if (headroom === 0) return `The next ${one} crosses the target.`;
  return `Takes ${headroom.toLocaleString('en')} more ${headroom === 1 ? one : many} before the target.`;
}

/** The name of a metric, or its own name made readable when this dashboard does not know it yet. */
export function metricName(metric: string): string {
  return METRICS[metric]?.name ?? sentence(metric);
}

export const CHANNELS: Record<'afn' | 'mfn' | 'all', { name: string; short: string }> = {
  afn: { name: 'Fulfilled by Amazon', short: 'FBA' },
  mfn: { name: 'Seller-fulfilled', short: 'FBM' },
  all: { name: 'All orders', short: 'All' },
};

/** The counts a figure's `parts` carry, in Amazon's words. */
export const PARTS: Record<string, string> = {
  orderWithDefects: 'Orders with a defect',
  claims: 'A-to-z claims',
  chargebacks: 'Chargebacks',
  negativeFeedback: 'Negative feedback',
  invoiceDefect: 'Invoice defects',
  missingInvoice: 'Missing invoices',
  lateInvoice: 'Late invoices',
};

/** The parts of the order defect rate shown beside it, in this order. */
export const ODR_PARTS = ['claims', 'chargebacks', 'negativeFeedback'] as const;

/** Amazon's account status per marketplace. */
export const ACCOUNT_STATUS: Record<string, { tone: Tone; label: string }> = {
  NORMAL: { tone: 'good', label: 'Normal' },
  AT_RISK: { tone: 'warning', label: 'At risk' },
  DEACTIVATED: { tone: 'critical', label: 'Deactivated' },
  SUSPENDED: { tone: 'critical', label: 'Suspended' },
  BANNED: { tone: 'critical', label: 'Banned' },
};

export function accountStatus(status: string | null): { tone: Tone; label: string } {
  if (!status) return { tone: 'neutral', label: 'Unknown' };
  return ACCOUNT_STATUS[status.toUpperCase()] ?? { tone: 'warning', label: sentence(status) };
}

/** The Account Health Rating's band (from its score: 0-99 critical, 100-199 at risk, 200 and up healthy). */
export const AHR_BAND: Record<'healthy' | 'at_risk' | 'critical', { tone: Tone; label: string }> = {
  healthy: { tone: 'good', label: 'Healthy' },
  at_risk: { tone: 'warning', label: 'At risk' },
  critical: { tone: 'critical', label: 'Critical' },
};

export const POLL_STATUS: Record<
  'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'abandoned',
  { tone: Tone; label: string }
> = {
  queued: { tone: 'neutral', label: 'Queued' },
  running: { tone: 'neutral', label: 'Running' },
  waiting: { tone: 'neutral', label: 'Waiting for Amazon' },
  succeeded: { tone: 'good', label: 'Succeeded' },
  failed: { tone: 'critical', label: 'Failed' },
  abandoned: { tone: 'warning', label: 'Abandoned' },
};

/** How a poll ended, beyond succeeded or failed. */
export const POLL_OUTCOMES: Record<string, string> = {
  ingested: 'new report stored',
  unchanged: 'report unchanged',
  no_data: 'no data from Amazon',
  retry_later: 'asked again later',
  needs_reauthorization: 'needs reauthorization',
  error: 'error',
};

export const POLL_TRIGGERS: Record<string, string> = {
  schedule: 'Schedule',
  manual: 'Refresh now',
  cli: 'Command line',
};

/** `AT_RISK`, `spammingSellerMessaging`, `listing_policy_violations` → "At risk", "Spamming seller messaging"... */
export function sentence(code: string): string {
  const words = code
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A figure against its target; the sign repeats the word where space is short. */
export const FIGURE_TONE: Record<
  'good' | 'near' | 'breached' | 'unknown',
  { tone: Tone; label: string; sign: string }
> = {
  good: { tone: 'good', label: 'Within target', sign: '●' },
  near: { tone: 'warning', label: 'Close to target', sign: '▲' },
  breached: { tone: 'critical', label: 'Past target', sign: '◆' },
  unknown: { tone: 'neutral', label: 'No verdict', sign: '·' },
};

const POLICY_CATEGORIES: Record<string, string> = {
  listing_policy_violations: 'Listing policy violations',
  product_authenticity_customer_complaints: 'Product authenticity complaints',
  product_condition_customer_complaints: 'Product condition complaints',
  product_safety_customer_complaints: 'Product safety complaints',
  received_intellectual_property_complaints: 'Intellectual property complaints',
  restricted_product_policy_violations: 'Restricted product policy violations',
  suspected_intellectual_property_violations: 'Suspected intellectual property violations',
  food_and_product_safety_issues: 'Food and product safety issues',
  customer_product_reviews_policy_violations: 'Customer product reviews policy violations',
  other_policy_violations: 'Other policy violations',
  document_requests: 'Document requests',
};

/** A policy violation category in Seller Central's words. */
export function policyCategory(category: string): string {
  return POLICY_CATEGORIES[category] ?? sentence(category);
}

/** An alert's severity: the word beside the colour, and a sign for where the colour is not seen. */
export const SEVERITY: Record<'critical' | 'warning' | 'info', { tone: Tone; label: string }> = {
  critical: { tone: 'critical', label: 'Critical' },
  warning: { tone: 'warning', label: 'Warning' },
  info: { tone: 'neutral', label: 'Info' },
};

export const ALERT_STATE: Record<'open' | 'acknowledged' | 'resolved', string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

/** The alert rules in a sentence each, for filters and for the mute button. */
export const ALERT_RULES: Record<string, string> = {
  metric_breach: 'Metric past its target',
  metric_margin: 'Metric close to its target',
  metric_trend: 'Metric heading for its target',
  account_status: 'Account status',
  rating: 'Account Health Rating',
  score_drop: 'Rating dropped',
  policy: 'Policy violations',
  warning_state: 'Warning from Amazon',
  stale_data: 'No recent data',
  reauthorization: 'Authorization refused',
  authorization_renewal: 'Authorization due for renewal',
};

export function alertRule(rule: string): string {
  return ALERT_RULES[rule] ?? sentence(rule);
}

/** What happened to an alert, for its history. */
export const ALERT_EVENTS: Record<string, string> = {
  opened: 'Opened',
  updated: 'Figures updated',
  escalated: 'Escalated',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  reminder: 'Reminder sent (still unacknowledged)',
};

export function alertEvent(type: string): string {
  return ALERT_EVENTS[type] ?? sentence(type);
}
