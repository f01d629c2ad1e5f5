import { sql, type Kysely } from 'kysely';

// Waiting for Amazon holds no poll slot: a poll asks for its report, records it here, and gives the account back
// until the report is due to be looked at again. Whichever instance next claims the account carries the same run
// on, so a restart or another instance collects the report, and the run a user was given stays the one that
// brings their data.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table poll_runs drop constraint poll_runs_status_check`.execute(db);
  await sql`alter table poll_runs add constraint poll_runs_status_check
    check (status in ('queued', 'running', 'waiting', 'succeeded', 'failed', 'abandoned'))`.execute(db);
  await db.schema
    .alterTable('poll_runs')
    // The claim (seller_accounts.lease_token) of the step carrying the run on: a step that lost the account
    // can no longer write to the run.
    .addColumn('step_token', 'uuid')
    .addColumn('steps', 'integer', (c) => c.notNull().defaultTo(0))
    // Steps that ended without a word (their instance died or lost the database): a run that keeps dying is
    // ended rather than carried on for ever.
    .addColumn('interruptions', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Before: a poll left `running` by a dead instance stayed so until the account was claimed again. Only the
  // newest open run of an account is carried on.
  await sql`update poll_runs set status = 'abandoned', outcome = 'abandoned', phase = null, finished_at = now(),
      error_code = 'INSTANCE_LOST', error_message = 'the process polling this account stopped before finishing'
    where status = 'running' and id not in (
      select distinct on (account_id) id from poll_runs where status = 'running' order by account_id, queued_at desc
    )`.execute(db);
  await sql`create unique index poll_runs_one_open_key on poll_runs (account_id)
    where status in ('running', 'waiting')`.execute(db);

  await db.schema
    .createTable('pending_reports')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('poll_runs.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('amazon_report_id', 'text', (c) => c.notNull())
    .addColumn('marketplace_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('reused', 'boolean', (c) => c.notNull())
    // Asked for one marketplace after a report for several left it out or was refused.
    .addColumn('alone', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('waiting')
        .check(sql`state in ('waiting', 'ingested', 'malformed', 'failed', 'cancelled', 'stuck')`),
    )
    .addColumn('last_status', 'text')
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('next_check_at', 'timestamptz', (c) => c.notNull())
    .addColumn('check_interval_ms', 'integer', (c) => c.notNull())
    .addColumn('checks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('report_document_id', 'bigint', (c) =>
      c.references('report_documents.id').onDelete('set null'),
    )
    .addColumn('covered', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('snapshots_written', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_new', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('captured_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('pending_reports_run_idx').on('pending_reports').column('run_id').execute();
  await db.schema
    .createIndex('pending_reports_account_idx')
    .on('pending_reports')
    .column('account_id')
    .execute();
  await db.schema
    .createIndex('pending_reports_document_idx')
    .on('pending_reports')
    .column('report_document_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pending_reports').execute();
  await sql`drop index poll_runs_one_open_key`.execute(db);
  await sql`update poll_runs set status = 'abandoned', outcome = 'abandoned', finished_at = now(), phase = null
    where status = 'waiting'`.execute(db);
  await db.schema
    .alterTable('poll_runs')
    .dropColumn('interruptions')
    .dropColumn('steps')
    .dropColumn('step_token')
    .execute();
  await sql`alter table poll_runs drop constraint poll_runs_status_check`.execute(db);
  await sql`alter table poll_runs add constraint poll_runs_status_check
    check (status in ('queued', 'running', 'succeeded', 'failed', 'abandoned'))`.execute(db);
}
