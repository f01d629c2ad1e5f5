import https from 'node:https';
import { z } from 'zod';
import type { SpApiAppCredentials } from './client.ts';
import {
  AuthorizationCodeRejectedError,
  NetworkError,
  SpApiAbortedError,
  SpApiError,
  ThrottledError,
  ServerError,
  safeDetail,
  toSpApiError,
} from './errors.ts';
import {
  DEFAULT_RETRY_POLICY,
  realSleep,
  retryDelayMs,
  sleepOrAbort,
  type RetryPolicy,
  type Sleep,
} from './retry.ts';
import { sharedLocalTransportAgent } from './transport.ts';

// The one LWA request amazon-sp-api cannot make for us: exchanging the code of Amazon's consent flow for the
// seller's refresh token (docs/oauth.md §4). The package's exchange() sends JSON without a redirect_uri, so the
// request is built here, and sent through the same transport seam as every other request.

export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';
const OPERATION = 'exchangeAuthorizationCode';
const DEFAULT_TIMEOUT_MS = 30_000;
// Connection failures that mean the request never reached LWA, so the code cannot have been spent.
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface CodeExchangeOptions {
  /** `spapi_oauth_code` from the consent redirect. */
  code: string;
  /** The redirect URI the consent was asked with: LWA wants the same one (RFC 6749 §4.1.3). */
  redirectUri: string;
  app: SpApiAppCredentials;
  /** The SPAPI_ENDPOINT transport seam; undefined = Amazon. */
  endpoint?: string;
  /** Per-attempt response timeout (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  sleep?: Sleep;
  retry?: Partial<RetryPolicy>;
}

export interface ExchangedTokens {
  refreshToken: string;
  /** Valid for `expiresInSeconds` (an hour): the first SP-API calls may use it. */
  accessToken: string;
  expiresInSeconds: number;
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * Exchanges an authorization code for the seller's tokens. A code is single use, so only failures that prove
 * LWA did not act on it are retried: a throttle, a 5xx that says so, a connection that never opened. A
 * connection lost after the request went out is not: the code may be spent, and a retry would only earn an
 * `invalid_grant` that hides what happened.
 */
export async function exchangeAuthorizationCode(opts: CodeExchangeOptions): Promise<ExchangedTokens> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const sleep = opts.sleep ?? realSleep;
  let throttles = 0;
  let failures = 0;
  for (;;) {
    try {
      return parseAnswer(await post(opts));
    } catch (caught) {
      const err = scrub(toSpApiError(caught, OPERATION), opts);
      const throttled = err instanceof ThrottledError;
      const safeToRetry = throttled || err instanceof ServerError || neverSent(err);
      const waitMs = safeToRetry ? retryDelayMs(err, throttled ? throttles : failures, policy) : null;
      if (waitMs === null) throw err;
      if (throttled) throttles += 1;
      else failures += 1;
      await sleepOrAbort(sleep, waitMs, OPERATION, opts.signal);
    }
  }
}

function neverSent(err: SpApiError): boolean {
  return err instanceof NetworkError && NEVER_SENT_CODES.has(err.code);
}

function post(opts: CodeExchangeOptions): Promise<RawAnswer> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: opts.code,
    redirect_uri: opts.redirectUri,
    client_id: opts.app.clientId,
    client_secret: opts.app.clientSecret,
  }).toString();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = https.request(
      LWA_TOKEN_URL,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
          'content-length': Buffer.byteLength(form),
          accept: 'application/json',
        },
        ...(opts.endpoint ? { agent: sharedLocalTransportAgent(opts.endpoint) } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', (err) =>
      // An abort is the caller's, not the network's: the same error every SP-API wait gives for it.
      reject(opts.signal?.aborted ? new SpApiAbortedError(OPERATION) : err),
    );
    req.end(form);
  });
}

function parseAnswer(answer: RawAnswer): ExchangedTokens {
  const json = parseJson(answer.body);
  if (answer.status >= 200 && answer.status < 300) {
    const ok = tokenResponse.safeParse(json);
    if (!ok.success) {
      const where = ok.error.issues[0]?.path.join('.') || 'body';
      throw new SpApiError(`${OPERATION}: LWA answered ${answer.status} without a usable ${where}`, {
        code: 'UnexpectedResponse',
        operation: OPERATION,
        status: answer.status,
        retryable: false,
      });
    }
    return {
      refreshToken: ok.data.refresh_token,
      accessToken: ok.data.access_token,
      expiresInSeconds: ok.data.expires_in,
    };
  }
  const ctx = { operation: OPERATION, status: answer.status };
  const error = oauthError.safeParse(json);
  if (error.success && error.data.error === 'invalid_grant') {
    const why = safeDetail(error.data.error_description);
    throw new AuthorizationCodeRejectedError(
      `${OPERATION}: Amazon refused the authorization code (invalid_grant${why ? `: ${why}` : ''}); it expired ` +
        '(codes live five minutes), was used already, or was issued for another redirect URI',
      ctx,
    );
  }
  if (answer.status === 429) throw new ThrottledError(`${OPERATION}: LWA answered 429`, ctx);
  if (error.success) {
    // OAuth's other codes (invalid_client, slow_down, server_error, temporarily_unavailable...) mean here what
    // they mean for the refresh-token grant. A code nobody knows is still a server error when the status says so.
    const mapped = toSpApiError(
      { code: error.data.error, message: error.data.error_description ?? '' },
      OPERATION,
    );
    if (answer.status < 500 || mapped.constructor !== SpApiError) throw mapped;
  }
  if (answer.status >= 500) {
    throw new ServerError(`${OPERATION}: LWA answered ${answer.status}`, { ...ctx, code: 'InternalFailure' });
  }
  throw new SpApiError(`${OPERATION}: LWA answered ${answer.status}${detailOf(answer.body)}`, {
    ...ctx,
    code: `HTTP_${answer.status}`,
    retryable: false,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function detailOf(body: string): string {
  const detail = safeDetail(body, 120);
  return detail ? ` (${detail})` : '';
}

/** Whatever came back, neither the code nor the client secret survives in a message. */
function scrub(err: SpApiError, opts: CodeExchangeOptions): SpApiError {
  for (const secret of [opts.code, opts.app.clientSecret]) {
    if (secret.length >= 8) err.message = err.message.split(secret).join('[redacted]');
  }
  return err;
}
