// Deterministic account scenarios. A scenario is a pure function of (seller, marketplace, virtual day): the
// same inputs always give the same figures, and the figures evolve as the virtual clock advances. Day 0 is
// the day the account was added (or its scenario set), so the demo opens in a sensible state.
//
// Each scenario describes a shop as daily series (orders, late shipments...) and the renderer's windows are
// sums over those days, so a spike enters the 10-day late shipment window and leaves it ten days later, as
// on Amazon. Negative days are the history before the simulator started.

import type { AccountStatus, MarketplaceFigures, OdrCounts, PolicyKey, RateCounts } from './figures.ts';
import { POLICY_KEYS } from './figures.ts';
import type { MarketplaceInfo } from './marketplaces.ts';
import { noiseFor, unitFor } from './prng.ts';

export const SCENARIO_NAMES = [
  'healthy',
  'odr-drift',
  'late-shipment-spike',
  'ip-complaints',
  'suspension',
  'new-seller',
  'revoked',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const SCENARIO_DESCRIPTIONS: Readonly<Record<ScenarioName, string>> = {
  healthy: 'All metrics comfortably within target with small daily noise; NORMAL everywhere.',
  'odr-drift':
    'MFN order defect rate climbs from ~0.4% and breaches 1% around day 22 (AT_RISK about 5 days later), ' +
    'peaks near 1.5% around day 40 and falls back under 1% around day 70.',
  'late-shipment-spike':
    'A carrier failure on days 10-17 pushes the 10-day late shipment rate over 4% (about days 14-24); the ' +
    '30-day rate stays under target.',
  'ip-complaints':
    'Intellectual property complaints arrive over the first month; the Account Health Rating falls, turns ' +
    'WARNED by day 16 and AT_RISK around day 22, then recovers after day 45.',
  suspension:
    'Authenticity complaints, a document request and messaging warnings pile up: AT_RISK on day 4, ' +
    'DEACTIVATED on day 9 with an Account Health Rating of 40; sales stop.',
  'new-seller':
    'A new FBA-only seller with sparse sections; first orders on day 5, first ODR figures on day 19.',
  revoked: 'Healthy figures, but the refresh token starts revoked (invalid_grant).',
};

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === 'string' && (SCENARIO_NAMES as readonly string[]).includes(value);
}

interface ScenarioContext {
  sellerId: string;
  marketplace: MarketplaceInfo;
  day: number;
}

type Channel = 'afn' | 'mfn';
type Series = (day: number) => number;

/** How a shop behaves day by day. Rates are expected fractions; noise is added where figures are counted. */
interface ShopModel {
  ordersPerDay: Partial<Record<Channel, Series>>;
  /** The ODR shown on the snapshot day, per channel (Amazon's 60-day window makes it a slow signal). */
  odrRate: Partial<Record<Channel, Series>>;
  /** Daily fractions for seller-fulfilled orders. */
  lateRate: Series;
  cancelRate: Series;
  validTrackingRate: Series;
  onTimeRate: Series;
  policy: (day: number) => Partial<Record<PolicyKey, number>>;
  policyViolationWarnings: (day: number) => number | undefined;
  ahr: (day: number) => { status: 'GREAT' | 'WARNED'; score: number };
  accountStatus: (day: number) => AccountStatus;
  warningStates: (day: number) => { warningType: string; status: string }[];
  hasSuspendedListings: (day: number) => boolean;
  shipsItself: boolean;
  /** The first day with orders, for a shop younger than the history Data Kiosk may be asked for. */
  opensOnDay?: number;
}

const MARKET_SIZE: Readonly<Record<string, number>> = {
  US: 1,
  GB: 0.45,
  DE: 0.55,
  CA: 0.1,
  MX: 0.03,
  JP: 0.3,
};

/** A stable size for this seller in this marketplace, so two healthy sellers do not look identical. */
function shopScale(ctx: ScenarioContext): number {
  const market = MARKET_SIZE[ctx.marketplace.countryCode] ?? 0.15;
  return market * (0.7 + 0.6 * unitFor(ctx.sellerId, ctx.marketplace.id, 'scale'));
}

