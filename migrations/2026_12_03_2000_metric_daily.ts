import { sql, type Kysely } from 'kysely';

// The last figure of each UTC day, per metric, kept beside the full history by each report's ingest. Charts
// longer than a month and the overview's 30-day sparklines read one narrow row per day and figure from here
// instead of picking the last of four or more snapshots a day out of the whole history on every request.
// Amazon moves its figures at most daily, so the day's last figure stands for the day. Data Kiosk's daily
// history (source `data_kiosk`) sits beside the report's under the same key.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('metric_daily')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('window_days', 'integer')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('granularity', 'text', (c) => c.notNull())
    .addColumn('rate', 'double precision')
    .addColumn('numerator', 'integer')
    .addColumn('denominator', 'integer')
    .addColumn('status', 'text')
    .addColumn('target_value', 'double precision')
    .addColumn('target_condition', 'text')
    .addColumn('window_from', 'timestamptz')
    .addColumn('window_to', 'timestamptz')
    .addColumn('parts', 'jsonb')
    .addColumn('snapshot_id', 'bigint', (c) => c.references('health_snapshots.id').onDelete('set null'))
    .execute();
  // Leads with the account and marketplace: every read is one account's days in a range, or every account's
  // last month (the overview), both range scans of this index.
  await sql`create unique index metric_daily_key on metric_daily
    (account_id, marketplace_id, metric, channel, window_days, source, day) nulls not distinct`.execute(db);
  await sql`create index metric_daily_snapshot_idx on metric_daily (snapshot_id)`.execute(db);
  await sql`insert into metric_daily (account_id, marketplace_id, metric, channel, window_days, source, day,
      captured_at, granularity, rate, numerator, denominator, status, target_value, target_condition, window_from,
      window_to, parts, snapshot_id)
    select distinct on (h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days, h.source,
        (h.captured_at at time zone 'UTC')::date)
      h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days, h.source,
      (h.captured_at at time zone 'UTC')::date, h.captured_at, h.granularity, m.rate, m.numerator, m.denominator,
      m.status, m.target_value, m.target_condition, m.window_from, m.window_to, m.parts, h.id
    from metric_snapshots m join health_snapshots h on h.id = m.snapshot_id
    order by h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days, h.source,
      (h.captured_at at time zone 'UTC')::date, h.captured_at desc`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('metric_daily').execute();
}
