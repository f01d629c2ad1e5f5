import { z } from 'zod';
import { Region } from '../accounts/accounts.schemas.ts';

export const StartConsentBody = z
  .object({
    region: Region,
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Name of the new account in Good Standing; default the business name Amazon gives'),
    accountId: z
      .uuid()
      .optional()
      .describe('Reconnect this account (same seller, history kept) instead of connecting a new one'),
    marketplaceId: z
      .string()
      .regex(/^[A-Z0-9]{10,16}$/, 'a marketplace id is 10 to 16 capital letters or digits')
      .optional()
      .describe(
        "The seller's marketplace, whose Seller Central they sign in to (docs/oauth.md §6). Needed in the Far " +
          "East; default for a reconnect: the account's own",
      ),
  })
  .strict();

export const StartConsentResponse = z
  .object({
    url: z.string().describe("Amazon's consent page: send the user's browser there"),
    expiresAt: z.string().describe('The consent must come back before this (10 minutes)'),
  })
  .describe('ConsentStarted');

/**
 * How a consent flow ended, as the result page is told (`?outcome=`). Only a code travels in the URL, never a
 * message: a link anyone can make must not put words of theirs on the page.
 */
export const CONNECT_OUTCOMES = [
  'connected',
  'denied',
  'authorization_failed',
  'invalid_request',
  'state_invalid',
  'state_used',
  'state_expired',
  'session_mismatch',
  'already_connected',
  'seller_mismatch',
  'account_gone',
  'code_rejected',
  'app_refused',
  'token_refused',
  'amazon_unavailable',
  'internal_error',
] as const;

export type ConnectOutcome = (typeof CONNECT_OUTCOMES)[number];

/** The first value of a repeated parameter; anything unreadable is as good as absent. */
const Param = z
  .preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().max(4096))
  .optional()
  .catch(undefined);

export const ConsentCallbackQuery = z.object({
  state: Param,
  selling_partner_id: Param,
  spapi_oauth_code: Param,
  /** Only for hybrid MWS apps (docs/oauth.md §2); never read. */
  mws_auth_token: Param,
  error: Param,
  error_description: Param,
});