function sum(from: number, to: number, value: (day: number) => number): number {
  let total = 0;
  for (let d = from; d <= to; d++) total += value(d);
  return total;
}

function noisy(base: number, amplitude: number, ...key: (string | number)[]): number {
  return base * (1 + amplitude * noiseFor(...key));
}

function zeroPolicy(): Partial<Record<PolicyKey, number>> {
  return Object.fromEntries(POLICY_KEYS.map((k) => [k, 0]));
}

/** How many of the given arrival days have happened by `day`. */
function arrived(days: readonly number[], day: number): number {
  return days.filter((d) => d <= day).length;
}

/**
 * How a seller's rating wandered before its story began (day 0): slow swings of a few dozen points, as complaints
 * arrive and age out of Amazon's windows, fading to nothing over the last month so the story starts where its
 * days say. Without it two years of history would be one flat line.
 */
function scoreBefore(day: number, ...key: (string | number)[]): number {
  if (day >= 0) return 0;
  const fade = Math.min(1, -day / 30);
  const phase = 2 * Math.PI * unitFor(...key, 'phase');
  const swing =
    22 * Math.sin((2 * Math.PI * day) / 173 + phase) + 9 * Math.sin((2 * Math.PI * day) / 47 + 2 * phase);
  return Math.round(fade * swing);
}

function healthyModel(ctx: ScenarioContext): ShopModel {
  const scale = shopScale(ctx);
  const id = [ctx.sellerId, ctx.marketplace.id];
  const eu = ctx.marketplace.region === 'eu';
  const baseScore = 220 + Math.floor(500 * unitFor(...id, 'ahr'));
  return {
    ordersPerDay: { afn: () => 200 * scale, mfn: () => 140 * scale },
    odrRate: {
      afn: (d) => 0.0035 + 0.0006 * noiseFor(...id, 'odr-afn', d),
      mfn: (d) => 0.0045 + 0.0006 * noiseFor(...id, 'odr-mfn', d),
    },
    lateRate: (d) => noisy(0.007, 0.4, ...id, 'late', d),
    cancelRate: (d) => noisy(0.004, 0.4, ...id, 'cancel', d),
    validTrackingRate: (d) => 0.996 + 0.002 * noiseFor(...id, 'vtr', d),
    onTimeRate: (d) => (eu ? 0.985 : 0.96) + 0.006 * noiseFor(...id, 'otd', d),
    policy: () => zeroPolicy(),
    policyViolationWarnings: () => 0,
    ahr: (d) => ({
      status: 'GREAT',
      // A healthy seller's past stays healthy, however low in the band it sits.
      score: Math.max(205, baseScore + scoreBefore(d, ...id)) + Math.round(4 * noiseFor(...id, 'ahr', d)),
    }),
    accountStatus: () => 'NORMAL',
    warningStates: () => [],
    hasSuspendedListings: () => false,
    shipsItself: true,
  };
}

/** The noiseless MFN ODR trend of the drift scenario; the account status follows it with a lag. */
function odrDriftTrend(day: number): number {
  if (day <= 0) return 0.004;
  if (day <= 40) return 0.004 + 0.00027 * day;
  const peak = 0.004 + 0.00027 * 40;
  if (day <= 55) return peak;
  return Math.max(0.005, peak - 0.00035 * (day - 55));
}

function odrDriftModel(ctx: ScenarioContext): ShopModel {
  const base = healthyModel(ctx);
  const id = [ctx.sellerId, ctx.marketplace.id];
  return {
    ...base,
    odrRate: { ...base.odrRate, mfn: (d) => odrDriftTrend(d) + 0.00012 * noiseFor(...id, 'drift', d) },
    accountStatus: (d) => (odrDriftTrend(d - 5) >= 0.01 ? 'AT_RISK' : 'NORMAL'),
  };
}

