import { describe, expect, it } from 'vitest';
import { renderAlertEmail, renderGroupedEmail } from './alert-email.ts';
import { renderDigestEmail } from './digest-email.ts';
import { escapeHtml } from './html.ts';
import type { AlertMessage, DigestAccountRow, DigestMessage } from './model.ts';
import { escapeSlack, slackAlertPayload, slackTestPayload } from './slack.ts';
import { renderTestEmail } from './test-email.ts';
import {
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhook,
  webhookAlertPayload,
  webhookTestPayload,
} from './webhook.ts';

// The renderers' own spaces are unbreakable ("0.82 %" never splits); the assertions read them as plain spaces.
const plain = (s: string) => s.replace(/\u00a0/g, ' ');
/** Text as one line: wrapping at 72 columns puts line breaks where the sentences have spaces. */
const flat = (s: string) => plain(s).replace(/\s+/g, ' ');

/** Every line of a plain-text part fits 72 columns, but for a URL standing on its own. */
function expectNarrow(text: string) {
  for (const line of text.split('\n')) {
    if (!/^\s*https?:\/\/\S+$/.test(line)) expect(line.length, line).toBeLessThanOrEqual(72);
  }
}

const LINKS = {
  alert: 'https://gs.example.com/alerts/a1',
  account: 'https://gs.example.com/accounts/acc1',
  startCase: 'https://gs.example.com/cases/new?alert=a1',
  inbox: 'https://gs.example.com/alerts',
  settings: 'https://gs.example.com/settings/profile',
};

/** 1,200 orders, 9 with a defect, against Amazon's < 1 %: 0.75 %, room for 2 more. */
function odrAlert(over: Partial<AlertMessage> = {}): AlertMessage {
  return {
    kind: 'opened',
    alertId: 'a1',
    rule: 'metric_margin',
    severity: 'warning',
    title: 'Order defect rate (FBA) is 0.75 %: 75 % of the way to its target of 1 %',
    accountId: 'acc1',
    accountName: 'Acme EU',
    sellerId: 'A1B2C3D4E5',
    marketplaceId: 'A1PA6795UKMFR9',
    marketplaceName: 'Amazon.de',
    details: {
      metric: 'order_defect_rate',
      channel: 'afn',
      windowDays: 60,
      value: 0.0075,
      target: { value: 0.01, condition: 'LESS_THAN', published: true },
      allowanceUsed: 0.75,
      headroom: 2,
      numerator: 9,
      denominator: 1200,
      windowFrom: '2026-10-04T00:00:00.000Z',
      windowTo: '2026-12-02T00:00:00.000Z',
    },
    at: '2026-12-03T06:10:00.000Z',
    openedAt: '2026-12-03T06:12:00.000Z',
    links: LINKS,
    ...over,
  };
}

function trackingAlert(over: Partial<AlertMessage> = {}): AlertMessage {
  return odrAlert({
    alertId: 'a2',
    rule: 'metric_margin',
    title: 'Valid tracking rate (seller-fulfilled) is 96 %: 80 % of the way to its target of 95 %',
    details: {
      metric: 'valid_tracking_rate',
      channel: 'mfn',
      windowDays: 30,
      value: 0.96,
      target: { value: 0.95, condition: 'GREATER_THAN', published: false },
      allowanceUsed: 0.8,
      headroom: 0,
      numerator: 960,
      denominator: 1000,
    },
    ...over,
  });
}

