import type { Kysely } from 'kysely';

// The registered business name Amazon's Sellers API gave for the account's token when it was connected. A
// reconnect must give the same one, since no SP-API call names the seller a token belongs to. Null: connected
// before names were recorded, or a seller Amazon gives no business name for.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seller_accounts').addColumn('business_name', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seller_accounts').dropColumn('business_name').execute();
}
