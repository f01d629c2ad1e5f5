import { describe, expect, it } from 'vitest';
import { draftSections, placeholdersIn } from './draft.ts';
import {
  CAUSES,
  SECTION_KEYS,
  type CaseFacts,
  type CaseFigure,
  type CasePolicy,
  type CauseId,
} from './model.ts';

// The figures below are written the way the drafts print them: percent() joins value and sign with a no-break
// space.
const NB = '\u00a0';
const PLAN_PARTS = [
  'root_cause',
  'corrective_actions',
  'preventive_measures',
  'implementation_timeline',
] as const;
const WINDOW = { from: '2026-09-21T00:00:00Z', to: '2026-11-19T23:59:59Z' };
const POLICY_WINDOW = { from: '2026-05-24T00:00:00Z', to: '2026-11-19T23:59:59Z' };

function figure(f: Partial<CaseFigure> & Pick<CaseFigure, 'metric'>): CaseFigure {
  return {
    channel: 'all',
    windowDays: null,
    rate: null,
    numerator: null,
    denominator: null,
    status: null,
    target: null,
    breached: true,
    parts: {},
    window: WINDOW,
    earlier: { days30: null, days60: null },
    ...f,
  };
}

const policy = (category: string, count: number | null, status: string | null = 'BAD'): CasePolicy => ({
  category,
  count,
  status,
  window: POLICY_WINDOW,
});

function facts(over: Partial<CaseFacts>): CaseFacts {
  return {
    accountId: '0d7c3c1e-0000-4000-8000-000000000001',
    sellerId: 'A2SELLER7Q',
    accountName: 'Northwind Goods',
    marketplaceId: 'ATVPDKIKX0DER',
    marketplaceName: 'Amazon.com',
    countryCode: 'US',
    capturedAt: '2026-11-20T06:00:00Z',
    accountStatus: 'DEACTIVATED',
    statusSince: '2026-11-18T00:00:00Z',
    ahr: { status: 'AT_RISK', score: 120, band: 'critical' },
    figures: [],
    policies: [],
    warningStates: [],
    trends: [],
    alert: null,
    causes: [],
    ...over,
  };
}

const ODR = figure({
  metric: 'order_defect_rate',
  channel: 'mfn',
  windowDays: 60,
  rate: 0.015,
  numerator: 18,
  denominator: 1200,
  status: 'BAD',
  target: { value: 0.01, condition: 'LESS_THAN' },
  parts: { orderWithDefects: 18, claims: 5, chargebacks: 3, negativeFeedback: 10 },
  earlier: { days30: 0.011, days60: 0.006 },
});