function lateShipmentSpikeModel(ctx: ScenarioContext): ShopModel {
  const base = healthyModel(ctx);
  const id = [ctx.sellerId, ctx.marketplace.id];
  const scale = shopScale(ctx);
  return {
    ...base,
    ordersPerDay: { afn: () => 60 * scale, mfn: () => 200 * scale },
    lateRate: (d) =>
      d >= 10 && d <= 17 ? noisy(0.085, 0.15, ...id, 'spike', d) : noisy(0.012, 0.3, ...id, 'late', d),
    onTimeRate: (d) => (d >= 10 && d <= 17 ? 0.95 : 0.982) + 0.004 * noiseFor(...id, 'otd', d),
  };
}

const IP_RECEIVED = [2, 6, 11, 15, 22, 29] as const;
const IP_SUSPECTED = [9, 19] as const;
const IP_LISTING = [13] as const;

function ipComplaintsModel(ctx: ScenarioContext): ShopModel {
  const base = healthyModel(ctx);
  const id = [ctx.sellerId, ctx.marketplace.id];
  const score = (d: number): number => {
    const penalty =
      35 * arrived(IP_RECEIVED, d) + 50 * arrived(IP_SUSPECTED, d) + 20 * arrived(IP_LISTING, d);
    const recovery = d > 45 ? 6 * (d - 45) : 0;
    return Math.min(380, Math.max(0, 380 - penalty + recovery)) + scoreBefore(d, ...id);
  };
  return {
    ...base,
    policy: (d) => ({
      ...zeroPolicy(),
      receivedIntellectualPropertyComplaints: arrived(IP_RECEIVED, d),
      suspectedIntellectualPropertyViolations: arrived(IP_SUSPECTED, d),
      listingPolicyViolations: arrived(IP_LISTING, d),
    }),
    policyViolationWarnings: (d) => arrived(IP_SUSPECTED, d) + arrived(IP_LISTING, d),
    ahr: (d) => ({ status: score(d) >= 200 ? 'GREAT' : 'WARNED', score: score(d) }),
    accountStatus: (d) => (score(d) < 100 ? 'AT_RISK' : 'NORMAL'),
  };
}

const SUSPENSION_EVENTS: Readonly<Partial<Record<PolicyKey, readonly number[]>>> = {
  productAuthenticityCustomerComplaints: [1, 3, 5, 6, 7, 8],
  documentRequests: [4],
  restrictedProductPolicyViolations: [5],
  customerProductReviewsPolicyViolations: [6],
  otherPolicyViolations: [7],
};
const SUSPENSION_PENALTY: Readonly<Partial<Record<PolicyKey, number>>> = {
  productAuthenticityCustomerComplaints: 30,
  documentRequests: 25,
  restrictedProductPolicyViolations: 20,
  customerProductReviewsPolicyViolations: 20,
  otherPolicyViolations: 20,
};
const DEACTIVATION_DAY = 9;

function suspensionModel(ctx: ScenarioContext): ShopModel {
  const base = healthyModel(ctx);
  const id = [ctx.sellerId, ctx.marketplace.id];
  const policy = (d: number): Partial<Record<PolicyKey, number>> => {
    const counts = zeroPolicy();
    for (const [key, days] of Object.entries(SUSPENSION_EVENTS)) counts[key as PolicyKey] = arrived(days, d);
    return counts;
  };
  const score = (d: number): number => {
    let penalty = 0;
    for (const [key, count] of Object.entries(policy(d))) {
      penalty += (SUSPENSION_PENALTY[key as PolicyKey] ?? 0) * count;
    }
    return Math.max(40, 260 - penalty) + scoreBefore(d, ...id);
  };
  const selling = (d: number): boolean => d < DEACTIVATION_DAY;
  const scale = shopScale(ctx);
  return {
    ...base,
    ordersPerDay: { afn: (d) => (selling(d) ? 150 * scale : 0), mfn: (d) => (selling(d) ? 120 * scale : 0) },
    odrRate: { ...base.odrRate, mfn: (d) => 0.0068 + 0.0005 * noiseFor(...id, 'odr-mfn', d) },
    policy,
    policyViolationWarnings: (d) => arrived([4, 6, 8], d),
    ahr: (d) => ({ status: score(d) >= 200 ? 'GREAT' : 'WARNED', score: score(d) }),
    accountStatus: (d) => (d >= DEACTIVATION_DAY ? 'DEACTIVATED' : d >= 4 ? 'AT_RISK' : 'NORMAL'),
    warningStates: (d) => (d >= 5 ? [{ warningType: 'spammingSellerMessaging', status: 'BAD' }] : []),
    hasSuspendedListings: (d) => d >= DEACTIVATION_DAY,
  };
}

