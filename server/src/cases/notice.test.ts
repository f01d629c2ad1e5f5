import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NoticeExtract } from './model.ts';
import { parseNotice } from './notice.ts';

const NOTICES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'notices');
const notice = (name: string) => readFileSync(join(NOTICES, name), 'utf8');
const pastedAt = new Date('2026-03-10T09:30:00Z');

/** What each sample notice must give; every file in fixtures/notices/ has an entry. */
const EXPECTED: Record<string, Omit<NoticeExtract, 'dates'> & { dates?: string[] }> = {
  'odr-deactivation.txt': {
    asins: [],
    orderIds: [],
    policies: ['Order Defect Rate', 'Seller Code of Conduct'],
    causes: ['order_defects'],
    receivedAt: '2026-03-03T16:12:00.000Z',
    deadline: { at: '2026-03-10T16:12:00.000Z', basis: 'span', text: 'within seven (7) days' },
    dates: ['2026-03-03'],
  },
  'ip-trademark-complaint.txt': {
    asins: ['B0C4XK2M9Q', 'B0D1RT7LQ2'],
    orderIds: [],
    policies: ['Intellectual Property Policy', 'Trademark infringement'],
    causes: ['intellectual_property'],
    receivedAt: '2026-03-09T00:00:00.000Z',
    deadline: { at: '2026-03-12T00:00:00.000Z', basis: 'span', text: 'within 72 hours' },
  },
  'authenticity-counterfeit.txt': {
    asins: ['B0BX7Z1Q4M', 'B0CJ2WQ8P7', '0316769487', 'B0D9KK31NV'],
    orderIds: [],
    policies: ['Product Authenticity policy', 'Anti-Counterfeiting Policy'],
    causes: ['authenticity'],
    receivedAt: '2026-02-20T10:05:00.000Z',
    deadline: { at: '2026-03-09T10:05:00.000Z', basis: 'span', text: 'within 17 days' },
  },
  'restricted-product.txt': {
    asins: ['B0CQ9LM2ZT'],
    orderIds: [],
    policies: ['Restricted Products policy'],
    causes: ['restricted_products'],
    receivedAt: '2026-03-02T00:00:00.000Z',
    deadline: { at: '2026-03-16T23:59:59.000Z', basis: 'date', text: 'no later than March 16, 2026' },
    dates: ['2026-03-02', '2026-02-27', '2026-03-16'],
  },
  'review-manipulation.txt': {
    asins: ['B0DF8N2KQT'],
    orderIds: [],
    policies: ['Customer Product Reviews Policy', 'Seller Code of Conduct'],
    causes: ['review_manipulation'],
    receivedAt: '2026-03-04T00:00:00.000Z',
    deadline: { at: '2026-03-06T00:00:00.000Z', basis: 'span', text: 'have 48 hours' },
    dates: ['2026-03-04'],
  },
  'account-at-risk.txt': {
    asins: [],
    orderIds: [],
    policies: ['Late Shipment Rate', 'Listing policy'],
    causes: ['late_shipment', 'listing_policy'],
    receivedAt: pastedAt.toISOString(),
    deadline: null,
    dates: [],
  },
  'late-shipment-orders.txt': {
    asins: [],
    orderIds: ['112-3456789-0123456', '114-9876543-2109876', '113-5550123-4445556'],
    policies: ['Late Shipment Rate', 'Valid Tracking Rate'],
    causes: ['late_shipment', 'valid_tracking'],
    receivedAt: '2026-02-26T00:00:00.000Z',
    deadline: { at: '2026-03-05T00:00:00.000Z', basis: 'span', text: 'in the next 7 days' },
    dates: ['2026-02-26'],
  },
};

