import { sql, type Kysely } from 'kysely';

// When the seller last authorized the app for the account (connect or reconnect with a new refresh token).
// Amazon asks for a renewal every 365 days from then; the renewal alert counts from it. Accounts connected before
// this column existed take their creation time, the last authorization the data can show.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('seller_accounts')
    .addColumn('authorized_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`update seller_accounts set authorized_at = created_at`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seller_accounts').dropColumn('authorized_at').execute();
}
