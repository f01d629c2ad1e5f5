import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { DB, Region, SellerAccountRow } from '../db/schema.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { RequestAuth } from '../auth/auth.types.ts';
import { newSecret, secretHash } from '../auth/secrets.ts';
import { AppError } from '../http/errors.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';
import { authorizationUri, sellerCentralFor } from '../spapi/seller-central.ts';
import { AuthError, AuthorizationCodeRejectedError } from '../spapi/errors.ts';
import { MARKETPLACES } from '../spapi/marketplaces.ts';
import {
  AlreadyConnectedError,
  OtherSellerError,
  connectAccount,
  reconnectAccount,
} from '../accounts/accounts.service.ts';
import { findAccount, findAccountBySeller, listMarketplaces } from '../accounts/accounts.repository.ts';
import { SellerId } from '../accounts/accounts.schemas.ts';
import { claimState, insertState, pruneStates } from './oauth.repository.ts';
import type { ConnectOutcome, ConsentCallbackQuery, StartConsentBody } from './oauth.schemas.ts';

// Connecting a seller through Amazon's website authorization workflow (docs/oauth.md): a start that hands the
// browser to Seller Central with a state bound to the user's session, and a callback that checks that state,
// exchanges Amazon's code for the seller's refresh token and connects (or reconnects) the account through the
// same code path as a pasted token. Every way the callback can end is an outcome for the result page.

/** How long a started flow may take: Amazon's sign-in and consent, with time to spare. */
export const STATE_LIFETIME_SECONDS = 10 * 60;

export interface ConsentDeps {
  db: Kysely<DB>;
  clients: SpApiClients;
  secrets: SecretBox;
  log: FastifyBaseLogger;
  /** Queues the first poll of an account just connected (the poller's requestRefresh). */
  requestFirstPoll(accountId: string): Promise<unknown>;
  /** How long checking the new token with Amazon may take (default 30 s). */
  checkDeadlineMs?: number;
}

type StartInput = z.infer<typeof StartConsentBody>;

/**
 * Records a new flow and returns Amazon's consent URL for it. Only a browser session can start one: the flow
 * ends with Amazon redirecting that browser back, and the callback knows the user only by its cookie.
 */
export async function startConsent(
  deps: ConsentDeps,
  auth: RequestAuth | null,
  input: StartInput,
  redirectUri: string | undefined,
): Promise<{ url: string; expiresAt: Date }> {
  const application = deps.clients.application;
  if (!application || !redirectUri) {
    throw new AppError(
      'CONFLICT',
      "connecting through Amazon is not set up on this server: set SPAPI_APPLICATION_ID (the app's id in " +
        'Developer Central) and PUBLIC_URL, and register PUBLIC_URL/api/oauth/callback as the app’s OAuth ' +
        'redirect URI. Until then, connect with a refresh token: POST /api/accounts',
    );
  }
  if (auth?.kind !== 'session') {
    throw new AppError(
      'FORBIDDEN',
      "Amazon's consent flow comes back to the browser that started it, signed in: start it from the " +
        'dashboard, not with an API token. Scripts connect with a refresh token: POST /api/accounts',
    );
  }

  let marketplaceId = input.marketplaceId;
  let accountId: string | null = null;
  if (input.accountId) {
    const account = await findAccount(deps.db, input.accountId);
    if (!account) throw new AppError('NOT_FOUND', `account ${input.accountId} does not exist`);
    if (account.region !== input.region) {
      throw new AppError(
        'BAD_REQUEST',
        `"${account.name}" is an account of the ${account.region} region, not ${input.region}`,
      );
    }
    accountId = account.id;
    marketplaceId ??= await homeMarketplace(deps.db, account);
  }

  const sellerCentral = sellerCentralFor(input.region, marketplaceId);
  if (!sellerCentral.ok) throw new AppError('BAD_REQUEST', sellerCentralProblem(input.region, sellerCentral));

  const state = newSecret();
  await pruneStates(deps.db);
  const expiresAt = await insertState(deps.db, {
    stateHash: secretHash(state),
    sessionId: auth.sessionId,
    userId: auth.user.id,
    region: input.region,
    marketplaceId: marketplaceId ?? null,
    name: accountId ? null : (input.name ?? null),
    accountId,
    redirectUri,
    lifetimeSeconds: STATE_LIFETIME_SECONDS,
  });
  // Through the transport seam the simulator plays Seller Central too (docs/transport-seam.md).
  const endpoint = deps.clients.endpoint;
  const url = authorizationUri({
    base: endpoint ?? sellerCentral.url,
    applicationId: application.id,
    state,
    redirectUri,
    draft: application.draft,
    ...(endpoint ? { simulatorRegion: input.region } : {}),
  });
  return { url, expiresAt };
}

/** The Seller Central of a reconnect: the first of the account's marketplaces that has one. */
async function homeMarketplace(db: Kysely<DB>, account: SellerAccountRow): Promise<string | undefined> {
  const marketplaces = await listMarketplaces(db, [account.id]);
  const ours = marketplaces.filter((m) => m.is_participating).map((m) => m.marketplace_id);
  return ours.find((id) => sellerCentralFor(account.region, id).ok);
}