describe('parseNotice: the sample notices', () => {
  it('has an expectation for every sample file', () => {
    const files = readdirSync(NOTICES).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const { dates, ...rest } = expected;
    const got = parseNotice(notice(file), pastedAt);
    expect(got).toMatchObject(rest);
    expect(got.asins).toEqual(expected.asins);
    expect(got.policies).toEqual(expected.policies);
    expect(got.causes).toEqual(expected.causes);
    if (dates) expect(got.dates).toEqual(dates);
  });

  it('reads the same from a paste with Windows line ends and non-breaking spaces', () => {
    for (const file of Object.keys(EXPECTED)) {
      const text = notice(file).replace(/\n/g, '\r\n').replace(/ (\d)/g, '\u00a0$1');
      expect(parseNotice(text, pastedAt)).toEqual(parseNotice(notice(file), pastedAt));
    }
  });
});

const read = (text: string) => parseNotice(text, pastedAt);

describe('parseNotice: ASINs and order ids', () => {
  it('takes B0 ids anywhere, upper-cased, once each, in order', () => {
    expect(
      read('See b0abc12345 and https://www.amazon.com/dp/B0XYZ98765 then B0ABC12345 again.').asins,
    ).toEqual(['B0ABC12345', 'B0XYZ98765']);
  });

  it('takes ten-digit ids only after an ASIN label, and the whole labelled list', () => {
    expect(read('Call 0316769487 or quote case 1234567890.').asins).toEqual([]);
    expect(read('ASINs: 0316769487, 044990928X and B0ABC12345\nQuantity: 1234567890').asins).toEqual([
      '0316769487',
      '044990928X',
      'B0ABC12345',
    ]);
    expect(read('ASIN/ISBN:\n0316769487\n0451524934\n\nThanks').asins).toEqual(['0316769487', '0451524934']);
  });

  it('ignores ids that are part of a longer token', () => {
    expect(read('B0ABC123456 and XB0ABC12345 and 1123-4567890-1234567').asins).toEqual([]);
    expect(read('1123-4567890-1234567 111-2223334-4445556X').orderIds).toEqual([]);
  });
});

describe('parseNotice: policies and causes', () => {
  it.each([
    ['Your listings violate our Condition guidelines: used items sold as new.', ['condition']],
    ['We received Food and Product Safety complaints about this product.', ['safety']],
    ['Customers report the item is not authentic.', ['authenticity']],
    ['A counterfeit complaint and a patent complaint were filed.', ['intellectual_property', 'authenticity']],
    ['Your Pre-fulfillment Cancel Rate is 3.1%.', ['cancellations']],
    [
      'Your On-Time Delivery Rate and Invoice Defect Rate are below target.',
      ['on_time_delivery', 'invoice_defects'],
    ],
    ['This violates our Fair Pricing Policy.', ['other']],
    ['You have violated the Seller Code of Conduct.', ['other']],
    ['Thank you for selling on Amazon.', []],
  ])('%s', (text, causes) => {
    expect(read(text).causes).toEqual(causes);
  });

  it('keeps the names as written, once each, the longer name over the shorter inside it', () => {
    const got = read(
      'See the Food and Product Safety Issues section and our Listing Policy. The listing policy applies.',
    );
    expect(got.policies).toEqual(['Food and Product Safety Issues', 'Listing Policy']);
  });

  it('reads a name broken over two lines', () => {
    expect(read('under our Restricted\nProducts policy.').policies).toEqual(['Restricted Products policy']);
  });
});

describe('parseNotice: dates', () => {
  it('reads the written forms, slashed dates month first', () => {
    expect(
      read('March 5, 2026; 6 March 2026; 2026-03-07; 03/08/2026; Mar. 9th, 2026; 25/03/2026; 02/30/2026')
        .dates,
    ).toEqual(['2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-25']);
  });
});

