import { sql, type Kysely } from 'kysely';

// Connecting through Amazon's consent page: each flow's `state`, single use and short-lived, bound to the
// browser session that started it. Only a hash of the state is stored, so a database leak cannot finish anyone's
// flow. A reconnect names its account; deleting the account, the session or the user drops the flow with it.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oauth_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('region', 'text', (c) => c.notNull().check(sql`region in ('na', 'eu', 'fe')`))
    .addColumn('marketplace_id', 'text')
    .addColumn('name', 'text')
    .addColumn('account_id', 'uuid', (c) => c.references('seller_accounts.id').onDelete('cascade'))
    // The exchange must send the redirect URI the consent was asked with, whatever the configuration says then.
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('oauth_states_expiry_idx').on('oauth_states').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oauth_states').execute();
}
