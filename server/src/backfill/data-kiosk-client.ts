import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import {
  AuthError,
  DocumentUrlExpiredError,
  NetworkTimeoutError,
  SpApiAbortedError,
  SpApiError,
  ThrottledError,
  errorFromHttpResponse,
  toSpApiError,
} from '../spapi/errors.ts';
import {
  DEFAULT_RETRY_POLICY,
  realSleep,
  retryDelayMs,
  sleepOrAbort,
  type RetryPolicy,
} from '../spapi/retry.ts';
import { createSellingPartner, type RawResponse, type SellingPartnerLike } from '../spapi/selling-partner.ts';
import { sharedLocalTransportAgent } from '../spapi/transport.ts';
import type { SpApiRegion } from '../spapi/marketplaces.ts';
import type { SellerRateLimiter, UsagePlan } from '../spapi/rate-limiter.ts';

// The Data Kiosk API 2023-11-15 as the backfill uses it (docs/data-kiosk.md): createQuery, getQuery, getDocument
// and the document download. Requests go through amazon-sp-api exactly as the report client's do (same package
// client, same transport seam, same error mapping and back-off, paced by the same kind of per-seller token
// buckets); only the document is read differently: as a stream, through the seam's agent, never whole.

/** Amazon's default usage plans for the Data Kiosk operations (per selling partner), from the API model. */
export const DATA_KIOSK_USAGE_PLANS: Readonly<Record<DataKioskOperation, UsagePlan>> = Object.freeze({
  createQuery: { rate: 0.0167, burst: 15 },
  getQuery: { rate: 2, burst: 15 },
  getDocument: { rate: 0.0167, burst: 15 },
});

export type DataKioskOperation = 'createQuery' | 'getQuery' | 'getDocument';

const DOWNLOAD_OPERATION = 'downloadDocument';
const ACCESS_TOKEN_MAX_AGE_MS = 50 * 60_000;
// The Date header has whole seconds: only a skew clearly beyond that is believed.
const MIN_BELIEVED_SKEW_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 30_000;

export type QueryStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'FATAL' | 'CANCELLED';

export interface DataKioskQuery {
  queryId: string;
  processingStatus: QueryStatus;
  dataDocumentId?: string;
  errorDocumentId?: string;
  /** Amazon's token for the next page of results, when the document does not hold them all. */
  nextToken?: string;
}

export interface DataKioskClient {
  createQuery(query: string, paginationToken?: string | null, signal?: AbortSignal): Promise<string>;
  getQuery(queryId: string, signal?: AbortSignal): Promise<DataKioskQuery>;
  /** getDocument, then the download: the document's bytes as a stream, gzip already peeled. */
  openDocument(documentId: string, signal?: AbortSignal): Promise<Readable>;
  /** Amazon's clock, as its responses' Date headers tell it (ours until one has answered). */
  amazonNow(): Date;
}

