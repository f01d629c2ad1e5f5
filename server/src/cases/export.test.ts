import { describe, expect, it } from 'vitest';
import { caseAppealText, caseMarkdown, remainingPlaceholders } from './export.ts';
import {
  SECTION_KEYS,
  SECTION_TITLES,
  type CaseDocument,
  type CaseFigure,
  type CaseSections,
  type ChecklistItem,
} from './model.ts';

const SECTIONS: CaseSections = {
  root_cause:
    'Between 10 January and 28 February our regional carrier missed its pickups on 14 days.\n' +
    'We did not watch the carrier scans, so 41 orders shipped late and 18 buyers filed claims.',
  corrective_actions:
    '1. We refunded all 18 buyers with a claim and wrote to each of them.\n' +
    '2. We moved every seller-fulfilled order to a second carrier on 2 March.',
  preventive_measures:
    'A daily report now lists every order without a carrier scan by 18:00, and the shift lead checks it.\n\n' +
    'Our handling time is now two days instead of one.',
  implementation_timeline: '2 March: second carrier live.\n4 March: daily scan report in use.',
  appeal_summary:
    'Our order defect rate rose above 1 % because of late carrier pickups, which we have fixed.',
  appeal_evidence: 'Attached: the carrier contract, the refund list and a week of scan reports.',
  appeal_commitment: 'We will check the scan report every day and review our order defect rate each week.',
};

function figure(over: Partial<CaseFigure> = {}): CaseFigure {
  return {
    metric: 'order_defect_rate',
    channel: 'mfn',
    windowDays: 60,
    rate: 0.0241,
    numerator: 18,
    denominator: 747,
    status: 'BAD',
    target: { value: 0.01, condition: 'LESS_THAN' },
    breached: true,
    parts: { claims: 12, chargebacks: 2, negativeFeedback: 4 },
    window: { from: '2026-01-02T00:00:00Z', to: '2026-03-02T00:00:00Z' },
    earlier: { days30: 0.0132, days60: 0.0061 },
    ...over,
  };
}

function item(id: string, group: ChecklistItem['group'], over: Partial<ChecklistItem> = {}): ChecklistItem {
  return { id, group, label: id, hint: '', done: false, note: '', doneAt: null, ...over };
}

/** A whole case as the export reads it: an ODR deactivation with a notice, checklists and two files. */
function caseDocument(over: Partial<CaseDocument> = {}): CaseDocument {
  return {
    id: '0b6c1e0e-2f7e-4d44-9a53-4d1c2b7d8e01',
    title: 'Order defect rate deactivation, Amazon.com',
    status: 'draft',
    origin: 'suspension',
    openedAt: '2026-03-03T17:00:00.000Z',
    closedAt: null,
    deadlineAt: '2026-03-10T16:12:00.000Z',
    reinstatementConfirmedAt: null,
    facts: {
      accountId: '7d1c9a4e-1111-4c2b-8f00-000000000001',
      sellerId: 'A2NWGOODS7XK',
      accountName: 'Northwind Goods',
      marketplaceId: 'ATVPDKIKX0DER',
      marketplaceName: 'Amazon.com',
      countryCode: 'US',
      capturedAt: '2026-03-03T06:10:00.000Z',
      accountStatus: 'DEACTIVATED',
      statusSince: '2026-03-03T00:00:00.000Z',
      ahr: { status: 'AT_RISK', score: 142, band: 'at_risk' },
      figures: [
        figure(),
        figure({
          metric: 'late_shipment_rate',
          windowDays: 30,
          rate: 0.0213,
          numerator: 9,
          denominator: 423,
          status: 'GOOD',
          target: { value: 0.04, condition: 'LESS_THAN' },
          breached: false,
          parts: {},
          window: { from: '2026-02-01T00:00:00Z', to: '2026-03-02T00:00:00Z' },
          earlier: { days30: 0.018, days60: null },
        }),
      ],
      policies: [
        {
          category: 'received_intellectual_property_complaints',
          count: 2,
          status: 'WARNING',
          window: { from: '2025-09-04T00:00:00Z', to: '2026-03-02T00:00:00Z' },
        },
      ],
      warningStates: [{ type: 'listingPolicyWarning', status: 'WARNING' }],
      trends: [],
      alert: null,
      causes: ['order_defects'],
    },
    sections: { ...SECTIONS },
    checklist: [
      item('steps.understand', 'steps', {
        label: 'Read the notice and find the cause',
        done: true,
        doneAt: '2026-03-03T18:00:00.000Z',
      }),
      item('steps.write', 'steps', { label: 'Write the plan of action' }),
      item('damage.inventory', 'damage', {
        label: 'Count the FBA inventory held',
        done: true,
        note: '312 units in 3 fulfilment centres',
        doneAt: '2026-03-04T09:00:00.000Z',
      }),
      item('damage.funds', 'damage', { label: 'Check the funds on hold' }),
      item('moving_forward.monitor', 'moving_forward', { label: 'Watch the order defect rate weekly' }),
    ],
    notice:
      'Hello,\n\nWe have deactivated your Amazon.com selling account.\nYour Order Defect Rate is 2.41%.\n' +
      'Please send us a plan of action within seven (7) days.',
    noticeExtract: {
      asins: ['B0C4XK2M9Q'],
      orderIds: ['112-3456789-0123456'],
      policies: ['Order Defect Rate'],
      causes: ['order_defects'],
      dates: ['2026-03-03'],
      deadline: { at: '2026-03-10T16:12:00.000Z', basis: 'span', text: 'within seven (7) days' },
      receivedAt: '2026-03-03T16:12:00.000Z',
    },
    evidence: [
      {
        id: 'e1',
        fileName: 'carrier-contract.pdf',
        contentType: 'application/pdf',
        byteSize: 248_113,
        sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        description: 'Second carrier contract, signed 1 March',
        uploadedAt: '2026-03-04T10:00:00.000Z',
        uploadedBy: 'ops@northwind.example',
      },
      {
        id: 'e2',
        fileName: 'refunds|march.csv',
        contentType: 'text/csv',
        byteSize: 912,
        sha256: '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752',
        description: null,
        uploadedAt: '2026-03-04T10:05:00.000Z',
        uploadedBy: null,
      },
    ],
    ...over,
  };
}

