import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import { renderAlertEmail, renderGroupedEmail } from './render/alert-email.ts';
import { slackAlertPayload } from './render/slack.ts';
import { webhookAlertPayload } from './render/webhook.ts';
import type { AlertMessage } from './render/model.ts';
import type { AlertPayload } from './enqueue.ts';
import { alertLinks, messageIdFor } from './links.ts';
import { DeliveryError, postJson, type MailTransport } from './transports.ts';

// The outbox's sender. Each pass claims due messages in short transactions (`for update skip locked`, then
// `sending` under a lease), sends them outside any transaction, and records the outcome. A recipient's warnings
// that came in within the group window leave as one email; critical ones alone and at once.
//
// What is guaranteed: a queued message is sent until a server accepts it or its attempts run out (then `failed`,
// with the error, and an admin can retry it). Two instances never hold the same message: a claim is a row lock
// and then a lease. A message is sent twice only when a process dies after the server accepted it and before the
// outcome was recorded; the resend carries the same Message-ID (and webhooks the same delivery id), which mail
// systems and receivers use to drop the repeat. A batch keeps its members and its Message-ID across retries.

export interface OutboxWorkerOptions {
  /** How often due messages are looked for when nothing wakes the worker. */
  everyMs: number;
  /** How long a claimed batch is held before another instance may take it over (longer than any send). */
  leaseMs: number;
  /** First retry delay; doubled each attempt, up to `maxDelayMs`, with ±20 % jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  /** Batches sent at once by this instance. */
  concurrency: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxWorkerOptions = {
  everyMs: 2_000,
  leaseMs: 5 * 60_000,
  baseDelayMs: 30_000,
  maxDelayMs: 60 * 60_000,
  maxAttempts: 10,
  concurrency: 4,
};

const MAX_BATCH = 50;

export interface OutboxContext {
  db: Kysely<DB>;
  log: FastifyBaseLogger;
  secrets: SecretBox;
  /** Undefined: no SMTP server; email is kept in the outbox as it would have been sent. */
  mail: MailTransport | undefined;
  from: string;
  /** Base of every link in a message. */
  baseUrl: string;
}

interface Claimed {
  batchId: string;
  lockedUntil: Date;
  rows: ClaimedRow[];
}

interface ClaimedRow {
  id: string;
  kind: string;
  channel: 'email' | 'webhook' | 'slack';
  recipient: string;
  subject: string | null;
  body_text: string | null;
  body_html: string | null;
  payload: unknown;
  attempts: number;
  endpoint_id: string | null;
  message_id: string | null;
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly options: OutboxWorkerOptions;

