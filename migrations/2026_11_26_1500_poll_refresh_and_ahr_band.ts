import { sql, type Kysely } from 'kysely';

// One queued refresh per account (a second click joins the first instead of queueing another poll), and the
// Account Health Rating band beside Amazon's own label, for labels Amazon may rename.

export async function up(db: Kysely<any>): Promise<void> {
  // Older duplicates, if any, would block the index: keep the oldest queued run of each account.
  await sql`update poll_runs set status = 'abandoned', outcome = 'superseded', finished_at = now()
    where status = 'queued' and id not in (
      select distinct on (account_id) id from poll_runs where status = 'queued' order by account_id, queued_at
    )`.execute(db);
  await sql`create unique index poll_runs_one_queued_key on poll_runs (account_id) where status = 'queued'`.execute(
    db,
  );
  await db.schema.alterTable('account_health_snapshots').addColumn('ahr_band', 'text').execute();
  await db.schema.alterTable('account_marketplaces').addColumn('ahr_band', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('account_marketplaces').dropColumn('ahr_band').execute();
  await db.schema.alterTable('account_health_snapshots').dropColumn('ahr_band').execute();
  await db.schema.dropIndex('poll_runs_one_queued_key').execute();
}