describe('caseMarkdown', () => {
  const md = caseMarkdown(caseDocument());

  it('has every section title and every section text, plan then appeal', () => {
    for (const key of SECTION_KEYS) {
      expect(md).toContain(`### ${SECTION_TITLES[key]}`);
      for (const line of SECTIONS[key].split('\n')) expect(md).toContain(line);
    }
    const at = SECTION_KEYS.map((k) => md.indexOf(`### ${SECTION_TITLES[k]}`));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(md.indexOf('## Plan of action')).toBeLessThan(md.indexOf('## Appeal'));
  });

  it('starts with the case and its account', () => {
    expect(md.startsWith('# Order defect rate deactivation, Amazon.com\n')).toBe(true);
    expect(md).toContain('- **Seller ID:** A2NWGOODS7XK');
    expect(md).toContain('- **Marketplace:** Amazon.com (ATVPDKIKX0DER)');
    expect(md).toContain('- **Case status:** Draft');
    expect(md).toContain('- **Opened:** 3 Mar 2026, 17:00 UTC, on suspension');
    expect(md).toContain('- **Response deadline:** 10 Mar 2026, 16:12 UTC');
  });

  it('lists the facts: status, rating, figures against targets, earlier figures, policies', () => {
    expect(md).toContain('- **Account status:** Deactivated since 3 Mar 2026');
    expect(md).toContain('- **Account Health Rating:** At risk, score 142\n');
    const odr = md.split('\n').find((l) => l.startsWith('| Order defect rate (seller-fulfilled)'));
    expect(odr).toBe(
      '| Order defect rate (seller-fulfilled) | **2.41\u00a0%** | under 1\u00a0% | 18 of 747 (claims 12, chargebacks 2, ' +
        'negative feedback 4) | 2 Jan\u2009–\u20092 Mar 2026 (60 days) | 1.32\u00a0% | 0.61\u00a0% | **Breached** |',
    );
    const lsr = md.split('\n').find((l) => l.startsWith('| Late shipment rate'));
    expect(lsr).toContain('| 2.13\u00a0% | under 4\u00a0% | 9 of 423 |');
    expect(lsr).toContain('| 1.8\u00a0% | – | Within target |');
    expect(md).toContain('| Received intellectual property complaints | 2 | warning |');
    expect(md).toContain('- Listing policy warning: warning');
  });

  it("keeps the seller's line breaks as hard breaks, and the paragraphs", () => {
    expect(md).toContain(
      '### Implementation timeline\n\n2 March: second carrier live.  \n4 March: daily scan report in use.\n',
    );
    expect(md).toContain('checks it.\n\nOur handling time');
  });

  it('names the rating band only when the label does not say it', () => {
    const facts = caseDocument().facts;
    const out = caseMarkdown(
      caseDocument({ facts: { ...facts, ahr: { status: 'GREAT', score: 250, band: 'healthy' } } }),
    );
    expect(out).toContain('- **Account Health Rating:** Great, score 250 (healthy)\n');
  });

  it('quotes the notice and what was read from it', () => {
    expect(md).toContain(
      '> We have deactivated your Amazon.com selling account.  \n> Your Order Defect Rate is 2.41%.',
    );
    expect(md).toContain('- **ASINs:** B0C4XK2M9Q');
    expect(md).toContain('- **Order IDs:** 112-3456789-0123456');
    expect(md).toContain('10 Mar 2026, 16:12 UTC (from "within seven (7) days")');
  });

  it('lists the damage assessment, the evidence and the steps', () => {
    const damage = md.slice(md.indexOf('## Damage assessment'), md.indexOf('## Plan of action'));
    expect(damage).toContain(
      '- [x] Count the FBA inventory held (done 4 Mar 2026)\n  Note: 312 units in 3 fulfilment centres',
    );
    expect(damage).toContain('- [ ] Check the funds on hold');
    expect(md).toContain(
      '| carrier-contract.pdf | 242.3 KB | `9f86d081884c` | 4 Mar 2026, 10:00 UTC by ops@northwind.example |',
    );
    expect(md).toContain('| refunds\\|march.csv | 912 B | `60303ae22b99` |');
    expect(md).toContain('1 of 2 done.');
    expect(md).toContain('## Moving forward\n\n- [ ] Watch the order defect rate weekly');
  });

  it('has no placeholder warning when every placeholder is filled', () => {
    expect(md).not.toContain('**Warning:**');
    expect(md).not.toContain('placeholder');
    expect(md).not.toContain('[[');
  });

  it('warns at the top, naming each placeholder and its section, while any remains', () => {
    const doc = caseDocument({
      sections: {
        ...SECTIONS,
        root_cause: 'Our carrier [[name the carrier]] missed pickups.',
        appeal_evidence: 'Attached: [[list the files]] and [[name the carrier]].',
      },
    });
    const out = caseMarkdown(doc);
    const warning = out.indexOf('> **Warning:** 3 placeholders are still to fill in.');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(out.indexOf('## Facts'));
    expect(out).toContain('> - Root cause: `[[name the carrier]]`');
    expect(out).toContain('> - New information and evidence: `[[list the files]]`');
    expect(remainingPlaceholders(doc)).toEqual([
      '[[name the carrier]]',
      '[[list the files]]',
      '[[name the carrier]]',
    ]);
  });

  it('makes no markup of text from outside the seller (the notice, names)', () => {
    const out = caseMarkdown(
      caseDocument({
        notice: '# Heading\n<script>x</script> | *bold*\n1. first\n- item',
        title: 'Case | <b>',
      }),
    );
    expect(out).toContain('# Case \\| \\<b\\>');
    expect(out).toContain(
      '> \\# Heading  \n> \\<script\\>x\\</script\\> \\| \\*bold\\*  \n> 1\\. first  \n> \\- item',
    );
  });

  it('says what is missing rather than leaving a part out', () => {
    const doc = caseDocument({
      notice: null,
      noticeExtract: null,
      evidence: [],
      checklist: [],
      deadlineAt: null,
    });
    doc.sections.appeal_evidence = '';
    const out = caseMarkdown(doc);
    expect(out).toContain('No notice from Amazon was pasted into this case.');
    expect(out).toContain('No files attached.');
    expect(out).toContain('- **Response deadline:** Not known');
    expect(out).toContain('### New information and evidence\n\n_Not written yet._');
    expect(out).not.toContain('## Moving forward');
  });
});

