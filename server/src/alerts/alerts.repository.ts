import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RuleName, Severity } from './rules.ts';

// The alerts, their events and the mutes. Only the alert engine and the alert routes write them.

type Db = Kysely<DB> | Transaction<DB>;

export async function openAlerts(
  db: Db,
  scope: { accountId: string; marketplaceIds: readonly string[]; rules: readonly RuleName[] },
) {
  if (scope.marketplaceIds.length === 0 || scope.rules.length === 0) return [];
  return db
    .selectFrom('alerts')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('marketplace_id', 'in', [...scope.marketplaceIds])
    .where('rule', 'in', [...scope.rules])
    .where('state', '<>', 'resolved')
    .forUpdate()
    .execute();
}
export type AlertRow = Awaited<ReturnType<typeof openAlerts>>[number];
/** What evaluation reads of an open alert. */
export type OpenAlert = Pick<AlertRow, 'id' | 'marketplace_id' | 'rule' | 'subject' | 'severity' | 'details'>;

export async function insertAlert(
  db: Db,
  alert: {
    accountId: string;
    marketplaceId: string;
    rule: RuleName;
    subject: string;
    severity: Severity;
    title: string;
    details: Record<string, unknown>;
    at: Date;
  },
) {
  return db
    .insertInto('alerts')
    .values({
      account_id: alert.accountId,
      marketplace_id: alert.marketplaceId,
      rule: alert.rule,
      subject: alert.subject,
      severity: alert.severity,
      state: 'open',
      title: alert.title,
      details: JSON.stringify(alert.details),
      opened_at: alert.at,
      updated_at: alert.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateAlert(
  db: Db,
  id: string,
  change: {
    severity?: Severity;
    title?: string;
    details?: Record<string, unknown>;
    state?: 'open' | 'acknowledged' | 'resolved';
    at: Date;
    resolvedAt?: Date;
    conditionClearedAt?: Date;
    acknowledgedBy?: string | null;
  },
) {
  return db
    .updateTable('alerts')
    .set({
      ...(change.severity ? { severity: change.severity } : {}),
      ...(change.title ? { title: change.title } : {}),
      ...(change.details ? { details: JSON.stringify(change.details) } : {}),
      ...(change.state ? { state: change.state } : {}),
      ...(change.resolvedAt ? { resolved_at: change.resolvedAt } : {}),
      ...(change.conditionClearedAt ? { condition_cleared_at: change.conditionClearedAt } : {}),
      ...(change.acknowledgedBy !== undefined
        ? { acknowledged_by: change.acknowledgedBy, acknowledged_at: change.at }
        : {}),
      updated_at: change.at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertEvent(
  db: Db,
  event: {
    alertId: string;
    type: string;
    at: Date;
    userId?: string | null;
    details: Record<string, unknown>;
  },
) {
  return db
    .insertInto('alert_events')
    .values({
      alert_id: event.alertId,
      type: event.type,
      at: event.at,
      user_id: event.userId ?? null,
      details: JSON.stringify(event.details),
    })
    .returning(['id', 'at'])
    .executeTakeFirstOrThrow();
}

/** The rules muted for an account at `now`. */
export async function mutedRules(db: Db, accountId: string, now: Date): Promise<Set<string>> {
  const rows = await db
    .selectFrom('alert_mutes')
    .select('rule')
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('muted_until', 'is', null), eb('muted_until', '>', now)]))
    .execute();
  return new Set(rows.map((r) => r.rule));
}

export async function findAlert(db: Db, id: string) {
  return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function alertEvents(db: Db, alertId: string) {
  return db
    .selectFrom('alert_events')
    .selectAll()
    .where('alert_id', '=', alertId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

export interface AlertFilter {
  state?: ReadonlyArray<'open' | 'acknowledged' | 'resolved'>;
  severity?: readonly Severity[];
  accountId?: string;
  rule?: readonly string[];
  limit: number;
  offset: number;
}

export async function listAlerts(db: Db, filter: AlertFilter) {
  let q = db.selectFrom('alerts');
  if (filter.state?.length) q = q.where('state', 'in', [...filter.state]);
  if (filter.severity?.length) q = q.where('severity', 'in', [...filter.severity]);
  if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
  if (filter.rule?.length) q = q.where('rule', 'in', [...filter.rule]);
  const [rows, total] = await Promise.all([
    q
      .selectAll()
      .orderBy(sql`state = 'resolved'`)
      .orderBy(sql`case severity when 'critical' then 0 when 'warning' then 1 else 2 end`)
      .orderBy('updated_at', 'desc')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function setMute(
  db: Db,
  mute: { accountId: string; rule: string; until: Date | null; userId: string | null },
): Promise<void> {
  await db
    .insertInto('alert_mutes')
    .values({ account_id: mute.accountId, rule: mute.rule, muted_until: mute.until, created_by: mute.userId })
    .onConflict((oc) =>
      oc.columns(['account_id', 'rule']).doUpdateSet({ muted_until: mute.until, created_by: mute.userId }),
    )
    .execute();
}

export async function removeMute(db: Db, accountId: string, rule: string): Promise<boolean> {
  const result = await db
    .deleteFrom('alert_mutes')
    .where('account_id', '=', accountId)
    .where('rule', '=', rule)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listMutes(db: Db, accountId?: string) {
  let q = db.selectFrom('alert_mutes').selectAll();
  if (accountId) q = q.where('account_id', '=', accountId);
  return q.orderBy('created_at').execute();
}
export type MuteRow = Awaited<ReturnType<typeof listMutes>>[number];

/** The alert, locked for this transaction, when it exists and is not resolved; a clear refusal otherwise. */
export async function lockUnresolvedAlert(tx: Db, id: string) {
  const row = await tx.selectFrom('alerts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) return { problem: 'missing' as const };
  if (row.state === 'resolved') return { problem: 'resolved' as const };
  return { row };
}
