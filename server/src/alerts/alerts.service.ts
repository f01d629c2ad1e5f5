import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import {
  insertAlert,
  insertEvent,
  mutedRules,
  openAlerts,
  updateAlert,
  type AlertRow,
  type OpenAlert,
} from './alerts.repository.ts';
import { claimReportFacts } from './facts.ts';
import { applyStatusToCases } from '../cases/cases.service.ts';
import { deliveryOf, enqueueDeliveries } from '../notifications/enqueue.ts';
import {
  DEFAULT_ALERT_SETTINGS,
  monitoringConditions,
  MONITORING_RULES,
  REPORT_RULES,
  reportConditions,
  severityRank,
  type AlertSettings,
  type Condition,
  type RuleName,
} from './rules.ts';
import type { AlertEvent, AlertEventType } from './alert-event.ts';

// The alert lifecycle, modelled on Alertmanager: an alert is keyed by what it is about (account, marketplace, rule,
// subject), so a condition that holds report after report stays one alert, refreshed as its figures move and
// escalated when it worsens; it resolves by itself on the first evaluation that no longer shows it. Every change
// is an event in the alert's history, written in the same transaction as the alert.

export type { AlertEvent, AlertEventType };

type Tx = Transaction<DB>;

const keyOf = (a: { marketplace_id?: string; marketplaceId?: string; rule: string; subject: string }) =>
  `${a.marketplace_id ?? a.marketplaceId}|${a.rule}|${a.subject}`;

/** Figures whose change is worth an `updated` event; the rest (confidence, slope) refresh silently. */
const TRACKED_DETAILS = [
  'value',
  'count',
  'status',
  'score',
  'band',
  'headroom',
  'projectedBreachAt',
] as const;

function changed(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return TRACKED_DETAILS.filter((k) => {
    const a = k === 'projectedBreachAt' ? String(before[k] ?? '').slice(0, 10) : before[k];
    const b = k === 'projectedBreachAt' ? String(after[k] ?? '').slice(0, 10) : after[k];
    return JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
  });
}

export interface ApplyInput {
  accountId: string;
  /** What this evaluation looked at: open alerts outside it are left alone. */
  marketplaceIds: readonly string[];
  rules: readonly RuleName[];
  conditions: readonly Condition[];
  /** The capture time of the report (or the evaluation's time, for monitoring). */
  at: Date;
  now: Date;
  /** The open alerts in scope and the muted rules, when the caller has read them already (locked). */
  loaded?: { open: readonly OpenAlert[]; muted: ReadonlySet<string> };
}

/** Opens, updates, escalates and resolves the account's alerts in scope so that they match `conditions`. */
export async function applyConditions(tx: Tx, input: ApplyInput): Promise<AlertEvent[]> {
  const { open, muted } = input.loaded ?? {
    open: await openAlerts(tx, {
      accountId: input.accountId,
      marketplaceIds: input.marketplaceIds,
      rules: input.rules,
    }),
    muted: await mutedRules(tx, input.accountId, input.now),
  };
  const byKey = new Map(open.map((a) => [keyOf(a), a]));
  const events: AlertEvent[] = [];
  const record = async (row: AlertRow, event: AlertEventType, details: Record<string, unknown>) => {
    const written = await insertEvent(tx, {
      alertId: row.id,
      type: event,
      at: input.now,
      details: { ...details, capturedAt: input.at.toISOString() },
    });
    events.push({
      eventId: written.id,
      alertId: row.id,
      event,
      accountId: row.account_id,
      marketplaceId: row.marketplace_id,
      rule: row.rule as RuleName,
      subject: row.subject,
      severity: row.severity,
      title: row.title,
      details: row.details,
      at: input.at,
    });
  };

  const seen = new Set<string>();
  for (const c of input.conditions) {
    const key = keyOf(c);
    if (seen.has(key)) continue;
    seen.add(key);
    const existing = byKey.get(key);
    const details = { ...c.details };
    if (!existing) {
      // A muted rule opens nothing; what it had open already goes on being kept up to date.
      if (muted.has(c.rule)) continue;
      const row = await insertAlert(tx, {
        accountId: input.accountId,
        marketplaceId: c.marketplaceId,
        rule: c.rule,
        subject: c.subject,
        severity: c.severity,
        title: c.title,
        details,
        at: input.now,
      });
      await record(row, 'opened', {});
      continue;
    }
    const worse = severityRank(c.severity) > severityRank(existing.severity);
    const moved = changed(existing.details, details);
    if (!worse && moved.length === 0 && c.severity === existing.severity) continue;
    const row = await updateAlert(tx, existing.id, {
      severity: c.severity,
      title: c.title,
      details,
      at: input.now,
    });
    await record(row, worse ? 'escalated' : 'updated', {
      ...(c.severity !== existing.severity ? { severityBefore: existing.severity } : {}),
      changed: moved,
      before: Object.fromEntries(moved.map((k) => [k, existing.details[k] ?? null])),
    });
  }

  const breaches = new Set(
    input.conditions.filter((c) => c.rule === 'metric_breach').map((c) => `${c.marketplaceId}|${c.subject}`),
  );
  for (const alert of open) {
    if (seen.has(keyOf(alert))) continue;
    const superseded =
      (alert.rule === 'metric_margin' || alert.rule === 'metric_trend') &&
      breaches.has(`${alert.marketplace_id}|${alert.subject}`);
    const row = await updateAlert(tx, alert.id, {
      state: 'resolved',
      resolvedAt: input.now,
      conditionClearedAt: input.at,
      at: input.now,
    });
    await record(row, 'resolved', { reason: superseded ? 'superseded_by_breach' : 'cleared' });
  }
  await enqueueDeliveries(
    tx,
    events.map(deliveryOf).filter((d) => d !== null),
    input.now,
  );
  return events;
}

