import { z } from 'zod';
import { DeliverySettings, Recipient, SeverityName } from './notification-settings.ts';

const Share = z.number().min(0.5).max(0.95);
const MetricOverride = z
  .object({ marginShare: Share.optional(), trendHorizonDays: z.number().int().min(1).max(90).optional() })
  .strict();

/** The alert rules' thresholds (alerts/rules.ts AlertSettings), each bounded to what still makes sense. */
export const AlertThresholds = z
  .object({
    marginShare: Share.describe('Share of the allowance, from the ideal to the target, that warns (0.75)'),
    trendHorizonDays: z.number().int().min(1).max(90),
    trendWindowDays: z.number().int().min(7).max(90),
    scoreDropPoints: z.number().int().min(1).max(1_000),
    staleAfterCycles: z.number().int().min(1).max(50),
    renewalWarningDays: z.number().int().min(1).max(90).optional(),
    metrics: z.record(z.string().regex(/^[a-z_]{1,60}$/), MetricOverride).default({}),
  })
  .strict();

export const NotificationSettings = z
  .object({
    recipients: z.array(Recipient),
    groupWindowSeconds: z.number(),
    reminderHours: z.number(),
    alerts: AlertThresholds,
    effectiveRecipients: z.array(Recipient.extend({ source: z.enum(['settings', 'admins', 'account']) })),
    mail: z.object({ smtpConfigured: z.boolean(), from: z.string(), publicUrl: z.string().nullable() }),
  })
  .describe('NotificationSettings');

export const NotificationSettingsBody = DeliverySettings.extend({ alerts: AlertThresholds }).strict();

export const AccountNotifications = z
  .object({
    recipients: z.array(Recipient),
    alerts: AlertThresholds.partial().describe("The account's own thresholds over the global ones"),
    effectiveAlerts: AlertThresholds,
  })
  .describe('AccountNotifications');

export const AccountNotificationsBody = z
  .object({ recipients: z.array(Recipient).max(50), alerts: AlertThresholds.partial() })
  .strict();

export const Endpoint = z
  .object({
    id: z.uuid(),
    kind: z.enum(['webhook', 'slack']),
    name: z.string(),
    accountId: z.string().nullable(),
    accountName: z.string().nullable(),
    urlHint: z.string().describe('The address with its secret part hidden'),
    minSeverity: SeverityName,
    enabled: z.boolean(),
    createdAt: z.string(),
  })
  .describe('Endpoint');

export const EndpointBody = z
  .object({
    kind: z.enum(['webhook', 'slack']),
    name: z.string().trim().min(1).max(100),
    url: z.url({ protocol: /^https?$/, message: 'an http:// or https:// address' }).max(2_000),
    accountId: z.uuid().nullable().default(null),
    minSeverity: SeverityName.default('warning'),
  })
  .strict();

export const EndpointPatch = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
    minSeverity: SeverityName.optional(),
  })
  .strict();

export const EndpointCreated = z
  .object({
    endpoint: Endpoint,
    signingSecret: z
      .string()
      .nullable()
      .describe('Webhooks: the key to verify the Good-Standing-Signature header with. Shown once.'),
  })
  .describe('EndpointCreated');

export const TestBody = z.union([
  z.object({ channel: z.literal('email'), to: z.email().max(254).optional() }).strict(),
  z.object({ endpointId: z.uuid() }).strict(),
]);

export const OutboxStatus = z.enum(['pending', 'sending', 'sent', 'failed']);

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(200)
    .transform((s) => s.split(',').filter((x) => x.length > 0))
    .pipe(z.array(item));

export const OutboxQuery = z.object({
  status: csv(OutboxStatus).optional(),
  channel: csv(z.enum(['email', 'webhook', 'slack'])).optional(),
  kind: csv(z.enum(['alert', 'reminder', 'digest', 'test', 'case'])).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const OutboxMessage = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    channel: z.enum(['email', 'webhook', 'slack']),
    recipient: z.string().describe('An email address, or the name of a webhook'),
    subject: z.string().nullable(),
    status: OutboxStatus,
    attempts: z.number(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
    deliveredVia: z
      .enum(['smtp', 'outbox', 'http'])
      .nullable()
      .describe(
        'outbox: no SMTP server is configured, so the message is kept here as it would have been sent',
      ),
    accountId: z.string().nullable(),
    accountName: z.string().nullable(),
    severity: z.string().nullable(),
    alertId: z.string().nullable(),
  })
  .describe('OutboxMessage');

export const OutboxMessageFull = OutboxMessage.extend({
  bodyText: z.string().nullable(),
  bodyHtml: z.string().nullable(),
  payload: z.unknown(),
  messageId: z.string().nullable(),
}).describe('OutboxMessageFull');

export const OutboxList = z
  .object({
    total: z.number(),
    page: z.number(),
    pageSize: z.number(),
    counts: z.object({ pending: z.number(), sending: z.number(), sent: z.number(), failed: z.number() }),
    smtpConfigured: z.boolean(),
    messages: z.array(OutboxMessage),
  })
  .describe('OutboxList');

export const IdParams = z.object({ id: z.uuid() });
