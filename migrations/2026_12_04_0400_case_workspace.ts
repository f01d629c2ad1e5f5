import { sql, type Kysely } from 'kysely';

// What working a reinstatement case needs beyond schema v1's table: the notice pasted in and what was read from
// it, where the response deadline came from (read from the notice, or set by the seller, which a later notice
// no longer overrides), the date each status was first reached, and a look-up from an alert to its case.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('reinstatement_cases')
    .addColumn('notice_extract', 'jsonb')
    .addColumn('deadline_source', 'text', (c) => c.check(sql`deadline_source in ('notice', 'user')`))
    .addColumn('status_dates', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('reinstatement_cases_alert_idx')
    .on('reinstatement_cases')
    .column('alert_id')
    .where(sql.ref('alert_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('reinstatement_cases_deadline_idx')
    .on('reinstatement_cases')
    .column('response_deadline_at')
    .where(sql.ref('closed_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('reinstatement_cases_deadline_idx').execute();
  await db.schema.dropIndex('reinstatement_cases_alert_idx').execute();
  await db.schema
    .alterTable('reinstatement_cases')
    .dropColumn('status_dates')
    .dropColumn('deadline_source')
    .dropColumn('notice_extract')
    .execute();
}
