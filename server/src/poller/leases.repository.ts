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