/** For each cause: facts that show it, its heading, and what the root cause must cite from them. */
const SHOWN: Record<CauseId, { facts: Partial<CaseFacts>; heading: string; cites: string[] }> = {
  order_defects: {
    facts: { figures: [ODR] },
    heading: 'Order defect rate (seller-fulfilled)',
    cites: [
      `1.5${NB}%`,
      `under 1${NB}%`,
      '18 of 1,200 orders had a defect',
      '5 A-to-z Guarantee claims',
      '3 credit card chargebacks',
      '10 negative feedback',
      'between 21 Sept 2026 and 19 Nov 2026',
      `0.6${NB}% 60 days earlier and 1.1${NB}% 30 days earlier`,
    ],
  },
  late_shipment: {
    facts: {
      figures: [
        figure({
          metric: 'late_shipment_rate',
          windowDays: 30,
          rate: 0.052,
          numerator: 26,
          denominator: 500,
          target: { value: 0.04, condition: 'LESS_THAN' },
        }),
      ],
    },
    heading: 'Late shipment rate, 30 days',
    cites: [
      `5.2${NB}%`,
      `under 4${NB}%`,
      '26 of 500 orders had their shipment confirmed after the expected ship date',
    ],
  },
  cancellations: {
    facts: {
      figures: [
        figure({
          metric: 'pre_fulfillment_cancellation_rate',
          windowDays: 7,
          rate: 0.04,
          numerator: 8,
          denominator: 200,
          target: { value: 0.025, condition: 'LESS_THAN' },
        }),
      ],
    },
    heading: 'Pre-fulfilment cancellation rate',
    cites: [`4${NB}%`, `under 2.5${NB}%`, '8 of 200 orders were cancelled by us before shipment'],
  },
  valid_tracking: {
    facts: {
      figures: [
        figure({
          metric: 'valid_tracking_rate',
          rate: 0.9,
          numerator: 900,
          denominator: 1000,
          target: { value: 0.95, condition: 'GREATER_THAN' },
        }),
      ],
    },
    heading: 'Valid tracking rate',
    cites: [
      `90${NB}%`,
      `above 95${NB}%`,
      '900 of 1,000 shipments had valid tracking, so 100 shipments without valid tracking',
    ],
  },
  on_time_delivery: {
    facts: {
      figures: [
        figure({
          metric: 'on_time_delivery_rate',
          rate: 0.85,
          numerator: 340,
          denominator: 400,
          target: { value: 0.9, condition: 'GREATER_THAN' },
        }),
      ],
    },
    heading: 'On-time delivery rate',
    cites: [
      `85${NB}%`,
      `above 90${NB}%`,
      '340 of 400 tracked shipments arrived by the estimated delivery date',
      '60 late deliveries',
    ],
  },
  invoice_defects: {
    facts: {
      figures: [
        figure({
          metric: 'invoice_defect_rate',
          rate: 0.08,
          numerator: 12,
          denominator: 150,
          target: { value: 0.05, condition: 'LESS_THAN' },
          parts: { invoiceDefect: 12, missingInvoice: 9, lateInvoice: 3 },
        }),
      ],
    },
    heading: 'Invoice defect rate',
    cites: [
      `8${NB}%`,
      `under 5${NB}%`,
      '12 of 150 orders had an invoice defect',
      '9 missing invoices and 3 late invoices',
    ],
  },
  intellectual_property: {
    facts: {
      policies: [
        policy('received_intellectual_property_complaints', 3),
        policy('suspected_intellectual_property_violations', 1),
      ],
    },
    heading: 'Intellectual property complaints',
    cites: [
      '3 intellectual property complaints received between 24 May 2026 and 19 Nov 2026',
      '1 suspected intellectual property violation between 24 May 2026 and 19 Nov 2026',
    ],
  },
  authenticity: {
    facts: { policies: [policy('product_authenticity_customer_complaints', 2)] },
    heading: 'Product authenticity complaints',
    cites: ['2 customer complaints about product authenticity between 24 May 2026 and 19 Nov 2026'],
  },
  condition: {
    facts: { policies: [policy('product_condition_customer_complaints', 4)] },
    heading: 'Product condition complaints',
    cites: ['4 customer complaints about product condition'],
  },
  safety: {
    facts: {
      policies: [
        policy('product_safety_customer_complaints', 1),
        policy('food_and_product_safety_issues', 2),
      ],
    },
    heading: 'Product safety complaints',
    cites: ['1 customer complaint about product safety', '2 food and product safety issues'],
  },
  restricted_products: {
    facts: { policies: [policy('restricted_product_policy_violations', 5)] },
    heading: 'Restricted products',
    cites: ['5 restricted product policy violations'],
  },
  review_manipulation: {
    facts: { policies: [policy('customer_product_reviews_policy_violations', 1)] },
    heading: 'Customer product reviews policy',
    cites: ['1 customer product reviews policy violation'],
  },
  listing_policy: {
    facts: { policies: [policy('listing_policy_violations', 7)] },
    heading: 'Listing policy violations',
    cites: ['7 listing policy violations'],
  },
  other: {
    facts: { policies: [policy('document_requests', 2)] },
    heading: 'Other reasons',
    cites: ['2 document requests from Amazon'],
  },
};

describe('draftSections: one section per cause', () => {
  it.each(CAUSES)('%s', (cause) => {
    const shown = SHOWN[cause];
    const sections = draftSections(facts({ ...shown.facts, causes: [cause] }));
    for (const part of PLAN_PARTS) {
      expect(sections[part].split('\n')[0], part).toBe(shown.heading);
      expect(sections[part].length, part).toBeGreaterThan(shown.heading.length + 40);
    }
    for (const cited of shown.cites) expect(sections.root_cause).toContain(cited);
    // The appeal names the same figures and asks for evidence under the same heading.
    expect(sections.appeal_summary).toContain('Seller ID: A2SELLER7Q');
    expect(sections.appeal_evidence).toContain(`${shown.heading}\n- `);
    expect(sections.implementation_timeline).toMatch(
      /Day 0–2 .*\n- Within 7 days .*\n- Within 30 days .*\n- Ongoing: /,
    );
  });

  it('cites every breached figure of a cause under one heading', () => {
    const afn = { ...ODR, channel: 'afn', rate: 0.012, numerator: 6, denominator: 500, parts: {} };
    const { root_cause, corrective_actions } = draftSections(
      facts({ figures: [ODR, afn], causes: ['order_defects'] }),
    );
    expect(root_cause.split('\n')[0]).toBe('Order defect rate');
    expect(root_cause).toContain('order defect rate (seller-fulfilled) was 1.5');
    expect(root_cause).toContain('order defect rate (FBA) was 1.2');
    // Two figures' counts are not added up into one.
    expect(corrective_actions).toContain('every order with a defect');
  });

  it('counts the affected items in the corrective actions when the report gives them', () => {
    const { corrective_actions } = draftSections(facts({ figures: [ODR], causes: ['order_defects'] }));
    expect(corrective_actions).toContain('the buyers of all 18 orders with a defect');
  });

  it("cites the alert's figure even when it is within target", () => {
    const near = figure({
      metric: 'late_shipment_rate',
      windowDays: 10,
      rate: 0.035,
      numerator: 7,
      denominator: 200,
      target: { value: 0.04, condition: 'LESS_THAN' },
      breached: false,
    });
    const other = { ...near, windowDays: 30, rate: 0.01 };
    const alert = {
      id: 'a1',
      rule: 'metric_margin',
      subject: 'late_shipment_rate:all:10',
      severity: 'warning',
      title: 'Late shipment rate, 10 days is 3.5 %',
      openedAt: '2026-11-19T06:00:00Z',
      details: {},
    };
    const { root_cause } = draftSections(facts({ figures: [near, other], alert, causes: ['late_shipment'] }));
    expect(root_cause.split('\n')[0]).toBe('Late shipment rate, 10 days');
    expect(root_cause).toContain('7 of 200 orders');
    expect(root_cause).not.toContain(`1${NB}%`);
  });
});

