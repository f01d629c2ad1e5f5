import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@good-standing/server/api-types.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { checkPage, WIDTHS } from '../helpers/pages.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// Notifications in demo mode, where no SMTP_URL is set: the demo admin sends a test email from the settings page,
// which the relay keeps in the outbox as it would have been sent; the outbox lists it as sent and shows the message
// itself. Then a webhook's signing secret, shown once, and the digest time on the profile page. One server, the
// tests in order.

const { at, newPage } = browserSuite(() => startServerProcess('demo'));

/** A webhook receiver of the test's own, on loopback: what it was sent, as it came. */
const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    received.push({ path: req.url ?? '', headers: req.headers, body });
    res.writeHead(204).end();
  });
});
let receiverUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

/** Text as it reads: the markup's line breaks and indentation are one space. */
function words(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

async function session(page: Page): Promise<Session> {
  const res = await page.request.get(at('/api/auth/session'));
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as Session;
}

describe('notifications', () => {
  it('sends a test email, which is kept in the outbox without an SMTP server', async () => {
    const page = await newPage();
    await page.goto(at('/settings/notifications'));
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    expect(await page.getByTestId('mail-status').textContent()).toContain('No SMTP server');
    // Nobody listed: the admins receive critical alerts and warnings, and the page says so.
    const { user } = await session(page);
    expect(await page.getByTestId('effective-recipients').textContent()).toContain(user.email);

    const to = page.getByLabel('To', { exact: true });
    expect(await to.inputValue()).toBe(user.email);
    await to.fill('ops@example.com');
    await page.getByRole('button', { name: 'Send a test email' }).click();
    await expect
      .poll(() => page.getByTestId('test-email-outcome').textContent(), { timeout: 25_000 })
      .toContain('Kept in the outbox (no SMTP server configured).');
    await checkPage(page, 'notifications');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    expect(words(await page.getByTestId('no-smtp').textContent())).toContain(
      'No SMTP server is configured (SMTP_URL): messages are kept here as they would have been sent.',
    );
    await page.getByTestId('outbox-tab-sent').click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'sent');
    const row = page.getByTestId('outbox-message').filter({ hasText: 'ops@example.com' });
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-status')).toBe('sent');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Test message from Good Standing');
    expect(text).toContain('kept in the outbox');
    await checkPage(page, 'outbox');

    // The kind filter, from the address as a bookmark would have it.
    await page.goto(at('/outbox?status=sent&kind=digest'));
    expect(await page.getByTestId('outbox-message').count()).toBe(0);
    expect(await page.getByLabel('Kind').inputValue()).toBe('digest');
    await page.goto(at('/outbox?status=sent&kind=test&channel=email'));
    expect(await page.getByTestId('outbox-message').count()).toBe(1);

    await page.getByRole('link', { name: 'Test message from Good Standing' }).click();
    await page.waitForURL(/\/outbox\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('message-to').textContent()).toBe('ops@example.com');
    expect(await page.getByTestId('message-status').textContent()).toContain('delivered via the outbox');
    expect(await page.getByTestId('message-text').textContent()).toContain('Email delivery works');
    const html = page.frameLocator('[data-testid="message-html"]');
    await expect.poll(() => html.locator('body').textContent()).toContain('Email delivery works');
    // The message's own inline styles apply in its frame (a srcdoc frame would have the page's policy refuse them).
    const frame = page.frames().find((f) => new URL(f.url()).pathname.endsWith('/html'));
    expect(frame, 'the frame of the HTML part').toBeDefined();
    expect(
      await frame!.evaluate<string>('getComputedStyle(document.body).backgroundColor'),
      "the body's inline background colour",
    ).toBe('rgb(242, 244, 247)');
    await checkPage(page, 'outbox-message');

    const phone = await newPage(WIDTHS.phone);
    await phone.goto(page.url());
    await phone.frameLocator('[data-testid="message-html"]').locator('h1').waitFor();
    // A frame drawn in a process of its own (its sandbox gives it an origin of its own) is painted in a full-page
    // screenshot only once it has been on screen.
    await phone.getByTestId('message-html').scrollIntoViewIfNeeded();
    await checkPage(phone, 'outbox-message');
    await phone.goto(at('/outbox?status=sent'));
    await checkPage(phone, 'outbox');
  });

  it('adds a webhook, shows its signing secret once, and sends it a signed test', async () => {
    const page = await newPage();
    // Hydrated before the form is used: a choice made earlier is reset by the page's own state (seen once).
    await page.goto(at('/settings/notifications'), { waitUntil: 'networkidle' });
    const add = page.getByRole('group', { name: 'Add a webhook or Slack channel' });
    await add.getByRole('radio', { name: /^Webhook/ }).check();
    await add.getByLabel('Name').fill('Ops receiver');
    await add.getByRole('textbox', { name: 'Address' }).fill(`${receiverUrl}/good-standing/T0K3N`);
    await add.getByLabel('Sends').selectOption('critical');
    await add.getByRole('button', { name: 'Add webhook' }).click();

    const secret = add.getByLabel('Signing secret of “Ops receiver”');
    await secret.waitFor();
    const value = await secret.inputValue();
    expect(value.length).toBeGreaterThanOrEqual(16);
    const shown = (await add.getByTestId('shown-once').textContent()) ?? '';
    expect(shown).toContain('it will not be shown again');
    expect(shown).toContain('Good-Standing-Signature');
    const endpoint = page.getByTestId('endpoint').filter({ hasText: 'Ops receiver' });
    // Its address is shown again only as a hint: the host and its last four characters.
    expect(await endpoint.textContent()).toContain(`${receiverUrl}/…0K3N`);
    expect(await endpoint.getByLabel(/^Sends/).inputValue()).toBe('critical');
    await checkPage(page, 'notifications-webhook-secret');

    await add.getByRole('button', { name: 'Done' }).click();
    expect(await add.getByTestId('shown-once').count()).toBe(0);
    await page.reload();
    expect(await page.getByTestId('endpoint').filter({ hasText: 'Ops receiver' }).count()).toBe(1);
    expect(await page.content()).not.toContain(value);

    // Turned off, and on again, from the list.
    const enabled = page
      .getByTestId('endpoint')
      .filter({ hasText: 'Ops receiver' })
      .getByRole('switch', { name: /^Enabled/ });
    await enabled.uncheck();
    await expect.poll(() => page.getByTestId('endpoint').textContent()).toContain('Off');
    await enabled.check();
    await expect.poll(() => page.getByTestId('endpoint').textContent()).not.toContain('Off');

    // A test message, signed with the secret shown once (README, "Verifying a webhook").
    await page
      .getByTestId('endpoint')
      .getByRole('button', { name: /^Send a test/ })
      .click();
    await expect
      .poll(() => page.getByTestId('endpoint-outcome').textContent(), { timeout: 25_000 })
      .toContain('Sent.');
    expect(received.map((r) => r.path)).toEqual(['/good-standing/T0K3N']);
    const [delivery] = received;
    const signature = Object.fromEntries(
      String(delivery!.headers['good-standing-signature'])
        .split(',')
        .map((part) => part.split('=')),
    ) as { t: string; v1: string };
    expect(signature.v1).toBe(
      createHmac('sha256', value).update(`${signature.t}.${delivery!.body}`).digest('hex'),
    );
    expect((JSON.parse(delivery!.body) as { type: string }).type).toBe('test');

    const phone = await newPage(WIDTHS.phone);
    await phone.goto(at('/settings/notifications'));
    await checkPage(phone, 'notifications');
  });

  it('saves the daily digest time on the profile page', async () => {
    const page = await newPage();
    await page.goto(at('/settings/notifications'));
    await page.getByRole('link', { name: 'your profile', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/settings/profile');
    const digest = page.getByRole('region', { name: 'Daily digest' });
    await digest.getByLabel('Every day at').check();
    await digest.getByLabel('Digest time').fill('06:30');
    await digest.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => digest.getByRole('status').textContent()).toBe('Saved.');
    expect((await session(page)).user.digestTime).toBe('06:30');

    await page.reload();
    expect(await digest.getByLabel('Digest time').inputValue()).toBe('06:30');
    await checkPage(page, 'profile');

    await digest.getByLabel('Off').check();
    await digest.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await session(page)).user.digestTime).toBeNull();
    expect(await digest.getByLabel('Digest time').isDisabled()).toBe(true);

    const phone = await newPage(WIDTHS.phone);
    await phone.goto(at('/settings/profile'));
    await checkPage(phone, 'profile');
  });
});
