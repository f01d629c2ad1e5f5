import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AccountParams } from '../accounts/accounts.schemas.ts';
import { AppError, ErrorBody } from '../http/errors.ts';
import { readSetting, writeSetting } from '../settings/settings.repository.ts';
import { alertSettingsFor, mergeSettings } from '../alerts/alerts.service.ts';
import { DEFAULT_ALERT_SETTINGS } from '../alerts/rules.ts';
import { accountRecipients, effectiveRecipients, readDeliverySettings } from './notification-settings.ts';
import {
  AccountNotifications,
  AccountNotificationsBody,
  AlertThresholds,
  Endpoint,
  EndpointBody,
  EndpointCreated,
  EndpointPatch,
  IdParams,
  NotificationSettings,
  NotificationSettingsBody,
  TestBody,
} from './notifications.schemas.ts';
import { renderTestEmail } from './render/test-email.ts';
import { slackTestPayload } from './render/slack.ts';
import { webhookTestPayload } from './render/webhook.ts';

// Who receives what: the global recipients, delivery pacing and alert thresholds; each account's own recipients
// and thresholds; webhook and Slack endpoints; and a test message through the same outbox as real ones.

type EndpointRow = {
  id: string;
  kind: 'webhook' | 'slack';
  name: string;
  account_id: string | null;
  url_sealed: string;
  min_severity: 'info' | 'warning' | 'critical';
  enabled: boolean;
  created_at: Date;
};

/** The address with what makes it secret hidden: the host and the last four characters. */
export function urlHint(url: string): string {
  try {
    const u = new URL(url);
    const tail = url.replace(/\/+$/, '').slice(-4);
    return u.pathname.length > 1 || u.search ? `${u.origin}/…${tail}` : u.origin;
  } catch {
    return '…';
  }
}