describe('parseNotice: the notice date', () => {
  it('takes a Date or Sent header with its time and zone', () => {
    expect(read('Date: Thu, 5 Mar 2026 14:02:11 +0100\n\nHello').receivedAt).toBe('2026-03-05T13:02:11.000Z');
    expect(read('Sent: Thursday, March 5, 2026 10:14 PM PST\nHello').receivedAt).toBe(
      '2026-03-06T06:14:00.000Z',
    );
    expect(read('> Date: 2026-03-05T08:00:00Z').receivedAt).toBe('2026-03-05T08:00:00.000Z');
  });

  it('takes a first line that is only a date, at the start of the day in UTC', () => {
    expect(read('\n  Mar 5, 2026\nHello').receivedAt).toBe('2026-03-05T00:00:00.000Z');
  });

  it('does not take a date inside the first sentence as the notice date', () => {
    expect(read('On March 5, 2026 we removed your listing.').receivedAt).toBe(pastedAt.toISOString());
  });
});

describe('parseNotice: the deadline', () => {
  const deadline = (text: string) => read(`Date: 2026-03-01\n\n${text}`).deadline;

  it.each([
    ['Please submit an appeal within 72 hours.', '2026-03-04T00:00:00.000Z', 'within 72 hours'],
    [
      'If you do not respond within seventeen (17) days, we will remove your account.',
      '2026-03-18T00:00:00.000Z',
      'within seventeen (17) days',
    ],
    [
      'You must submit a plan of action within the next forty-eight hours.',
      '2026-03-03T00:00:00.000Z',
      'within the next forty-eight hours',
    ],
    ['You have 2 days to respond.', '2026-03-03T00:00:00.000Z', 'have 2 days'],
    ['Reply within 3 business days.', '2026-03-04T00:00:00.000Z', 'within 3 business days'],
  ])('reads the span in "%s"', (text, at, phrase) => {
    expect(deadline(text)).toEqual({ at, basis: 'span', text: phrase });
  });

  it.each([
    ['Please submit your appeal by March 20, 2026.', '2026-03-20T23:59:59.000Z', 'by March 20, 2026'],
    [
      'Respond before 2026-03-20 or we will remove the listing.',
      '2026-03-20T23:59:59.000Z',
      'before 2026-03-20',
    ],
    ['Submit an appeal no later than 03/20/2026.', '2026-03-20T23:59:59.000Z', 'no later than 03/20/2026'],
    [
      'Respond by Friday, March 20, 2026 at 5:00 PM PDT.',
      '2026-03-21T00:00:00.000Z',
      'by Friday, March 20, 2026 at 5:00 PM PDT',
    ],
  ])('reads the date in "%s"', (text, at, phrase) => {
    expect(deadline(text)).toEqual({ at, basis: 'date', text: phrase });
  });

  it('reads "have until" a date', () => {
    expect(deadline('You have until March 20, 2026 to appeal.')).toEqual({
      at: '2026-03-20T23:59:59.000Z',
      basis: 'date',
      text: 'have until March 20, 2026',
    });
  });

  it('prefers a date written out over a span', () => {
    expect(
      deadline('You have 7 days to respond. Please submit your appeal by March 20, 2026.'),
    ).toMatchObject({
      basis: 'date',
      at: '2026-03-20T23:59:59.000Z',
    });
  });

  it("prefers the appeal's deadline over another one", () => {
    expect(
      deadline(
        'Remove your inventory within 90 days. If you do not submit an appeal within 17 days, it is final.',
      ),
    ).toMatchObject({ text: 'within 17 days' });
  });

  it('counts the span from the time the notice was pasted when it gives no date', () => {
    expect(parseNotice('Please respond within 48 hours.', pastedAt).deadline?.at).toBe(
      '2026-03-12T09:30:00.000Z',
    );
  });

  it.each([
    'Your Order Defect Rate over the last 60 days exceeds our target, and your account was deactivated.',
    'We will review your appeal within 48 hours.',
    'Amazon will typically respond to your plan of action within 2 business days.',
    'Customers expect orders to ship within 2 days.',
    'Orders in the past 30 days were late.',
    'We deactivated your account because your rate within the 60-day period was 2%.',
    'Your listing is suspended until March 20, 2026.',
  ])('finds no deadline in "%s"', (text) => {
    expect(deadline(text)).toBeNull();
  });
});
