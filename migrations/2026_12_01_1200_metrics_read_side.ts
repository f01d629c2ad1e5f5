import { gunzipSync, gzipSync } from 'node:zlib';
import { sql, type Kysely } from 'kysely';

// The read side of the metrics. Until now every metric, policy and health row of a report repeated the account,
// marketplace, capture time and document, and each table had two indexes on top: about 300 bytes per figure.
// Now one `health_snapshots` row stands for one marketplace in one capture (its status, rating and policy counts)
// and `metric_snapshots` holds only the figures of that snapshot, keyed by it. History outlives its raw
// documents (SET NULL, not CASCADE), raw bodies are kept gzip-compressed and can be pruned, snapshot identity
// includes granularity and source (daily Data Kiosk history beside report snapshots), and the latest value of
// every metric is kept in `metric_latest` so the overview never scans history.

const BATCH = 500;

export async function up(db: Kysely<any>): Promise<void> {
  // Raw documents: gzip at rest (as Amazon serves them), prunable bodies.
  await db.schema.alterTable('report_documents').addColumn('body_gzip', 'bytea').execute();
  await db.schema.alterTable('report_documents').addColumn('pruned_at', 'timestamptz').execute();
  for (;;) {
    const rows = await sql<{ id: string; body: Buffer }>`select id, body from report_documents
      where body_gzip is null order by id limit ${BATCH}`.execute(db);
    if (rows.rows.length === 0) break;
    for (const row of rows.rows) {
      await sql`update report_documents set body_gzip = ${gzipSync(Buffer.from(row.body))}
        where id = ${row.id}`.execute(db);
    }
  }
  await db.schema.alterTable('report_documents').dropColumn('body').execute();
  await sql`create index report_documents_prunable_idx on report_documents (captured_at)
    where body_gzip is not null`.execute(db);

  await db.schema
    .createTable('health_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('report', 'data_kiosk')`))
    .addColumn('granularity', 'text', (c) =>
      c.notNull().check(sql`granularity in ('snapshot', 'day', 'week', 'month')`),
    )
    .addColumn('account_status', 'text')
    .addColumn('ahr_status', 'text')
    .addColumn('ahr_score', 'double precision')
    .addColumn('ahr_band', 'text')
    .addColumn('policy_violation_warnings', 'integer')
    // { category: { count, status, targetValue?, targetCondition?, windowFrom?, windowTo? } }, null when the
    // report had no policy section. One value per snapshot rather than a row per category: it is read whole.
    .addColumn('policies', 'jsonb')
    .addColumn('report_document_id', 'bigint', (c) =>
      c.references('report_documents.id').onDelete('set null'),
    )
    .execute();
  // A row with its policy counts (about 1 KB of repeated keys) is compressed in place, not left at full size.
  await sql`alter table health_snapshots set (toast_tuple_target = 1024)`.execute(db);
  // Identity, and the index every time-range read of one account walks: with the id in it, a year of snapshots is
  // found without visiting the rows, which are wide (policy counts) and spread over the table by time.
  await sql`create unique index health_snapshots_identity_key on health_snapshots
    (account_id, marketplace_id, captured_at, source, granularity) include (id)`.execute(db);
  await db.schema
    .createIndex('health_snapshots_document_idx')
    .on('health_snapshots')
    .column('report_document_id')
    .execute();

  await sql`insert into health_snapshots (account_id, marketplace_id, captured_at, source, granularity,
      account_status, ahr_status, ahr_score, ahr_band, policy_violation_warnings, policies, report_document_id)
    select h.account_id, h.marketplace_id, h.captured_at, h.source, 'snapshot', h.account_status, h.ahr_status,
      h.ahr_score, h.ahr_band, h.policy_violation_warnings,
      (select jsonb_object_agg(p.category, jsonb_strip_nulls(jsonb_build_object(
          'count', p.count, 'status', p.status, 'targetValue', p.target_value,
          'targetCondition', p.target_condition, 'windowFrom', p.window_from, 'windowTo', p.window_to)))
        from policy_snapshots p
        where p.account_id = h.account_id and p.marketplace_id = h.marketplace_id
          and p.captured_at = h.captured_at),
      h.report_document_id
    from account_health_snapshots h
    on conflict do nothing`.execute(db);
  // Figures whose health row is missing still get a snapshot to belong to.
  await sql`insert into health_snapshots (account_id, marketplace_id, captured_at, source, granularity,
      report_document_id)
    select distinct on (account_id, marketplace_id, captured_at, source, granularity)
      account_id, marketplace_id, captured_at, source, granularity, report_document_id
    from metric_snapshots
    on conflict do nothing`.execute(db);

  await db.schema.alterTable('metric_snapshots').renameTo('metric_snapshots_v1').execute();
  await sql`alter index metric_snapshots_identity_key rename to metric_snapshots_v1_identity_key`.execute(db);
  await sql`alter index metric_snapshots_series_idx rename to metric_snapshots_v1_series_idx`.execute(db);
  await sql`alter table metric_snapshots_v1 rename constraint metric_snapshots_pkey to metric_snapshots_v1_pkey`.execute(
    db,
  );
  await db.schema
    .createTable('metric_snapshots')
    .addColumn('snapshot_id', 'bigint', (c) =>
      c.notNull().references('health_snapshots.id').onDelete('cascade'),
    )
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('afn', 'mfn', 'all')`))
    // The same metric is reported over several windows (late shipment: 10 and 30 days).
    .addColumn('window_days', 'integer')
    // Rates are fractions (0.009), never percentages.
    .addColumn('rate', 'double precision')
    .addColumn('numerator', 'integer')
    .addColumn('denominator', 'integer')
    .addColumn('status', 'text')
    .addColumn('target_value', 'double precision')
    .addColumn('target_condition', 'text')
    .addColumn('window_from', 'timestamptz')
    .addColumn('window_to', 'timestamptz')
    // Sub-counts (claims, chargebacks, negative feedback...), null when the metric has none.
    .addColumn('parts', 'jsonb')
    .execute();
  // Not unique: a snapshot's figures are written once, with it, in the transaction that creates it (its own
  // identity is the guard), so a unique key here would only cost about 80 bytes a figure. Equal keys are
  // deduplicated by the btree, so this index costs a few bytes a figure.
  await db.schema
    .createIndex('metric_snapshots_snapshot_idx')
    .on('metric_snapshots')
    .column('snapshot_id')
    .execute();
  await sql`insert into metric_snapshots (snapshot_id, metric, channel, window_days, rate, numerator, denominator,
      status, target_value, target_condition, window_from, window_to, parts)
    select distinct on (h.id, m.metric, m.channel, m.window_days)
      h.id, m.metric, m.channel, m.window_days, m.rate, m.numerator, m.denominator, m.status, m.target_value,
      m.target_condition, m.window_from, m.window_to, nullif(m.parts, '{}'::jsonb)
    from metric_snapshots_v1 m
    join health_snapshots h on h.account_id = m.account_id and h.marketplace_id = m.marketplace_id
      and h.captured_at = m.captured_at and h.source = m.source and h.granularity = m.granularity
    order by h.id, m.metric, m.channel, m.window_days, m.window_from`.execute(db);

  await db.schema
    .createTable('metric_latest')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('window_days', 'integer')
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
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
  await sql`create unique index metric_latest_key on metric_latest
    (account_id, marketplace_id, metric, channel, window_days) nulls not distinct`.execute(db);
  await sql`insert into metric_latest (account_id, marketplace_id, metric, channel, window_days, captured_at,
      source, rate, numerator, denominator, status, target_value, target_condition, window_from, window_to, parts,
      snapshot_id)
    select distinct on (h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days)
      h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days, h.captured_at, h.source, m.rate,
      m.numerator, m.denominator, m.status, m.target_value, m.target_condition, m.window_from, m.window_to,
      m.parts, h.id
    from metric_snapshots m join health_snapshots h on h.id = m.snapshot_id
    order by h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days, h.captured_at desc`.execute(
    db,
  );

  // The latest snapshot of each marketplace: the overview reads its policy counts by key, not by scanning.
  await db.schema
    .alterTable('account_marketplaces')
    .addColumn('latest_snapshot_id', 'bigint', (c) =>
      c.references('health_snapshots.id').onDelete('set null'),
    )
    .execute();
  await sql`update account_marketplaces am set latest_snapshot_id = (
      select h.id from health_snapshots h
      where h.account_id = am.account_id and h.marketplace_id = am.marketplace_id and h.source = 'report'
      order by h.captured_at desc limit 1)`.execute(db);

  // Freshness on our own clock (a report's capture time is Amazon's, or a simulator's running ahead).
  await db.schema.alterTable('seller_accounts').addColumn('last_good_poll_at', 'timestamptz').execute();
  await sql`update seller_accounts a set last_good_poll_at = (
      select max(finished_at) from poll_runs r where r.account_id = a.id and r.status = 'succeeded')`.execute(
    db,
  );

  await db.schema.dropTable('metric_snapshots_v1').execute();
  await db.schema.dropTable('policy_snapshots').execute();
  await db.schema.dropTable('account_health_snapshots').execute();

  // The status history keeps pointing at its document only while that document exists.
  await db.schema
    .createIndex('account_status_history_document_idx')
    .on('account_status_history')
    .column('report_document_id')
    .execute();
  await db.schema
    .createIndex('poll_runs_document_idx')
    .on('poll_runs')
    .column('report_document_id')
    .execute();

  // What the next features read by.
  await db.schema
    .createIndex('alerts_account_idx')
    .on('alerts')
    .columns(['account_id', 'opened_at desc'])
    .execute();
  await db.schema
    .createIndex('outbox_messages_event_idx')
    .on('outbox_messages')
    .column('alert_event_id')
    .execute();
  await db.schema.createIndex('case_evidence_case_idx').on('case_evidence').column('case_id').execute();
  await db.schema.createIndex('sessions_expiry_idx').on('sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_expiry_idx').execute();
  await db.schema.dropIndex('case_evidence_case_idx').execute();
  await db.schema.dropIndex('outbox_messages_event_idx').execute();
  await db.schema.dropIndex('alerts_account_idx').execute();
  await db.schema.dropIndex('poll_runs_document_idx').execute();
  await db.schema.dropIndex('account_status_history_document_idx').execute();
  await db.schema.alterTable('seller_accounts').dropColumn('last_good_poll_at').execute();

  // Schema v1's snapshot tables, refilled from the new ones.
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
    .addColumn('ahr_band', 'text')
    .execute();
  await sql`create unique index account_health_snapshots_identity_key on account_health_snapshots
    (account_id, marketplace_id, source, captured_at)`.execute(db);
  await sql`insert into account_health_snapshots (account_id, marketplace_id, captured_at, account_status,
      ahr_status, ahr_score, policy_violation_warnings, source, report_document_id, ahr_band)
    select account_id, marketplace_id, captured_at, account_status, ahr_status, ahr_score,
      policy_violation_warnings, source, report_document_id, ahr_band
    from health_snapshots where granularity = 'snapshot'
    on conflict do nothing`.execute(db);

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
  await sql`insert into policy_snapshots (account_id, marketplace_id, category, captured_at, count, status,
      target_value, target_condition, window_from, window_to, report_document_id)
    select h.account_id, h.marketplace_id, p.key, h.captured_at, (p.value->>'count')::integer, p.value->>'status',
      (p.value->>'targetValue')::double precision, p.value->>'targetCondition',
      (p.value->>'windowFrom')::timestamptz, (p.value->>'windowTo')::timestamptz, h.report_document_id
    from health_snapshots h, jsonb_each(h.policies) p
    where h.granularity = 'snapshot' and h.policies is not null
    on conflict do nothing`.execute(db);

  await db.schema.alterTable('metric_snapshots').renameTo('metric_snapshots_v2').execute();
  await sql`alter index metric_snapshots_snapshot_idx rename to metric_snapshots_v2_snapshot_idx`.execute(db);
  await db.schema
    .createTable('metric_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('seller_accounts.id').onDelete('cascade'))
    .addColumn('marketplace_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('afn', 'mfn', 'all')`))
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
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
  await sql`create unique index metric_snapshots_identity_key on metric_snapshots
    (account_id, marketplace_id, metric, channel, source, captured_at, window_from, window_to) nulls not distinct`.execute(
    db,
  );
  await db.schema
    .createIndex('metric_snapshots_series_idx')
    .on('metric_snapshots')
    .columns(['account_id', 'marketplace_id', 'metric', 'channel', 'captured_at desc'])
    .execute();
  await sql`insert into metric_snapshots (account_id, marketplace_id, metric, channel, captured_at, rate, numerator,
      denominator, status, target_value, target_condition, window_from, window_to, window_days, parts, source,
      granularity, report_document_id)
    select h.account_id, h.marketplace_id, m.metric, m.channel, h.captured_at, m.rate, m.numerator, m.denominator,
      m.status, m.target_value, m.target_condition, m.window_from, m.window_to, m.window_days,
      coalesce(m.parts, '{}'::jsonb), h.source, h.granularity, h.report_document_id
    from metric_snapshots_v2 m join health_snapshots h on h.id = m.snapshot_id
    on conflict do nothing`.execute(db);

  await db.schema.alterTable('account_marketplaces').dropColumn('latest_snapshot_id').execute();
  await db.schema.dropTable('metric_latest').execute();
  await db.schema.dropTable('metric_snapshots_v2').execute();
  await db.schema.dropTable('health_snapshots').execute();

  await db.schema.dropIndex('report_documents_prunable_idx').execute();
  // Schema v1 requires a body: a pruned document comes back empty.
  await db.schema
    .alterTable('report_documents')
    .addColumn('body', 'bytea', (c) => c.notNull().defaultTo(sql`''::bytea`))
    .execute();
  for (let after = '0'; ;) {
    const rows = await sql<{ id: string; body_gzip: Buffer }>`select id, body_gzip from report_documents
      where body_gzip is not null and id > ${after} order by id limit ${BATCH}`.execute(db);
    if (rows.rows.length === 0) break;
    for (const row of rows.rows) {
      await sql`update report_documents set body = ${gunzipSync(Buffer.from(row.body_gzip))}
        where id = ${row.id}`.execute(db);
      after = row.id;
    }
  }
  await sql`alter table report_documents alter column body drop default`.execute(db);
  await db.schema.alterTable('report_documents').dropColumn('pruned_at').execute();
  await db.schema.alterTable('report_documents').dropColumn('body_gzip').execute();
}
