import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, SellerAccountRow, SellerAccountUpdate } from '../db/schema.ts';

// The poller's claim on an account: a lease in the account's row, so several instances share a fleet and an
// instance that dies simply lets its leases expire for another one to take over.

type Db = Kysely<DB> | Transaction<DB>;

export interface ClaimOptions {
  instanceId: string;
  limit: number;
  leaseSeconds: number;
  /** Claim this account only (the CLI's `poll --account`), still only when nobody else holds it. */
  accountId?: string;
  /** Accounts this instance is polling right now: never claimed again while their poll runs, lease or not. */
  exclude?: string[];
}

export type ClaimedAccount = SellerAccountRow & { lease_token: string };

/**
 * Takes up to `limit` due accounts for this instance. `FOR UPDATE SKIP LOCKED` lets several instances claim at
 * once without waiting on each other or claiming the same account; the lease makes the claim survive the
 * transaction, and an instance that dies simply lets its leases expire for another one to take over. Each claim
 * gets a new token that fences off whoever held the account before.
 */
export async function claimDueAccounts(db: Kysely<DB>, options: ClaimOptions): Promise<ClaimedAccount[]> {
  const { instanceId, limit, leaseSeconds, accountId, exclude = [] } = options;
  const result = await sql<ClaimedAccount>`
    update seller_accounts as a
    set lease_owner = ${instanceId},
        lease_token = gen_random_uuid(),
        lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
        last_poll_at = now()
    from (
      select id from seller_accounts
      where poll_enabled
        and connection_state not in ('needs_reauthorization', 'disconnected')
        and (lease_expires_at is null or lease_expires_at < now())
        and ${accountId === undefined ? sql`next_poll_at <= now()` : sql`id = ${accountId}`}
        and not (id = any(${exclude}::uuid[]))
      order by next_poll_at
      limit ${limit}
      for update skip locked
    ) as due
    where a.id = due.id
    returning a.*`.execute(db);
  return result.rows;
}

/** Gives the account back, if this claim still holds it: clears the lease and sets when it is next due. */
export async function releaseAccount(
  db: Db,
  accountId: string,
  leaseToken: string,
  patch: SellerAccountUpdate,
): Promise<boolean> {
  const result = await db
    .updateTable('seller_accounts')
    .set({
      ...patch,
      lease_owner: null,
      lease_token: null,
      lease_expires_at: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', accountId)
    .where('lease_token', '=', leaseToken)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Extends the lease while a long poll is still working, so a slow report is not taken over mid-flight. */
export async function renewLease(db: Db, accountId: string, leaseToken: string, leaseSeconds: number) {
  const result = await db
    .updateTable('seller_accounts')
    .set({ lease_expires_at: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
    .where('id', '=', accountId)
    .where('lease_token', '=', leaseToken)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Inside a write transaction: true while this claim still holds the account, and it keeps holding it until the
 * transaction ends (the row is share-locked, so no claim can replace the token before the commit).
 */
export async function holdsLease(
  tx: Transaction<DB>,
  accountId: string,
  leaseToken: string,
): Promise<boolean> {
  const row = await tx
    .selectFrom('seller_accounts')
    .select('id')
    .where('id', '=', accountId)
    .where('lease_token', '=', leaseToken)
    .forShare()
    .executeTakeFirst();
  return row !== undefined;
}

/** How long until the next account is due (0 when one is due now), if any is due within `withinMs`. */
export async function msUntilNextDue(db: Db, withinMs: number): Promise<number | undefined> {
  const row = await sql<{ ms: number | null }>`
    select greatest(0, extract(epoch from (min(next_poll_at) - now())) * 1000)::float8 as ms
    from seller_accounts
    where poll_enabled
      and connection_state not in ('needs_reauthorization', 'disconnected')
      and (lease_expires_at is null or lease_expires_at < now())
      and next_poll_at <= now() + make_interval(secs => ${withinMs / 1000})`.execute(db);
  const ms = row.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : ms;
}
