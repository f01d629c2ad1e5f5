import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../http/errors.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';
import type { Poller } from '../poller/poller.ts';
import { ConsentCallbackQuery, StartConsentBody, StartConsentResponse } from './oauth.schemas.ts';
import { finishConsent, startConsent, type ConsentDeps, type ConsentResult } from './oauth.service.ts';

export const CALLBACK_PATH = '/api/oauth/callback';
/** The dashboard page that says how a consent flow ended (web/src/routes/settings/accounts/connect-result). */
export const RESULT_PAGE = '/settings/accounts/connect-result';

export interface OAuthRoutesOptions {
  clients: SpApiClients;
  poller: Pick<Poller, 'requestRefresh'>;
  /** PUBLIC_URL: where Amazon sends the browser back. */
  publicUrl: string | undefined;
  /** Demo mode without PUBLIC_URL: the simulator sends the browser back to the address it came from. */
  demo: boolean;
  checkDeadlineMs?: number;
}

/**
 * `PUBLIC_URL/api/oauth/callback`, the redirect URI registered with Amazon. In demo mode without PUBLIC_URL, the
 * address the browser used (the Host guard has vetted it): the session cookie only comes back to the same host.
 */
function redirectUriFor(request: FastifyRequest, options: OAuthRoutesOptions): string | undefined {
  if (options.publicUrl) return `${options.publicUrl.replace(/\/+$/, '')}${CALLBACK_PATH}`;
  if (options.demo) return `${request.protocol}://${request.host}${CALLBACK_PATH}`;
  return undefined;
}

function resultLocation(result: ConsentResult): string {
  const params = new URLSearchParams({ outcome: result.outcome });
  if (result.accountId) params.set('account', result.accountId);
  if (result.amazonError) params.set('amazonError', result.amazonError);
  return `${RESULT_PAGE}?${params.toString()}`;
}

export const oauthRoutes: FastifyPluginAsyncZod<OAuthRoutesOptions> = async (app, options) => {
  const deps: ConsentDeps = {
    db: app.database.db,
    clients: options.clients,
    secrets: app.secrets,
    log: app.log,
    requestFirstPoll: (accountId) => options.poller.requestRefresh(accountId, 'manual'),
    checkDeadlineMs: options.checkDeadlineMs,
  };

  app.post(
    '/accounts/oauth/start',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: "Start connecting a seller through Amazon's consent page",
        description:
          'Answers with the Seller Central consent URL to send the browser to. Amazon sends it back to ' +
          '/api/oauth/callback, which connects the account (or reconnects `accountId`, which must be the same ' +
          'seller) and redirects to the result page. Only a signed-in browser session can start it; the flow ' +
          'expires after 10 minutes and is used once.',
        body: StartConsentBody,
        response: {
          200: StartConsentResponse,
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) => {
      const { url, expiresAt } = await startConsent(
        deps,
        request.auth,
        request.body,
        redirectUriFor(request, options),
      );
      return { url, expiresAt: expiresAt.toISOString() };
    },
  );

  app.get(
    '/oauth/callback',
    {
      // Reached by Amazon's redirect: the session is read from the cookie the browser brings along.
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: "Where Amazon's consent page sends the browser back (the app's OAuth redirect URI)",
        description:
          'Always answers 303 to /settings/accounts/connect-result with `outcome` (and `account` when one is ' +
          'concerned): connected, or what went wrong.',
        querystring: ConsentCallbackQuery,
        response: { 303: z.null().describe('Redirect to the result page') },
      },
    },
    async (request, reply) => {
      const result = await finishConsent(deps, await app.identify(request), request.query);
      // The code and state are in this URL: no later page may learn it from a Referer, nor a cache keep it.
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      return reply.redirect(resultLocation(result), 303);
    },
  );
};
