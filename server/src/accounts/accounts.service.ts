import { sql, type Kysely } from 'kysely';
import type { DB, Region, SellerAccountRow } from '../db/schema.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import { AppError } from '../http/errors.ts';
import { AuthError, AuthRevokedError, SpApiError } from '../spapi/errors.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';
import { findAccountBySeller, insertAccount, upsertMarketplaces } from './accounts.repository.ts';

export interface ConnectAccountInput {
  sellerId: string;
  name: string;
  region: Region;
  refreshToken: string;
  /** Poll only these; default every marketplace the seller participates in. */
  marketplaceIds?: string[];
}

/**
 * Connects (or reconnects) a seller account: the token is checked with Amazon by listing the seller's
 * marketplaces before anything is stored, then kept sealed. The account is due at once.
 */
export async function connectAccount(
  db: Kysely<DB>,
  clients: SpApiClients,
  secrets: SecretBox,
  input: ConnectAccountInput,
): Promise<SellerAccountRow> {
  let participations;
  try {
    participations = await clients.forToken(input.region, input.refreshToken).getMarketplaceParticipations();
  } catch (err) {
    if (err instanceof AuthRevokedError || err instanceof AuthError) {
      throw new AppError('BAD_REQUEST', `Amazon refused the authorization: ${err.message}`);
    }
    if (err instanceof SpApiError) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `could not reach Amazon to check the account: ${err.message}`,
      );
    }
    throw err;
  }
  const wanted = input.marketplaceIds ? new Set(input.marketplaceIds) : undefined;
  if (wanted) {
    const known = new Set(participations.map((p) => p.marketplaceId));
    const unknown = [...wanted].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new AppError(
        'BAD_REQUEST',
        `the seller does not participate in marketplace ${unknown.join(', ')}`,
      );
    }
  }

  return db.transaction().execute(async (tx) => {
    const sealed = secrets.seal(input.refreshToken);
    const existing = await findAccountBySeller(tx, input.sellerId, input.region);
    let account: SellerAccountRow;
    if (existing) {
      account = await tx
        .updateTable('seller_accounts')
        .set({
          name: input.name,
          refresh_token_encrypted: sealed,
          connection_state: 'connected',
          connection_error: null,
          consecutive_failures: 0,
          next_poll_at: new Date(),
          updated_at: new Date(),
        })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } else {
      account = await insertAccount(tx, {
        seller_id: input.sellerId,
        name: input.name,
        region: input.region,
        refresh_token_encrypted: sealed,
      });
    }
    await upsertMarketplaces(
      tx,
      account.id,
      participations.map((p) => ({
        marketplaceId: p.marketplaceId,
        countryCode: p.countryCode,
        name: p.name,
        isParticipating: p.isParticipating,
        hasSuspendedListings: p.hasSuspendedListings,
      })),
    );
    if (wanted) {
      await tx
        .updateTable('account_marketplaces')
        .set({ enabled: sql<boolean>`marketplace_id = any(${[...wanted]})` })
        .where('account_id', '=', account.id)
        .execute();
    }
    return account;
  });
}
