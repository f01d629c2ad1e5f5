import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { applyConditions } from '@good-standing/server/alerts/alerts.service.ts';
import { claimBatch } from '@good-standing/server/notifications/outbox-worker.ts';
import { SIGNATURE_HEADER, verifyWebhook } from '@good-standing/server/notifications/render/webhook.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { signInAs, type SignedIn } from '../helpers/auth.ts';
import { buildPollingApp, connectDemoAccount, demoSeller, startTestSimulator } from '../helpers/poller.ts';
import { freePort } from '../helpers/processes.ts';

// Delivery end to end over real Postgres, a real SMTP server on loopback (smtp-server) and a real HTTP receiver:
// alerts raised from the simulator's reports reach the mailbox with both parts and their figures; a message
// queued while the SMTP server is down arrives once when it is back; two instances sending the same outbox
// deliver each message once; webhooks carry a signature the receiver verifies; reminders and digests are queued
// once.

interface Received {
  raw: string;
  mail: ParsedMail;
}

class Mailbox {
  received: Received[] = [];
  private server: SMTPServer | undefined;

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // Stopping drops the sender's pooled connection at once instead of waiting for it to close.
      closeTimeout: 100,
      logger: false,
      onData: (stream, _session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((mail) => {
              this.received.push({ raw, mail });
              done();
            })
            .catch(done);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let mailbox: Mailbox;
let admin: SignedIn;
const ids: Record<string, string> = {};
const PUBLIC_URL = 'http://gs.test:8080';

async function call<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  status = 200,
) {
  const res = await app.inject({ method, url, headers: admin.headers, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return (res.body ? res.json() : undefined) as T;
}

async function reportDay(scenario: string, day: number) {
  const seller = demoSeller(scenario);
  const at = new Date(Date.UTC(2026, 4, 1, 6) + day * 86_400_000);
  const document = generateSellerPerformanceReport(scenario, seller.sellerId, seller.marketplaceIds, day, at);
  await ingestReport(app.database.db, {
    accountId: ids[scenario]!,
    bytes: Buffer.from(JSON.stringify(document)),
    amazonReportId: null,
    amazonDocumentId: null,
    marketplaceIds: seller.marketplaceIds,
    capturedAt: at,
    parsed: { ok: true, report: parseSellerPerformanceReport(document) },
  });
  return app.alerts.pass(at);
}

/** Opens warnings on an account by hand, through the same lifecycle the rules use. */
async function openWarnings(
  accountId: string,
  subjects: string[],
  now = new Date(),
  marketplaceId = 'A1PA6795UKMFR9',
) {
  return app.database.db.transaction().execute((tx) =>
    applyConditions(tx, {
      accountId,
      marketplaceIds: [marketplaceId],
      rules: ['metric_margin'],
      conditions: subjects.map((subject, i) => ({
        rule: 'metric_margin' as const,
        marketplaceId,
        subject,
        severity: 'warning' as const,
        title: `Warning ${i + 1} of ${subjects.length}`,
        details: {
          metric: 'late_shipment_rate',
          channel: 'mfn',
          value: 0.032,
          target: { value: 0.04, condition: 'LESS_THAN', published: false },
          numerator: 32,
          denominator: 1000,
          headroom: 7,
          allowanceUsed: 0.8,
        },
      })),
      at: now,
      now,
    }),
  );
}

const outboxRows = () =>
  app.database.db.selectFrom('outbox_messages').selectAll().orderBy('created_at').execute();

/** The messages queued for the alerts `events` opened. */
async function rowsOpenedBy(events: Array<{ event: string; eventId: string }>) {
  const opened = events.filter((e) => e.event === 'opened').map((e) => e.eventId);
  return (await outboxRows()).filter((r) => r.alert_event_id !== null && opened.includes(r.alert_event_id));
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  mailbox = new Mailbox(await freePort());
  await mailbox.start();
  app = await buildPollingApp(
    t,
    sim,
    {
      SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
      MAIL_FROM: 'Good Standing <alerts@gs.test>',
      PUBLIC_URL,
    },
    50,
    { outbox: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 5, leaseMs: 30_000 } },
  );
  admin = await signInAs(app, 'admin', 'owner@gs.test');
  // One recipient named, so the API tokens' admins the helpers create receive nothing.
  const settings = await call<{ alerts: unknown }>('GET', '/api/notifications/settings');
  await call('PUT', '/api/notifications/settings', {
    recipients: [{ email: 'owner@gs.test', severities: ['critical', 'warning', 'info'] }],
    groupWindowSeconds: 120,
    reminderHours: 24,
    alerts: settings.alerts,
  });
  for (const scenario of ['suspension', 'odr-drift']) ids[scenario] = await connectDemoAccount(app, scenario);
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await mailbox?.stop();
  await t?.destroy();
});
beforeEach(async () => {
  await app.notifications.worker.drain();
  mailbox.received = [];
});

describe('email over SMTP', () => {
  it('sends a suspension at once, with both parts, its figures and its links', async () => {
    for (let day = 0; day <= 9; day++) await reportDay('suspension', day);
    const critical = (await outboxRows()).filter((r) => r.severity === 'critical' && r.status === 'pending');
    expect(critical.length).toBeGreaterThan(0);
    // Critical mail is due now and alone: no group window.
    expect(critical.every((r) => !r.groupable && r.next_attempt_at.getTime() <= Date.now())).toBe(true);
    expect(critical.every((r) => r.recipient === 'owner@gs.test')).toBe(true);

    await app.notifications.worker.drain();
    const status = await app.database.db
      .selectFrom('alerts')
      .select(['id', 'title'])
      .where('account_id', '=', ids.suspension!)
      .where('rule', '=', 'account_status')
      .executeTakeFirstOrThrow();
    const mail = mailbox.received.find(
      (m) => m.mail.subject?.startsWith('[Critical]') && m.mail.subject.includes(status.title),
    );
    expect(mail, mailbox.received.map((m) => m.mail.subject).join('\n')).toBeDefined();
    expect(mail!.mail.from?.text).toContain('alerts@gs.test');
    expect(mail!.mail.to && 'text' in mail!.mail.to ? mail!.mail.to.text : '').toBe('owner@gs.test');
    expect(mail!.mail.text).toContain(status.title);
    expect(typeof mail!.mail.html).toBe('string');
    expect(mail!.mail.text).toMatch(/deactivated/i);
    expect(mail!.mail.html).toMatch(/deactivated/i);
    expect(mail!.mail.html).not.toMatch(/<script|<img/i);
    expect(mail!.mail.text).toContain(`${PUBLIC_URL}/cases/new?alert=${status.id}`);
    expect(mail!.mail.html).toContain(`${PUBLIC_URL}/alerts?account=${ids.suspension}`);
    const row = (await outboxRows()).find((r) => r.message_id === mail!.mail.messageId);
    expect(row).toMatchObject({ status: 'sent', delivered_via: 'smtp', attempts: 1 });
  });

  it('puts a rate breach beside its target, with its headroom', async () => {
    for (let day = 0; day <= 30; day++) await reportDay('odr-drift', day);
    await app.notifications.worker.drain(() => new Date(Date.now() + 3_600_000));
    const breach = await app.database.db
      .selectFrom('alerts')
      .select(['id'])
      .where('account_id', '=', ids['odr-drift']!)
      .where('rule', '=', 'metric_breach')
      .executeTakeFirstOrThrow();
    // The figures as they were when the alert opened (the alert itself has moved on with later reports).
    const opened = await app.database.db
      .selectFrom('outbox_messages as o')
      .innerJoin('alert_events as e', 'e.id', 'o.alert_event_id')
      .select(['o.payload', 'o.message_id'])
      .where('e.alert_id', '=', breach.id)
      .where('e.type', '=', 'opened')
      .executeTakeFirstOrThrow();
    const details = (opened.payload as { message: { details: Record<string, unknown> } }).message.details as {
      value: number;
      numerator: number;
      denominator: number;
    };
    const mail = mailbox.received.find((m) => m.mail.messageId === opened.message_id);
    expect(mail!.mail.subject).toMatch(/^\[Critical\] Order defect rate/);
    expect(mail, mailbox.received.map((m) => m.mail.subject).join('\n')).toBeDefined();
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    expect(mail!.mail.text).toContain(pct(details.value));
    expect(mail!.mail.text).toContain('1 %');
    expect(mail!.mail.text).toContain(
      `${details.numerator} of ${details.denominator.toLocaleString('en-US')} orders had a defect`,
    );
    expect(mail!.mail.text).toMatch(/target under 1\s%/);
    expect(mail!.mail.html).toContain(pct(details.value));
  });

  it('groups the warnings that reach one inbox within the window into one message', async () => {
    // Its own marketplace: opening these resolves no other warning, whose message would join the group.
    const events = await openWarnings(
      ids['odr-drift']!,
      ['group:a', 'group:b', 'group:c'],
      new Date(),
      'A13V1IB3VIYZZH',
    );
    const rows = await rowsOpenedBy(events);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.groupable && r.next_attempt_at.getTime() > Date.now() + 60_000)).toBe(true);
    // Not due yet: nothing leaves before the window closes.
    await app.notifications.worker.drain();
    expect(mailbox.received).toHaveLength(0);
    await app.notifications.worker.drain(() => new Date(Date.now() + 121_000));
    const carrying = mailbox.received.filter((m) => /Warning \d of 3/.test(m.mail.text ?? ''));
    expect(carrying).toHaveLength(1);
    const { mail } = carrying[0]!;
    for (const n of [1, 2, 3]) expect(mail.text).toContain(`Warning ${n} of 3`);
    const sent = await app.database.db
      .selectFrom('outbox_messages')
      .select(['status', 'message_id', 'batch_id'])
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    expect(new Set(sent.map((r) => r.batch_id)).size).toBe(1);
    expect(sent.every((r) => r.status === 'sent' && r.message_id === mail.messageId)).toBe(true);
  });

