import type { Kysely } from 'kysely';

// A fencing token per claim on an account: renewing, ingesting and giving the account back all check it, so a
// poll whose lease expired (a database outage longer than the lease) cannot write over the poll that took the
// account over, even when both run on the same instance.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seller_accounts').addColumn('lease_token', 'uuid').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('seller_accounts').dropColumn('lease_token').execute();
}
