import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGroupedEmail } from '@good-standing/server/notifications/render/alert-email.ts';
import { renderDigestEmail } from '@good-standing/server/notifications/render/digest-email.ts';
import type {
  AlertMessage,
  DigestAccountRow,
  DigestMessage,
} from '@good-standing/server/notifications/render/model.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { documentWidth, SCREENSHOTS, seriousAxeFindings } from '../helpers/pages.ts';

// The emails as a mail client draws them: each message's HTML in Chromium, at a phone's 320 px,
// the 600 px the layout is made for, and a desktop's 1024 px. Nothing may scroll sideways (a long account name
// has to wrap), nothing may load or run, and the figures have to be there in words. No server: the renderers are
// pure, and their HTML is all a client gets.

const WIDTHS = [320, 600, 1024] as const;
const BASE = 'https://gs.example.com';

function links(id: string): AlertMessage['links'] {
  return {
    alert: `${BASE}/alerts/${id}`,
    account: `${BASE}/accounts/acc1`,
    startCase: `${BASE}/cases/new?alert=${id}`,
    inbox: `${BASE}/alerts`,
    settings: `${BASE}/settings/profile`,
  };
}

/** One account with a name long enough, and unbroken enough, to push a careless layout off a phone's screen. */
const ACCOUNT = 'AcmeInternationalTradingGmbHundCoKG_Europe & <Partners>';

function alert(over: Partial<AlertMessage> & Pick<AlertMessage, 'alertId' | 'title'>): AlertMessage {
  return {
    kind: 'opened',
    rule: 'metric_margin',
    severity: 'warning',
    accountId: 'acc1',
    accountName: ACCOUNT,
    sellerId: 'A1B2C3D4E5F6G7',
    marketplaceId: 'A1PA6795UKMFR9',
    marketplaceName: 'Amazon.de',
    details: {},
    at: '2026-12-03T06:10:00.000Z',
    openedAt: '2026-12-03T06:12:00.000Z',
    links: links(over.alertId),
    ...over,
  };
}

const ALERTS: AlertMessage[] = [
  alert({
    alertId: 'a-odr',
    title: 'Order defect rate (FBA) is 0.75 %: 75 % of the way to its target of 1 %',
    details: {
      metric: 'order_defect_rate',
      channel: 'afn',
      windowDays: 60,
      value: 9 / 1200,
      target: { value: 0.01, condition: 'LESS_THAN', published: true },
      allowanceUsed: 0.75,
      headroom: 2,
      numerator: 9,
      denominator: 1200,
      windowFrom: '2026-10-04T00:00:00.000Z',
      windowTo: '2026-12-02T00:00:00.000Z',
    },
  }),
  alert({
    alertId: 'a-lsr',
    rule: 'metric_breach',
    severity: 'critical',
    kind: 'escalated',
    title: 'Late shipment rate (seller-fulfilled), 30 days is 4.6 %, past its target of 4 %',
    details: {
      metric: 'late_shipment_rate',
      channel: 'mfn',
      windowDays: 30,
      value: 0.046,
      target: { value: 0.04, condition: 'LESS_THAN', published: false },
      numerator: 46,
      denominator: 1000,
      windowFrom: '2026-11-02T00:00:00.000Z',
      windowTo: '2026-12-02T00:00:00.000Z',
    },
  }),
  alert({
    alertId: 'a-vtr',
    rule: 'metric_trend',
    title: 'Valid tracking rate (seller-fulfilled) is heading for its target of 95 %',
    details: {
      metric: 'valid_tracking_rate',
      channel: 'mfn',
      windowDays: 30,
      value: 0.962,
      target: { value: 0.95, condition: 'GREATER_THAN', published: false },
      allowanceUsed: 0.76,
      headroom: 12,
      numerator: 962,
      denominator: 1000,
      projectedBreachAt: '2026-12-11T00:00:00.000Z',
    },
  }),
  alert({
    alertId: 'a-stale',
    rule: 'stale_data',
    severity: 'info',
    kind: 'reminder',
    marketplaceId: '',
    marketplaceName: null,
    openedAt: '2026-12-01T09:30:00.000Z',
    title: 'No good poll since 2026-12-01 09:30 UTC',
    details: { lastGoodPollAt: '2026-12-01T09:30:00.000Z' },
  }),
];

function digestRow(i: number): DigestAccountRow {
  const attention = i < 3;
  return {
    accountId: `acc${i}`,
    accountName: i === 0 ? ACCOUNT : `Seller ${i + 1}`,
    marketplaceId: i % 2 ? 'ATVPDKIKX0DER' : 'A1PA6795UKMFR9',
    marketplaceName: i % 2 ? 'Amazon.com' : 'Amazon.de',
    status: i === 1 ? 'AT_RISK' : 'NORMAL',
    ratingStatus: attention ? 'WARNED' : 'GOOD',
    score: attention ? 180 - i * 20 : 820 + i,
    figures: [
      {
        metric: 'order_defect_rate',
        channel: 'afn',
        windowDays: 60,
        value: attention ? 0.0125 - i * 0.002 : 0.0021,
        target: { value: 0.01, condition: 'LESS_THAN' },
        tone: i === 0 ? 'breached' : attention ? 'near' : 'good',
        trend: attention ? 'up' : 'flat',
        better: 'down',
      },
      {
        metric: 'late_shipment_rate',
        channel: 'mfn',
        windowDays: 30,
        value: 0.012,
        target: { value: 0.04, condition: 'LESS_THAN' },
        tone: 'good',
        trend: 'down',
        better: 'down',
      },
      {
        metric: 'valid_tracking_rate',
        channel: 'mfn',
        windowDays: 30,
        value: attention ? 0.9612 : 0.9934,
        target: { value: 0.95, condition: 'GREATER_THAN' },
        tone: attention ? 'near' : 'good',
        trend: attention ? 'down' : 'up',
        better: 'up',
      },
    ],
    openAlerts: attention ? 2 : 0,
    projectedBreachAt: i === 1 ? '2026-12-11T00:00:00.000Z' : null,
    link: `${BASE}/accounts/acc${i}`,
    stale: i === 2,
  };
}

