import { sql, type Kysely } from 'kysely';

// The last snapshot of each UTC day, per marketplace and source, kept by each report's ingest. Charts longer than a
// month and the overview's 30-day sparklines read one row per day and look its figures up by snapshot, instead of
// picking the last of four or more snapshots a day out of the whole history on every request. Amazon moves its
// figures at most daily, so the day's last snapshot stands for the day. A pointer, not a copy of the figures: it
// costs about 100 bytes a marketplace a day. Data Kiosk's daily history (source `data_kiosk`) sits beside the
// report's under the same key.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('daily_snapshots')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('snapshot_id', 'bigint', (c) =>
      c.notNull().references('health_snapshots.id').onDelete('cascade'),
    )
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('daily_snapshots_pkey', ['account_id', 'marketplace_id', 'source', 'day'])
    .execute();
  await db.schema
    .createIndex('daily_snapshots_snapshot_idx')
    .on('daily_snapshots')
    .column('snapshot_id')
    .execute();
  await sql`insert into daily_snapshots (account_id, marketplace_id, source, day, snapshot_id, captured_at)
    select distinct on (account_id, marketplace_id, source, (captured_at at time zone 'UTC')::date)
      account_id, marketplace_id, source, (captured_at at time zone 'UTC')::date, id, captured_at
    from health_snapshots
    order by account_id, marketplace_id, source, (captured_at at time zone 'UTC')::date, captured_at desc,
      id desc`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('daily_snapshots').execute();
}
