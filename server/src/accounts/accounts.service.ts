import { sql, type Kysely } from 'kysely';
import type { DB, Region, SellerAccountRow } from '../db/schema.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import { AppError } from '../http/errors.ts';
import { AuthError, AuthRevokedError, SpApiAbortedError, SpApiError } from '../spapi/errors.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';
import {
  deleteAccountNamed,
  findAccount,
  findAccountBySeller,
  insertAccountIfAbsent,
  listMarketplaces,
  upsertMarketplaces,
} from './accounts.repository.ts';
import type { MarketplaceParticipation } from '../spapi/client.ts';
import { endOpenRuns } from '../poller/poll-runs.repository.ts';
import { clearAccountPendingReports } from '../poller/pending-reports.repository.ts';
import { queueBackfillOnConnect } from '../backfill/backfill.service.ts';

/**
 * How the token came: pasted by a person, who says which seller it is (and no SP-API call can confirm it,
 * docs/sellers-api.md §1), or handed over by Amazon's consent flow, which names the seller exactly
 * (`selling_partner_id`, docs/oauth.md §2).
 */
export type TokenSource = { kind: 'pasted' } | { kind: 'consent'; sellingPartnerId: string };

export interface ConnectAccountInput {
  sellerId: string;
  /** The account's name in Good Standing; default the business name Amazon gives for the token, else the id. */
  name?: string;
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

/** What Amazon says of the seller a refresh token belongs to. */
interface TokenOwner {
  participations: MarketplaceParticipation[];
  /** The registered business name (docs/sellers-api.md §1); null when Amazon gives none. */
  businessName: string | null;
}

/**
 * Checks a refresh token with Amazon, nothing stored yet: lists the seller's marketplaces and reads its account,
 * both at once, under one deadline and the client's signal.
 */
async function checkToken(
  clients: SpApiClients,
  region: Region,
  sellerId: string,
  refreshToken: string,
  options: CheckOptions,
): Promise<TokenOwner> {
  const deadline = AbortSignal.timeout(options.deadlineMs ?? CHECK_DEADLINE_MS);
  // Once the answer is known (one call failed, say), the other stops waiting for the seller's quota.
  const settled = new AbortController();
  const signal = AbortSignal.any([deadline, settled.signal, ...(options.signal ? [options.signal] : [])]);
  try {
    const client = clients.forToken(region, refreshToken, sellerId);
    const calls = Promise.all([
      client.getMarketplaceParticipations({ signal }),
      client.getAccount({ signal }),
    ]);
    // The signal stops retries and waits at once, but not a request already on the wire (it has its own
    // timeout): the answer to the client does not wait for it.
    calls.catch(() => {});
    const [participations, account] = await Promise.race([calls, rejectOnAbort(signal)]);
    return { participations, businessName: account.businessName };
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
  } finally {
    settled.abort();
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const stop = () => reject(new SpApiAbortedError('checking the token'));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}

/** The seller is connected already, as `existing`: a new token for it goes through a reconnect of that account. */
export class AlreadyConnectedError extends AppError {
  constructor(readonly existing: SellerAccountRow) {
    super(
      'CONFLICT',
      `seller ${existing.seller_id} is already connected as "${existing.name}"; to give it a new token, ` +
        `reconnect it: POST /api/accounts/${existing.id}/reconnect, or reconnect it through Amazon`,
      { accountId: existing.id },
    );
  }
}

/** Amazon named another seller than the account's for the token (a consent given in another seller's name). */
export class OtherSellerError extends AppError {
  constructor(
    readonly account: SellerAccountRow,
    readonly sellingPartnerId: string,
  ) {
    super(
      'CONFLICT',
      `Amazon gave this authorization for seller ${sellingPartnerId}, but "${account.name}" is seller ` +
        `${account.seller_id}. Nothing was changed; sign in to Seller Central as ${account.seller_id} and ` +
        'reconnect again',
      { sellerId: account.seller_id, sellingPartnerId },
    );
  }
}

/** Refuses a seller already connected, before anything is asked of Amazon. */
export async function assertNotConnected(db: Kysely<DB>, sellerId: string, region: Region): Promise<void> {
  const existing = await findAccountBySeller(db, sellerId, region);
  if (existing) throw new AlreadyConnectedError(existing);
}

/**
 * Connects a new seller account, whether its token was pasted or came from Amazon's consent flow: the token is
 * checked with Amazon (the seller's marketplaces and account) before anything is stored, then kept sealed, with
 * the business name Amazon gave for it. The account is due at once. A seller already connected is never touched
 * here (409): a new token for it goes through `reconnectAccount`, which checks it is the same seller.
 */
export async function connectAccount(
  db: Kysely<DB>,
  clients: SpApiClients,
  secrets: SecretBox,
  input: ConnectAccountInput,
  options: CheckOptions = {},
): Promise<SellerAccountRow> {
  await assertNotConnected(db, input.sellerId, input.region);
  const { participations, businessName } = await checkToken(
    clients,
    input.region,
    input.sellerId,
    input.refreshToken,
    options,
  );
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
      name: input.name ?? businessName ?? input.sellerId,
      region: input.region,
      refresh_token_encrypted: secrets.seal(input.refreshToken),
      business_name: businessName,
    });
    // Connected by someone else while Amazon was being asked.
    if (!account) {
      throw new AlreadyConnectedError((await findAccountBySeller(tx, input.sellerId, input.region))!);
    }
    await upsertMarketplaces(tx, account.id, participations.map(toMarketplaceInput));
    if (wanted) {
      await tx
        .updateTable('account_marketplaces')
        .set({ enabled: sql<boolean>`marketplace_id = any(${[...wanted]})` })
        .where('account_id', '=', account.id)
        .execute();
    }
    // Its two-year Data Kiosk history, queued with it: the runner fetches it, the request does not wait.
    await queueBackfillOnConnect(tx, account.id);
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
 * Gives an account a new refresh token (after Amazon revoked the old one, or after a disconnect), keeping its
 * history. The token must be the same seller's:
 * - from Amazon's consent flow, Amazon names the seller (`selling_partner_id`), and it must be the account's;
 * - pasted, no SP-API call names the seller a token belongs to (docs/sellers-api.md §1), so Amazon must say two
 *   things of it: it sells in every marketplace the account takes part in (a seller may have joined more, never
 *   fewer without saying so), and its registered business name is the one recorded at connection.
 * Otherwise the reconnect is refused and nothing changes. The business name Amazon gives now is recorded.
 */
export async function reconnectAccount(
  db: Kysely<DB>,
  clients: SpApiClients,
  secrets: SecretBox,
  accountId: string,
  refreshToken: string,
  options: CheckOptions & { source?: TokenSource } = {},
): Promise<SellerAccountRow> {
  const source = options.source ?? { kind: 'pasted' };
  const account = await findAccount(db, accountId);
  if (!account) throw new AppError('NOT_FOUND', `account ${accountId} does not exist`);
  if (source.kind === 'consent' && source.sellingPartnerId !== account.seller_id) {
    throw new OtherSellerError(account, source.sellingPartnerId);
  }
  const { participations, businessName } = await checkToken(
    clients,
    account.region,
    account.seller_id,
    refreshToken,
    options,
  );
  if (source.kind === 'pasted') {
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
  }
  return db.transaction().execute(async (tx) => {
    // Read under a lock: two reconnects of an account with no name yet cannot both record theirs.
    const current = await tx
      .selectFrom('seller_accounts')
      .select('business_name')
      .where('id', '=', account.id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new AppError('NOT_FOUND', `account ${accountId} does not exist`);
    const recorded = current.business_name;
    if (source.kind === 'pasted' && recorded !== null && !sameBusinessName(recorded, businessName)) {
      const theirs =
        businessName === null ? 'Amazon gives no business name for it' : `it belongs to "${businessName}"`;
      throw new AppError(
        'CONFLICT',
        `this token does not look like seller ${account.seller_id}'s: "${account.name}" was connected as the ` +
          `business "${recorded}", and ${theirs}. Nothing was changed; check you signed in to the right ` +
          'Seller Central account',
        { recordedBusinessName: recorded, tokenBusinessName: businessName },
      );
    }
    const updated = await tx
      .updateTable('seller_accounts')
      .set({
        refresh_token_encrypted: secrets.seal(refreshToken),
        business_name: businessName,
        authorized_at: new Date(),
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

/**
 * Stops using the account's authorization at once: the sealed token is deleted, polling stops (the state
 * `disconnected`), and a poll step in flight is fenced off (its lease is cleared, so it can neither ingest nor
 * give the account back), while every report and figure already stored stays. Reconnecting brings it back.
 */
export async function disconnectAccount(
  db: Kysely<DB>,
  clients: SpApiClients,
  accountId: string,
): Promise<SellerAccountRow> {
  const updated = await db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('seller_accounts')
      .set({
        refresh_token_encrypted: null,
        connection_state: 'disconnected',
        connection_error: 'disconnected in Good Standing: reconnect it through Amazon to poll it again',
        consecutive_failures: 0,
        lease_owner: null,
        lease_token: null,
        lease_expires_at: null,
        updated_at: new Date(),
      })
      .where('id', '=', accountId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `account ${accountId} does not exist`);
    await endOpenRuns(
      tx,
      accountId,
      'DISCONNECTED',
      'the account was disconnected before this poll finished',
    );
    await clearAccountPendingReports(tx, accountId);
    return row;
  });
  clients.forget(accountId);
  return updated;
}

/**
 * Deletes the account with everything stored for it (reports, figures, runs, alerts and cases cascade with
 * it), only when `confirmName` is its name: a slip of the id alone cannot wipe another seller's history.
 */
export async function deleteAccount(
  db: Kysely<DB>,
  clients: SpApiClients,
  accountId: string,
  confirmName: string,
): Promise<void> {
  const account = await findAccount(db, accountId);
  if (!account) throw new AppError('NOT_FOUND', `account ${accountId} does not exist`);
  if (confirmName.trim() !== account.name) {
    throw new AppError(
      'BAD_REQUEST',
      `confirmName does not match: to delete "${account.name}" and all of its history, send its name exactly ` +
        'as confirmName. Nothing was deleted',
    );
  }
  // The name is checked again in the delete itself: renamed meanwhile, the account stays.
  if (!(await deleteAccountNamed(db, account.id, account.name))) {
    throw new AppError(
      'CONFLICT',
      `account "${account.name}" changed while it was being deleted; nothing was deleted`,
    );
  }
  clients.forget(account.id);
}

/**
 * The same registered name, however it was typed in: case, Unicode form (é as one character or two) and runs of
 * white space aside. A token whose account has no name does not match one.
 */
function sameBusinessName(recorded: string, theirs: string | null): boolean {
  if (theirs === null) return false;
  const normal = (name: string) => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
  return normal(recorded) === normal(theirs);
}
