import { figureName } from '../alerts/rules.ts';
import { targetPhrase } from '../notifications/render/describe-alert.ts';
import { count, dayUtc, percent, words } from '../notifications/render/format.ts';
import {
  alertFigure,
  alertPolicy,
  CAUSE_GUIDANCE,
  causeOfMetric,
  causeOfPolicy,
  policyShows,
} from './causes.ts';
import {
  PLACEHOLDER,
  type CaseFacts,
  type CaseFigure,
  type CasePolicy,
  type CaseSections,
  type CauseId,
} from './model.ts';

// The pre-filled plan of action and appeal: one paragraph per cause in each part, citing the seller's own figures
// from the facts. A figure the facts do not hold is said to be missing, never guessed; what only the seller knows
// (suppliers, dates, ASINs, what went wrong) is left as a [[placeholder]] so the export can warn while any remain.
// Written in the seller's voice, factual and polite: Seller Performance reads many of these, and a plan that
// blames buyers or Amazon reads as one that has not found its cause.

/** The texts of the placeholders left in `text`, in order (a repeated one once per place). */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

const SUSPENDED_STATUSES = new Set(['DEACTIVATED', 'SUSPENDED', 'BANNED']);
const NOT_IN_REPORT = "not in Amazon's report";

// --- Figures ---

interface FigureNouns {
  /** What the denominator counts, singular and plural. */
  unit: [string, string];
  /** What the numerator's items did ("had a defect"). */
  counted: string;
  /** One item that counts against the target, singular and plural. */
  bad: [string, string];
  /** The numerator counts good items (an "above" target): the bad ones are the rest. */
  countsGood?: true;
  /** The part that is the numerator itself, not a breakdown of it. */
  numeratorPart?: string;
}

const FIGURE_NOUNS: Readonly<Record<string, FigureNouns>> = {
  order_defect_rate: {
    unit: ['order', 'orders'],
    counted: 'had a defect',
    bad: ['order with a defect', 'orders with a defect'],
    numeratorPart: 'orderWithDefects',
  },
  late_shipment_rate: {
    unit: ['order', 'orders'],
    counted: 'had their shipment confirmed after the expected ship date',
    bad: ['late shipment', 'late shipments'],
  },
  pre_fulfillment_cancellation_rate: {
    unit: ['order', 'orders'],
    counted: 'were cancelled by us before shipment',
    bad: ['cancelled order', 'cancelled orders'],
  },
  valid_tracking_rate: {
    unit: ['shipment', 'shipments'],
    counted: 'had valid tracking',
    bad: ['shipment without valid tracking', 'shipments without valid tracking'],
    countsGood: true,
  },
  on_time_delivery_rate: {
    unit: ['tracked shipment', 'tracked shipments'],
    counted: 'arrived by the estimated delivery date',
    bad: ['late delivery', 'late deliveries'],
    countsGood: true,
  },
  unit_on_time_delivery_rate: {
    unit: ['unit', 'units'],
    counted: 'arrived by the estimated delivery date',
    bad: ['unit delivered late', 'units delivered late'],
    countsGood: true,
  },
  invoice_defect_rate: {
    unit: ['order', 'orders'],
    counted: 'had an invoice defect',
    bad: ['order with an invoice defect', 'orders with an invoice defect'],
    numeratorPart: 'invoiceDefect',
  },
};

const OTHER_NOUNS: FigureNouns = {
  unit: ['item', 'items'],
  counted: 'counted in the rate',
  bad: ['item counted against the target', 'items counted against the target'],
};

/** Amazon's sub-counts (`parts`), by its own key. */
const PART_WORDS: Readonly<Record<string, [string, string]>> = {
  orderWithDefects: ['order with a defect', 'orders with a defect'],
  claims: ['A-to-z Guarantee claim', 'A-to-z Guarantee claims'],
  chargebacks: ['credit card chargeback', 'credit card chargebacks'],
  negativeFeedback: ['negative feedback', 'negative feedback'],
  lateShipment: ['late shipment', 'late shipments'],
  invoiceDefect: ['invoice defect', 'invoice defects'],
  missingInvoice: ['missing invoice', 'missing invoices'],
  lateInvoice: ['late invoice', 'late invoices'],
};

const nounsOf = (metric: string) => FIGURE_NOUNS[metric] ?? OTHER_NOUNS;