export const notificationsRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;
  const notifications = app.notifications;

  async function settingsView() {
    const [delivery, alerts] = await Promise.all([readDeliverySettings(db), readSetting(db, 'alerts')]);
    return {
      ...delivery,
      alerts: AlertThresholds.parse(mergeSettings(DEFAULT_ALERT_SETTINGS, alerts)),
      effectiveRecipients: await effectiveRecipients(db, delivery),
      mail: {
        smtpConfigured: notifications.smtpConfigured,
        from: app.config.mail.from,
        publicUrl: app.config.publicUrl ?? null,
      },
    };
  }

  app.get(
    '/notifications/settings',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['notifications'],
        summary: 'Who receives alerts, how they are paced, and the alert thresholds',
        response: { 200: NotificationSettings },
      },
    },
    async () => settingsView(),
  );

  app.put(
    '/notifications/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Change the recipients, pacing and alert thresholds',
        body: NotificationSettingsBody,
        response: { 200: NotificationSettings, 400: ErrorBody },
      },
    },
    async (request) => {
      const { alerts, ...delivery } = request.body;
      await db.transaction().execute(async (tx) => {
        await writeSetting(tx, 'notifications', delivery);
        await writeSetting(tx, 'alerts', alerts);
      });
      request.log.info({ recipients: delivery.recipients.length }, 'notification settings changed');
      return settingsView();
    },
  );

  async function accountSettings(id: string) {
    const row = await db
      .selectFrom('seller_accounts')
      .select('settings')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `account ${id} does not exist`);
    return row.settings ?? {};
  }

  async function accountView(id: string) {
    const settings = await accountSettings(id);
    const own = AlertThresholds.partial().safeParse(settings.alerts ?? {});
    return {
      recipients: accountRecipients(settings),
      alerts: own.success ? own.data : {},
      effectiveAlerts: AlertThresholds.parse(await alertSettingsFor(db, id)),
    };
  }

  app.get(
    '/accounts/:id/notifications',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['notifications'],
        summary: "An account's own recipients and alert thresholds",
        params: AccountParams,
        response: { 200: AccountNotifications, 404: ErrorBody },
      },
    },
    async (request) => accountView(request.params.id),
  );

  app.put(
    '/accounts/:id/notifications',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: "Change an account's own recipients and alert thresholds",
        params: AccountParams,
        body: AccountNotificationsBody,
        response: { 200: AccountNotifications, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const settings = await accountSettings(id);
      const next = {
        ...settings,
        notifications: { recipients: request.body.recipients },
        alerts: request.body.alerts,
      };
      await db
        .updateTable('seller_accounts')
        .set({ settings: JSON.stringify(next) })
        .where('id', '=', id)
        .execute();
      return accountView(id);
    },
  );

  async function toEndpoint(row: EndpointRow) {
    const account = row.account_id
      ? await db
          .selectFrom('seller_accounts')
          .select('name')
          .where('id', '=', row.account_id)
          .executeTakeFirst()
      : undefined;
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      accountId: row.account_id,
      accountName: account?.name ?? null,
      urlHint: urlHint(app.secrets.open(row.url_sealed)),
      minSeverity: row.min_severity,
      enabled: row.enabled,
      createdAt: row.created_at.toISOString(),
    };
  }

  const ENDPOINT_COLUMNS = [
    'id',
    'kind',
    'name',
    'account_id',
    'url_sealed',
    'min_severity',
    'enabled',
    'created_at',
  ] as const;

  app.get(
    '/notifications/endpoints',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Webhook and Slack endpoints',
        response: { 200: z.object({ endpoints: z.array(Endpoint) }) },
      },
    },
    async () => {
      const rows = await db
        .selectFrom('notification_endpoints')
        .select(ENDPOINT_COLUMNS)
        .orderBy('created_at')
        .execute();
      return { endpoints: await Promise.all(rows.map(toEndpoint)) };
    },
  );

  app.post(
    '/notifications/endpoints',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Add a webhook (signed JSON) or a Slack incoming webhook',
        body: EndpointBody,
        response: { 201: EndpointCreated, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.accountId) await accountSettings(b.accountId);
      const signingSecret = b.kind === 'webhook' ? `gss_${randomBytes(24).toString('base64url')}` : null;
      const row = await db
        .insertInto('notification_endpoints')
        .values({
          kind: b.kind,
          name: b.name,
          account_id: b.accountId,
          url_sealed: app.secrets.seal(b.url),
          signing_secret_sealed: signingSecret ? app.secrets.seal(signingSecret) : null,
          min_severity: b.minSeverity,
          created_by: request.auth!.user.id,
        })
        .returning(ENDPOINT_COLUMNS)
        .executeTakeFirstOrThrow();
      request.log.info({ endpointId: row.id, kind: row.kind }, 'notification endpoint added');
      return reply.status(201).send({ endpoint: await toEndpoint(row), signingSecret });
    },
  );

  app.patch(
    '/notifications/endpoints/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Rename, enable or disable an endpoint, or change its lowest severity',
        params: IdParams,
        body: EndpointPatch,
        response: { 200: Endpoint, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const p = request.body;
      const row = await db
        .updateTable('notification_endpoints')
        .set({
          ...(p.name === undefined ? {} : { name: p.name }),
          ...(p.enabled === undefined ? {} : { enabled: p.enabled }),
          ...(p.minSeverity === undefined ? {} : { min_severity: p.minSeverity }),
        })
        .where('id', '=', request.params.id)
        .returning(ENDPOINT_COLUMNS)
        .executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `endpoint ${request.params.id} does not exist`);
      return toEndpoint(row);
    },
  );

  app.delete(
    '/notifications/endpoints/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Remove an endpoint (its queued messages fail as removed)',
        params: IdParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const gone = await db
        .deleteFrom('notification_endpoints')
        .where('id', '=', request.params.id)
        .returning('id')
        .executeTakeFirst();
      if (!gone) throw new AppError('NOT_FOUND', `endpoint ${request.params.id} does not exist`);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/notifications/test',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary:
          'Queue a test message (email, or to an endpoint) through the outbox; follow it with GET /outbox/:id',
        body: TestBody,
        response: { 202: z.object({ outboxId: z.uuid() }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const user = request.auth!.user;
      const at = new Date();
      const key = `test:${at.getTime()}:${randomBytes(6).toString('hex')}`;
      let row;
      if ('endpointId' in request.body) {
        const endpoint = await db
          .selectFrom('notification_endpoints')
          .select(['id', 'kind', 'name'])
          .where('id', '=', request.body.endpointId)
          .executeTakeFirst();
        if (!endpoint) throw new AppError('NOT_FOUND', `endpoint ${request.body.endpointId} does not exist`);
        const body =
          endpoint.kind === 'slack'
            ? slackTestPayload({ sentBy: user.email, publicUrl: notifications.baseUrl, at: at.toISOString() })
            : webhookTestPayload({
                sentBy: user.email,
                publicUrl: notifications.baseUrl,
                at: at.toISOString(),
              });
        row = await db
          .insertInto('outbox_messages')
          .values({
            idempotency_key: key,
            kind: 'test',
            channel: endpoint.kind,
            recipient: endpoint.name,
            endpoint_id: endpoint.id,
            subject: 'Test message',
            body_text: JSON.stringify(body),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      } else {
        const email = renderTestEmail({
          sentBy: user.email,
          publicUrl: notifications.baseUrl,
          at: at.toISOString(),
        });
        row = await db
          .insertInto('outbox_messages')
          .values({
            idempotency_key: key,
            kind: 'test',
            channel: 'email',
            recipient: (request.body.to ?? user.email).toLowerCase(),
            subject: email.subject,
            body_text: email.text,
            body_html: email.html,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      }
      notifications.worker.kick();
      return reply.status(202).send({ outboxId: row.id });
    },
  );
};
