import { CAUSES, type CaseFacts, type CauseGuidance, type CauseId } from './model.ts';

// Which causes a case's facts show, and what the product says about each beside the plan of action. Pure: the
// facts were copied from the snapshots when the case opened, and the seller may add causes read from Amazon's
// notice, which can name a reason the report does not break out.

const METRIC_CAUSES: Readonly<Record<string, CauseId>> = {
  order_defect_rate: 'order_defects',
  late_shipment_rate: 'late_shipment',
  pre_fulfillment_cancellation_rate: 'cancellations',
  valid_tracking_rate: 'valid_tracking',
  on_time_delivery_rate: 'on_time_delivery',
  unit_on_time_delivery_rate: 'on_time_delivery',
  invoice_defect_rate: 'invoice_defects',
};

const POLICY_CAUSES: Readonly<Record<string, CauseId>> = {
  received_intellectual_property_complaints: 'intellectual_property',
  suspected_intellectual_property_violations: 'intellectual_property',
  product_authenticity_customer_complaints: 'authenticity',
  product_condition_customer_complaints: 'condition',
  product_safety_customer_complaints: 'safety',
  food_and_product_safety_issues: 'safety',
  restricted_product_policy_violations: 'restricted_products',
  customer_product_reviews_policy_violations: 'review_manipulation',
  listing_policy_violations: 'listing_policy',
  other_policy_violations: 'other',
  document_requests: 'other',
};

/** The alert rules whose subject is a figure (`metric:channel:windowDays`). */
export const METRIC_ALERT_RULES: ReadonlySet<string> = new Set([
  'metric_breach',
  'metric_margin',
  'metric_trend',
]);

/**
 * The cause a rate figure belongs to. A metric we do not know yet (Amazon adds fields) is `other`, so a breach of
 * it still gets a section of the plan rather than none.
 */
export function causeOfMetric(metric: string): CauseId {
  return METRIC_CAUSES[metric] ?? 'other';
}

/** The cause a policy category belongs to; a category we do not know is `other`. */
export function causeOfPolicy(category: string): CauseId {
  return POLICY_CAUSES[category] ?? 'other';
}

/** A policy category the data counts against the seller: violations above zero, or marked BAD by Amazon. */
export function policyShows(p: { count: number | null; status: string | null }): boolean {
  return (p.count !== null && p.count > 0) || p.status?.toUpperCase() === 'BAD';
}

/** The figure an alert is about, from its subject `order_defect_rate:mfn:60`; null for another rule. */
export function alertFigure(
  alert: { rule: string; subject: string } | null,
): { metric: string; channel: string; windowDays: number | null } | null {
  if (!alert || !METRIC_ALERT_RULES.has(alert.rule)) return null;
  const [metric = '', channel = '', days = ''] = alert.subject.split(':');
  if (metric === '') return null;
  const windowDays = days === '' ? null : Number(days);
  return { metric, channel, windowDays: Number.isFinite(windowDays) ? windowDays : null };
}

/** The policy category a `policy` alert is about, or null. */
export function alertPolicy(alert: { rule: string; subject: string } | null): string | null {
  return alert && alert.rule === 'policy' && alert.subject !== '' ? alert.subject : null;
}

/**
 * The causes the data shows, in the order the plan of action takes them, each once: breached figures, the figure
 * or policy of the alert the case started from (an early warning is worth a plan before it becomes a breach),
 * policies with violations, and `extra` (read from a pasted notice). `other` when nothing else applies: a
 * suspension always has a reason, even when the report does not show it.
 */
export function causesOf(facts: Omit<CaseFacts, 'causes'>, extra: readonly CauseId[] = []): CauseId[] {
  const found = new Set<CauseId>(extra);
  for (const f of facts.figures) if (f.breached) found.add(causeOfMetric(f.metric));
  const figure = alertFigure(facts.alert);
  if (figure) found.add(causeOfMetric(figure.metric));
  for (const p of facts.policies) if (policyShows(p)) found.add(causeOfPolicy(p.category));
  const policy = alertPolicy(facts.alert);
  if (policy) found.add(causeOfPolicy(policy));
  const causes = CAUSES.filter((c) => found.has(c));
  return causes.length > 0 ? causes : ['other'];
}