describe('caseAppealText', () => {
  const text = caseAppealText(caseDocument());

  it('has no Markdown markers', () => {
    expect(text).not.toMatch(/#|\*\*|\|/);
  });

  it('has the seven sections in order, titled in capitals, with the seller line breaks kept', () => {
    const at = SECTION_KEYS.map((k) => text.indexOf(`${SECTION_TITLES[k].toUpperCase()}\n${SECTIONS[k]}`));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(text.startsWith('ROOT CAUSE\nBetween 10 January')).toBe(true);
  });

  it('takes Markdown emphasis and headings off the seller text, and leaves placeholders in', () => {
    const out = caseAppealText(
      caseDocument({
        sections: {
          ...SECTIONS,
          root_cause:
            '## What happened\n**Late pickups** by [[carrier]]\r\n* see [the log](https://example.com/log)',
        },
      }),
    );
    expect(out).toContain(
      'ROOT CAUSE\nWhat happened\nLate pickups by [[carrier]]\n- see the log (https://example.com/log)\n',
    );
    expect(out).not.toMatch(/#|\*\*|\|/);
  });

  it('leaves an empty section out', () => {
    const out = caseAppealText(caseDocument({ sections: { ...SECTIONS, appeal_evidence: '  \n' } }));
    expect(out).not.toContain('NEW INFORMATION AND EVIDENCE');
    expect(out).toContain('COMMITMENT TO COMPLIANCE');
  });
});

describe('remainingPlaceholders', () => {
  it('is empty when every placeholder is filled', () => {
    expect(remainingPlaceholders(caseDocument())).toEqual([]);
  });
});