export interface DataKioskClientOptions {
  region: SpApiRegion;
  sellerId: string;
  refreshToken: string;
  app: { clientId: string; clientSecret: string };
  /** The SPAPI_ENDPOINT transport seam; undefined = real Amazon. */
  endpoint: string | undefined;
  limiter: SellerRateLimiter;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

const createQuerySchema = z.object({ queryId: z.string() });
const querySchema = z.object({
  queryId: z.string(),
  processingStatus: z.string(),
  dataDocumentId: z.string().optional(),
  errorDocumentId: z.string().optional(),
  pagination: z.object({ nextToken: z.string().optional() }).optional(),
});
const documentSchema = z.object({ documentId: z.string(), documentUrl: z.string() });

const KNOWN_STATUSES = new Set<string>(['IN_QUEUE', 'IN_PROGRESS', 'DONE', 'FATAL', 'CANCELLED']);

export function createDataKioskClient(opts: DataKioskClientOptions): DataKioskClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // A backfill is long and patient: more 429s are absorbed than in a poll, each after a full token's wait.
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxThrottleRetries: 12, ...opts.retry };
  const agent = opts.endpoint ? sharedLocalTransportAgent(opts.endpoint) : undefined;
  const sp: SellingPartnerLike = createSellingPartner({
    region: opts.region,
    refreshToken: opts.refreshToken,
    clientId: opts.app.clientId,
    clientSecret: opts.app.clientSecret,
    agent,
    timeoutMs,
  });
  const sellerKey = `${opts.region}:${opts.sellerId}`;
  let tokenObtainedAt = 0;
  let skewMs = 0;

  // Any secret we hold must not survive in a message, even if Amazon (or a proxy) echoes it back.
  const scrub = (err: SpApiError): SpApiError => {
    const secrets = [opts.refreshToken, opts.app.clientSecret, sp.access_token].filter(
      (s): s is string => typeof s === 'string' && s.length >= 8,
    );
    for (const secret of secrets) err.message = err.message.split(secret).join('[redacted]');
    return err;
  };

  async function refreshToken(force: boolean): Promise<void> {
    const fresh = sp.access_token !== undefined && Date.now() - tokenObtainedAt < ACCESS_TOKEN_MAX_AGE_MS;
    if (fresh && !force) return;
    await sp.refreshAccessToken();
    tokenObtainedAt = Date.now();
  }

  async function withRetries<T>(
    operation: string,
    signal: AbortSignal | undefined,
    attempt: () => Promise<T>,
  ): Promise<T> {
    let throttles = 0;
    let failures = 0;
    let reauthorized = false;
    for (;;) {
      if (signal?.aborted) throw new SpApiAbortedError(operation);
      try {
        return await attempt();
      } catch (caught) {
        if (caught instanceof SpApiAbortedError) throw caught;
        if (signal?.aborted) throw new SpApiAbortedError(operation);
        const err = scrub(toSpApiError(caught, operation));
        if (err instanceof DocumentUrlExpiredError) throw err;
        // A 403 may only mean the access token expired early; one fresh token settles it. A second 403 is
        // Amazon's answer (for Data Kiosk: the seller has not granted the analytics role).
        if (err instanceof AuthError && typeof err.status === 'number' && !reauthorized) {
          reauthorized = true;
          await refreshToken(true).catch((tokenError: unknown) => {
            throw scrub(toSpApiError(tokenError, 'token'));
          });
          continue;
        }
        const throttled = err instanceof ThrottledError;
        if (throttled && operation in DATA_KIOSK_USAGE_PLANS) opts.limiter.drain(sellerKey, operation);
        const waitMs = retryDelayMs(err, throttled ? throttles : failures, policy);
        if (waitMs === null) throw err;
        if (throttled) throttles += 1;
        else failures += 1;
        await sleepOrAbort(realSleep, waitMs, operation, signal);
      }
    }
  }

  async function callApi(
    operation: DataKioskOperation,
    signal: AbortSignal | undefined,
    params: { path?: Record<string, string>; body?: Record<string, unknown> },
  ): Promise<unknown> {
    return withRetries(operation, signal, async () => {
      await opts.limiter.acquire(sellerKey, operation, signal).catch(() => {
        throw new SpApiAbortedError(operation);
      });
      try {
        await refreshToken(false);
      } catch (caught) {
        throw toSpApiError(caught, 'token');
      }
      // The package mutates what it is given (it encodes path values in place), so every send gets copies.
      const res: RawResponse = await sp.callAPI({
        operation,
        endpoint: 'dataKiosk',
        ...(params.path ? { path: { ...params.path } } : {}),
        ...(params.body ? { body: { ...params.body } } : {}),
        options: { raw_result: true },
      });
      const date = Date.parse(headerValue(res.headers, 'date') ?? '');
      if (Number.isFinite(date))
        skewMs = Math.abs(date - Date.now()) > MIN_BELIEVED_SKEW_MS ? date - Date.now() : 0;
      if (res.statusCode >= 200 && res.statusCode < 300) return parseJson(res.body, operation);
      throw errorFromHttpResponse(
        { status: res.statusCode, headers: res.headers, body: res.body },
        operation,
      );
    });
  }

  /** One GET of the presigned URL through the seam's agent; resolves once the status line is in. */
  function requestDocument(url: string, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = https.request(url, {
        method: 'GET',
        ...(agent ? { agent } : {}),
        ...(signal ? { signal } : {}),
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
  }

  async function download(url: string, signal: AbortSignal | undefined): Promise<Readable> {
    return withRetries(DOWNLOAD_OPERATION, signal, async () => {
      let res: IncomingMessage;
      try {
        res = await requestDocument(url, signal);
      } catch (caught) {
        if (signal?.aborted) throw new SpApiAbortedError(DOWNLOAD_OPERATION);
        throw toSpApiError(caught, DOWNLOAD_OPERATION);
      }
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        const body = await readSmall(res);
        // S3 refuses an expired presigned URL with 403 AccessDenied/Request has expired.
        if (status === 403) {
          throw new DocumentUrlExpiredError(`${DOWNLOAD_OPERATION}: HTTP 403 (document URL refused)`, {
            operation: DOWNLOAD_OPERATION,
            status,
          });
        }
        throw errorFromHttpResponse({ status, headers: res.headers, body }, DOWNLOAD_OPERATION);
      }
      // An idle response (no next chunk within the timeout) is a failure, not a wait forever.
      res.setTimeout(timeoutMs, () =>
        res.destroy(
          new NetworkTimeoutError(`${DOWNLOAD_OPERATION}: no data for ${timeoutMs} ms`, {
            operation: DOWNLOAD_OPERATION,
          }),
        ),
      );
      return peelGzip(res);
    });
  }

  return {
    amazonNow: () => new Date(Date.now() + skewMs),

    async createQuery(query, paginationToken, signal) {
      const body = await callApi('createQuery', signal, {
        body: { query, ...(paginationToken ? { paginationToken } : {}) },
      });
      return validate(createQuerySchema, body, 'createQuery').queryId;
    },

    async getQuery(queryId, signal) {
      const body = validate(
        querySchema,
        await callApi('getQuery', signal, { path: { queryId } }),
        'getQuery',
      );
      // A status Amazon adds later is taken as still working; the caller's deadline ends it.
      const status = KNOWN_STATUSES.has(body.processingStatus)
        ? (body.processingStatus as QueryStatus)
        : 'IN_PROGRESS';
      return {
        queryId: body.queryId,
        processingStatus: status,
        ...(body.dataDocumentId ? { dataDocumentId: body.dataDocumentId } : {}),
        ...(body.errorDocumentId ? { errorDocumentId: body.errorDocumentId } : {}),
        ...(body.pagination?.nextToken ? { nextToken: body.pagination.nextToken } : {}),
      };
    },

    async openDocument(documentId, signal) {
      // The URL lives five minutes: an expired one is asked for again, once.
      for (let attempt = 0; ; attempt++) {
        const doc = validate(
          documentSchema,
          await callApi('getDocument', signal, { path: { documentId } }),
          'getDocument',
        );
        try {
          return await download(doc.documentUrl, signal);
        } catch (err) {
          if (err instanceof DocumentUrlExpiredError && attempt === 0) continue;
          throw err;
        }
      }
    },
  };
}

