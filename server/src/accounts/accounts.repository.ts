import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, NewSellerAccount, Region, SellerAccountRow, SellerAccountUpdate } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface MarketplaceInput {
  marketplaceId: string;
  countryCode?: string | null;
  name?: string | null;
  isParticipating?: boolean;
  hasSuspendedListings?: boolean;
}

export async function insertAccount(db: Db, account: NewSellerAccount): Promise<SellerAccountRow> {
  return db.insertInto('seller_accounts').values(account).returningAll().executeTakeFirstOrThrow();
}

export async function findAccount(db: Db, id: string): Promise<SellerAccountRow | undefined> {
  return db.selectFrom('seller_accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findAccountBySeller(db: Db, sellerId: string, region: Region) {
  return db
    .selectFrom('seller_accounts')
    .selectAll()
    .where('seller_id', '=', sellerId)
    .where('region', '=', region)
    .executeTakeFirst();
}

export async function listAccounts(db: Db): Promise<SellerAccountRow[]> {
  return db.selectFrom('seller_accounts').selectAll().orderBy('name').orderBy('id').execute();
}

export async function updateAccount(db: Db, id: string, patch: SellerAccountUpdate): Promise<void> {
  await db
    .updateTable('seller_accounts')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function upsertMarketplaces(
  db: Db,
  accountId: string,
  marketplaces: MarketplaceInput[],
): Promise<void> {
  if (marketplaces.length === 0) return;
  await db
    .insertInto('account_marketplaces')
    .values(
      marketplaces.map((m) => ({
        account_id: accountId,
        marketplace_id: m.marketplaceId,
        country_code: m.countryCode ?? null,
        name: m.name ?? null,
        is_participating: m.isParticipating ?? true,
        has_suspended_listings: m.hasSuspendedListings ?? false,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['account_id', 'marketplace_id']).doUpdateSet((eb) => ({
        country_code: eb.fn.coalesce('excluded.country_code', 'account_marketplaces.country_code'),
        name: eb.fn.coalesce('excluded.name', 'account_marketplaces.name'),
        is_participating: eb.ref('excluded.is_participating'),
        has_suspended_listings: eb.ref('excluded.has_suspended_listings'),
      })),
    )
    .execute();
}

export async function listMarketplaces(db: Db, accountIds: string[]) {
  if (accountIds.length === 0) return [];
  return db
    .selectFrom('account_marketplaces')
    .selectAll()
    .where('account_id', 'in', accountIds)
    .orderBy('account_id')
    .orderBy('marketplace_id')
    .execute();
}

/** Marketplaces to request a report for: enabled ones the seller participates in. */
export async function pollableMarketplaceIds(db: Db, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('account_marketplaces')
    .select('marketplace_id')
    .where('account_id', '=', accountId)
    .where('enabled', '=', true)
    .where('is_participating', '=', true)
    .orderBy('marketplace_id')
    .execute();
  return rows.map((r) => r.marketplace_id);
}

export interface ClaimOptions {
  instanceId: string;
  limit: number;
  leaseSeconds: number;
  /** Claim this account only (the CLI's `poll --account`), still only when nobody else holds it. */
  accountId?: string;
}

/**
 * Takes up to `limit` due accounts for this instance. `FOR UPDATE SKIP LOCKED` lets several instances claim at
 * once without waiting on each other or claiming the same account; the lease makes the claim survive the
 * transaction, and an instance that dies simply lets its leases expire for another one to take over.
 */
export async function claimDueAccounts(db: Kysely<DB>, options: ClaimOptions): Promise<SellerAccountRow[]> {
  const { instanceId, limit, leaseSeconds, accountId } = options;
  const result = await sql<SellerAccountRow>`
    update seller_accounts as a
    set lease_owner = ${instanceId},
        lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
        last_poll_at = now()
    from (
      select id from seller_accounts
      where poll_enabled
        and connection_state <> 'needs_reauthorization'
        and (lease_expires_at is null or lease_expires_at < now())
        and ${accountId === undefined ? sql`next_poll_at <= now()` : sql`id = ${accountId}`}
      order by next_poll_at
      limit ${limit}
      for update skip locked
    ) as due
    where a.id = due.id
    returning a.*`.execute(db);
  return result.rows;
}

/** Gives the account back: clears this instance's lease and sets when it is next due. */
export async function releaseAccount(
  db: Db,
  accountId: string,
  instanceId: string,
  patch: SellerAccountUpdate,
): Promise<void> {
  await db
    .updateTable('seller_accounts')
    .set({ ...patch, lease_owner: null, lease_expires_at: null, updated_at: sql<Date>`now()` })
    .where('id', '=', accountId)
    .where('lease_owner', '=', instanceId)
    .execute();
}

/** Extends the lease while a long poll is still working, so a slow report is not taken over mid-flight. */
export async function renewLease(db: Db, accountId: string, instanceId: string, leaseSeconds: number) {
  const result = await db
    .updateTable('seller_accounts')
    .set({ lease_expires_at: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
    .where('id', '=', accountId)
    .where('lease_owner', '=', instanceId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