  it('keeps a message while the SMTP server is down and delivers it once when it is back', async () => {
    await mailbox.stop();
    const { outboxId } = await call<{ outboxId: string }>(
      'POST',
      '/api/notifications/test',
      { channel: 'email' },
      202,
    );
    await app.notifications.worker.drain();
    const waiting = await app.database.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('id', '=', outboxId)
      .executeTakeFirstOrThrow();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting.last_error).toMatch(/refused the connection/);
    expect(waiting.next_attempt_at.getTime()).toBeGreaterThan(Date.now());

    await mailbox.start();
    await app.notifications.worker.drain(() => new Date(Date.now() + 1_000));
    await app.notifications.worker.drain(() => new Date(Date.now() + 2_000));
    const sent = mailbox.received.filter((m) => m.mail.messageId === waiting.message_id);
    expect(sent).toHaveLength(1);
    const row = await call<{ status: string; attempts: number; lastError: string | null; bodyHtml: string }>(
      'GET',
      `/api/outbox/${outboxId}`,
    );
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('marks a message failed after its last attempt, with its error, and an admin can send it again', async () => {
    await mailbox.stop();
    const { outboxId } = await call<{ outboxId: string }>(
      'POST',
      '/api/notifications/test',
      { channel: 'email' },
      202,
    );
    for (let i = 1; i <= 5; i++)
      await app.notifications.worker.drain(() => new Date(Date.now() + i * 10_000));
    const failed = await call<{ status: string; attempts: number; lastError: string }>(
      'GET',
      `/api/outbox/${outboxId}`,
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 5 });
    const list = await call<{ counts: { failed: number }; messages: Array<{ id: string }> }>(
      'GET',
      '/api/outbox?status=failed',
    );
    expect(list.messages.map((m) => m.id)).toContain(outboxId);

    await mailbox.start();
    await call('POST', `/api/outbox/${outboxId}/retry`, {});
    await app.notifications.worker.drain();
    expect(await call<{ status: string }>('GET', `/api/outbox/${outboxId}`)).toMatchObject({
      status: 'sent',
    });
    expect(mailbox.received).toHaveLength(1);
    await call('POST', `/api/outbox/${outboxId}/retry`, {}, 409);
  });