/**
 * The document as text bytes, whether S3 sends it gzipped (by Content-Encoding or as a gzipped object; the magic
 * bytes decide, as for reports) or plain. Streamed: the first chunk is looked at, nothing more is held.
 */
function peelGzip(res: IncomingMessage): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(toSpApiError(err, DOWNLOAD_OPERATION));
    const onEnd = () => {
      // An empty body: an empty document.
      res.off('error', onError);
      const empty = new PassThrough();
      empty.end();
      resolve(empty);
    };
    res.once('error', onError);
    res.once('end', onEnd);
    const onReadable = () => {
      const first = res.read() as Buffer | null;
      if (first === null) return;
      res.off('readable', onReadable);
      res.off('error', onError);
      res.off('end', onEnd);
      const gzipped = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
      res.unshift(first);
      if (!gzipped) {
        resolve(res);
        return;
      }
      const out = createGunzip();
      pipeline(res, out).catch(() => {
        // pipeline destroys `out` with the error, which its reader sees.
      });
      resolve(out);
    };
    res.on('readable', onReadable);
  });
}

function headerValue(headers: RawResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readSmall(res: IncomingMessage, max = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) break;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string, operation: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new SpApiError(`${operation}: response is not JSON`, {
      code: 'UnexpectedResponse',
      operation,
      retryable: true,
    });
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, operation: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0]?.path.join('.') || 'body';
  throw new SpApiError(`${operation}: unexpected response shape at ${where}`, {
    code: 'UnexpectedResponse',
    operation,
    retryable: false,
  });
}
