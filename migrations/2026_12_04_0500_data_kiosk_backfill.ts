import { sql, type Kysely } from 'kysely';

// The Data Kiosk backfill (docs/data-kiosk.md): up to two years of daily account-health figures and the numeric
// Account Health Rating, fetched as a recorded, resumable job. One row per job: what it covers, how far it got,
// and the Data Kiosk query and document in flight, so a process that stops half-way is carried on by the next one
// (re-polling the same query, skipping the document lines already stored) instead of asking Amazon again. Claimed
// with a lease like the poller's accounts. `history_error` on the account says why Amazon refused the history
// (the analytics role not granted), until a later backfill succeeds.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('backfill_jobs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    // The one marketplace asked for; null: every enabled marketplace of the account when the job was queued.
    .addColumn('marketplace_id', 'text')
    // The marketplaces the job covers, in the order it works through them (fixed when queued).
    .addColumn('marketplace_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('trigger', 'text', (c) =>
      c.notNull().check(sql`trigger in ('connect', 'api', 'cli', 'daily')`),
    )
    .addColumn('from_day', 'date', (c) => c.notNull())
    .addColumn('to_day', 'date', (c) => c.notNull())
    // Days per Data Kiosk query; kept with the job so a resumed job cuts the range the same way.
    .addColumn('chunk_days', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(sql`status in ('queued', 'running', 'done', 'failed', 'no_access')`),
    )
    .addColumn('days_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('days_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lines_stored', 'integer', (c) => c.notNull().defaultTo(0))
    // Lines of Amazon's documents that could not be read (not JSON, no day): skipped, and said so.
    .addColumn('lines_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('chunks_total', 'integer', (c) => c.notNull().defaultTo(0))
    // The chunk in flight (0-based over every marketplace's chunks); chunks before it are stored.
    .addColumn('chunk_index', 'integer', (c) => c.notNull().defaultTo(0))
    // The Data Kiosk query of that chunk, and its result document, once known.
    .addColumn('query_id', 'text')
    .addColumn('document_id', 'text')
    // The page the query in flight asked for (Amazon's pagination token); null for the first.
    .addColumn('pagination_token', 'text')
    // Lines of that document already stored: a resumed job skips them.
    .addColumn('document_lines_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    // Failures in a row that may pass (Amazon busy, network); the job is retried after a back-off until a limit.
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_before', 'timestamptz')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_token', 'uuid')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  // At most one open job per account: a second request while one is queued or running is told about it.
  await sql`create unique index backfill_jobs_one_open_key on backfill_jobs (account_id)
    where status in ('queued', 'running')`.execute(db);
  await db.schema
    .createIndex('backfill_jobs_account_idx')
    .on('backfill_jobs')
    .columns(['account_id', 'created_at desc'])
    .execute();
  await sql`create index backfill_jobs_open_idx on backfill_jobs (created_at)
    where status in ('queued', 'running')`.execute(db);

  await db.schema.alterTable('seller_accounts').addColumn('history_error', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seller_accounts').dropColumn('history_error').execute();
  await db.schema.dropTable('backfill_jobs').execute();
}
