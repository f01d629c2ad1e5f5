import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type {
  AccountMarketplacesTable,
  DB,
  NewSellerAccount,
  Region,
  SellerAccountRow,
  SellerAccountUpdate,
} from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface MarketplaceInput {
  marketplaceId: string;
  countryCode?: string | null;
  name?: string | null;
  isParticipating?: boolean;
  hasSuspendedListings?: boolean;
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

/** The marketplaces of these accounts (of every account when none are named). */
export async function listMarketplaces(db: Db, accountIds?: string[]) {
  if (accountIds?.length === 0) return [];
  let q = db.selectFrom('account_marketplaces').selectAll();
  if (accountIds) q = q.where('account_id', 'in', accountIds);
  return q.orderBy('account_id').orderBy('marketplace_id').execute();
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

/** The marketplace's latest state, locked for the ingest transaction that is about to change it. */
export async function lockMarketplaceState(tx: Transaction<DB>, accountId: string, marketplaceId: string) {
  return tx
    .selectFrom('account_marketplaces')
    .select(['account_status', 'status_since', 'last_report_at'])
    .where('account_id', '=', accountId)
    .where('marketplace_id', '=', marketplaceId)
    .forUpdate()
    .executeTakeFirst();
}

export type MarketplaceLatest = Pick<
  Updateable<AccountMarketplacesTable>,
  | 'account_status'
  | 'status_since'
  | 'ahr_status'
  | 'ahr_score'
  | 'ahr_band'
  | 'last_report_at'
  | 'latest_snapshot_id'
>;

/** Records the newest known state of a marketplace (a report may name one the account had not listed). */
export async function setMarketplaceLatest(
  tx: Transaction<DB>,
  accountId: string,
  marketplaceId: string,
  latest: MarketplaceLatest,
): Promise<void> {
  await tx
    .insertInto('account_marketplaces')
    .values({ account_id: accountId, marketplace_id: marketplaceId, ...latest })
    .onConflict((oc) => oc.columns(['account_id', 'marketplace_id']).doUpdateSet(latest))
    .execute();
}

/** Adds the account unless one with the same seller and region exists; returns the new row, or undefined. */
export async function insertAccountIfAbsent(
  db: Db,
  account: NewSellerAccount,
): Promise<SellerAccountRow | undefined> {
  return db
    .insertInto('seller_accounts')
    .values(account)
    .onConflict((oc) => oc.columns(['seller_id', 'region']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the account (its history cascades) if it still has this name; false when it does not. */
export async function deleteAccountNamed(db: Db, id: string, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('seller_accounts')
    .where('id', '=', id)
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