const many = (n: number, [one, more]: [string, string]) => `${count(n)} ${n === 1 ? one : more}`;

function partWords(key: string): [string, string] {
  const known = PART_WORDS[key];
  if (known) return known;
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return [spaced, spaced];
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function windowPhrase(window: { from: string | null; to: string | null }, windowDays: number | null): string {
  if (window.from && window.to) return `between ${dayUtc(window.from)} and ${dayUtc(window.to)}`;
  if (windowDays !== null) return `over ${count(windowDays)} days (dates ${NOT_IN_REPORT})`;
  return `(the reporting window is ${NOT_IN_REPORT})`;
}

const numeratorOf = (f: CaseFigure): number | null => {
  const part = nounsOf(f.metric).numeratorPart;
  return f.numerator ?? (part ? (f.parts[part] ?? null) : null);
};

/** How many items count against the target, when the report says. */
function badCount(f: CaseFigure): number | null {
  const n = numeratorOf(f);
  if (!nounsOf(f.metric).countsGood) return n;
  return n !== null && f.denominator !== null ? f.denominator - n : null;
}

/** "18 of 1,200 orders had a defect", saying which count the report does not give. */
function countsPhrase(f: CaseFigure): string {
  const nouns = nounsOf(f.metric);
  const n = numeratorOf(f);
  const d = f.denominator;
  if (n !== null && d !== null) {
    const bad = badCount(f);
    const rest = nouns.countsGood && bad !== null ? `, so ${many(bad, nouns.bad)}` : '';
    return `${count(n)} of ${many(d, nouns.unit)} ${nouns.counted}${rest}`;
  }
  if (n !== null) return `${many(n, nouns.unit)} ${nouns.counted} (the total is ${NOT_IN_REPORT})`;
  if (d !== null) return `of ${many(d, nouns.unit)}, how many ${nouns.counted} is ${NOT_IN_REPORT}`;
  return `the counts behind the rate are ${NOT_IN_REPORT}`;
}

/** "5 A-to-z Guarantee claims, 3 credit card chargebacks and 10 negative feedback", with any missing one named. */
function partsPhrase(f: CaseFigure): string | null {
  const skip = nounsOf(f.metric).numeratorPart;
  const known: string[] = [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(f.parts)) {
    if (key === skip) continue;
    if (value === null) missing.push(partWords(key)[1]);
    else known.push(many(value, partWords(key)));
  }
  const out: string[] = [];
  if (known.length > 0) out.push(`Amazon counts ${list(known)} among them`);
  if (missing.length > 0) out.push(`the number of ${list(missing)} is ${NOT_IN_REPORT}`);
  return out.length > 0 ? `${upperFirst(out.join('; '))}.` : null;
}

/** The figure as a sentence of the plan: value against target, window, counts, sub-counts, earlier values. */
function figureSentence(f: CaseFigure): string {
  const name = lowerFirst(figureName(f));
  const when = windowPhrase(f.window, f.windowDays);
  const target = f.target ? `Amazon's target of ${targetPhrase(f.target)}` : null;
  let lead: string;
  if (f.rate !== null) {
    lead = target
      ? `Our ${name} was ${percent(f.rate)} against ${target}, ${when}`
      : `Our ${name} was ${percent(f.rate)} ${when}, with no target given in Amazon's report`;
  } else if (f.status) {
    const against = target ? ` against ${target}` : '';
    lead = `Amazon's report marks our ${name} as ${f.status}${against} ${when}; the rate itself is ${NOT_IN_REPORT}`;
  } else {
    lead = `Our ${name} is ${NOT_IN_REPORT}`;
  }
  const sentences = [`${lead}: ${countsPhrase(f)}.`];
  const parts = partsPhrase(f);
  if (parts) sentences.push(parts);
  const earlier: string[] = [];
  if (f.earlier.days60 !== null) earlier.push(`${percent(f.earlier.days60)} 60 days earlier`);
  if (f.earlier.days30 !== null) earlier.push(`${percent(f.earlier.days30)} 30 days earlier`);
  if (earlier.length > 0) sentences.push(`It was ${list(earlier)}.`);
  return sentences.join(' ');
}

/** The short form for the appeal: "Order defect rate (seller-fulfilled): 1.5 % against a target of under 1 %". */
function figureLine(f: CaseFigure): string {
  const value = f.rate !== null ? percent(f.rate) : f.status ? `marked ${f.status}` : NOT_IN_REPORT;
  const target = f.target ? ` against a target of ${targetPhrase(f.target)}` : '';
  const n = numeratorOf(f);
  const counts =
    n !== null && f.denominator !== null
      ? ` (${count(n)} of ${many(f.denominator, nounsOf(f.metric).unit)} ${nounsOf(f.metric).counted})`
      : '';
  return `${figureName(f)}: ${value}${target}${counts}`;
}

// --- Policies ---

const POLICY_WORDS: Readonly<Record<string, [string, string]>> = {
  received_intellectual_property_complaints: [
    'intellectual property complaint received',
    'intellectual property complaints received',
  ],
  suspected_intellectual_property_violations: [
    'suspected intellectual property violation',
    'suspected intellectual property violations',
  ],
  product_authenticity_customer_complaints: [
    'customer complaint about product authenticity',
    'customer complaints about product authenticity',
  ],
  product_condition_customer_complaints: [
    'customer complaint about product condition',
    'customer complaints about product condition',
  ],
  product_safety_customer_complaints: [
    'customer complaint about product safety',
    'customer complaints about product safety',
  ],
  food_and_product_safety_issues: ['food and product safety issue', 'food and product safety issues'],
  restricted_product_policy_violations: [
    'restricted product policy violation',
    'restricted product policy violations',
  ],
  customer_product_reviews_policy_violations: [
    'customer product reviews policy violation',
    'customer product reviews policy violations',
  ],
  listing_policy_violations: ['listing policy violation', 'listing policy violations'],
  other_policy_violations: ['other policy violation', 'other policy violations'],
  document_requests: ['document request from Amazon', 'document requests from Amazon'],
};

function policyWords(category: string): [string, string] {
  return POLICY_WORDS[category] ?? [words(category), words(category)];
}

/** "3 intellectual property complaints received between 1 Jun 2026 and 28 Nov 2026". */
function policyPhrase(p: CasePolicy): string {
  const nouns = policyWords(p.category);
  const when = windowPhrase(p.window, null);
  const status = p.status && p.status.toUpperCase() !== 'GOOD' ? `, marked ${p.status} by Amazon` : '';
  if (p.count === null) return `${nouns[1]} ${when}${status}, their number ${NOT_IN_REPORT}`;
  if (p.count === 0) return `no ${nouns[1]} ${when}${status}`;
  return `${many(p.count, nouns)} ${when}${status}`;
}

// --- What each cause is drafted from ---

interface Cited {
  cause: CauseId;
  heading: string;
  figures: CaseFigure[];
  policies: CasePolicy[];
  /** The facts of the cause as sentences, or a placeholder when the data holds none. */
  facts: string[];
  /** The appeal's one-line summary of the cause. */
  summary: string[];
  /** How many items count against the seller, when the data says so unambiguously. */
  total: number | null;
}

function sameFigure(f: CaseFigure, g: { metric: string; channel: string; windowDays: number | null }) {
  return f.metric === g.metric && f.channel === g.channel && f.windowDays === g.windowDays;
}

function cite(facts: CaseFacts, cause: CauseId): Cited {
  const guidance = CAUSE_GUIDANCE[cause];
  const fromAlert = alertFigure(facts.alert);
  const ofCause = facts.figures.filter((f) => causeOfMetric(f.metric) === cause);
  const shown = ofCause.filter((f) => f.breached || (fromAlert !== null && sameFigure(f, fromAlert)));
  // A cause read from the notice alone still gets its figures cited, even within target: they are the facts.
  const figures = shown.length > 0 || cause === 'other' ? shown : ofCause;

  const alertCategory = alertPolicy(facts.alert);
  const policiesOfCause = facts.policies.filter((p) => causeOfPolicy(p.category) === cause);
  const showing = policiesOfCause.filter((p) => policyShows(p) || p.category === alertCategory);
  const policies = showing.length > 0 || cause === 'other' ? showing : policiesOfCause;

  const sentences = figures.map(figureSentence);
  const summary = figures.map(figureLine);
  for (const p of policies) {
    sentences.push(`Amazon's Account Health report lists ${policyPhrase(p)}.`);
    summary.push(upperFirst(policyPhrase(p)));
  }
  // The alert may be about a figure or category the facts no longer hold (the report moved on): its own words are
  // still Amazon's data.
  const alert = facts.alert;
  const alertHere =
    alert !== null &&
    ((fromAlert !== null &&
      causeOfMetric(fromAlert.metric) === cause &&
      !figures.some((f) => sameFigure(f, fromAlert))) ||
      (alertCategory !== null &&
        causeOfPolicy(alertCategory) === cause &&
        !policies.some((p) => p.category === alertCategory)));
  if (alertHere) {
    sentences.push(
      `The alert this case was opened from, raised on ${dayUtc(alert.openedAt)}, reads: "${alert.title}".`,
    );
    summary.push(alert.title);
  }
  if (sentences.length === 0) {
    sentences.push(
      `The Account Health report this case was opened from does not show this. [[what Amazon's notice says about ${lowerFirst(guidance.title)}, with any figures it gives]]`,
    );
    summary.push(`${guidance.title}: [[what Amazon's notice says about it]]`);
  }

  let total: number | null = null;
  if (figures.length === 1 && policies.length === 0) total = badCount(figures[0]!);
  else if (figures.length === 0 && policies.length > 0 && policies.every((p) => p.count !== null)) {
    total = policies.reduce((sum, p) => sum + (p.count ?? 0), 0);
  }

  const heading =
    figures.length === 1 && policies.length === 0 ? upperFirst(figureName(figures[0]!)) : guidance.title;
  return { cause, heading, figures, policies, facts: sentences, summary, total };
}

// --- The seller's part of each cause ---

interface CauseDraft {
  /** What the seller found, after the cited facts. */
  rootCause: string;
  corrective: string[];
  preventive: string[];
  /** Day 0–2, within 7 days, within 30 days, ongoing. */
  timeline: [string, string, string, string];
  /** What the appeal's commitment promises for this cause ("keep our order defect rate within target"). */
  commitment: string;
}

/** "all 18 orders with a defect" when the count is known, "every order with a defect" when not. */
type Each = (one: string, more: string) => string;

function eachOf(total: number | null): Each {
  return (one, more) => {
    if (total === null || total <= 0) return `every ${one}`;
    return total === 1 ? `the one ${one}` : `all ${count(total)} ${more}`;
  };
}

const ASINS = '[[ASINs concerned]]';
const OWNER = '[[person or team responsible]]';

const DRAFTS: Readonly<Record<CauseId, (each: Each) => CauseDraft>> = {
  order_defects: (each) => ({
    rootCause:
      `We reviewed ${each('order with a defect', 'orders with a defect')}. Most came from [[the main reason, e.g. items ` +
      `damaged in transit, buyer messages answered late, a listing that did not match the item]], on ${ASINS}. ` +
      `This happened because [[what in our process allowed it]].`,
    corrective: [
      `We contacted the buyers of ${each('order with a defect', 'orders with a defect')} and resolved every open ` +
        `matter by [[how: refund, replacement, a reply to the buyer]].`,
      `We corrected the listings of ${ASINS} so that they describe the item exactly as we ship it.`,
      `We [[the first change to the cause, e.g. moved fragile items to stronger packaging]].`,
    ],
    preventive: [
      `Buyer messages are answered within 24 hours, every day of the week; ${OWNER} covers weekends and holidays.`,
      'Each new claim, chargeback and negative feedback is read the day it arrives and its cause recorded, so ' +
        'that a pattern shows within days.',
      'We check the order defect rate in Account Health daily and act when it reaches [[your own warning level, e.g. 0.5 %]].',
      '[[a further measure aimed at the root cause, e.g. a quality check of each supplier batch]]',
    ],
    timeline: [
      'every open claim, chargeback and negative feedback answered',
      'packaging, listing and process changes in place',
      "the month's new defects reviewed to confirm the changes work",
      'daily Account Health check and a weekly review of new defects',
    ],
    commitment: "keep our order defect rate within Amazon's target",
  }),
  late_shipment: (each) => ({
    rootCause:
      `We compared the expected ship date of ${each('late shipment', 'late shipments')} with the time the ` +
      `parcel left us. They were late because [[the main reason, e.g. a handling time shorter than our packing ` +
      `needs, a missed carrier pickup, shipments confirmed the day after dispatch]].`,
    corrective: [
      'We shipped every order that was waiting and confirmed each in Seller Central on the day it left.',
      'We set our handling time to [[new handling time in days]], which we can meet on every order, peaks included.',
      'We [[the change to the carrier pickup or our cut-off time]].',
    ],
    preventive: [
      'Shipment is confirmed in Seller Central, with its tracking number, on the day the parcel is handed to the carrier.',
      `Orders not packed by [[cut-off time]] are raised with ${OWNER} before the carrier's pickup.`,
      'Extra staff are planned ahead of holidays and sales peaks, and the handling time is raised beforehand when needed.',
      'We check the late shipment rate in Account Health daily.',
    ],
    timeline: [
      'every waiting order shipped and confirmed; new handling time set',
      'new pickup and confirmation routine running',
      'late shipment rate checked over the first full window under the new routine',
      'daily check; handling time reviewed before each peak',
    ],
    commitment: 'ship and confirm every order within our handling time',
  }),
  cancellations: (each) => ({
    rootCause:
      `We reviewed ${each('cancelled order', 'cancelled orders')}. We cancelled them because [[the main reason, ` +
      `e.g. stock shown on Amazon had already sold elsewhere]]. Our stock levels reached Amazon [[how often they ` +
      `were updated]], which [[why that was not enough]].`,
    corrective: [
      `We set the quantities of ${ASINS} to the stock we hold and paused listings we cannot supply.`,
      'We [[the change to stock updates, e.g. connected our inventory system so quantities update every 15 minutes]].',
      'We keep a buffer of [[number]] units on listings that share stock with other channels.',
    ],
    preventive: [
      'Stock is counted [[how often]] and compared with the quantities on Amazon.',
      `An order is cancelled only at the buyer's request; when we cannot ship, ${OWNER} looks for stock first.`,
      'We check the pre-fulfilment cancellation rate in Account Health daily.',
    ],
    timeline: [
      'quantities corrected and listings without stock paused',
      'stock synchronization running and tested',
      'stock reconciled with Amazon over the month',
      'daily rate check and regular stock counts',
    ],
    commitment: 'list only stock we hold, so that we do not cancel orders',
  }),
  valid_tracking: (each) => ({
    rootCause:
      `We checked ${each('shipment without valid tracking', 'shipments without valid tracking')}. The tracking ` +
      `was missing or not valid because [[the main reason, e.g. numbers typed by hand, a carrier entered as ` +
      `Other, a service without scans]].`,
    corrective: [
      'We [[what we fixed, e.g. take tracking numbers from our label software instead of typing them]].',
      'We select each carrier by its own name in Seller Central, never as Other.',
      'We stopped using [[carrier or service without scans]] for orders in this marketplace.',
    ],
    preventive: [
      'Every seller-fulfilled order ships with a carrier and service that scans parcels, through [[shipping software or Buy Shipping]].',
      `${OWNER} checks each day that every shipment confirmed the day before has a first scan.`,
      'We check the valid tracking rate in Account Health daily.',
    ],
    timeline: [
      'carrier settings corrected',
      'new shipping routine running',
      'valid tracking rate checked over a full window',
      'daily first-scan check',
    ],
    commitment: 'ship every order with valid, scanned tracking',
  }),
  on_time_delivery: (each) => ({
    rootCause:
      `We compared the delivery dates promised to buyers with our carriers' real transit times for ` +
      `${each('late delivery', 'late deliveries')}. They were late because [[the main reason, e.g. transit ` +
      `times in our shipping template shorter than the carrier's, delays with one carrier in some regions]].`,
    corrective: [
      'We set the transit times in our shipping templates to [[new transit times]], in line with what our carriers achieve.',
      'We moved [[regions or services]] to [[carrier or faster service]].',
    ],
    preventive: [
      'Parcels are handed to the carrier on the day shipment is confirmed.',
      `${OWNER} compares carrier transit times with our templates every month and updates them when they change.`,
      'We check the on-time delivery rate in Account Health daily.',
    ],
    timeline: [
      'shipping templates corrected',
      'carrier changes in place',
      'carrier transit times reviewed over the month',
      'monthly carrier review',
    ],
    commitment: 'promise only delivery dates our carriers meet',
  }),
  invoice_defects: (each) => ({
    rootCause:
      `We reviewed ${each('order with an invoice defect', 'orders with an invoice defect')}. Invoices were ` +
      `missing or late because [[the main reason, e.g. invoices made by hand once a week, an upload tool that ` +
      `failed, tax settings missing]].`,
    corrective: [
      'We uploaded the invoice of every order still missing one.',
      'We [[the change to invoicing, e.g. turned on automatic invoice upload in our invoicing tool]].',
    ],
    preventive: [
      `Every Amazon Business order has its invoice uploaded within one business day of shipment; ${OWNER} checks each day's uploads.`,
      'We check the invoice defect rate in Account Health daily.',
    ],
    timeline: [
      'missing invoices uploaded',
      'automatic or daily invoicing running',
      'every invoice of the month checked as uploaded on time',
      'daily upload check',
    ],
    commitment: 'upload every invoice on time',
  }),
  intellectual_property: (each) => ({
    rootCause:
      `We reviewed ${each('complaint', 'complaints')} ([[complaint IDs]]) on ${ASINS}. [[why each listing was ` +
      `questioned, e.g. we used the brand's photos without permission, or our supplier was not authorized to ` +
      `sell the brand]]. Our checks before listing did not [[what the checks missed]].`,
    corrective: [
      `We removed ${ASINS} from sale and will not list them again without the rights owner's authorization.`,
      'We contacted [[rights owner]] and [[the outcome, e.g. they retracted the complaint, or we stopped selling their products]].',
      'We checked our whole catalogue for the same issue and removed [[number]] further listings.',
    ],
    preventive: [
      'Before we list a brand, we obtain invoices from the manufacturer or an authorized distributor and, where ' +
        'needed, a letter of authorization, and keep them on file.',
      "We use only our own photos and text, never a brand's content without its written permission.",
      `${OWNER} checks every new listing against these rules before it goes live.`,
      'We check Account Health daily for new complaints and answer each at once.',
    ],
    timeline: [
      'listings removed; rights owner contacted',
      'whole-catalogue review finished',
      'supplier documents on file for every brand we sell',
      'check before every new listing; daily Account Health check',
    ],
    commitment: 'sell only products we are entitled to sell, from sources we can document',
  }),
  authenticity: (each) => ({
    rootCause:
      `We reviewed ${each('complaint', 'complaints')} about ${ASINS}. The units came from [[supplier name]], ` +
      `[[whether the supplier is the manufacturer, an authorized distributor or another source]]. ` +
      `[[what we found when we traced and inspected the units]].`,
    corrective: [
      `We removed ${ASINS} from sale until we can show a verified source.`,
      'We [[what we did about the supplier, e.g. stopped buying from them]].',
      'We inspected the remaining stock and [[what we did with units we could not verify]].',
    ],
    preventive: [
      'We buy only from manufacturers or distributors the brand has authorized, and keep their invoices on file.',
      'Each new supplier is checked before the first order: business registration, brand authorization and a sample inspection.',
      'Returned units are inspected before they go back on sale.',
    ],
    timeline: [
      'listings removed from sale',
      'remaining stock inspected; supplier documents gathered',
      'supplier checks in place for every brand',
      'inspection of every new supplier and every return',
    ],
    commitment: 'sell only genuine products from sources we can document',
  }),
  condition: (each) => ({
    rootCause:
      `We reviewed ${each('complaint', 'complaints')} about ${ASINS}. Items reached buyers [[what was wrong, ` +
      `e.g. damaged, expired or used]] because [[the cause, e.g. returns went back on sale without inspection]].`,
    corrective: [
      `We inspected the stock of ${ASINS} and removed [[number]] units that were not in the condition listed.`,
      'We corrected the condition stated on [[listings concerned]].',
      'We contacted the buyers concerned and [[how we resolved it]].',
    ],
    preventive: [
      'Returned items are inspected and kept apart; they are sold as new only if unopened and undamaged.',
      'Dated goods are sold oldest first and taken off sale [[number]] days before their expiry date.',
      '[[the packaging or storage change]]',
    ],
    timeline: [
      'stock inspected; unsuitable units removed',
      'returns and packaging routine in place',
      'complaints of the month reviewed',
      'inspection of every return',
    ],
    commitment: 'ship every item in the condition its listing states',
  }),
  safety: (each) => ({
    rootCause:
      `We reviewed ${each('safety report', 'safety reports')} about ${ASINS}. [[what buyers or Amazon ` +
      `reported]]. We found that [[the cause, e.g. the product lacked a required warning label, one batch was ` +
      `faulty]].`,
    corrective: [
      `We removed ${ASINS} from sale at once.`,
      'We obtained [[test report or certificate]] from [[laboratory or manufacturer]].',
      'We contacted the buyers of the units concerned and [[what we offered, e.g. a refund and return]].',
    ],
    preventive: [
      `Before we list a product we collect the certificates and test reports it needs in this marketplace; ${OWNER} checks them.`,
      'We follow recalls and safety notices for the products we sell.',
      'A safety complaint is raised the same day and the listing paused while it is checked.',
    ],
    timeline: [
      'listings removed from sale; buyers contacted',
      'test reports and certificates obtained',
      'whole catalogue checked for the documents it needs',
      'document check before every new listing; recall watch',
    ],
    commitment: 'sell only products that meet the safety rules of the marketplace',
  }),
  restricted_products: () => ({
    rootCause:
      `We reviewed the listings Amazon flagged: ${ASINS}. They fall under Amazon's restricted products policy ` +
      `because [[why, e.g. an ingredient that is not allowed, a health claim]]. We listed them because [[how it ` +
      `happened]].`,
    corrective: [
      `We deleted the listings of ${ASINS} and [[what we did with the stock]].`,
      "We reviewed our whole catalogue against Amazon's restricted products pages and removed [[number]] further listings.",
    ],
    preventive: [
      `Each new product is checked against Amazon's restricted products pages and its category's approval ` +
        `requirements before it is listed; ${OWNER} signs it off.`,
      'Ingredients and claims in listings are checked against the rules of the marketplace.',
    ],
    timeline: [
      'listings deleted',
      'whole-catalogue review finished',
      'checks before listing in place',
      'check before every new listing',
    ],
    commitment: 'list only products allowed on Amazon, with any approval they need',
  }),
  review_manipulation: () => ({
    rootCause:
      'We reviewed every way we contact buyers. We found that [[what broke the policy, e.g. a package insert ' +
      'offering a discount for a review]]. It was in use from [[start date]] to [[end date]].',
    corrective: [
      'We stopped [[the practice]] on [[date]].',
      'We [[ended the contract with the review service or agency, or withdrew the inserts]].',
      "We ask for reviews only through Seller Central's Request a Review button or messages that follow " +
        "Amazon's rules: never offering anything in return and never asking only satisfied buyers.",
    ],
    preventive: [
      `Every message and insert that reaches buyers is approved by ${OWNER} against Amazon's customer product reviews policy.`,
      "Our staff, their families and friends do not review our products or our competitors'; this is in our written rules.",
      'We do not use review services or agencies.',
    ],
    timeline: [
      'the practice stopped',
      'templates and inserts reviewed',
      'written rules given to staff',
      'approval of every buyer-facing message',
    ],
    commitment: 'follow the customer product reviews policy in everything we send to buyers',
  }),
  listing_policy: () => ({
    rootCause:
      `We reviewed the listings Amazon flagged: ${ASINS}. They broke the listing policy because [[what was ` +
      `wrong, e.g. a duplicate detail page, a variation grouping different products, a misleading title]]. ` +
      `[[how the error came about, e.g. a bulk upload template]].`,
    corrective: [
      `We corrected or deleted the listings of ${ASINS}.`,
      'We checked our whole catalogue for the same issue and fixed [[number]] further listings.',
    ],
    preventive: [
      `Every new or changed listing is checked against Amazon's listing and category style rules by ${OWNER} before it goes live.`,
      'Bulk upload files are checked against [[our listing checklist]] before upload.',
    ],
    timeline: [
      'listings corrected',
      'whole-catalogue review finished',
      'listing checklist in use',
      'check before every new or changed listing',
    ],
    commitment: 'keep every listing accurate and within the listing policy',
  }),
  other: () => ({
    rootCause:
      "Amazon's notice gives the reason as [[the reason in Amazon's own words]]. We found that [[what caused it]].",
    corrective: ['We [[what we did to correct it]].', 'We sent [[the documents Amazon asked for]].'],
    preventive: [
      '[[what keeps it from happening again]]',
      `${OWNER} reads every message from Amazon in Seller Central the day it arrives and answers within the time asked.`,
    ],
    timeline: [
      'the matter corrected',
      'documents sent',
      'the new routine checked',
      "daily reading of Amazon's messages",
    ],
    commitment: "answer Amazon's requests fully and on time",
  }),
};

// --- The sections ---

const bullets = (lines: readonly string[]) => lines.map((l) => `- ${l}`).join('\n');

function timelineOf(d: CauseDraft): string {
  const [first, week, month, ongoing] = d.timeline;
  return bullets([
    `Day 0–2 (done [[date]]): ${first}.`,
    `Within 7 days (by [[date]]): ${week}.`,
    `Within 30 days (by [[date]]): ${month}.`,
    `Ongoing: ${ongoing}.`,
  ]);
}

function marketplaceLine(facts: CaseFacts): string {
  const id = facts.marketplaceId ? ` (${facts.marketplaceId})` : '';
  return `Marketplace: ${facts.marketplaceName ?? 'all marketplaces of the account'}${id}`;
}

function summaryOf(facts: CaseFacts, cited: readonly Cited[]): string {
  const where = facts.marketplaceName ?? 'our marketplaces';
  const status = facts.accountStatus?.toUpperCase() ?? null;
  const suspended = status !== null && SUSPENDED_STATUSES.has(status);
  const since = facts.statusSince ? ` since ${dayUtc(facts.statusSince)}` : '';
  let opening: string;
  if (suspended) opening = `Our selling privileges on ${where} have been ${words(status)}${since}.`;
  else if (status !== null && status !== 'NORMAL')
    opening = `Our account status on ${where} is ${words(status)}${since}.`;
  else opening = `We are writing about our account's performance on ${where}.`;
  const report = facts.capturedAt
    ? `Amazon's Account Health report of ${dayUtc(facts.capturedAt)} shows:`
    : "Amazon's notice to us concerns:";
  const ask = suspended
    ? 'We respectfully ask you to review it and to reinstate our selling privileges.'
    : 'We respectfully ask you to review it.';
  return [
    `Seller ID: ${facts.sellerId}`,
    marketplaceLine(facts),
    `Account: ${facts.accountName}`,
    '',
    'Dear Seller Performance team,',
    '',
    opening,
    '',
    report,
    bullets(cited.flatMap((c) => c.summary)),
    '',
    `We have investigated the cause${cited.length > 1 ? ' of each' : ''}, corrected it and put measures in place ` +
      `so that it does not happen again. Our plan of action is attached. ${ask}`,
  ].join('\n');
}

function evidenceOf(cited: readonly Cited[]): string {
  const blocks = cited.map((c) =>
    [
      c.heading,
      bullets(CAUSE_GUIDANCE[c.cause].evidence.map((e) => `${e}: [[file name, or delete this line]]`)),
    ].join('\n'),
  );
  return ['We attach the following documents in support of our plan of action.', ...blocks].join('\n\n');
}

function commitmentOf(facts: CaseFacts, drafts: readonly CauseDraft[]): string {
  return [
    "We are committed to following Amazon's policies and to meeting its performance targets in every marketplace " +
      `where we sell. In particular, we will ${list(drafts.map((d) => d.commitment))}.`,
    `${OWNER} checks Account Health every day, and we act on any change before it affects buyers.`,
    'We value selling on Amazon and will gladly work with Seller Performance: if you need more information or ' +
      'documents, we will provide them promptly. Thank you for reviewing our appeal.',
    `[[your name]]\n[[your role]], ${facts.accountName}`,
  ].join('\n\n');
}

/** The pre-filled plan of action and appeal for the causes in `facts`, in their order. */
export function draftSections(facts: CaseFacts): CaseSections {
  const causes = facts.causes.length > 0 ? [...new Set(facts.causes)] : (['other'] as CauseId[]);
  const cited = causes.map((cause) => cite(facts, cause));
  const drafts = cited.map((c) => DRAFTS[c.cause](eachOf(c.total)));
  const perCause = (part: (c: Cited, d: CauseDraft) => string) =>
    cited.map((c, i) => `${c.heading}\n${part(c, drafts[i]!)}`).join('\n\n');
  return {
    root_cause: perCause((c, d) => `${c.facts.join(' ')}\n${d.rootCause}`),
    corrective_actions: perCause((_c, d) => bullets(d.corrective)),
    preventive_measures: perCause((_c, d) => bullets(d.preventive)),
    implementation_timeline: perCause((_c, d) => timelineOf(d)),
    appeal_summary: summaryOf(facts, cited),
    appeal_evidence: evidenceOf(cited),
    appeal_commitment: commitmentOf(facts, drafts),
  };
}
