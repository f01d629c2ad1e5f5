import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { AppError, ErrorBody } from '../http/errors.ts';
import { EmptyBody } from '../accounts/accounts.schemas.ts';
import { IdParams, OutboxList, OutboxMessageFull, OutboxQuery } from './notifications.schemas.ts';

// The outbox for admins: what is waiting, what went out and what failed (with its error), each message as it
// was or will be sent; a failed message (and the rest of its batch) can be sent again.

const LIST_COLUMNS = [
  'o.id',
  'o.kind',
  'o.channel',
  'o.recipient',
  'o.subject',
  'o.status',
  'o.attempts',
  'o.next_attempt_at',
  'o.last_error',
  'o.created_at',
  'o.sent_at',
  'o.delivered_via',
  'o.account_id',
  'o.severity',
  's.name as account_name',
  'e.alert_id',
] as const;

interface ListRow {
  id: string;
  kind: string;
  channel: 'email' | 'webhook' | 'slack';
  recipient: string;
  subject: string | null;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  delivered_via: 'smtp' | 'outbox' | 'http' | null;
  account_id: string | null;
  severity: string | null;
  account_name: string | null;
  alert_id: string | null;
}

export const outboxRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;

  const base = () =>
    db
      .selectFrom('outbox_messages as o')
      .leftJoin('seller_accounts as s', 's.id', 'o.account_id')
      .leftJoin('alert_events as e', 'e.id', 'o.alert_event_id');

  const toMessage = (r: ListRow) => ({
    id: r.id,
    kind: r.kind,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at.toISOString(),
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
    deliveredVia: r.delivered_via,
    accountId: r.account_id,
    accountName: r.account_name,
    severity: r.severity,
    alertId: r.alert_id,
  });

  app.get(
    '/outbox',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Queued, sent and failed messages, newest first',
        querystring: OutboxQuery,
        response: { 200: OutboxList, 400: ErrorBody },
      },
    },
    async (request) => {
      const q = request.query;
      let list = base();
      if (q.status?.length) list = list.where('o.status', 'in', q.status);
      if (q.channel?.length) list = list.where('o.channel', 'in', q.channel);
      if (q.kind?.length) list = list.where('o.kind', 'in', q.kind);
      const [rows, total, counts] = await Promise.all([
        list
          .select(LIST_COLUMNS)
          .orderBy('o.created_at', 'desc')
          .orderBy('o.id')
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize)
          .execute(),
        list.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst(),
        db
          .selectFrom('outbox_messages')
          .select(['status', sql<string>`count(*)`.as('n')])
          .groupBy('status')
          .execute(),
      ]);
      const byStatus = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
      return {
        total: Number(total?.n ?? 0),
        page: q.page,
        pageSize: q.pageSize,
        counts: {
          pending: byStatus.pending ?? 0,
          sending: byStatus.sending ?? 0,
          sent: byStatus.sent ?? 0,
          failed: byStatus.failed ?? 0,
        },
        smtpConfigured: app.notifications.smtpConfigured,
        messages: rows.map((r) => toMessage(r)),
      };
    },
  );

  async function full(id: string) {
    const r = await base()
      .select([...LIST_COLUMNS, 'o.body_text', 'o.body_html', 'o.payload', 'o.message_id'])
      .where('o.id', '=', id)
      .executeTakeFirst();
    if (!r) throw new AppError('NOT_FOUND', `message ${id} does not exist`);
    let payload: unknown = r.payload ?? null;
    // What an endpoint was sent is the JSON body itself.
    if (r.channel !== 'email' && r.body_text) {
      try {
        payload = JSON.parse(r.body_text);
      } catch {
        // Left as stored.
      }
    }
    return {
      ...toMessage(r),
      bodyText: r.body_text,
      bodyHtml: r.body_html,
      payload,
      messageId: r.message_id,
    };
  }

  app.get(
    '/outbox/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'One message with its content',
        params: IdParams,
        response: { 200: OutboxMessageFull, 404: ErrorBody },
      },
    },
    async (request) => full(request.params.id),
  );

  app.post(
    '/outbox/:id/retry',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Send a failed message again (with the rest of its batch), starting a new round of attempts',
        params: IdParams,
        body: EmptyBody,
        response: { 200: OutboxMessageFull, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const row = await db
        .selectFrom('outbox_messages')
        .select(['status', 'batch_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `message ${id} does not exist`);
      if (row.status !== 'failed') throw new AppError('CONFLICT', `the message is ${row.status}, not failed`);
      await db
        .updateTable('outbox_messages')
        .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), locked_until: null })
        .where('status', '=', 'failed')
        .where((eb) => (row.batch_id ? eb('batch_id', '=', row.batch_id) : eb('id', '=', id)))
        .execute();
      request.log.info({ outboxId: id }, 'a failed message is queued again');
      app.notifications.worker.kick();
      return full(id);
    },
  );
};