/** The global alert settings, then the account's own over them (`seller_accounts.settings.alerts`). */
export async function alertSettingsFor(db: Kysely<DB> | Tx, accountId: string): Promise<AlertSettings> {
  const { rows } = await sql<{ global: unknown; account: unknown }>`select
      (select value from settings where key = 'alerts') as global,
      (select settings -> 'alerts' from seller_accounts where id = ${accountId}) as account`.execute(db);
  return mergeSettings(DEFAULT_ALERT_SETTINGS, rows[0]?.global, rows[0]?.account);
}

export function mergeSettings(base: AlertSettings, ...layers: unknown[]): AlertSettings {
  let merged = base;
  for (const layer of layers) {
    if (!layer || typeof layer !== 'object') continue;
    const l = layer as Partial<AlertSettings>;
    merged = { ...merged, ...l, metrics: { ...merged.metrics, ...(l.metrics ?? {}) } };
  }
  return merged;
}

export interface EvaluatedReport {
  reportDocumentId: string;
  accountId: string;
  capturedAt: Date;
  events: AlertEvent[];
}

/**
 * Evaluates one stored report: its marketplaces against the report rules, in one transaction with the report
 * marked evaluated. Null when another instance holds it, or it was evaluated meanwhile.
 */
export async function evaluateReport(
  db: Kysely<DB>,
  reportDocumentId: string,
  options: { now?: Date; settings?: AlertSettings } = {},
): Promise<EvaluatedReport | null> {
  const now = options.now ?? new Date();
  return db.transaction().execute(async (tx) => {
    // Locked, marked evaluated and read in one query: the mark commits with the alerts or not at all.
    const report = await claimReportFacts(
      tx,
      reportDocumentId,
      options.settings ?? ((global, account) => mergeSettings(DEFAULT_ALERT_SETTINGS, global, account)),
      now,
    );
    if (!report) return null;
    const { facts, settings } = report;
    const events = await applyConditions(tx, {
      accountId: report.accountId,
      marketplaceIds: facts.map((f) => f.marketplaceId),
      rules: REPORT_RULES,
      conditions: facts.flatMap((f) => reportConditions(f, settings)),
      at: report.capturedAt,
      now,
      loaded: report,
    });
    await casesFollowStatus(tx, report.accountId, report.capturedAt, now, events, facts);
    return { reportDocumentId, accountId: report.accountId, capturedAt: report.capturedAt, events };
  });
}

/**
 * A marketplace that has just turned suspended opens its reinstatement case; one back to `NORMAL` confirms its
 * case's reinstatement. Read from the status alert's events, so only a change of status costs a query.
 */
async function casesFollowStatus(
  tx: Tx,
  accountId: string,
  capturedAt: Date,
  now: Date,
  events: readonly AlertEvent[],
  facts: ReadonlyArray<{ marketplaceId: string; accountStatus: string | null }>,
): Promise<void> {
  const status = events.filter((e) => e.rule === 'account_status');
  if (status.length === 0) return;
  const suspended = status
    .filter((e) => (e.event === 'opened' || e.event === 'escalated') && e.severity === 'critical')
    .map((e) => ({ marketplaceId: e.marketplaceId, alertId: e.alertId }));
  const restored = status
    .filter(
      (e) =>
        e.event === 'resolved' &&
        facts.find((f) => f.marketplaceId === e.marketplaceId)?.accountStatus?.toUpperCase() === 'NORMAL',
    )
    .map((e) => e.marketplaceId);
  if (suspended.length === 0 && restored.length === 0) return;
  await applyStatusToCases(tx, { accountId, capturedAt, now, suspended, restored });
}

/** The monitoring rules of one account (its data's freshness, its authorization), as of `now`. */
export async function evaluateMonitoring(
  db: Kysely<DB>,
  accountId: string,
  options: { now: Date; pollIntervalMs: number; settings?: AlertSettings },
): Promise<AlertEvent[]> {
  return db.transaction().execute(async (tx) => {
    const account = await tx
      .selectFrom('seller_accounts')
      .select(['connection_state', 'last_good_poll_at', 'created_at', 'authorized_at'])
      .where('id', '=', accountId)
      .forUpdate()
      .executeTakeFirst();
    if (!account) return [];
    const settings = options.settings ?? (await alertSettingsFor(tx, accountId));
    return applyConditions(tx, {
      accountId,
      marketplaceIds: [''],
      rules: MONITORING_RULES,
      conditions: monitoringConditions(
        {
          now: options.now,
          connectionState: account.connection_state,
          lastGoodPollAt: account.last_good_poll_at,
          createdAt: account.created_at,
          authorizedAt: account.authorized_at,
          pollIntervalMs: options.pollIntervalMs,
        },
        settings,
      ),
      at: options.now,
      now: options.now,
    });
  });
}