describe('renderAlertEmail', () => {
  it('shows the figure beside its target, the allowance, the headroom and the counts', () => {
    const email = renderAlertEmail(odrAlert());
    const text = flat(email.text);
    expect(email.subject).toBe(
      '[Warning] Order defect rate (FBA) is 0.75 %: 75 % of the way to its target of 1 % — Acme EU, Amazon.de'.replace(
        / %/g,
        ' %',
      ),
    );
    expect(text).toContain('Order defect rate (FBA): 0.75 % — target under 1 %');
    expect(text).toContain("Amazon's published target: the report gave none");
    expect(text).toContain('Can take 2 more orders with a defect before the target; the 3rd breaches it.');
    expect(text).toMatch(/Allowance used: 75 %/);
    expect(text).toContain('Counts: 9 of 1,200 orders had a defect');
    expect(text).toMatch(/Reporting window: 4 Oct – 2 Dec 2026 \(60 days\)/);
    expect(text).toContain('Marketplace: Amazon.de');
    expect(email.text).toContain('Open the alert:\nhttps://gs.example.com/alerts/a1');
    expect(email.text).toContain('Start a reinstatement case:\nhttps://gs.example.com/cases/new?alert=a1');
    expect(email.text).toContain('Change what you receive:\nhttps://gs.example.com/settings/profile');
    const html = plain(email.html);
    expect(html).toContain('lang="en"');
    expect(html).toContain('0.75 %');
    expect(html).toContain('Can take 2 more orders with a defect before the target; the 3rd breaches it.');
    expect(html).toContain('href="https://gs.example.com/cases/new?alert=a1"');
    expect(html).toContain('Change what you receive');
    expect(html).not.toMatch(/<img|<script|<link/i);
  });

  it('counts the headroom from the report when the alert has none, and says when the next one breaches', () => {
    const { headroom: _, ...details } = odrAlert().details;
    expect(flat(renderAlertEmail(odrAlert({ details })).text)).toContain(
      'Can take 2 more orders with a defect',
    );
    const one = renderAlertEmail(odrAlert({ details: { ...details, numerator: 11, value: 11 / 1200 } }));
    expect(flat(one.text)).toContain('One more order with a defect breaches the target.');
  });

  it('words a greater-than target from the other side', () => {
    const text = flat(renderAlertEmail(trackingAlert()).text);
    expect(text).toContain('Valid tracking rate (seller-fulfilled): 96 % — target above 95 %');
    expect(text).not.toContain('published target');
    expect(text).toContain('One more shipment without valid tracking breaches the target.');
    expect(text).toContain('Allowance used: 80 % of the room between 100 % and the target');
    expect(text).toContain('Counts: 960 of 1,000 shipments had valid tracking');
    const later = flat(
      renderAlertEmail(trackingAlert({ details: { ...trackingAlert().details, headroom: 4 } })).text,
    );
    expect(later).toContain(
      'Can take 4 more shipments without valid tracking before the target; the 5th breaches it.',
    );
  });

  it('says how far past the target a breached metric is', () => {
    const email = renderAlertEmail(
      odrAlert({
        rule: 'metric_breach',
        severity: 'critical',
        title: 'Order defect rate (FBA) is 1.25 %, past its target of 1 %',
        details: {
          ...odrAlert().details,
          value: 15 / 1200,
          numerator: 15,
          headroom: null,
          allowanceUsed: 1.25,
        },
      }),
    );
    expect(email.subject.startsWith('[Critical] Order defect rate (FBA) is 1.25')).toBe(true);
    const text = flat(email.text);
    expect(text).toContain(
      'Past the target by 0.25 percentage points: 4 orders with a defect more than it allows.',
    );
    expect(text).not.toContain('Allowance used');
  });

  it('gives the projected breach day of a trend alert in UTC', () => {
    const email = renderAlertEmail(
      odrAlert({
        rule: 'metric_trend',
        details: { ...odrAlert().details, projectedBreachAt: '2026-12-09T23:30:00Z' },
      }),
    );
    expect(flat(email.text)).toContain('Projected to cross the target: 9 Dec 2026, at the current trend');
  });

  it('words every kind', () => {
    const escalated = renderAlertEmail(odrAlert({ kind: 'escalated', severity: 'critical' }));
    expect(escalated.subject).toMatch(/^\[Critical\] /);
    expect(flat(escalated.text)).toContain('Got worse: now critical.');

    const resolved = renderAlertEmail(odrAlert({ kind: 'resolved' }));
    expect(resolved.subject).toMatch(/^\[Resolved\] /);
    expect(flat(resolved.text)).toContain(
      'Resolved: the report captured 3 Dec 2026, 06:10 UTC no longer shows it.',
    );
    expect(flat(resolved.text)).not.toContain('Start a reinstatement case');
    expect(flat(resolved.text)).not.toContain('Can take');

    const reminder = renderAlertEmail(odrAlert({ kind: 'reminder', openedAt: '2026-12-01T09:30:00Z' }));
    expect(reminder.subject).toMatch(/^\[Reminder\] /);
    expect(flat(reminder.text)).toContain('Still unacknowledged since 1 Dec 2026, 09:30 UTC');

    const info = renderAlertEmail(odrAlert({ severity: 'info' }));
    expect(info.subject).toMatch(/^\[Info\] /);
    expect(flat(info.text)).toContain('New alert, opened 3 Dec 2026, 06:12 UTC.');
  });

  it('describes account-level and status alerts', () => {
    const email = renderAlertEmail(
      odrAlert({
        rule: 'reauthorization',
        severity: 'critical',
        title: 'Amazon no longer accepts the authorization: reconnect the account to keep it monitored',
        marketplaceId: '',
        marketplaceName: null,
        details: {},
      }),
    );
    expect(email.subject).toMatch(/ — Acme EU$/);
    expect(flat(email.text)).toContain('Marketplace: The whole account (all marketplaces)');
    const status = renderAlertEmail(
      odrAlert({
        rule: 'account_status',
        severity: 'critical',
        title: 'The account is suspended in this marketplace',
        details: { status: 'SUSPENDED' },
      }),
    );
    expect(flat(status.text)).toContain('Account status: suspended');
    // The suspension opened its case: the email leads to it rather than offering to start one.
    expect(status.text).toContain('Open the reinstatement case:\nhttps://gs.example.com/cases/new?alert=a1');
    expect(status.text).not.toContain('Start a reinstatement case');
    const rating = renderAlertEmail(
      odrAlert({
        rule: 'score_drop',
        title: 'Account Health Rating fell',
        details: { score: 180, previousScore: 260, band: 'at_risk' },
      }),
    );
    expect(flat(rating.text)).toContain('Account Health Rating: 180 (at risk), down from 260');
  });

  it('keeps subjects under 120 characters', () => {
    const long = renderAlertEmail(odrAlert({ title: 'x '.repeat(200), accountName: 'Y'.repeat(200) }));
    expect(long.subject.length).toBeLessThan(120);
    expect(long.subject.startsWith('[Warning] x x')).toBe(true);
  });

  it('escapes a hostile account name everywhere in the HTML', () => {
    const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)> "Acme\' <b>EU</b>';
    const email = renderAlertEmail(odrAlert({ accountName: hostile, title: '<i>title</i>' }));
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>EU');
    expect(email.html).not.toContain('<i>title');
    expect(email.html).toContain(escapeHtml('<script>alert("x")</script>'));
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The text part is plain text: the name is as it is, and the subject has no line breaks to inject headers.
    expect(email.text).toContain('<script>');
    expect(renderAlertEmail(odrAlert({ accountName: 'Acme\r\nBcc: x@evil' })).subject).not.toMatch(/[\r\n]/);
  });

  it('keeps plain text to 72 columns, URLs apart', () => {
    expectNarrow(renderAlertEmail(odrAlert()).text);
    expectNarrow(renderAlertEmail(trackingAlert({ kind: 'reminder' })).text);
  });
});

