import { describe, expect, it } from 'vitest';
import { alertFigure, CAUSE_GUIDANCE, causeOfPolicy, causesOf } from './causes.ts';
import { CAUSES, type CaseAlertContext, type CaseFacts, type CaseFigure, type CasePolicy } from './model.ts';

type Facts = Omit<CaseFacts, 'causes'>;

function figure(metric: string, breached: boolean, channel = 'all'): CaseFigure {
  return {
    metric,
    channel,
    windowDays: null,
    rate: 0.02,
    numerator: 2,
    denominator: 100,
    status: breached ? 'BAD' : 'GOOD',
    target: { value: 0.01, condition: 'LESS_THAN' },
    breached,
    parts: {},
    window: { from: null, to: null },
    earlier: { days30: null, days60: null },
  };
}

const policy = (category: string, count: number | null, status: string | null = null): CasePolicy => ({
  category,
  count,
  status,
  window: { from: null, to: null },
});

const alert = (rule: string, subject: string): CaseAlertContext => ({
  id: 'a1',
  rule,
  subject,
  severity: 'warning',
  title: 't',
  openedAt: '2026-11-19T06:00:00Z',
  details: {},
});

function facts(over: Partial<Facts>): Facts {
  return {
    accountId: 'acc',
    sellerId: 'A2SELLER7Q',
    accountName: 'Northwind Goods',
    marketplaceId: 'ATVPDKIKX0DER',
    marketplaceName: 'Amazon.com',
    countryCode: 'US',
    capturedAt: '2026-11-20T06:00:00Z',
    accountStatus: 'DEACTIVATED',
    statusSince: null,
    ahr: { status: null, score: null, band: null },
    figures: [],
    policies: [],
    warningStates: [],
    trends: [],
    alert: null,
    ...over,
  };
}

describe('causesOf: figures', () => {
  it.each([
    ['order_defect_rate', 'order_defects'],
    ['late_shipment_rate', 'late_shipment'],
    ['pre_fulfillment_cancellation_rate', 'cancellations'],
    ['valid_tracking_rate', 'valid_tracking'],
    ['on_time_delivery_rate', 'on_time_delivery'],
    ['unit_on_time_delivery_rate', 'on_time_delivery'],
    ['invoice_defect_rate', 'invoice_defects'],
  ])('a breached %s shows %s', (metric, cause) => {
    expect(causesOf(facts({ figures: [figure(metric, true)] }))).toEqual([cause]);
  });

  it('ignores figures within target', () => {
    const f = facts({ figures: [figure('order_defect_rate', false), figure('late_shipment_rate', false)] });
    expect(causesOf(f)).toEqual(['other']);
  });

  it('gives a breached metric it does not know to other, so the plan still covers it', () => {
    expect(causesOf(facts({ figures: [figure('return_dissatisfaction_rate', true)] }))).toEqual(['other']);
  });

  it('lists each cause once, in the order of CAUSES', () => {
    const f = facts({
      figures: [
        figure('invoice_defect_rate', true),
        figure('order_defect_rate', true, 'afn'),
        figure('order_defect_rate', true, 'mfn'),
        figure('on_time_delivery_rate', true),
        figure('unit_on_time_delivery_rate', true),
      ],
      policies: [policy('listing_policy_violations', 1)],
    });
    expect(causesOf(f)).toEqual(['order_defects', 'on_time_delivery', 'invoice_defects', 'listing_policy']);
  });
});

describe('causesOf: the alert a case started from', () => {
  it.each(['metric_breach', 'metric_margin', 'metric_trend'])(
    "takes the %s alert's figure even when it is not breached",
    (rule) => {
      const f = facts({
        figures: [figure('late_shipment_rate', false)],
        alert: alert(rule, 'late_shipment_rate:all:10'),
      });
      expect(causesOf(f)).toEqual(['late_shipment']);
    },
  );

  it('reads the metric from the subject, even when the figure is no longer in the facts', () => {
    expect(causesOf(facts({ alert: alert('metric_trend', 'order_defect_rate:mfn:60') }))).toEqual([
      'order_defects',
    ]);
  });

  it("takes a policy alert's category", () => {
    expect(causesOf(facts({ alert: alert('policy', 'product_safety_customer_complaints') }))).toEqual([
      'safety',
    ]);
  });

  it('reads no cause from alerts of other rules', () => {
    expect(causesOf(facts({ alert: alert('rating', '') }))).toEqual(['other']);
    expect(causesOf(facts({ alert: alert('account_status', '') }))).toEqual(['other']);
    // A figure-shaped subject on a rule that is not about a figure is not read as one.
    expect(causesOf(facts({ alert: alert('warning_state', 'order_defect_rate:mfn:60') }))).toEqual(['other']);
  });
});