describe('draftSections: several causes', () => {
  it('gives each cause its own section in every part, in the order of the causes', () => {
    const sections = draftSections(
      facts({
        figures: [ODR],
        policies: [policy('received_intellectual_property_complaints', 3)],
        causes: ['order_defects', 'intellectual_property'],
      }),
    );
    for (const part of [...PLAN_PARTS, 'appeal_evidence'] as const) {
      const odr = sections[part].indexOf('Order defect rate (seller-fulfilled)\n');
      const ip = sections[part].indexOf('\n\nIntellectual property complaints\n');
      expect(odr, part).toBeGreaterThanOrEqual(0);
      expect(ip, part).toBeGreaterThan(odr);
    }
    expect(sections.root_cause).toContain('18 of 1,200 orders');
    expect(sections.root_cause).toContain('3 intellectual property complaints received');
    expect(sections.appeal_summary).toContain(
      `- Order defect rate (seller-fulfilled): 1.5${NB}% against a target of under 1${NB}%`,
    );
    expect(sections.appeal_summary).toContain('- 3 intellectual property complaints received');
    expect(sections.appeal_commitment).toMatch(
      /order defect rate.* and sell only products we are entitled to sell/,
    );
  });
});

describe('draftSections: never invents a figure', () => {
  it('says a missing count is not in the report instead of writing 0', () => {
    const sparse = figure({
      ...ODR,
      numerator: null,
      denominator: 1200,
      parts: { orderWithDefects: null, claims: 5, chargebacks: null, negativeFeedback: null },
      earlier: { days30: null, days60: null },
    });
    const { root_cause, corrective_actions } = draftSections(
      facts({ figures: [sparse], causes: ['order_defects'] }),
    );
    expect(root_cause).toContain("of 1,200 orders, how many had a defect is not in Amazon's report");
    expect(root_cause).toContain('5 A-to-z Guarantee claims');
    expect(root_cause).toContain(
      "the number of credit card chargebacks and negative feedback is not in Amazon's report",
    );
    expect(root_cause).not.toMatch(/\b0 (credit card chargebacks|negative feedback|orders)/);
    expect(root_cause).not.toContain('earlier');
    expect(corrective_actions).toContain('every order with a defect');
  });

  it('says a missing rate, target and window are not in the report', () => {
    const bare = figure({ metric: 'valid_tracking_rate', status: 'BAD', window: { from: null, to: null } });
    const { root_cause } = draftSections(facts({ figures: [bare], causes: ['valid_tracking'] }));
    expect(root_cause).toContain(
      "marks our valid tracking rate as BAD (the reporting window is not in Amazon's report)",
    );
    expect(root_cause).toContain("the rate itself is not in Amazon's report");
    expect(root_cause).toContain("the counts behind the rate are not in Amazon's report");
    expect(root_cause).not.toMatch(/\b0(\.0+)?\u00a0%/);
  });

  it('says a policy count is not in the report', () => {
    const { root_cause } = draftSections(
      facts({ policies: [policy('listing_policy_violations', null)], causes: ['listing_policy'] }),
    );
    expect(root_cause).toContain(
      "listing policy violations between 24 May 2026 and 19 Nov 2026, marked BAD by Amazon, their number not in Amazon's report",
    );
    expect(root_cause).not.toContain('0 listing');
  });

  it('leaves a placeholder for a cause only the notice names', () => {
    const { root_cause, appeal_summary } = draftSections(facts({ causes: ['authenticity'] }));
    expect(root_cause).toContain('does not show this');
    expect(placeholdersIn(root_cause)).toContain(
      "what Amazon's notice says about product authenticity complaints, with any figures it gives",
    );
    expect(placeholdersIn(appeal_summary)).toEqual(["what Amazon's notice says about it"]);
  });
});

