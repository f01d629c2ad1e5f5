import { sql, type Kysely } from 'kysely';
import type { DB, Region, SellerAccountRow } from '../db/schema.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import { AppError } from '../http/errors.ts';
import { AuthError, AuthRevokedError, SpApiAbortedError, SpApiError } from '../spapi/errors.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';
import {
  findAccount,
  findAccountBySeller,
  insertAccountIfAbsent,
  listMarketplaces,
  upsertMarketplaces,
} from './accounts.repository.ts';
import type { MarketplaceParticipation } from '../spapi/client.ts';

export interface ConnectAccountInput {
  sellerId: string;
  name: string;
  region: Region;
  refreshToken: string;
  /** Poll only these; default every marketplace the seller participates in. */
  marketplaceIds?: string[];
}

/** How long checking a token with Amazon may take, waits under the usage plan included. */
const CHECK_DEADLINE_MS = 30_000;

export interface CheckOptions {
  /** Aborted when the client has gone: the check stops, and nothing is stored. */
  signal?: AbortSignal;
  deadlineMs?: number;
}

/** Checks a refresh token with Amazon by listing the seller's marketplaces; nothing is stored yet. */
async function checkToken(
  clients: SpApiClients,
  region: Region,
  sellerId: string,
  refreshToken: string,
  options: CheckOptions,
) {
  const deadline = AbortSignal.timeout(options.deadlineMs ?? CHECK_DEADLINE_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    const call = clients.forToken(region, refreshToken, sellerId).getMarketplaceParticipations({ signal });
    // The signal stops retries and waits at once, but not a request already on the wire (it has its own
    // timeout): the answer to the client does not wait for it.
    call.catch(() => {});
    return await Promise.race([call, rejectOnAbort(signal)]);
  } catch (err) {
    if (deadline.aborted) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `Amazon did not confirm the token within ${Math.round((options.deadlineMs ?? CHECK_DEADLINE_MS) / 1000)} s ` +
          '(busy, or this seller was checked many times just now); nothing was stored, try again in a minute',
      );
    }
    if (err instanceof SpApiAbortedError) throw new AppError('BAD_REQUEST', 'the request was cancelled');
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
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const stop = () => reject(new SpApiAbortedError('getMarketplaceParticipations'));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}

function alreadyConnected(existing: SellerAccountRow): AppError {
  return new AppError(
    'CONFLICT',
    `seller ${existing.seller_id} is already connected as "${existing.name}"; to give it a new token, reconnect ` +
      `it: POST /api/accounts/${existing.id}/reconnect`,
    { accountId: existing.id },
  );
}

/**
 * Connects a new seller account: the token is checked with Amazon by listing the seller's marketplaces before
 * anything is stored, then kept sealed. The account is due at once. A seller already connected is never
 * touched here (409): a new token for it goes through `reconnectAccount`, which checks it is the same seller.
 */
export async function connectAccount(
  db: Kysely<DB>,
  clients: SpApiClients,
  secrets: SecretBox,
  input: ConnectAccountInput,
  options: CheckOptions = {},
): Promise<SellerAccountRow> {
  const existing = await findAccountBySeller(db, input.sellerId, input.region);
  if (existing) throw alreadyConnected(existing);
  const participations = await checkToken(clients, input.region, input.sellerId, input.refreshToken, options);
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
    const account = await insertAccountIfAbsent(tx, {
      seller_id: input.sellerId,
      name: input.name,
      region: input.region,
      refresh_token_encrypted: secrets.seal(input.refreshToken),
    });
    // Connected by someone else while Amazon was being asked.
    if (!account) throw alreadyConnected((await findAccountBySeller(tx, input.sellerId, input.region))!);
    await upsertMarketplaces(tx, account.id, participations.map(toMarketplaceInput));
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

const toMarketplaceInput = (p: MarketplaceParticipation) => ({
  marketplaceId: p.marketplaceId,
  countryCode: p.countryCode,
  name: p.name,
  isParticipating: p.isParticipating,
  hasSuspendedListings: p.hasSuspendedListings,
});

/**
 * Gives an account a new refresh token (after Amazon revoked the old one), keeping its history. The token must be
 * the same seller's: it must list every marketplace the account takes part in (a seller may have joined more,
 * never fewer without saying so), or the reconnect is refused and nothing changes.
 */
export async function reconnectAccount(
  db: Kysely<DB>,
  clients: SpApiClients,
  secrets: SecretBox,
  accountId: string,
  refreshToken: string,
  options: CheckOptions = {},
): Promise<SellerAccountRow> {
  const account = await findAccount(db, accountId);
  if (!account) throw new AppError('NOT_FOUND', `account ${accountId} does not exist`);
  const participations = await checkToken(clients, account.region, account.seller_id, refreshToken, options);
  const theirs = new Set(participations.filter((p) => p.isParticipating).map((p) => p.marketplaceId));
  const ours = (await listMarketplaces(db, [account.id])).filter((m) => m.is_participating);
  const missing = ours.filter((m) => !theirs.has(m.marketplace_id)).map((m) => m.marketplace_id);
  if (missing.length > 0) {
    throw new AppError(
      'CONFLICT',
      `this token does not look like seller ${account.seller_id}'s: it does not sell in ${missing.join(', ')}, ` +
        `where "${account.name}" does. Nothing was changed; check you signed in to the right Seller Central account`,
      { missing },
    );
  }
  return db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('seller_accounts')
      .set({
        refresh_token_encrypted: secrets.seal(refreshToken),
        connection_state: 'connected',
        connection_error: null,
        consecutive_failures: 0,
        next_poll_at: new Date(),
        updated_at: new Date(),
      })
      .where('id', '=', account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await upsertMarketplaces(tx, account.id, participations.map(toMarketplaceInput));
    return updated;
  });
}