describe('alertFigure', () => {
  it('splits the subject into metric, channel and window', () => {
    expect(alertFigure(alert('metric_breach', 'order_defect_rate:mfn:60'))).toEqual({
      metric: 'order_defect_rate',
      channel: 'mfn',
      windowDays: 60,
    });
    expect(alertFigure(alert('metric_margin', 'valid_tracking_rate:all:'))).toEqual({
      metric: 'valid_tracking_rate',
      channel: 'all',
      windowDays: null,
    });
    expect(alertFigure(alert('policy', 'listing_policy_violations'))).toBeNull();
    expect(alertFigure(null)).toBeNull();
  });
});

describe('causesOf: policies', () => {
  it.each([
    ['received_intellectual_property_complaints', 'intellectual_property'],
    ['suspected_intellectual_property_violations', 'intellectual_property'],
    ['product_authenticity_customer_complaints', 'authenticity'],
    ['product_condition_customer_complaints', 'condition'],
    ['product_safety_customer_complaints', 'safety'],
    ['food_and_product_safety_issues', 'safety'],
    ['restricted_product_policy_violations', 'restricted_products'],
    ['customer_product_reviews_policy_violations', 'review_manipulation'],
    ['listing_policy_violations', 'listing_policy'],
    ['other_policy_violations', 'other'],
    ['document_requests', 'other'],
    ['a_category_amazon_adds_later', 'other'],
  ])('%s with violations shows %s', (category, cause) => {
    expect(causesOf(facts({ policies: [policy(category, 2)] }))).toEqual([cause]);
    expect(causeOfPolicy(category)).toBe(cause);
  });

  it('counts a category marked BAD without a count, and not one at zero', () => {
    expect(causesOf(facts({ policies: [policy('listing_policy_violations', null, 'BAD')] }))).toEqual([
      'listing_policy',
    ]);
    expect(causesOf(facts({ policies: [policy('listing_policy_violations', 0, 'GOOD')] }))).toEqual([
      'other',
    ]);
    expect(causesOf(facts({ policies: [policy('listing_policy_violations', null, null)] }))).toEqual([
      'other',
    ]);
  });
});

describe('causesOf: the notice and the fallback', () => {
  it('merges causes read from the notice, in order, without duplicates', () => {
    const f = facts({ figures: [figure('late_shipment_rate', true)] });
    expect(causesOf(f, ['intellectual_property', 'order_defects', 'late_shipment'])).toEqual([
      'order_defects',
      'late_shipment',
      'intellectual_property',
    ]);
  });

  it('is other when nothing applies, and only then', () => {
    expect(causesOf(facts({}))).toEqual(['other']);
    expect(causesOf(facts({}), ['authenticity'])).toEqual(['authenticity']);
  });
});

describe('CAUSE_GUIDANCE', () => {
  it.each(CAUSES)('%s is complete', (cause) => {
    const g = CAUSE_GUIDANCE[cause];
    expect(g.cause).toBe(cause);
    expect(g.title.length).toBeGreaterThan(5);
    expect(g.why.length).toBeGreaterThan(120);
    expect(g.investigate.length).toBeGreaterThanOrEqual(3);
    expect(g.investigate.length).toBeLessThanOrEqual(5);
    expect(g.evidence.length).toBeGreaterThanOrEqual(3);
    for (const line of [...g.investigate, ...g.evidence]) expect(line.trim().length).toBeGreaterThan(15);
    // Evidence lines are listed in the seller's appeal as they are, so they address no one.
    for (const line of g.evidence) expect(line).not.toMatch(/\byou(r)?\b/i);
  });

  it('has one entry per cause and distinct titles', () => {
    expect(Object.keys(CAUSE_GUIDANCE).sort()).toEqual([...CAUSES].sort());
    expect(new Set(CAUSES.map((c) => CAUSE_GUIDANCE[c].title)).size).toBe(CAUSES.length);
  });

  it("states Amazon's published targets", () => {
    const nb = '(?:\\s|\\u00a0)';
    expect(CAUSE_GUIDANCE.order_defects.why).toMatch(new RegExp(`under 1${nb}%`));
    expect(CAUSE_GUIDANCE.cancellations.why).toMatch(new RegExp(`under 2\\.5${nb}%`));
    expect(CAUSE_GUIDANCE.late_shipment.why).toMatch(new RegExp(`under 4${nb}%`));
    expect(CAUSE_GUIDANCE.valid_tracking.why).toMatch(new RegExp(`above 95${nb}%`));
    expect(CAUSE_GUIDANCE.on_time_delivery.why).toMatch(new RegExp(`above 90${nb}%`));
    expect(CAUSE_GUIDANCE.invoice_defects.why).toMatch(new RegExp(`under 5${nb}%`));
  });

  it('asks for supplier invoices and authorization where the source of goods is the question', () => {
    for (const cause of ['intellectual_property', 'authenticity'] as const) {
      const evidence = CAUSE_GUIDANCE[cause].evidence.join('\n');
      expect(evidence).toMatch(/invoices/i);
      expect(evidence).toMatch(/authoriz/i);
    }
    expect(CAUSE_GUIDANCE.safety.evidence.join('\n')).toMatch(/test reports/i);
    expect(CAUSE_GUIDANCE.valid_tracking.evidence.join('\n')).toMatch(/tracking/i);
  });
});