describe('draftSections: the appeal', () => {
  const sections = draftSections(facts({ figures: [ODR], causes: ['order_defects'] }));

  it('summarizes who, where and what the data showed, and that a plan is attached', () => {
    const s = sections.appeal_summary;
    expect(s).toContain('Seller ID: A2SELLER7Q');
    expect(s).toContain('Marketplace: Amazon.com (ATVPDKIKX0DER)');
    expect(s).toContain('Our selling privileges on Amazon.com have been deactivated since 18 Nov 2026.');
    expect(s).toContain("Amazon's Account Health report of 20 Nov 2026 shows:");
    expect(s).toContain('(18 of 1,200 orders had a defect)');
    expect(s).toContain('Our plan of action is attached.');
    expect(s).toContain('reinstate our selling privileges');
  });

  it('names an account-level case without a marketplace id', () => {
    const s = draftSections(
      facts({ figures: [ODR], causes: ['order_defects'], marketplaceId: '', marketplaceName: null }),
    );
    expect(s.appeal_summary).toContain('Marketplace: all marketplaces of the account\n');
    expect(s.appeal_summary).toContain('Our selling privileges on our marketplaces have been deactivated');
  });

  it('does not ask for reinstatement of an account that is not suspended', () => {
    const s = draftSections(facts({ figures: [ODR], causes: ['order_defects'], accountStatus: 'NORMAL' }));
    expect(s.appeal_summary).toContain("We are writing about our account's performance on Amazon.com.");
    expect(s.appeal_summary).not.toContain('reinstate');
  });

  it('lists evidence to attach, each with a placeholder for the file', () => {
    const lines = sections.appeal_evidence.split('\n').filter((l) => l.startsWith('- '));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(placeholdersIn(line)).toEqual(['file name, or delete this line']);
    expect(sections.appeal_evidence).toContain('Carrier tracking and proof of delivery');
  });

  it('commits to the policies and to working with Seller Performance, and is signed', () => {
    const c = sections.appeal_commitment;
    expect(c).toContain("We are committed to following Amazon's policies");
    expect(c).toContain('work with Seller Performance');
    expect(c).toContain('[[your name]]\n[[your role]], Northwind Goods');
  });

  it('stays polite: no blame on Amazon or buyers', () => {
    const all = SECTION_KEYS.map((k) => sections[k]).join('\n');
    expect(all).not.toMatch(/\b(unfair|wrongly|unjust|mistake by Amazon|fraudulent buyer|demand)\b/i);
  });
});

describe('placeholders', () => {
  it('finds every [[...]] the drafts leave, for every cause', () => {
    for (const cause of CAUSES) {
      const sections = draftSections(facts({ ...SHOWN[cause].facts, causes: [cause] }));
      for (const key of SECTION_KEYS) {
        const text = sections[key];
        const found = placeholdersIn(text);
        expect(found.length, `${cause} ${key}`).toBe(text.split('[[').length - 1);
        for (const p of found) expect(p.trim().length, `${cause} ${key}`).toBeGreaterThan(3);
      }
      expect(placeholdersIn(sections.root_cause).length, cause).toBeGreaterThan(0);
      expect(placeholdersIn(sections.implementation_timeline), cause).toContain('date');
    }
  });

  it('returns the inner texts in order, a repeated one at each place', () => {
    expect(
      placeholdersIn('We sold [[ASINs concerned]] from [[supplier name]]; see [[ASINs concerned]].'),
    ).toEqual(['ASINs concerned', 'supplier name', 'ASINs concerned']);
    expect(placeholdersIn('No [[]] or [single] brackets, nor [[a\nbreak]].')).toEqual([]);
  });

  it('can be called again on the same text (the pattern is global)', () => {
    const text = 'a [[b]] c';
    expect(placeholdersIn(text)).toEqual(['b']);
    expect(placeholdersIn(text)).toEqual(['b']);
  });

  it('asks for ASINs in a placeholder the notice can fill', () => {
    const { corrective_actions } = draftSections(
      facts({
        policies: [policy('received_intellectual_property_complaints', 3)],
        causes: ['intellectual_property'],
      }),
    );
    expect(placeholdersIn(corrective_actions)).toContain('ASINs concerned');
  });
});