describe('renderGroupedEmail', () => {
  const group = [
    trackingAlert({ alertId: 'w1' }),
    odrAlert({ alertId: 'i1', severity: 'info', title: 'Info one' }),
    odrAlert({ alertId: 'c1', severity: 'critical', title: 'Critical one', rule: 'metric_breach' }),
    odrAlert({ alertId: 'w2', title: 'Warning two' }),
  ];

  it('counts the alerts in the subject, most severe first, naming the one account', () => {
    const email = renderGroupedEmail(group);
    expect(email.subject).toBe('4 alerts: 1 critical, 2 warnings, 1 info — Acme EU, Amazon.de');
    const order = ['Critical one', 'Valid tracking rate', 'Warning two', 'Info one'].map((t) =>
      email.text.indexOf(t),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const htmlOrder = ['Critical one', 'Valid tracking rate', 'Warning two', 'Info one'].map((t) =>
      email.html.lastIndexOf(t),
    );
    expect([...htmlOrder].sort((a, b) => a - b)).toEqual(htmlOrder);
    expect(email.text).toContain('1 of 4');
    expectNarrow(email.text);
  });

  it('names the number of accounts when they differ, and counts resolved ones apart', () => {
    const email = renderGroupedEmail([
      odrAlert(),
      odrAlert({ accountId: 'acc2', accountName: 'Other', kind: 'resolved', severity: 'critical' }),
      odrAlert({ accountId: 'acc2', accountName: 'Other' }),
    ]);
    expect(email.subject).toBe('3 alerts: 2 warnings, 1 resolved — 2 accounts');
    expect(
      renderGroupedEmail([odrAlert(), odrAlert({ marketplaceId: 'X', marketplaceName: 'Amazon.fr' })])
        .subject,
    ).toBe('2 alerts: 2 warnings — Acme EU');
  });

  it('sends one alert as it would go alone, and refuses none', () => {
    expect(renderGroupedEmail([odrAlert()])).toEqual(renderAlertEmail(odrAlert()));
    expect(() => renderGroupedEmail([])).toThrow();
  });
});

function row(i: number, over: Partial<DigestAccountRow> = {}): DigestAccountRow {
  return {
    accountId: `acc${i}`,
    accountName: `Account ${i}`,
    marketplaceId: 'ATVPDKIKX0DER',
    marketplaceName: 'Amazon.com',
    status: 'NORMAL',
    ratingStatus: 'GOOD',
    score: 850,
    figures: [
      {
        metric: 'order_defect_rate',
        channel: 'afn',
        windowDays: 60,
        value: 0.002,
        target: { value: 0.01, condition: 'LESS_THAN' },
        tone: 'good',
        trend: 'flat',
        better: 'down',
      },
    ],
    openAlerts: 0,
    projectedBreachAt: null,
    link: `https://gs.example.com/accounts/acc${i}`,
    stale: false,
    ...over,
  };
}

function digest(accounts: DigestAccountRow[], over: Partial<DigestMessage> = {}): DigestMessage {
  return {
    recipientName: 'Dana',
    localDate: '2026-12-03',
    timeZone: 'Europe/Berlin',
    accounts,
    openAlerts: { critical: 0, warning: 0, info: 0 },
    topAlerts: [],
    links: {
      overview: 'https://gs.example.com/',
      inbox: 'https://gs.example.com/alerts',
      settings: LINKS.settings,
    },
    ...over,
  };
}

describe('renderDigestEmail', () => {
  it('says all is well when it is', () => {
    const email = renderDigestEmail(digest(Array.from({ length: 12 }, (_, i) => row(i))));
    expect(email.subject).toBe('Morning check 2026-12-03: all 12 accounts in good standing');
    expect(email.text).toContain('IN GOOD STANDING (12)');
    expect(email.text).not.toContain('NEEDS ATTENTION');
  });

  it('counts the accounts that need attention, and shows their figures with trend and verdict in words', () => {
    const bad = row(1, {
      openAlerts: 2,
      projectedBreachAt: '2026-12-09T00:00:00Z',
      figures: [
        { ...row(1).figures[0]!, value: 0.0125, tone: 'breached', trend: 'up' },
        {
          metric: 'valid_tracking_rate',
          channel: 'mfn',
          windowDays: 30,
          value: 0.962,
          target: { value: 0.95, condition: 'GREATER_THAN' },
          tone: 'near',
          trend: 'up',
          better: 'up',
        },
      ],
    });
    const email = renderDigestEmail(
      digest([row(0), bad, row(2, { stale: true }), row(3)], {
        openAlerts: { critical: 1, warning: 1, info: 0 },
        topAlerts: [
          {
            title: 'ODR past target',
            severity: 'critical',
            accountName: 'Account 1',
            link: LINKS.alert,
            projectedBreachAt: null,
          },
        ],
      }),
    );
    expect(email.subject).toBe('Morning check 2026-12-03: 2 accounts need attention');
    const text = flat(email.text);
    expect(text).toContain('Open alerts: 1 critical, 1 warning, 0 info.');
    expect(text).toContain(
      '✕ Order defect rate (FBA): 1.25 % — target under 1 %; past target; ↑ rising, worse',
    );
    expect(text).toContain(
      '▲ Valid tracking rate (seller-fulfilled): 96.2 % — target above 95 %; close to target; ↑ rising, better',
    );
    expect(text).toContain('projected breach 9 Dec 2026');
    expect(text).toContain('Account 2, Amazon.com [stale data]');
    expect(text).toContain('TOP ALERTS');
    expectNarrow(email.text);
    expect(text.indexOf('Account 1, Amazon.com')).toBeLessThan(text.indexOf('Account 2, Amazon.com'));
    const html = plain(email.html);
    expect(html).toContain('↑ rising, worse');
    expect(html).toContain('Stale data');
    expect(html).toContain('In good standing (2)');
    expect(renderDigestEmail(digest([row(0), row(1, { openAlerts: 1 })])).subject).toBe(
      'Morning check 2026-12-03: 1 account needs attention',
    );
  });

  it('does not call a marketplace without data in good standing', () => {
    const empty = row(0, { status: null, ratingStatus: null, score: null, figures: [] });
    expect(renderDigestEmail(digest([empty])).subject).toBe(
      'Morning check 2026-12-03: 1 account needs attention',
    );
  });

  it('lists each row of a small digest with its figures, the good ones on a line of their own', () => {
    const email = renderDigestEmail(
      digest([
        row(0),
        row(1, { figures: [{ ...row(1).figures[0]!, value: 0.009, tone: 'near', trend: 'up' }] }),
        row(2, { marketplaceId: 'A1PA6795UKMFR9', marketplaceName: 'Amazon.de' }),
      ]),
    );
    const text = flat(email.text);
    expect(text).toContain('IN GOOD STANDING (2)');
    expect(text).toContain('✓ Account 0, Amazon.com — normal · rating 850 (healthy)');
    expect(text).toContain('✓ Account 2, Amazon.de — normal · rating 850 (healthy)');
    expect(text.split('Order defect rate (FBA) 0.2 % (target under 1 %)').length - 1).toBe(2);
    expect(text).toContain(
      '▲ Order defect rate (FBA): 0.9 % — target under 1 %; close to target; ↑ rising, worse',
    );
    expect(text).not.toContain('in good standing:');
    expect(text.indexOf('Account 1, Amazon.com')).toBeLessThan(text.indexOf('Account 0, Amazon.com'));
    for (const i of [0, 1, 2]) expect(email.text).toContain(`https://gs.example.com/accounts/acc${i}`);
    const html = plain(email.html);
    expect(html.split('Order defect rate (FBA) 0.2 % (target under 1 %)').length - 1).toBe(2);
    expect(html).toContain('<strong>0.9 %</strong>, target under 1 % · ↑ rising, worse');
    expectNarrow(email.text);
  });

  /** An agency: `accounts` accounts in two marketplaces each, every `every`-th row needing attention. */
  function agency(accounts: number, every: number): DigestAccountRow[] {
    const figures = (i: number, bad: boolean) =>
      [
        ['order_defect_rate', 'afn', 60, 0.01, 'LESS_THAN'],
        ['order_defect_rate', 'mfn', 60, 0.01, 'LESS_THAN'],
        ['late_shipment_rate', 'mfn', 10, 0.04, 'LESS_THAN'],
        ['late_shipment_rate', 'mfn', 30, 0.04, 'LESS_THAN'],
        ['pre_fulfillment_cancellation_rate', 'mfn', 7, 0.025, 'LESS_THAN'],
        ['valid_tracking_rate', 'mfn', 30, 0.95, 'GREATER_THAN'],
        ['on_time_delivery_rate', 'mfn', 14, 0.9, 'GREATER_THAN'],
      ].map(([metric, channel, windowDays, target, condition], k) => ({
        metric: metric as string,
        channel: channel as string,
        windowDays: windowDays as number,
        value: (target as number) * (condition === 'LESS_THAN' ? 0.9 : 1.02),
        target: { value: target as number, condition: condition as string },
        tone:
          bad && k % 3 === i % 3 ? (k === 0 ? ('breached' as const) : ('near' as const)) : ('good' as const),
        trend: (['up', 'down', 'flat'] as const)[(i + k) % 3]!,
        better: condition === 'LESS_THAN' ? ('down' as const) : ('up' as const),
      }));
    return Array.from({ length: accounts * 2 }, (_, i) => {
      const bad = i % every === 0;
      const id = `0f8c1e2a-1234-4abc-9def-${String(i >> 1).padStart(12, '0')}`;
      const marketplaceId = i % 2 ? 'A1PA6795UKMFR9' : 'ATVPDKIKX0DER';
      return row(i, {
        accountId: id,
        accountName: `Northwind Trading Company client ${i >> 1}`,
        marketplaceId,
        marketplaceName: i % 2 ? 'Amazon.de' : 'Amazon.com',
        ratingStatus: bad ? 'WARNED' : 'GOOD',
        score: bad ? 180 : 820,
        figures: figures(i, bad),
        openAlerts: bad ? 2 : 0,
        projectedBreachAt: bad ? '2026-12-11T00:00:00Z' : null,
        link: `https://good-standing.agency.example.com/accounts/${id}?marketplace=${marketplaceId}`,
      });
    });
  }

  const agencyDigest = (rows: DigestAccountRow[]) =>
    digest(rows, {
      openAlerts: { critical: 3, warning: 400, info: 2 },
      topAlerts: Array.from({ length: 10 }, (_, k) => ({
        title: `Order defect rate (FBA) is 1.25 %, past its target of 1 % (${k})`,
        severity: 'critical' as const,
        accountName: `Northwind Trading Company client ${k}`,
        link: `https://good-standing.agency.example.com/alerts?account=0f8c1e2a-1234-4abc-9def-${k}&rule=metric_breach`,
        projectedBreachAt: null,
      })),
    });

  it('keeps 400 rows under the size Gmail clips at, whether all or half of them need attention', () => {
    for (const every of [1, 2, 7]) {
      const email = renderDigestEmail(agencyDigest(agency(200, every)));
      expect(Buffer.byteLength(email.html), `HTML, every ${every}`).toBeLessThan(90 * 1024);
      expect(Buffer.byteLength(email.text), `text, every ${every}`).toBeLessThan(40 * 1024);
      expectNarrow(email.text);
      expect(email.html).not.toMatch(/<img|<script|<link/i);
      // No table per figure or per row: the open alert counts are the message's one table of its own.
      expect(email.html.match(/<table/g)!.length).toBeLessThanOrEqual(5);
    }
  });

  it('details the 25 worst rows, lists the next ones a line each, then counts the rest with a link', () => {
    const rows = agency(200, 2);
    const email = renderDigestEmail(agencyDigest(rows));
    const text = flat(email.text);
    const html = plain(email.html);
    expect(text).toContain('NEEDS ATTENTION (200)');
    expect(html).toContain('Needs attention (200)');
    // Detailed: 25 rows, with a heading each in HTML, and in the text their figures near or past target only.
    expect(html.match(/<h3/g)).toHaveLength(25);
    expect(email.text.match(/^ {2}Account status /gm)).toHaveLength(25);
    expect(text).toContain(
      '✕ Order defect rate (FBA): 0.9 % — target under 1 %; past target; ↑ rising, worse',
    );
    expect(text).not.toContain('Other figures');
    // Worst first: the rows with a figure past target (every sixth) before those only close to one.
    const detailed = [...html.matchAll(/<h3[^>]*><a href="[^"]*-(\d{12})\?marketplace=(\w+)"/g)].map((m) =>
      rows.findIndex((r) => r.link.includes(`${m[1]}?marketplace=${m[2]}`)),
    );
    expect(detailed).toHaveLength(25);
    expect(detailed.every((i) => i % 6 === 0)).toBe(true);
    expect(detailed).toEqual([...detailed].sort((a, b) => a - b));
    // A line each up to the 100th, then the count and the overview's link.
    expect(email.text.match(/^- /gm)).toHaveLength(75);
    expect(text).toContain(
      '- Northwind Trading Company client 75, Amazon.com — rating 180 (at risk), 1 figure past target, ' +
        '2 figures near target, ' +
        '2 open alerts, breach projected 11 Dec 2026',
    );
    expect(email.text).toContain('…and 100 more need attention: open the overview:\nhttps://gs.example.com/');
    expect(html).toContain(
      '<a href="https://gs.example.com/" style="color:#1d4ed8;text-decoration:underline;">…and 100 more need attention: open the overview</a>',
    );
    expect(html.match(/<li/g)).toHaveLength(75 + 10);
    // Attention comes before good standing, which is a sentence and names each account once.
    expect(text.indexOf('NEEDS ATTENTION')).toBeLessThan(text.indexOf('IN GOOD STANDING'));
    expect(text).toContain(
      '200 accounts × marketplaces in good standing: Northwind Trading Company client 0, Northwind Trading Company client 1,',
    );
    expect(text).toContain('Northwind Trading Company client 59 and 140 more.');
    expect(text.slice(text.indexOf('IN GOOD STANDING'))).not.toContain('client 60');
    expect(html).toContain('200 accounts × marketplaces in good standing: ');
    expect(html).toContain('In good standing (200)');
  });

  it('collapses good standing into one sentence past ten rows, naming the accounts in full when few', () => {
    const rows = Array.from({ length: 11 }, (_, i) =>
      row(i, { accountId: `acc${i >> 1}`, accountName: `Account ${i >> 1}` }),
    );
    const email = renderDigestEmail(digest(rows));
    const text = flat(email.text);
    expect(text).toContain(
      '11 accounts × marketplaces in good standing: Account 0, Account 1, Account 2, Account 3, Account 4 and Account 5.',
    );
    expect(text).not.toContain('Order defect rate');
    expect(renderDigestEmail(digest(rows.slice(0, 10))).text).toContain('Order defect rate');
  });
});

describe('renderTestEmail', () => {
  it('says who sent it, when and from where', () => {
    const email = renderTestEmail({
      sentBy: 'dana@example.com',
      publicUrl: 'https://gs.example.com',
      at: '2026-12-03T06:10:00Z',
    });
    expect(email.subject).toBe('Test message from Good Standing');
    expect(flat(email.text)).toContain(
      'dana@example.com sent this test from Good Standing at 3 Dec 2026, 06:10 UTC.',
    );
    expect(email.text).toContain('https://gs.example.com');
    expect(email.html).toContain('lang="en"');
  });
});

describe('Slack', () => {
  it('escapes &, < and > in what the seller named', () => {
    expect(escapeSlack('A & <b> > c')).toBe('A &amp; &lt;b&gt; &gt; c');
    const payload = slackAlertPayload([
      odrAlert({ accountName: 'Acme <!channel> & Co', title: 'ODR > 1 % <@U123>' }),
    ]);
    const json = JSON.stringify(payload);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U123>');
    expect(json).toContain('Acme &lt;!channel&gt; &amp; Co');
    expect(payload.text).toContain('ODR &gt; 1 % &lt;@U123&gt;');
  });

  it('links the alert in mrkdwn, with a context line', () => {
    const payload = slackAlertPayload([odrAlert()]);
    const section = payload.blocks[0]!;
    expect(section.type).toBe('section');
    const text = section.type === 'section' ? plain(section.text.text) : '';
    expect(text).toContain('<https://gs.example.com/alerts/a1|Open the alert>');
    expect(text).toContain('<https://gs.example.com/cases/new?alert=a1|Start a reinstatement case>');
    expect(text).toContain('Can take 2 more orders with a defect before the target; the 3rd breaches it.');
    expect(payload.blocks.some((b) => b.type === 'context')).toBe(true);
  });

  it('puts several alerts in one message, most severe first, within Slack limits', () => {
    const many = Array.from({ length: 20 }, (_, i) => odrAlert({ alertId: `a${i}`, title: `Alert ${i}` }));
    many.push(odrAlert({ severity: 'critical', title: 'The critical one' }));
    const payload = slackAlertPayload(many);
    expect(payload.text).toMatch(/^21 alerts: 1 critical, 20 warnings/);
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(payload.blocks[2])).toContain('The critical one');
    expect(JSON.stringify(payload)).toContain('and 9 more alerts');
  });

  it('sends a test', () => {
    const payload = slackTestPayload({
      sentBy: 'a <b>',
      publicUrl: 'https://gs.example.com',
      at: '2026-12-03T06:10:00Z',
    });
    expect(payload.text).toContain('a &lt;b&gt;');
  });
});