function newSellerModel(ctx: ScenarioContext): ShopModel {
  const base = healthyModel(ctx);
  const id = [ctx.sellerId, ctx.marketplace.id];
  return {
    ...base,
    ordersPerDay: { afn: (d) => (d < 5 ? 0 : Math.min(25, 1 + (d - 5) * 0.8)) },
    odrRate: { afn: (d) => 0.002 + 0.001 * noiseFor(...id, 'odr-afn', d) },
    policy: () => ({
      listingPolicyViolations: 0,
      productAuthenticityCustomerComplaints: 0,
      receivedIntellectualPropertyComplaints: 0,
    }),
    ahr: () => ({ status: 'GREAT', score: 200 }),
    shipsItself: false,
    opensOnDay: 5,
  };
}

const MODELS: Readonly<Record<ScenarioName, (ctx: ScenarioContext) => ShopModel>> = {
  healthy: healthyModel,
  'odr-drift': odrDriftModel,
  'late-shipment-spike': lateShipmentSpikeModel,
  'ip-complaints': ipComplaintsModel,
  suspension: suspensionModel,
  'new-seller': newSellerModel,
  revoked: healthyModel,
};

/** Window bounds in days before the snapshot day, inclusive; they match the renderer's reporting ranges. */
export const WINDOWS = {
  odr: { from: 73, to: 14 },
  lateShipment10: { from: 10, to: 1 },
  lateShipment30: { from: 30, to: 1 },
  preFulfillmentCancellation: { from: 7, to: 1 },
  validTracking: { from: 30, to: 1 },
  onTimeDelivery: { from: 39, to: 10 },
  unitOnTimeDelivery: { from: 23, to: 10 },
  invoice: { from: 7, to: 1 },
  negativeReturnFeedback: { from: 30, to: 1 },
  policy: { from: 179, to: 0 },
} as const;

/** The figures a scenario gives for one marketplace on one virtual day. */
export function marketplaceFigures(scenario: ScenarioName, ctx: ScenarioContext): MarketplaceFigures {
  return marketplaceHistory(scenario, ctx.sellerId, ctx.marketplace).figures(ctx.day);
}

/** One marketplace of one seller over many days: what Data Kiosk's daily history is read from. */
export interface MarketplaceHistory {
  /** The figures of the seller performance report generated on `day`, exactly as `marketplaceFigures` gives them. */
  figures(day: number): MarketplaceFigures;
  /** The first virtual day the shop took orders; `-Infinity` for a shop older than any history asked for. */
  readonly opensOnDay: number;
}

/** A memo for a pure function of the day: each day's value is worked out once however many windows read it. */
function memoized(series: Series): Series {
  const cache = new Map<number, number>();
  return (d) => {
    let value = cache.get(d);
    if (value === undefined) {
      value = series(d);
      cache.set(d, value);
    }
    return value;
  };
}

/**
 * The figures of one marketplace day after day, from one model whose daily series are each computed once.
 * Windows are summed in the same order as for a single day, so every figure is the one the report of that day
 * shows, to the last bit; it only saves recomputing the seeded noise of days shared by neighbouring windows.
 */
