import { sql, type Kysely } from 'kysely';

// Delivery of alerts. The outbox (schema v1) gains what grouping and the dashboard need: what kind of message a
// row is, the account and severity it is about (the outbox page filters by them), the batch a grouped email was
// claimed in (a retry after a crash sends the same batch under the same Message-ID), and how it went out (SMTP,
// kept in the outbox when no SMTP server is configured, or HTTP). Webhook and Slack endpoints get a table of
// their own: their address and signing key are secrets, sealed like the sellers' refresh tokens. Users get the
// local time of their daily digest, and the local date of the last one queued, which makes the digest
// once-a-day under concurrent schedulers.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_endpoints')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('webhook', 'slack')`))
    .addColumn('name', 'text', (c) => c.notNull())
    // Null: every account.
    .addColumn('account_id', 'uuid', (c) => c.references('seller_accounts.id').onDelete('cascade'))
    .addColumn('url_sealed', 'text', (c) => c.notNull())
    // Shown once, when it is made: what a receiver checks the signature with (webhooks only).
    .addColumn('signing_secret_sealed', 'text')
    .addColumn('min_severity', 'text', (c) =>
      c
        .notNull()
        .defaultTo('warning')
        .check(sql`min_severity in ('info', 'warning', 'critical')`),
    )
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .alterTable('outbox_messages')
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('alert')
        .check(sql`kind in ('alert', 'reminder', 'digest', 'test', 'case')`),
    )
    .addColumn('account_id', 'uuid', (c) => c.references('seller_accounts.id').onDelete('cascade'))
    .addColumn('severity', 'text')
    // Critical alerts and everything but email go alone; the rest of a recipient's email is grouped by batch.
    .addColumn('groupable', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('batch_id', 'uuid')
    .addColumn('message_id', 'text')
    .addColumn('endpoint_id', 'uuid', (c) => c.references('notification_endpoints.id').onDelete('set null'))
    .addColumn('delivered_via', 'text', (c) => c.check(sql`delivered_via in ('smtp', 'outbox', 'http')`))
    .execute();
  await db.schema
    .createIndex('outbox_messages_status_idx')
    .on('outbox_messages')
    .columns(['status', 'created_at desc'])
    .execute();
  await db.schema.createIndex('outbox_messages_batch_idx').on('outbox_messages').column('batch_id').execute();

  await db.schema
    .alterTable('users')
    .addColumn('digest_time', 'text', (c) =>
      c.defaultTo('07:00').check(sql`digest_time ~ '^[0-2][0-9]:[0-5][0-9]$'`),
    )
    .addColumn('digest_last_date', 'date')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('digest_last_date').dropColumn('digest_time').execute();
  await db.schema.dropIndex('outbox_messages_batch_idx').execute();
  await db.schema.dropIndex('outbox_messages_status_idx').execute();
  await db.schema
    .alterTable('outbox_messages')
    .dropColumn('delivered_via')
    .dropColumn('endpoint_id')
    .dropColumn('message_id')
    .dropColumn('batch_id')
    .dropColumn('groupable')
    .dropColumn('severity')
    .dropColumn('account_id')
    .dropColumn('kind')
    .execute();
  await db.schema.dropTable('notification_endpoints').execute();
}