describe('webhooks', () => {
  it('gives each kind its type and a stable shape', () => {
    for (const kind of ['opened', 'escalated', 'resolved', 'reminder'] as const) {
      const body = webhookAlertPayload(odrAlert({ kind }), 'evt_1');
      expect(body.type).toBe(`alert.${kind}`);
      expect(body.alert.state).toBe(kind === 'resolved' ? 'resolved' : 'open');
    }
    const body = webhookAlertPayload(odrAlert(), 'evt_1');
    expect(body).toMatchObject({
      id: 'evt_1',
      createdAt: '2026-12-03T06:10:00.000Z',
      alert: {
        id: 'a1',
        rule: 'metric_margin',
        severity: 'warning',
        accountId: 'acc1',
        sellerId: 'A1B2C3D4E5',
        marketplaceId: 'A1PA6795UKMFR9',
        figure: {
          metric: 'order_defect_rate',
          name: 'Order defect rate (FBA)',
          value: 0.0075,
          target: { value: 0.01, condition: 'LESS_THAN', published: true },
          headroom: 2,
          numerator: 9,
          denominator: 1200,
        },
        links: LINKS,
      },
    });
    expect(webhookAlertPayload(odrAlert({ marketplaceId: '', details: {} }), 'e').alert).toMatchObject({
      marketplaceId: null,
      figure: null,
    });
    const test = webhookTestPayload({
      sentBy: 'dana',
      publicUrl: 'https://gs.example.com',
      at: '2026-12-03T06:10:00Z',
    });
    expect(test.type).toBe('test');
    expect(test.id).toBe(
      webhookTestPayload({ sentBy: 'dana', publicUrl: 'https://gs.example.com', at: '2026-12-03T06:10:00Z' })
        .id,
    );
  });

  const secret = 'whsec_test';
  const body = JSON.stringify(webhookAlertPayload(odrAlert(), 'evt_1'));
  const t = 1_796_000_000;

  it('signs and verifies a body', () => {
    expect(SIGNATURE_HEADER).toBe('Good-Standing-Signature');
    const header = signWebhook(secret, body, t);
    expect(header).toMatch(/^t=1796000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(secret, body, header, 300, t * 1000 + 10_000)).toBe(true);
    // A second signature (a secret being rotated) is accepted beside the right one.
    expect(verifyWebhook(secret, body, `${header},v1=${'0'.repeat(64)}`, 300, t * 1000)).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, an expired or future timestamp, and junk', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhook(secret, body.replace('"warning"', '"info"'), header, 300, t * 1000)).toBe(false);
    expect(verifyWebhook('other', body, header, 300, t * 1000)).toBe(false);
    expect(verifyWebhook(secret, body, header, 300, (t + 301) * 1000)).toBe(false);
    expect(verifyWebhook(secret, body, header, 300, (t - 301) * 1000)).toBe(false);
    expect(verifyWebhook(secret, body, header.replace(/t=\d+/, `t=${t + 1}`), 300, t * 1000)).toBe(false);
    expect(verifyWebhook(secret, body, 'v1=abc', 300, t * 1000)).toBe(false);
    expect(verifyWebhook(secret, body, '', 300, t * 1000)).toBe(false);
    expect(() => signWebhook(secret, body, Date.now() / 1000)).toThrow(RangeError);
  });
});