function sellerCentralProblem(
  region: Region,
  choice: Exclude<ReturnType<typeof sellerCentralFor>, { ok: true }>,
): string {
  const list = choice.choices.map((id) => `${id} (${MARKETPLACES[id]?.countryCode ?? id})`).join(', ');
  if (choice.reason === 'marketplace_needed') {
    return `the ${region} region has a Seller Central per marketplace: name the seller's marketplace as marketplaceId, one of ${list}`;
  }
  return `marketplaceId must be a marketplace of the ${region} region, one of ${list}`;
}

export interface ConsentResult {
  outcome: ConnectOutcome;
  /** The account connected, or the one that already holds the seller. */
  accountId?: string;
  /** Amazon's own error code, when it sent one (letters and underscores only: it goes in the result URL). */
  amazonError?: string;
}

type CallbackQuery = z.infer<typeof ConsentCallbackQuery>;

/**
 * Ends a flow where Amazon sent the browser back. Nothing is stored unless every check passes; whatever happens
 * is said as an outcome, for the page the browser is sent to next.
 */
export async function finishConsent(
  deps: ConsentDeps,
  auth: RequestAuth | null,
  query: CallbackQuery,
): Promise<ConsentResult> {
  if (!query.state) return { outcome: 'state_invalid' };
  const sessionId = auth?.kind === 'session' ? auth.sessionId : undefined;
  const claim = await claimState(deps.db, secretHash(query.state), sessionId);
  if (!claim.ok) {
    const outcome = (
      {
        unknown: 'state_invalid',
        used: 'state_used',
        expired: 'state_expired',
        other_session: 'session_mismatch',
      } as const
    )[claim.reason];
    return { outcome };
  }
  const flow = claim.state;

  // Cancel on Amazon's page comes back the OAuth way, with an error and no code (docs/oauth.md §3).
  if (query.error || !query.spapi_oauth_code) {
    const error = query.error && /^[a-z_]{1,64}$/.test(query.error) ? query.error : undefined;
    if (!query.error || error === 'access_denied') return { outcome: 'denied' };
    return { outcome: 'authorization_failed', ...(error ? { amazonError: error } : {}) };
  }
  const seller = SellerId.safeParse(query.selling_partner_id);
  if (!seller.success) return { outcome: 'invalid_request' };
  const sellingPartnerId = seller.data;

  // What can be known before the code is spent is checked first: no token is fetched for a seller refused anyway.
  if (flow.account_id) {
    const account = await findAccount(deps.db, flow.account_id);
    if (!account) return { outcome: 'account_gone' };
    if (account.seller_id !== sellingPartnerId) return { outcome: 'seller_mismatch', accountId: account.id };
  } else {
    const existing = await findAccountBySeller(deps.db, sellingPartnerId, flow.region);
    if (existing) return { outcome: 'already_connected', accountId: existing.id };
  }

  let refreshToken: string;
  try {
    ({ refreshToken } = await deps.clients.exchangeAuthorizationCode(
      query.spapi_oauth_code,
      flow.redirect_uri,
    ));
  } catch (err) {
    if (err instanceof AuthorizationCodeRejectedError) return { outcome: 'code_rejected' };
    if (err instanceof AuthError) {
      deps.log.error({ err }, 'LWA refused the app credentials while exchanging an authorization code');
      return { outcome: 'app_refused' };
    }
    deps.log.warn({ err }, 'could not exchange an authorization code with LWA');
    return { outcome: 'amazon_unavailable' };
  }

  // The code is spent now: the rest runs to its end even if the browser leaves, or the consent is lost.
  const options = {
    source: { kind: 'consent', sellingPartnerId } as const,
    deadlineMs: deps.checkDeadlineMs,
  };
  let account: SellerAccountRow;
  try {
    account = flow.account_id
      ? await reconnectAccount(deps.db, deps.clients, deps.secrets, flow.account_id, refreshToken, options)
      : await connectAccount(
          deps.db,
          deps.clients,
          deps.secrets,
          {
            sellerId: sellingPartnerId,
            region: flow.region,
            refreshToken,
            ...(flow.name ? { name: flow.name } : {}),
          },
          options,
        );
  } catch (err) {
    return connectFailure(deps, err);
  }
  await deps.requestFirstPoll(account.id);
  deps.log.info(
    { accountId: account.id, sellerId: account.seller_id, reconnect: flow.account_id !== null },
    'seller account connected through Amazon',
  );
  return { outcome: 'connected', accountId: account.id };
}

function connectFailure(deps: ConsentDeps, err: unknown): ConsentResult {
  if (err instanceof AlreadyConnectedError)
    return { outcome: 'already_connected', accountId: err.existing.id };
  if (err instanceof OtherSellerError) return { outcome: 'seller_mismatch', accountId: err.account.id };
  if (err instanceof AppError) {
    if (err.code === 'NOT_FOUND') return { outcome: 'account_gone' };
    if (err.code === 'SERVICE_UNAVAILABLE') return { outcome: 'amazon_unavailable' };
    if (err.code === 'BAD_REQUEST') return { outcome: 'token_refused' };
  }
  deps.log.error({ err }, 'connecting an account through Amazon failed');
  return { outcome: 'internal_error' };
}