  constructor(
    private readonly ctx: OutboxContext,
    options: Partial<OutboxWorkerOptions> = {},
  ) {
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
  }

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.everyMs);
    this.timer.unref();
    this.kick();
  }

  /** Sends what is due now; a kick during a pass runs one more pass after it. */
  kick(): void {
    if (this.stopped || !this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((err: unknown) => this.ctx.log.error({ err }, 'sending the outbox failed; trying again shortly'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Sends every due message, `concurrency` batches at a time; returns how many batches were attempted. */
  async drain(now: () => Date = () => new Date()): Promise<number> {
    let attempted = 0;
    const lane = async () => {
      while (!this.stopped) {
        const claimed = await claimBatch(this.ctx.db, now(), this.options.leaseMs, (id) =>
          messageIdFor(id, this.ctx.baseUrl),
        );
        if (!claimed) return;
        attempted += 1;
        await this.deliver(claimed, now);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, lane));
    return attempted;
  }

  private async deliver(batch: Claimed, now: () => Date): Promise<void> {
    const first = batch.rows[0]!;
    const messageId = first.message_id ?? messageIdFor(batch.batchId, this.ctx.baseUrl);
    try {
      const sent = await this.send(batch, messageId, now);
      await finish(this.ctx.db, batch, {
        status: 'sent',
        sentAt: now(),
        via: sent.via,
        providerMessageId: sent.providerMessageId,
        rendered: sent.rendered,
      });
    } catch (err) {
      const reason = err instanceof DeliveryError ? err.message : `unexpected: ${String(err).slice(0, 200)}`;
      const attempts = Math.max(...batch.rows.map((r) => r.attempts));
      const giveUp = (err instanceof DeliveryError && err.permanent) || attempts >= this.options.maxAttempts;
      const delay = retryDelay(attempts, this.options);
      this.ctx.log.warn(
        { batchId: batch.batchId, messages: batch.rows.length, channel: first.channel, attempts, reason },
        giveUp
          ? 'a message could not be delivered and is marked failed'
          : 'a message could not be delivered yet',
      );
      await finish(this.ctx.db, batch, {
        status: giveUp ? 'failed' : 'pending',
        error: reason,
        nextAttemptAt: new Date(now().getTime() + delay),
      });
    }
  }

  private async send(
    batch: Claimed,
    messageId: string,
    now: () => Date,
  ): Promise<{
    via: 'smtp' | 'outbox' | 'http';
    providerMessageId: string | null;
    rendered: { subject: string | null; text: string | null; html: string | null };
  }> {
    const first = batch.rows[0]!;
    if (first.channel === 'email') {
      const email = this.renderEmail(batch.rows);
      if (!this.ctx.mail) return { via: 'outbox', providerMessageId: null, rendered: email };
      const { providerMessageId } = await this.ctx.mail.send({
        from: this.ctx.from,
        to: first.recipient,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId,
        headers: { 'X-Good-Standing-Kind': first.kind },
      });
      return { via: 'smtp', providerMessageId, rendered: email };
    }
    const endpoint = first.endpoint_id
      ? await this.ctx.db
          .selectFrom('notification_endpoints')
          .select(['url_sealed', 'signing_secret_sealed', 'enabled'])
          .where('id', '=', first.endpoint_id)
          .executeTakeFirst()
      : undefined;
    if (!endpoint) throw new DeliveryError('the webhook was removed before the message went out', true);
    const body = this.renderHttpBody(first);
    const sent = await postJson({
      url: this.ctx.secrets.open(endpoint.url_sealed),
      body,
      signingSecret:
        first.channel === 'webhook' && endpoint.signing_secret_sealed
          ? this.ctx.secrets.open(endpoint.signing_secret_sealed)
          : undefined,
      eventId: messageId.slice(1, -1).split('@')[0]!,
      now: now(),
    });
    return {
      via: 'http',
      providerMessageId: sent.providerMessageId,
      rendered: { subject: first.subject, text: body, html: null },
    };
  }

  private alertMessage(row: ClaimedRow): { eventId: string; message: AlertMessage } | null {
    const p = row.payload as Partial<AlertPayload> | null;
    if (!p?.message || !p.eventId) return null;
    return { eventId: p.eventId, message: { ...p.message, links: alertLinks(this.ctx.baseUrl, p.message) } };
  }

  private renderEmail(rows: ClaimedRow[]): { subject: string; text: string; html: string } {
    const alerts = rows.map((r) => this.alertMessage(r)).filter((m) => m !== null);
    if (alerts.length === rows.length && alerts.length > 0) {
      return alerts.length === 1
        ? renderAlertEmail(alerts[0]!.message)
        : renderGroupedEmail(alerts.map((a) => a.message));
    }
    // Digests, tests and case reminders are rendered when they are queued.
    const row = rows[0]!;
    if (row.subject === null || row.body_text === null || row.body_html === null) {
      throw new DeliveryError('the message has no content to send', true);
    }
    return { subject: row.subject, text: row.body_text, html: row.body_html };
  }

  private renderHttpBody(row: ClaimedRow): string {
    const alert = this.alertMessage(row);
    if (alert) {
      return JSON.stringify(
        row.channel === 'slack'
          ? slackAlertPayload([alert.message])
          : webhookAlertPayload(alert.message, alert.eventId),
      );
    }
    if (row.body_text === null) throw new DeliveryError('the message has no content to send', true);
    return row.body_text;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.ctx.mail?.close();
  }
}

export function retryDelay(
  attempts: number,
  o: Pick<OutboxWorkerOptions, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

const CLAIM_COLUMNS = sql.raw(
  'id, kind, channel, recipient, subject, body_text, body_html, payload, attempts, endpoint_id, message_id',
);

/**
 * Claims the next due message with what goes with it: the rest of its batch when it has one (a retry sends the
 * same members under the same Message-ID), else, for a groupable email, the recipient's other groupable mail.
 */
export async function claimBatch(
  db: Kysely<DB>,
  now: Date,
  leaseMs: number,
  messageIdOf: (batchId: string) => string,
): Promise<Claimed | null> {
  return db.transaction().execute(async (tx) => {
    const { rows: heads } = await sql<{
      id: string;
      batch_id: string | null;
      channel: string;
      recipient: string;
      groupable: boolean;
    }>`select id, batch_id, channel, recipient, groupable from outbox_messages
      where ((status = 'pending' and next_attempt_at <= ${now}) or (status = 'sending' and locked_until < ${now}))
        -- One sender groups a recipient's mail at a time: others pass over it instead of splitting the group.
        and (not (groupable and batch_id is null and channel = 'email')
          or pg_try_advisory_xact_lock(hashtext('outbox:' || recipient)))
      order by next_attempt_at, created_at
      limit 1
      for update skip locked`.execute(tx);
    const head = heads[0];
    if (!head) return null;
    let batchId = head.batch_id;
    let ids: string[];
    if (batchId) {
      ids = await lockIds(
        tx,
        sql`batch_id = ${batchId} and (status = 'pending' or (status = 'sending' and locked_until < ${now}))`,
      );
    } else if (head.groupable && head.channel === 'email') {
      ids = await lockIds(
        tx,
        sql`channel = 'email' and recipient = ${head.recipient} and groupable and batch_id is null
          and status = 'pending'`,
      );
      if (!ids.includes(head.id)) ids = [head.id, ...ids.slice(0, MAX_BATCH - 1)];
    } else {
      ids = [head.id];
    }
    batchId ??= randomUUID();
    const lockedUntil = new Date(now.getTime() + leaseMs);
    const { rows } = await sql<ClaimedRow>`update outbox_messages
      set status = 'sending', batch_id = ${batchId}, locked_until = ${lockedUntil}, attempts = attempts + 1,
        message_id = coalesce(message_id, ${messageIdOf(batchId)})
      where id = any(${ids}::uuid[])
      returning ${CLAIM_COLUMNS}`.execute(tx);
    rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    return rows.length > 0 ? { batchId, lockedUntil, rows } : null;
  });
}

async function lockIds(tx: Transaction<DB>, where: ReturnType<typeof sql>): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select id from outbox_messages where ${where}
    order by created_at limit ${MAX_BATCH} for update skip locked`.execute(tx);
  return rows.map((r) => r.id);
}

type Outcome =
  | {
      status: 'sent';
      sentAt: Date;
      via: 'smtp' | 'outbox' | 'http';
      providerMessageId: string | null;
      rendered: { subject: string | null; text: string | null; html: string | null };
    }
  | { status: 'pending' | 'failed'; error: string; nextAttemptAt: Date };

/** Records a batch's outcome, if this worker still holds it (its lease, to the millisecond, is the fence). */
async function finish(db: Kysely<DB>, batch: Claimed, outcome: Outcome): Promise<void> {
  const ids = batch.rows.map((r) => r.id);
  let q = db
    .updateTable('outbox_messages')
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .where('locked_until', '=', batch.lockedUntil);
  if (outcome.status === 'sent') {
    await q
      .set({
        status: 'sent',
        sent_at: outcome.sentAt,
        delivered_via: outcome.via,
        provider_message_id: outcome.providerMessageId,
        locked_until: null,
        last_error: null,
        subject: outcome.rendered.subject,
        body_text: outcome.rendered.text,
        body_html: outcome.rendered.html,
      })
      .execute();
    return;
  }
  q = q.set({
    status: outcome.status,
    last_error: outcome.error,
    next_attempt_at: outcome.nextAttemptAt,
    locked_until: null,
  });
  await q.execute();
}