const DIGEST: DigestMessage = {
  recipientName: 'Dana',
  localDate: '2026-12-03',
  timeZone: 'Europe/Berlin',
  accounts: Array.from({ length: 12 }, (_, i) => digestRow(i)),
  openAlerts: { critical: 1, warning: 4, info: 1 },
  topAlerts: [
    {
      title: 'Order defect rate (FBA) is 1.25 %, past its target of 1 %',
      severity: 'critical',
      accountName: ACCOUNT,
      link: `${BASE}/alerts/a-odr`,
      projectedBreachAt: null,
    },
    {
      title: 'Valid tracking rate (seller-fulfilled) is heading for its target of 95 %',
      severity: 'warning',
      accountName: 'Seller 2',
      link: `${BASE}/alerts/a-vtr`,
      projectedBreachAt: '2026-12-11T00:00:00.000Z',
    },
  ],
  links: { overview: `${BASE}/`, inbox: `${BASE}/alerts`, settings: `${BASE}/settings/profile` },
};

/**
 * An agency's morning: 200 accounts in two marketplaces each, every other row needing attention, so that the digest
 * has to fall back to a line per row and then to a count. The second account's unbroken name ends in the list of
 * names in good standing.
 */
const AGENCY_DIGEST: DigestMessage = {
  ...DIGEST,
  accounts: Array.from({ length: 400 }, (_, i) => {
    const base = digestRow(i % 2 === 0 ? (i / 2) % 3 : 3 + (i % 9));
    const marketplaceId = i % 2 ? 'ATVPDKIKX0DER' : 'A1PA6795UKMFR9';
    return {
      ...base,
      accountId: `acc${i >> 1}`,
      accountName:
        i < 2 ? ACCOUNT : i < 4 ? `${ACCOUNT.replace(/\W/g, '')}Second` : `Agency client ${i >> 1}`,
      marketplaceId,
      marketplaceName: i % 2 ? 'Amazon.com' : 'Amazon.de',
      link: `${BASE}/accounts/acc${i >> 1}?marketplace=${marketplaceId}`,
    };
  }),
};

const EMAILS = [
  {
    name: 'alerts',
    html: renderGroupedEmail(ALERTS).html,
    figures: [
      'Order defect rate (FBA)',
      '0.75 %',
      'target under 1 %',
      'Can take 2 more orders with a defect before the target; the 3rd breaches it.',
      'target above 95 %',
      'Past the target by 0.6 percentage points',
      '11 Dec 2026',
      '9 of 1,200 orders had a defect',
    ],
  },
  {
    name: 'digest',
    html: renderDigestEmail(DIGEST).html,
    figures: [
      'Order defect rate (FBA)',
      '1.25 %',
      'target under 1 %',
      'target above 95 %',
      '↑ rising, worse',
      '↓ falling, worse',
      'Stale data',
      'In good standing (9)',
      '11 Dec 2026',
    ],
  },
  {
    name: 'digest-400',
    html: renderDigestEmail(AGENCY_DIGEST).html,
    figures: [
      'Needs attention (200)',
      '1.25 %',
      'target under 1 %',
      '↑ rising, worse',
      'stale data',
      'Then, a line each:',
      '…and 100 more need attention: open the overview',
      'In good standing (200)',
      '200 accounts × marketplaces in good standing: AcmeInternationalTradingGmbHundCoKG_Europe & <Partners>, ',
      'and 140 more.',
    ],
  },
] as const;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/**
 * The email in a page of its own, fetching nothing. Scripts stay on: the email has none (checked above), and axe
 * waits on the page's timers, which never fire with them off.
 */
async function open(html: string, width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
  });
  await page.setContent(html, { waitUntil: 'load' });
  expect(requests, 'requests made by the email').toEqual([]);
  return page;
}

describe.each(EMAILS)('the $name email', ({ name, html, figures }) => {
  it('has no images, scripts or stylesheets to load', () => {
    expect(html).not.toMatch(/<img\b|<script\b|<link\b|<iframe\b|<object\b|<embed\b|url\(/i);
    expect(html).toContain('<html lang="en"');
  });

  it.each(WIDTHS)('fits %i px without scrolling sideways, with its figures in words', async (width) => {
    const page = await open(html, width);
    try {
      expect(await documentWidth(page), `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(
        await page.evaluate<number>('window.innerWidth'),
      );
      expect(await page.locator('img, script').count()).toBe(0);
      const text = (await page.locator('body').innerText()).replace(/\u00a0/g, ' ').replace(/\s+/g, ' ');
      for (const figure of figures) expect(text, `${name} at ${width} px`).toContain(figure);
      expect(text).toContain(ACCOUNT);
      // The card never grows past the 600 px it is made for.
      const cardWidth = await page.evaluate<number>(
        'Math.max(...[...document.querySelectorAll("table")].map((t) => t.getBoundingClientRect().width))',
      );
      expect(cardWidth).toBeLessThanOrEqual(Math.min(width, 1024));
      if (width >= 600)
        expect(
          await page.evaluate<number>('document.querySelectorAll("table")[1].getBoundingClientRect().width'),
        ).toBeLessThanOrEqual(600);
      expect(await seriousAxeFindings(page), `axe on the ${name} email at ${width} px`).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `email-${name}-${width}.png`), fullPage: true });
    } finally {
      await page.context().close();
    }
  });
});
