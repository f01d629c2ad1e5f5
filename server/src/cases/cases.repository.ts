import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, ReinstatementCasesTable } from '../db/schema.ts';

// The cases and their events. Only the case service (and the evidence routes, for their own rows) write them.

export type Db = Kysely<DB> | Transaction<DB>;
export type CaseRow = Selectable<ReinstatementCasesTable>;

export async function findCase(db: Db, id: string): Promise<CaseRow | undefined> {
  return db.selectFrom('reinstatement_cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The case, locked for this transaction. */
export async function lockCase(tx: Transaction<DB>, id: string): Promise<CaseRow | undefined> {
  return tx.selectFrom('reinstatement_cases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function openCaseFor(db: Db, accountId: string, marketplaceId: string) {
  return db
    .selectFrom('reinstatement_cases')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('marketplace_id', '=', marketplaceId)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
}

export async function insertCaseEvent(
  db: Db,
  event: { caseId: string; type: string; at: Date; userId: string | null; details?: Record<string, unknown> },
) {
  return db
    .insertInto('case_events')
    .values({
      case_id: event.caseId,
      type: event.type,
      at: event.at,
      user_id: event.userId,
      details: JSON.stringify(event.details ?? {}),
    })
    .returning(['id', 'at'])
    .executeTakeFirstOrThrow();
}

export async function caseEvents(db: Db, caseId: string) {
  return db
    .selectFrom('case_events')
    .leftJoin('users', 'users.id', 'case_events.user_id')
    .select([
      'case_events.id',
      'case_events.type',
      'case_events.at',
      'case_events.user_id',
      'case_events.details',
      'users.email as user_email',
    ])
    .where('case_id', '=', caseId)
    .orderBy('case_events.at')
    .orderBy('case_events.id')
    .execute();
}

export interface CaseFilter {
  state: 'open' | 'closed' | 'all';
  accountId?: string;
  alertId?: string;
}

export async function listCaseRows(db: Db, filter: CaseFilter) {
  let q = db
    .selectFrom('reinstatement_cases as c')
    .innerJoin('seller_accounts as a', 'a.id', 'c.account_id')
    .select([
      'c.id',
      'c.account_id',
      'c.marketplace_id',
      'c.alert_id',
      'c.origin',
      'c.status',
      'c.title',
      'c.sections',
      'c.checklist',
      'c.response_deadline_at',
      'c.opened_at',
      'c.updated_at',
      'c.closed_at',
      'c.reinstatement_confirmed_at',
      'a.name as account_name',
    ]);
  if (filter.state === 'open') q = q.where('c.closed_at', 'is', null);
  if (filter.state === 'closed') q = q.where('c.closed_at', 'is not', null);
  if (filter.accountId) q = q.where('c.account_id', '=', filter.accountId);
  if (filter.alertId) {
    const alertId = filter.alertId;
    // The case started from the alert, or one it was added to later (an `alert_linked` event).
    q = q.where((eb) =>
      eb.or([
        eb('c.alert_id', '=', alertId),
        eb.exists(
          eb
            .selectFrom('case_events as e')
            .select('e.id')
            .whereRef('e.case_id', '=', 'c.id')
            .where('e.type', '=', 'alert_linked')
            .where(sql<boolean>`e.details ->> 'alertId' = ${alertId}`),
        ),
      ]),
    );
  }
  // Open cases with the nearest deadline first; then the newest.
  return q
    .orderBy((eb) => eb.case().when('c.closed_at', 'is', null).then(0).else(1).end())
    .orderBy('c.response_deadline_at', (ob) => ob.asc().nullsLast())
    .orderBy('c.opened_at', 'desc')
    .limit(500)
    .execute();
}
