import { api, ApiError, type PollRunInfo, type SellerAccount } from '$lib/api';
import type { ConnectOutcome } from '@good-standing/server/api-types.ts';
import type { PageLoad } from './$types';

// Where the API sends the browser after Amazon's consent page (server/src/oauth/oauth.routes.ts). The URL carries
// an outcome code only, never words: a link anyone can make must not put a message of theirs on this page.

interface Explanation {
  tone: 'good' | 'warning' | 'critical';
  title: string;
  happened: string;
  next: string;
}

const START_AGAIN = 'Start again from the accounts settings; nothing was stored.';

const EXPLANATIONS: Record<ConnectOutcome, Explanation> = {
  connected: {
    tone: 'good',
    title: 'Account connected',
    happened: 'Amazon authorized Good Standing for this seller.',
    next: 'Its figures are in the overview as soon as its first poll is done.',
  },
  denied: {
    tone: 'warning',
    title: 'Amazon was not authorized',
    happened: "The authorization was cancelled on Amazon's consent page, so no access was given.",
    next: "To connect the account, start again from the accounts settings and choose Confirm on Amazon's page.",
  },
  authorization_failed: {
    tone: 'critical',
    title: 'Amazon did not authorize the app',
    happened: 'Amazon sent the browser back with an error instead of an authorization.',
    next: "An admin should check the app's registration (its redirect URI, and version=beta while it is a draft); see docs/oauth.md.",
  },
  invalid_request: {
    tone: 'critical',
    title: "Amazon's answer was incomplete",
    happened: 'The browser came back without a valid seller id.',
    next: START_AGAIN,
  },
  state_invalid: {
    tone: 'critical',
    title: 'This authorization was not started here',
    happened: 'The link does not belong to a connection started in Good Standing, so it was ignored.',
    next: START_AGAIN,
  },
  state_used: {
    tone: 'warning',
    title: 'This authorization was already used',
    happened: 'Each authorization works once; this one was finished before (a reload, or a second tab).',
    next: 'If the account is listed as connected, there is nothing to do. Otherwise start again.',
  },
  state_expired: {
    tone: 'warning',
    title: 'The authorization took too long',
    happened: 'More than 10 minutes passed between starting and coming back from Amazon.',
    next: START_AGAIN,
  },
  session_mismatch: {
    tone: 'critical',
    title: 'This authorization belongs to another sign-in',
    happened:
      'It was started in another browser or session (or you signed out meanwhile), so this one cannot finish it.',
    next: 'Finish it in the browser that started it, or start again here.',
  },
  already_connected: {
    tone: 'warning',
    title: 'This seller is already connected',
    happened: 'The seller who authorized is already an account in Good Standing; nothing was added.',
    next: 'To give that account a new authorization, reconnect it from the accounts settings.',
  },
  seller_mismatch: {
    tone: 'critical',
    title: 'Another seller authorized',
    happened:
      "Amazon gave the authorization for a different seller than this account's, so the account was not changed.",
    next: "Sign in to Seller Central as the account's own seller, then reconnect again.",
  },
  account_gone: {
    tone: 'critical',
    title: 'The account no longer exists',
    happened: 'The account being reconnected was deleted meanwhile.',
    next: 'Connect the seller as a new account.',
  },
  code_rejected: {
    tone: 'critical',
    title: 'Amazon refused the authorization code',
    happened: 'The code expired (codes live five minutes) or was used already; nothing was stored.',
    next: START_AGAIN,
  },
  app_refused: {
    tone: 'critical',
    title: "Amazon refused this server's app credentials",
    happened: 'Login with Amazon did not accept the configured client id and secret.',
    next: 'An admin should check SPAPI_CLIENT_ID and SPAPI_CLIENT_SECRET, then start again.',
  },
  token_refused: {
    tone: 'critical',
    title: 'Amazon refused the new authorization',
    happened: "Checking the seller's account with the new authorization failed; nothing was stored.",
    next: 'Start again. If it keeps failing, check that the app has the Selling Partner Insights role.',
  },
  amazon_unavailable: {
    tone: 'warning',
    title: 'Amazon could not be reached',
    happened: 'Amazon did not answer in time; nothing was stored.',
    next: 'Start again in a minute.',
  },
  internal_error: {
    tone: 'critical',
    title: 'Something went wrong here',
    happened: 'Good Standing failed while connecting the account; nothing was stored.',
    next: "Start again. If it keeps failing, the server's log says why.",
  },
};

const UNKNOWN: Explanation = {
  tone: 'warning',
  title: 'No result to show',
  happened:
    'This page shows how connecting an account through Amazon ended, and this link says nothing it knows.',
  next: 'Connect accounts from the accounts settings.',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ConnectResult extends Explanation {
  outcome: ConnectOutcome | null;
  account: { id: string; name: string | null } | null;
  /** Amazon's own error code, for authorization_failed. */
  amazonError: string | null;
  /** The account's newest poll run: for a connected account, the first poll the callback queued. */
  firstPoll: PollRunInfo | null;
}

export const load: PageLoad = async ({ fetch, url }): Promise<{ result: ConnectResult }> => {
  const code = url.searchParams.get('outcome');
  const outcome = code !== null && Object.hasOwn(EXPLANATIONS, code) ? (code as ConnectOutcome) : null;
  const accountId = url.searchParams.get('account');
  let account: ConnectResult['account'] = null;
  let firstPoll: PollRunInfo | null = null;
  if (outcome && accountId && UUID.test(accountId)) {
    account = { id: accountId, name: null };
    try {
      const [found, runs] = await Promise.all([
        api<SellerAccount>(fetch, `/api/accounts/${accountId}`),
        outcome === 'connected' ? api<PollRunInfo[]>(fetch, `/api/accounts/${accountId}/poll-runs`) : [],
      ]);
      account.name = found.name;
      firstPoll = runs[0] ?? null;
    } catch (error) {
      // The name is a courtesy: without it (signed out, account gone) the outcome still says what happened.
      if (!(error instanceof ApiError)) throw error;
    }
  }
  const amazonError = url.searchParams.get('amazonError');
  return {
    result: {
      ...(outcome ? EXPLANATIONS[outcome] : UNKNOWN),
      outcome,
      account,
      amazonError: amazonError && /^[a-z_]{1,64}$/.test(amazonError) ? amazonError : null,
      firstPoll,
    },
  };
};