/** What the product says about each cause, beside the plan of action. Targets as Amazon publishes them. */
export const CAUSE_GUIDANCE: Readonly<Record<CauseId, CauseGuidance>> = {
  order_defects: {
    cause: 'order_defects',
    title: 'Order defect rate',
    why:
      'The order defect rate is the share of orders with at least one defect: negative feedback, an A-to-z ' +
      "Guarantee claim or a credit card chargeback. Amazon's target is under 1 %, counted over 60 days and " +
      'separately for seller-fulfilled and FBA orders; above it, Amazon may deactivate the account. Seller ' +
      'Performance wants to see that you know why buyers were unhappy, that the affected buyers were looked ' +
      'after, and what now keeps the rate under 1 %.',
    investigate: [
      'Read every order with a defect: the claim reason, the feedback text, the chargeback reason.',
      'Group the defects by ASIN, by carrier and by reason to find the pattern behind most of them.',
      'Check how quickly buyer messages were answered, and whether any went unanswered for more than 24 hours.',
      'Compare the listings with the items shipped: description, photos, size, and the condition stated.',
      'Look at packaging and damage in transit for the orders that arrived broken or did not arrive.',
    ],
    evidence: [
      'An order-by-order list of the defects, with how each was resolved (refund, replacement, message)',
      'Copies of the messages exchanged with the buyers concerned',
      'Carrier tracking and proof of delivery for claims about items that did not arrive',
      'Supplier invoices or quality-control records where the item itself was at fault',
      'Screenshots of the corrected listings',
    ],
  },
  late_shipment: {
    cause: 'late_shipment',
    title: 'Late shipment rate',
    why:
      'The late shipment rate is the share of seller-fulfilled orders whose shipment was confirmed after the ' +
      "expected ship date, over 10 and 30 days. Amazon's target is under 4 %, and an account above it may be " +
      'deactivated. Seller Performance looks for the reason orders left late (or were confirmed late) and for ' +
      'a handling time and a daily routine you can keep.',
    investigate: [
      'Find the late orders and tell apart those shipped late from those shipped on time but confirmed late.',
      'Compare the handling time set in Seller Central with the time your warehouse really needs.',
      "Check the carrier's pickup times and cut-offs against when orders are packed.",
      'Look at staffing on weekends, holidays and sales peaks.',
      'Check whether stock shown on Amazon was really on the shelf (stock shared with other channels).',
    ],
    evidence: [
      'Carrier pickup or first-scan records showing when parcels left',
      'An export from the shipping software with the confirmation times',
      'A screenshot of the new handling-time settings',
      'The new packing and confirmation routine, with who does what',
    ],
  },
  cancellations: {
    cause: 'cancellations',
    title: 'Pre-fulfilment cancellation rate',
    why:
      'The pre-fulfilment cancellation rate is the share of seller-fulfilled orders that you cancelled before ' +
      "confirming shipment, over 7 days; cancellations a buyer asks for do not count. Amazon's target is under " +
      '2.5 %, and above it the account may be deactivated. Most cancellations come from stock that was shown ' +
      'as available but was not, so Seller Performance looks for how your stock levels are kept accurate.',
    investigate: [
      'List the cancelled orders with the reason recorded for each.',
      'Check how often, and from which system, stock levels are sent to Amazon.',
      'Look for stock shared with another channel or warehouse that sold the same units.',
      'Check for pricing errors or listings that went live before stock arrived.',
      'Check supplier deliveries that were late or short in the window.',
    ],
    evidence: [
      'The settings or logs of the inventory synchronization showing the new update frequency',
      'A stock count or inventory report for the ASINs concerned',
      'Supplier confirmations of the stock on order',
      'The cancellation report with the reason for each order',
    ],
  },
  valid_tracking: {
    cause: 'valid_tracking',
    title: 'Valid tracking rate',
    why:
      'The valid tracking rate is the share of seller-fulfilled shipments with a tracking number the carrier ' +
      "has scanned, over 30 days. Amazon's target is above 95 %; below it, Amazon may restrict your " +
      'seller-fulfilled selling in the categories concerned. Seller Performance looks for every shipment to ' +
      'leave with a tracking number that works and is entered against the right carrier.',
    investigate: [
      'List the shipments without valid tracking and what was entered for each.',
      'Check for mistyped numbers, or a carrier entered as "Other" or under the wrong name.',
      'Check whether labels were printed but never handed to the carrier, so never scanned.',
      'Check which carriers or services give no scans in this marketplace.',
    ],
    evidence: [
      "An export of tracking numbers with the carrier's scan for each",
      'A screenshot of the shipping software or Buy Shipping settings',
      'The list of carriers and services now used',
    ],
  },
  on_time_delivery: {
    cause: 'on_time_delivery',
    title: 'On-time delivery rate',
    why:
      'The on-time delivery rate is the share of tracked seller-fulfilled shipments that reached the buyer by ' +
      "the estimated delivery date. Amazon's target is above 90 %. Seller Performance looks for delivery " +
      'promises that match what your carriers really achieve.',
    investigate: [
      'List the late deliveries by carrier, service and destination region.',
      'Compare the transit times in your shipping templates with what the carriers really took.',
      'Check whether parcels reached the carrier on the day they were confirmed.',
      'Look at peaks (holidays, weather, sales) and at carrier service notices for the window.',
    ],
    evidence: [
      'A carrier export with the shipping and delivery scan of each late parcel',
      'Screenshots of the corrected shipping templates',
      "The carrier's service levels or a new carrier agreement",
    ],
  },
  invoice_defects: {
    cause: 'invoice_defects',
    title: 'Invoice defect rate',
    why:
      'The invoice defect rate is the share of Amazon Business orders without an invoice uploaded within one ' +
      "business day of shipment (a missing or a late invoice). Amazon's target is under 5 %. Seller " +
      'Performance looks for an invoicing process that runs for every business order, on time.',
    investigate: [
      'List the orders with a missing or late invoice.',
      'Check how invoices are created and uploaded, by hand or by a tool, and when.',
      "Check the tax settings and the invoicing tool's connection to Seller Central.",
      'Look for orders that fall outside the routine (weekends, multi-unit or split shipments).',
    ],
    evidence: [
      'The invoices now uploaded for the orders concerned',
      'A screenshot of the invoicing tool or tax calculation settings',
      'The invoicing routine, with who checks it and when',
    ],
  },
  intellectual_property: {
    cause: 'intellectual_property',
    title: 'Intellectual property complaints',
    why:
      'Rights owners report listings they believe infringe their trademark, copyright or patent, and Amazon ' +
      'also flags suspected violations itself. Repeated complaints can lead to deactivation. Seller ' +
      'Performance looks for why each listing was questioned, that the listings at issue are removed or the ' +
      'complaint retracted, and that your products come from sources that allow you to sell them.',
    investigate: [
      'List each complaint with its ASIN, complaint ID, rights owner and the right it names.',
      'Find where the units of each ASIN came from and whether the supplier may sell that brand.',
      'Check whether the listing uses a brand name, logo, photos or text you have no right to use.',
      'Check whether you created or changed a listing for a brand you do not own.',
    ],
    evidence: [
      "Supplier invoices covering the units sold, with the supplier's name and contact details",
      'A letter of authorization or licence from the brand owner',
      "The rights owner's retraction, where they agreed to withdraw the complaint",
      "The trademark registration, where the brand is the seller's own",
    ],
  },
  authenticity: {
    cause: 'authenticity',
    title: 'Product authenticity complaints',
    why:
      'Buyers reported items they believe are not genuine. Amazon asks sellers to show where their stock comes ' +
      'from, and Seller Performance looks for a supply chain it can verify: the manufacturer or a distributor ' +
      'the brand has authorized, with invoices that cover what you sold.',
    investigate: [
      'List the complaints with the ASIN, the order and what the buyer said.',
      'Trace the units of each ASIN to the supplier and the invoice they came in on.',
      'Check whether the supplier is the manufacturer or a distributor the brand authorized.',
      'Compare returned units with genuine ones (packaging, labels, serial numbers).',
    ],
    evidence: [
      'Supplier invoices dated within the last year, covering the quantities sold, with supplier contact details',
      'Letters of authorization or distribution agreements from the brand',
      "The manufacturer's confirmation that the items are genuine, where available",
    ],
  },
  condition: {
    cause: 'condition',
    title: 'Product condition complaints',
    why:
      'Buyers reported items that arrived used, damaged, expired or not in the condition the listing stated. ' +
      'Seller Performance looks for how stock is checked, stored and packed, and how returns are kept apart ' +
      'from new stock.',
    investigate: [
      'List the complaints with the ASIN and the condition the buyer described.',
      'Check whether returned units were put back on sale as new.',
      'Check storage, packaging and, for dated goods, how expiry dates are tracked.',
      'Check the condition stated on each listing against the items shipped.',
    ],
    evidence: [
      'The quality-check and returns-handling procedure',
      'Photos of the packaging and labelling now used',
      'Supplier invoices showing the items were bought new',
      'Expiry-date records for dated goods',
    ],
  },
  safety: {
    cause: 'safety',
    title: 'Product safety complaints',
    why:
      'Buyers or Amazon raised concerns that a product may be unsafe, or a food or product-safety issue was ' +
      'found. Amazon takes these seriously and may remove listings at once. Seller Performance looks for proof ' +
      'that the product meets the rules that apply to it, and for what you did about units already sold.',
    investigate: [
      'List the complaints with the ASIN and the harm or risk described.',
      'Check which safety rules and certifications apply to each product in this marketplace.',
      'Check labels, warnings, instructions and, for food, storage and expiry.',
      'Check whether the manufacturer has recalls or known issues for the product.',
    ],
    evidence: [
      'Test reports from an accredited laboratory',
      'Certificates or declarations of conformity for the marketplace',
      'Safety data sheets, labels and instructions as supplied',
      "The manufacturer's details and confirmation of the product's compliance",
    ],
  },
  restricted_products: {
    cause: 'restricted_products',
    title: 'Restricted products',
    why:
      'Some products may not be sold on Amazon, or only with approval or under conditions (medicines, ' +
      'pesticides, some supplements, weapons and more). Seller Performance looks for the listings at issue to ' +
      'be removed, and for a check before anything new is listed.',
    investigate: [
      'List the ASINs Amazon flagged and the restricted-products rule named for each.',
      'Check whether the product, an ingredient or a claim in the listing is what is restricted.',
      'Check whether you hold the approval the category needs.',
      'Check how the listings were created (bulk uploads, automated tools).',
    ],
    evidence: [
      'Screenshots showing the listings removed or corrected',
      'Approvals, licences or registrations the products need',
      'Ingredient lists or labels showing a product is not restricted',
    ],
  },
  review_manipulation: {
    cause: 'review_manipulation',
    title: 'Customer product reviews policy',
    why:
      'Amazon forbids influencing reviews: offering anything in return for one, asking only happy buyers, ' +
      "reviewing your own or a competitor's products, or using review services. It treats this as a serious " +
      'breach. Seller Performance looks for every practice at issue to have stopped and for controls over ' +
      'everything that reaches buyers.',
    investigate: [
      'Review every message template, package insert and follow-up email sent to buyers.',
      'Check for review services, rebate or free-product offers, or agencies acting for you.',
      'Check whether staff, friends or family reviewed your products.',
      'List the ASINs and reviews Amazon named.',
    ],
    evidence: [
      'The current buyer message templates and package inserts',
      'Proof that any review service or agency was stopped',
      'The written instructions to staff on reviews',
    ],
  },
  listing_policy: {
    cause: 'listing_policy',
    title: 'Listing policy violations',
    why:
      'Listings must describe the product accurately, sit on the right detail page and follow the style and ' +
      'category rules: no duplicate pages, misleading claims, wrong variations or prohibited words. Seller ' +
      'Performance looks for the listings to be corrected and for a check before new ones go live.',
    investigate: [
      'List the ASINs flagged and the violation named for each.',
      'Compare each listing with the product: title, bullets, images, variation, category.',
      'Check for duplicate detail pages for the same product.',
      'Check bulk upload files and tools that write listings for you.',
    ],
    evidence: [
      'Screenshots of the corrected listings',
      'The listing checklist or style guide',
      'Cases or confirmations from Seller Support about merged or corrected pages',
    ],
  },
  other: {
    cause: 'other',
    title: 'Other reasons',
    why:
      "Amazon's notice may name a reason the report does not break out: another policy violation, documents " +
      'Amazon asked for, account verification or a related account. Seller Performance answers the reason the ' +
      'notice gives, so the plan must address exactly that.',
    investigate: [
      "Read Amazon's notice word by word and note the policy, ASINs and orders it names.",
      'Read the policy page the notice links to.',
      'Note every document Amazon asked for and any deadline.',
      'Check your account details (legal name, address, bank, identity) against your documents.',
    ],
    evidence: [
      'Each document the notice asks for, legible and unaltered',
      'Business registration, identity or address documents where verification is the reason',
      'Any correspondence with Amazon about the same matter',
    ],
  },
};
