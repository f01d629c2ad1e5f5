import { z } from 'zod';
import { RULES } from './rules.ts';

const RULE_NAMES = Object.keys(RULES) as [keyof typeof RULES, ...Array<keyof typeof RULES>];
export const RuleName = z.enum(RULE_NAMES);
export const Severity = z.enum(['info', 'warning', 'critical']);
export const AlertState = z.enum(['open', 'acknowledged', 'resolved']);

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(500)
    .transform((s) => s.split(',').filter((x) => x.length > 0))
    .pipe(z.array(item));

export const AlertsQuery = z.object({
  state: csv(AlertState).optional().describe('open,acknowledged (default), or resolved'),
  severity: csv(Severity).optional(),
  account: z.uuid().optional(),
  rule: csv(RuleName).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const AlertParams = z.object({ id: z.uuid() });

export const Alert = z
  .object({
    id: z.uuid(),
    accountId: z.uuid(),
    accountName: z.string(),
    marketplaceId: z.string().nullable().describe('Null for an alert about the account itself'),
    rule: RuleName,
    subject: z
      .string()
      .nullable()
      .describe('What in the marketplace: a metric, a policy category, a warning'),
    severity: Severity,
    state: AlertState,
    title: z.string(),
    details: z
      .record(z.string(), z.unknown())
      .describe('The figures behind it: value, target, allowanceUsed, headroom, projectedBreachAt, count...'),
    openedAt: z.string(),
    updatedAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    conditionClearedAt: z
      .string()
      .nullable()
      .describe("The capture time of the first report that no longer showed it (Amazon's clock)"),
  })
  .describe('Alert');

export const AlertEvent = z.object({
  type: z.string().describe('opened, updated, escalated, acknowledged, resolved'),
  at: z.string(),
  userId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const AlertWithEvents = Alert.extend({ events: z.array(AlertEvent) }).describe('AlertWithEvents');

export const AlertList = z
  .object({
    total: z.number(),
    page: z.number(),
    pageSize: z.number(),
    counts: z
      .object({ critical: z.number(), warning: z.number(), info: z.number() })
      .describe('Open and acknowledged alerts by severity, whatever the filters'),
    alerts: z.array(Alert),
  })
  .describe('AlertList');

export const AcknowledgeBody = z.object({ note: z.string().max(2_000).optional() }).strict();
export const ResolveBody = z
  .object({ note: z.string().trim().min(1, 'say why it is resolved').max(2_000) })
  .strict();

export const MuteBody = z
  .object({
    rule: RuleName,
    until: z.iso.datetime({ offset: true }).nullable().describe('Muted until then; null until unmuted'),
  })
  .strict();
export const MuteParams = z.object({ id: z.uuid(), rule: RuleName });
export const Mute = z.object({
  rule: RuleName,
  until: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});

export const RuleInfo = z.object({ rule: RuleName, description: z.string() });
