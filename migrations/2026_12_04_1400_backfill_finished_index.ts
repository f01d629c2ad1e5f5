import { sql, type Kysely } from 'kysely';

// The overview's version (server/src/metrics/overview-cache.ts) moves when a history job that stored days ends,
// as the overview draws Data Kiosk's days. Dashboards ask for the version every few seconds and a daily job per
// account adds rows for ever, so its newest end is read from this index rather than the table.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index backfill_jobs_stored_finished_idx on backfill_jobs (finished_at)
    where lines_stored > 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index backfill_jobs_stored_finished_idx`.execute(db);
}