  it('sends a batch whose sender died mid-send once its lease runs out, under the same Message-ID', async () => {
    const { outboxId } = await call<{ outboxId: string }>(
      'POST',
      '/api/notifications/test',
      { channel: 'email' },
      202,
    );
    // A sender claims it and dies before sending: the claim is all that is left of it.
    const claimed = await claimBatch(app.database.db, new Date(), 60_000, (id) => `<${id}@crashed.test>`);
    expect(claimed?.rows.map((r) => r.id)).toEqual([outboxId]);
    await app.notifications.worker.drain();
    expect(mailbox.received).toHaveLength(0);
    await app.notifications.worker.drain(() => new Date(Date.now() + 61_000));
    expect(mailbox.received).toHaveLength(1);
    expect(mailbox.received[0]!.mail.messageId).toBe(`<${claimed!.batchId}@crashed.test>`);
    expect(await call<{ status: string; attempts: number }>('GET', `/api/outbox/${outboxId}`)).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });

  it('delivers each message once when two instances send the same outbox', async () => {
    const second = await buildPollingApp(
      t,
      sim,
      { SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`, PUBLIC_URL },
      50,
      { outbox: { concurrency: 3 } },
    );
    try {
      const queued: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { outboxId } = await call<{ outboxId: string }>(
          'POST',
          '/api/notifications/test',
          { channel: 'email', to: `r${i}@gs.test` },
          202,
        );
        queued.push(outboxId);
      }
      const [a, b] = await Promise.all([
        app.notifications.worker.drain(),
        second.notifications.worker.drain(),
      ]);
      expect(a + b).toBe(30);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      const ids = mailbox.received.map((m) => m.mail.messageId);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      const rows = await app.database.db
        .selectFrom('outbox_messages')
        .select('status')
        .where('id', 'in', queued)
        .execute();
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await second.close();
    }
  });
});

describe('webhooks and Slack', () => {
  let receiver: Server;
  let url: string;
  const hits: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: string }> =
    [];
  /** The receiver answers 503 once to the first webhook whose body holds this. */
  let failFirst: string | null = null;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const body = Buffer.concat(chunks).toString('utf8');
        if (failFirst && req.url?.startsWith('/hooks/') && body.includes(failFirst)) {
          failFirst = null;
          res.writeHead(503).end('busy');
          return;
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('signs each webhook so the receiver can verify it, retries a busy receiver, and sends Slack its format', async () => {
    const created = await call<{ endpoint: { id: string; urlHint: string }; signingSecret: string }>(
      'POST',
      '/api/notifications/endpoints',
      { kind: 'webhook', name: 'Ops', url: `${url}/hooks/ops-secret-path`, minSeverity: 'warning' },
      201,
    );
    expect(created.signingSecret).toMatch(/^gss_/);
    expect(created.endpoint.urlHint).not.toContain('ops-secret-path');
    await call(
      'POST',
      '/api/notifications/endpoints',
      {
        kind: 'slack',
        name: 'Slack #alerts',
        url: `${url}/services/T0/B0/slack-secret`,
        accountId: ids['odr-drift'],
        minSeverity: 'warning',
      },
      201,
    );
    // The endpoint list never shows the secret again.
    const list = await call<{ endpoints: unknown[] }>('GET', '/api/notifications/endpoints');
    expect(JSON.stringify(list)).not.toContain(created.signingSecret);

    failFirst = 'Warning 1 of 1';
    const [event] = await openWarnings(ids['odr-drift']!, ['hook:a']);
    await app.notifications.worker.drain();
    await app.notifications.worker.drain(() => new Date(Date.now() + 1_000));
    const hook = hits.filter((h) => h.path === '/hooks/ops-secret-path' && h.body.includes(event!.alertId));
    expect(hook).toHaveLength(2);
    const delivered = hook[1]!;
    const signature = delivered.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyWebhook(created.signingSecret, delivered.body, signature)).toBe(true);
    expect(
      verifyWebhook(created.signingSecret, delivered.body.replace('"warning"', '"info"'), signature),
    ).toBe(false);
    expect(verifyWebhook('gss_wrong', delivered.body, signature)).toBe(false);
    // The retry carries the same delivery id, for a receiver to drop a repeat by.
    expect(hook[0]!.headers['good-standing-delivery']).toBe(delivered.headers['good-standing-delivery']);
    const body = JSON.parse(delivered.body) as { type: string; alert: { id: string; severity: string } };
    expect(body).toMatchObject({ type: 'alert.opened', alert: { id: event!.alertId, severity: 'warning' } });

    const slack = hits.find(
      (h) => h.path === '/services/T0/B0/slack-secret' && h.body.includes('Warning 1 of 1'),
    );
    expect(slack).toBeDefined();
    const slackBody = JSON.parse(slack!.body) as { text: string; blocks: unknown[] };
    expect(slackBody.text).toContain('Warning 1 of 1');
    expect(Array.isArray(slackBody.blocks)).toBe(true);
    expect(slack!.headers[SIGNATURE_HEADER.toLowerCase()]).toBeUndefined();
  });
});

describe('reminders and the digest', () => {
  it('reminds of an unacknowledged critical alert once per interval', async () => {
    const settings = await call<Record<string, unknown>>('GET', '/api/notifications/settings');
    await call('PUT', '/api/notifications/settings', {
      ...settings,
      reminderHours: 1,
      effectiveRecipients: undefined,
      mail: undefined,
    });
    const later = new Date(Date.now() + 2 * 3_600_000);
    const first = await app.notifications.schedule.pass(later);
    expect(first.reminders).toBeGreaterThan(0);
    const again = await app.notifications.schedule.pass(later);
    expect(again.reminders).toBe(0);
    await app.notifications.worker.drain(() => later);
    const reminders = mailbox.received.filter((m) => m.mail.subject?.startsWith('[Reminder]'));
    expect(reminders.length).toBe(first.reminders);
  });

  it('queues one digest per user per local day, at their local time', async () => {
    await call('PATCH', '/api/auth/me', { timeZone: 'Europe/Berlin', digestTime: '07:00' });
    const viewer = await signInAs(app, 'viewer', 'viewer@gs.test');
    await app.inject({
      method: 'PATCH',
      url: '/api/auth/me',
      headers: viewer.headers,
      payload: { digestTime: null },
    });
    // A winter day always ahead of the real clock (whatever ran the schedule at the real time already counts).
    const day = `${new Date().getUTCFullYear() + 1}-01-14`;
    const next = `${new Date().getUTCFullYear() + 1}-01-15`;
    // 05:30 UTC is 06:30 in Berlin in winter: not yet.
    expect((await app.notifications.schedule.pass(new Date(`${day}T05:30:00Z`))).digests).toBe(0);
    expect((await app.notifications.schedule.pass(new Date(`${day}T06:05:00Z`))).digests).toBe(1);
    expect((await app.notifications.schedule.pass(new Date(`${day}T06:30:00Z`))).digests).toBe(0);
    await app.notifications.worker.drain(() => new Date(`${day}T06:31:00Z`));
    const digest = mailbox.received.find((m) => m.mail.subject?.startsWith('Morning check'));
    expect(digest).toBeDefined();
    expect(digest!.mail.subject).toContain(day);
    for (const scenario of ['suspension', 'odr-drift'])
      expect(digest!.mail.text).toContain(demoSeller(scenario).name);
    expect(digest!.mail.html).toContain(`${PUBLIC_URL}/alerts`);
    // The next local day brings the next one.
    expect((await app.notifications.schedule.pass(new Date(`${next}T06:01:00Z`))).digests).toBe(1);
  });
});

describe('settings', () => {
  it('sends to the admins when nobody is named, refuses a bad address, and viewers may read but not change', async () => {
    const named = await call<{ alerts: unknown; recipients: unknown[] }>(
      'GET',
      '/api/notifications/settings',
    );
    const settings = await call<{
      alerts: unknown;
      effectiveRecipients: Array<{ email: string; source: string }>;
    }>('PUT', '/api/notifications/settings', {
      recipients: [],
      groupWindowSeconds: 120,
      reminderHours: 24,
      alerts: named.alerts,
    });
    expect(settings.effectiveRecipients).toContainEqual({
      email: 'owner@gs.test',
      severities: ['critical', 'warning'],
      source: 'admins',
    });
    await call('PUT', '/api/notifications/settings', {
      ...named,
      effectiveRecipients: undefined,
      mail: undefined,
    });
    const bad = await app.inject({
      method: 'PUT',
      url: '/api/notifications/settings',
      headers: admin.headers,
      payload: {
        recipients: [{ email: 'not-an-address', severities: ['critical'] }],
        groupWindowSeconds: 60,
        reminderHours: 0,
        alerts: settings.alerts,
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('not an email address');
    const viewer = await signInAs(app, 'viewer', 'viewer@gs.test');
    const read = await app.inject({
      method: 'GET',
      url: '/api/notifications/settings',
      headers: viewer.headers,
    });
    expect(read.statusCode).toBe(200);
    const write = await app.inject({
      method: 'PUT',
      url: '/api/notifications/settings',
      headers: viewer.headers,
      payload: { recipients: [], groupWindowSeconds: 60, reminderHours: 0, alerts: settings.alerts },
    });
    expect(write.statusCode).toBe(403);
  });

  it('sends an account’s alerts to its own recipients as well, by severity', async () => {
    await call('PUT', `/api/accounts/${ids['odr-drift']}/notifications`, {
      recipients: [{ email: 'Client@Example.com', severities: ['warning'] }],
      alerts: { marginShare: 0.6 },
    });
    const view = await call<{ effectiveAlerts: { marginShare: number } }>(
      'GET',
      `/api/accounts/${ids['odr-drift']}/notifications`,
    );
    expect(view.effectiveAlerts.marginShare).toBe(0.6);
    const rows = (await rowsOpenedBy(await openWarnings(ids['odr-drift']!, ['own:a']))).filter(
      (r) => r.channel === 'email',
    );
    expect(rows.map((r) => r.recipient).sort()).toEqual(['client@example.com', 'owner@gs.test']);
    const other = (await rowsOpenedBy(await openWarnings(ids.suspension!, ['own:b']))).filter(
      (r) => r.channel === 'email',
    );
    expect(other.map((r) => r.recipient)).toEqual(['owner@gs.test']);
  });
});