export function marketplaceHistory(
  scenario: ScenarioName,
  sellerId: string,
  marketplace: MarketplaceInfo,
): MarketplaceHistory {
  // A model depends on the seller and the marketplace, never on the day it is read for.
  const model = MODELS[scenario]({ sellerId, marketplace, day: 0 });
  const id = [sellerId, marketplace.id];
  const orders: Partial<Record<Channel, Series>> = {};
  for (const channel of ['afn', 'mfn'] as const) {
    const series = model.ordersPerDay[channel];
    if (series) {
      orders[channel] = memoized((d) => Math.round(Math.max(0, noisy(series(d), 0.12, ...id, channel, d))));
    }
  }
  const noOrders: Series = () => 0;
  const mfnOrders = orders.mfn ?? noOrders;
  const lateRate = memoized(model.lateRate);
  const cancelRate = memoized(model.cancelRate);
  const validTrackingRate = memoized(model.validTrackingRate);
  const onTimeRate = memoized(model.onTimeRate);
  const units = memoized((d) => Math.round(mfnOrders(d) * 1.3));
  const invoiceOrders = memoized((d) => Math.round(mfnOrders(d) * 0.05));

  const figures = (day: number): MarketplaceFigures => {
    const span = (w: { from: number; to: number }, value: (d: number) => number) =>
      sum(day - w.from, day - w.to, value);
    const rateCounts = (w: { from: number; to: number }, rate: Series, base = mfnOrders): RateCounts => ({
      denominator: span(w, base),
      numerator: Math.round(span(w, (d) => base(d) * rate(d))),
    });

    const odr: MarketplaceFigures['odr'] = {};
    for (const channel of ['afn', 'mfn'] as const) {
      const rate = model.odrRate[channel];
      if (!rate) continue;
      odr[channel] = odrCounts(span(WINDOWS.odr, orders[channel] ?? noOrders), rate(day), [
        ...id,
        channel,
        day,
      ]);
    }

    const result: MarketplaceFigures = {
      accountStatus: model.accountStatus(day),
      ahr: model.ahr(day),
      odr,
      policy: model.policy(day),
      warningStates: model.warningStates(day),
      hasSuspendedListings: model.hasSuspendedListings(day),
    };
    const warnings = model.policyViolationWarnings(day);
    if (warnings !== undefined) result.policyViolationWarnings = warnings;

    if (model.shipsItself) {
      const us = marketplace.countryCode === 'US';
      result.shipping = {
        lateShipment10: rateCounts(WINDOWS.lateShipment10, lateRate),
        lateShipment30: rateCounts(WINDOWS.lateShipment30, lateRate),
        preFulfillmentCancellation: rateCounts(WINDOWS.preFulfillmentCancellation, cancelRate),
        validTracking: rateCounts(WINDOWS.validTracking, validTrackingRate),
        onTimeDelivery: rateCounts(WINDOWS.onTimeDelivery, onTimeRate),
        negativeReturnFeedback: rateCounts(WINDOWS.negativeReturnFeedback, () => 0.0015),
      };
      if (us) result.shipping.unitOnTimeDelivery = rateCounts(WINDOWS.unitOnTimeDelivery, onTimeRate, units);
      if (us) {
        const invoiced = span(WINDOWS.invoice, invoiceOrders);
        const missingInvoice = Math.round(invoiced * 0.012 * (1 + noiseFor(...id, 'invoice', day)));
        const lateInvoice = Math.round(invoiced * 0.006 * (1 + noiseFor(...id, 'late-invoice', day)));
        result.invoice = {
          orderCount: invoiced,
          invoiceDefect: missingInvoice + lateInvoice,
          missingInvoice,
          lateInvoice,
        };
      }
    }
    return result;
  };
  return { figures, opensOnDay: model.opensOnDay ?? Number.NEGATIVE_INFINITY };
}

/** Splits the defective orders into the parts Amazon lists; an order can carry more than one defect. */
function odrCounts(orderCount: number, rate: number, key: (string | number)[]): OdrCounts {
  const orderWithDefects = Math.round(orderCount * Math.max(0, rate));
  const claims = Math.round(orderWithDefects * (0.28 + 0.08 * noiseFor(...key, 'claims')));
  const chargebacks = Math.round(orderWithDefects * (0.07 + 0.04 * noiseFor(...key, 'chargebacks')));
  const overlap = Math.round(orderWithDefects * 0.05);
  const negativeFeedback = Math.max(0, orderWithDefects - claims - chargebacks + overlap);
  return { orderCount, orderWithDefects, claims, chargebacks, negativeFeedback };
}
