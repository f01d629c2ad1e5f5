import { sql, type Kysely } from 'kysely';

// Schema v1: everything the roadmap needs for accounts, polling, the time series, alerts, mail, cases and users.
// Frozen in time: later changes come as new migrations, never edits here.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'viewer')`))
    .addColumn('time_zone', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('disabled_at', 'timestamptz')
    .execute();
  await sql`create unique index users_email_key on users (lower(email))`.execute(db);

  await db.schema
    .createTable('sessions')
    // The id is a hash of the cookie token, so a database leak does not hand out live sessions.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('seller_accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('seller_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull().check(sql`region in ('na', 'eu', 'fe')`))
    // AES-256-GCM envelope (see server/src/crypto); never stored or logged in clear.
    .addColumn('refresh_token_encrypted', 'text')
    .addColumn('connection_state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('connected')
        .check(sql`connection_state in ('connected', 'needs_reauthorization', 'degraded', 'disconnected')`),
    )
    .addColumn('connection_error', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('poll_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    // Poll schedule state: when it is due, and the lease of the instance polling it now.
    .addColumn('next_poll_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('last_poll_at', 'timestamptz')
    // Freshness: the capture time of the last report that was ingested successfully.
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('seller_accounts_seller_region_key', ['seller_id', 'region'])
    .execute();
  await sql`create index seller_accounts_due_idx on seller_accounts (next_poll_at) where poll_enabled`.execute(
    db,
  );

  await db.schema
    .createTable('account_marketplaces')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('country_code', 'text')
    .addColumn('name', 'text')
    .addColumn('is_participating', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('has_suspended_listings', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    // Latest known state, kept beside the history for the overview's one-query read.
    .addColumn('account_status', 'text')
    .addColumn('status_since', 'timestamptz')
    .addColumn('ahr_status', 'text')
    .addColumn('ahr_score', 'double precision')
    .addColumn('last_report_at', 'timestamptz')
    .addPrimaryKeyConstraint('account_marketplaces_pkey', ['account_id', 'marketplace_id'])
    .execute();

  await db.schema
    .createTable('report_documents')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('report_type', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('amazon_report_id', 'text')
    .addColumn('amazon_document_id', 'text')
    .addColumn('marketplace_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('byte_size', 'integer', (c) => c.notNull())
    // The document exactly as downloaded (after un-gzip), kept even when it does not parse.
    .addColumn('body', 'bytea', (c) => c.notNull())
    .addColumn('parse_status', 'text', (c) => c.notNull().check(sql`parse_status in ('parsed', 'malformed')`))
    .addColumn('parse_error', 'text')
    .addColumn('parse_notes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Durable hand-off to the alert engine: written in the ingest transaction, cleared when evaluated.
    .addColumn('evaluation_pending', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('evaluated_at', 'timestamptz')
    .addUniqueConstraint('report_documents_account_hash_key', ['account_id', 'sha256'])
    .execute();
  await sql`create index report_documents_pending_idx on report_documents (created_at) where evaluation_pending`.execute(
    db,
  );
  await db.schema
    .createIndex('report_documents_account_idx')
    .on('report_documents')
    .columns(['account_id', 'captured_at'])
    .execute();

  await db.schema
    .createTable('poll_runs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('schedule', 'manual', 'cli')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued', 'running', 'succeeded', 'failed', 'abandoned')`),
    )
    .addColumn('phase', 'text')
    .addColumn('instance_id', 'text')
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('spapi_calls', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('throttles', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('duration_ms', 'integer')
    .addColumn('timings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('report_reused', 'boolean')
    .addColumn('amazon_report_id', 'text')
    .addColumn('report_document_id', 'bigint', (c) =>
      c.references('report_documents.id').onDelete('set null'),
    )
    .addColumn('snapshots_written', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('poll_runs_account_idx')
    .on('poll_runs')
    .columns(['account_id', 'queued_at desc'])
    .execute();
  await sql`create index poll_runs_open_idx on poll_runs (account_id) where status in ('queued', 'running')`.execute(
    db,
  );

  await db.schema
    .createTable('metric_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('afn', 'mfn', 'all')`))
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    // Rates are fractions (0.009), never percentages.
    .addColumn('rate', 'double precision')
    .addColumn('numerator', 'integer')
    .addColumn('denominator', 'integer')
    .addColumn('status', 'text')
    .addColumn('target_value', 'double precision')
    .addColumn('target_condition', 'text')
    .addColumn('window_from', 'timestamptz')
    .addColumn('window_to', 'timestamptz')
    .addColumn('window_days', 'integer')
    .addColumn('parts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('report')
        .check(sql`source in ('report', 'data_kiosk')`),
    )
    .addColumn('granularity', 'text', (c) =>
      c
        .notNull()
        .defaultTo('snapshot')
        .check(sql`granularity in ('snapshot', 'day', 'week', 'month')`),
    )
    .addColumn('report_document_id', 'bigint', (c) => c.references('report_documents.id').onDelete('cascade'))
    .execute();
  // Idempotent ingest: one row per document, marketplace, metric, channel and window.
  await sql`create unique index metric_snapshots_identity_key on metric_snapshots
    (account_id, marketplace_id, metric, channel, source, captured_at, window_from, window_to) nulls not distinct`.execute(
    db,
  );
  // The 90-day trend of one account and the latest value per account both read this index backwards.
  await db.schema
    .createIndex('metric_snapshots_series_idx')
    .on('metric_snapshots')
    .columns(['account_id', 'marketplace_id', 'metric', 'channel', 'captured_at desc'])
    .execute();

  await db.schema
    .createTable('policy_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('count', 'integer')
    .addColumn('status', 'text')
    .addColumn('target_value', 'double precision')
    .addColumn('target_condition', 'text')
    .addColumn('window_from', 'timestamptz')
    .addColumn('window_to', 'timestamptz')
    .addColumn('report_document_id', 'bigint', (c) => c.references('report_documents.id').onDelete('cascade'))
    .execute();
  await sql`create unique index policy_snapshots_identity_key on policy_snapshots
    (account_id, marketplace_id, category, captured_at)`.execute(db);
  await db.schema
    .createIndex('policy_snapshots_series_idx')
    .on('policy_snapshots')
    .columns(['account_id', 'marketplace_id', 'category', 'captured_at desc'])
    .execute();

  await db.schema
    .createTable('account_health_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('account_status', 'text')
    .addColumn('ahr_status', 'text')
    .addColumn('ahr_score', 'double precision')
    .addColumn('policy_violation_warnings', 'integer')
    .addColumn('source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('report')
        .check(sql`source in ('report', 'data_kiosk')`),
    )
    .addColumn('report_document_id', 'bigint', (c) => c.references('report_documents.id').onDelete('cascade'))
    .execute();
  await sql`create unique index account_health_snapshots_identity_key on account_health_snapshots
    (account_id, marketplace_id, source, captured_at)`.execute(db);

  await db.schema
    .createTable('account_status_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('previous_status', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('report_document_id', 'bigint', (c) =>
      c.references('report_documents.id').onDelete('set null'),
    )
    .execute();
  await db.schema
    .createIndex('account_status_history_idx')
    .on('account_status_history')
    .columns(['account_id', 'marketplace_id', 'changed_at desc'])
    .execute();

  await db.schema
    .createTable('warning_states')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('warning_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cleared_at', 'timestamptz')
    .execute();
  await sql`create unique index warning_states_active_key on warning_states (account_id, marketplace_id, warning_type)
    where cleared_at is null`.execute(db);

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    // Empty string for account-level alerts, so the one-open-alert key needs no null handling.
    .addColumn('marketplace_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('info', 'warning', 'critical')`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('open', 'acknowledged', 'resolved')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('condition_cleared_at', 'timestamptz')
    .execute();
  await sql`create unique index alerts_one_open_key on alerts (account_id, marketplace_id, rule, subject)
    where state <> 'resolved'`.execute(db);
  await db.schema.createIndex('alerts_inbox_idx').on('alerts').columns(['state', 'opened_at desc']).execute();

  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('alert_id', 'uuid', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('alert_events_alert_idx')
    .on('alert_events')
    .columns(['alert_id', 'at'])
    .execute();

  await db.schema
    .createTable('alert_mutes')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('muted_until', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('alert_mutes_pkey', ['account_id', 'rule'])
    .execute();

  await db.schema
    .createTable('outbox_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // One message per (alert event, recipient, channel): a crash and retry cannot enqueue it twice.
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'webhook', 'slack')`))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body_text', 'text')
    .addColumn('body_html', 'text')
    .addColumn('payload', 'jsonb')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'sending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('alert_event_id', 'bigint', (c) => c.references('alert_events.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`create index outbox_messages_due_idx on outbox_messages (next_attempt_at)
    where status in ('pending', 'sending')`.execute(db);

  await db.schema
    .createTable('reinstatement_cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('alert_id', 'uuid', (c) => c.references('alerts.id').onDelete('set null'))
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('suspension', 'alert', 'manual')`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'ready', 'submitted', 'more_info_requested', 'reinstated', 'denied')`),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('sections', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('checklist', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('notice_text', 'text')
    .addColumn('response_deadline_at', 'timestamptz')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('reinstatement_confirmed_at', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await sql`create unique index reinstatement_cases_one_open_key on reinstatement_cases (account_id, marketplace_id)
    where closed_at is null`.execute(db);

  await db.schema
    .createTable('case_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('reinstatement_cases.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('case_events_case_idx').on('case_events').columns(['case_id', 'at']).execute();

  await db.schema
    .createTable('case_evidence')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('reinstatement_cases.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('byte_size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('uploaded_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'case_evidence',
    'case_events',
    'reinstatement_cases',
    'outbox_messages',
    'alert_mutes',
    'alert_events',
    'alerts',
    'warning_states',
    'account_status_history',
    'account_health_snapshots',
    'policy_snapshots',
    'metric_snapshots',
    'poll_runs',
    'report_documents',
    'account_marketplaces',
    'seller_accounts',
    'settings',
    'sessions',
    'users',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
