import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { decodeReportDocument } from './document.ts';
import {
  AuthError,
  DocumentUrlExpiredError,
  MalformedDocumentError,
  ReportFailedError,
  ReportTimeoutError,
  SpApiAbortedError,
  SpApiError,
  ThrottledError,
  errorFromHttpResponse,
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
import {
  createSellingPartner,
  type RawResponse,
  type SellingPartnerLike,
  type SpApiPathTarget,
} from './selling-partner.ts';
import { sharedLocalTransportAgent } from './transport.ts';
import type { SpApiRegion } from './marketplaces.ts';

export interface SpApiAppCredentials {
  clientId: string;
  clientSecret: string;
}

export interface SpApiCallEvent {
  /** The SP-API operation, `token` for an LWA token request, `download` for a document download. */
  operation: string;
  outcome: 'ok' | 'throttled' | 'error';
  ms: number;
  bytes?: number;
}

export interface SpApiClientOptions {
  region: SpApiRegion;
  refreshToken: string;
  app: SpApiAppCredentials;
  /** The SPAPI_ENDPOINT transport seam, e.g. http://127.0.0.1:4010; undefined = real Amazon. */
  endpoint?: string;
  /** Per-request response and idle timeout (default 30 s). */
  timeoutMs?: number;
  /** Called once per HTTP request made: every attempt, retries included, plus token and download requests. */
  onCall?: (e: SpApiCallEvent) => void;
  /** Awaited before every SP-API operation attempt (not token or document requests, which Amazon meters apart). */
  beforeCall?: (operation: string, signal?: AbortSignal) => Promise<void>;
  /** Used for retry back-off; FetchReportOptions.sleep overrides it for one fetch. */
  sleep?: Sleep;
  retry?: Partial<RetryPolicy>;
}

export interface SellerPerformanceReportResult {
  reportId: string;
  reportDocumentId: string;
  /** True when getReports found the report (DONE, or still pending and awaited), so no createReport was made. */
  reused: boolean;
  createdTime: string | null;
  processingEndTime: string | null;
  /** The document bytes as served, after un-gzip when they were gzip. */
  bytes: Buffer;
  /** Whether the downloaded bytes were gzip. */
  compressed: boolean;
}

export interface FetchReportOptions {
  /** Reuse a report created within this window (default 60 min). */
  reuseWithinMs?: number;
  /**
   * When the report can first be ready: the first getReport comes no sooner (default 15 s), then each wait is
   * x1.5 up to 60 s. Jitter only ever adds up to 10 %.
   */
  pollIntervalMs?: number;
  /** Give up waiting on IN_QUEUE/IN_PROGRESS after this long (default 20 min). */
  deadlineMs?: number;
  /** Reports never to reuse: ones whose document did not decode or parse, or that stayed stuck in the queue. */
  avoidReportIds?: ReadonlySet<string>;
  signal?: AbortSignal;
  sleep?: Sleep;
}

export interface MarketplaceParticipation {
  marketplaceId: string;
  name: string;
  countryCode: string;
  defaultCurrencyCode: string;
  domainName: string;
  isParticipating: boolean;
  hasSuspendedListings: boolean;
}

/** A report asked for (or found) without waiting for it: where Amazon was with it when last seen. */
export interface RequestedReport {
  reportId: string;
  /** True when getReports found it, so no createReport was made. */
  reused: boolean;
  status: ReportProgress['status'];
}

/** One look at a report: still in Amazon's queue, or done with a document to fetch. */
export type ReportProgress =
  | { reportId: string; status: 'IN_QUEUE' | 'IN_PROGRESS' }
  | {
      reportId: string;
      status: 'DONE';
      reportDocumentId: string;
      createdTime: string | null;
      processingEndTime: string | null;
    };

export interface RequestReportOptions {
  /** Reuse a report created within this window (default 60 min; 0 asks for a new one without looking). */
  reuseWithinMs?: number;
  avoidReportIds?: ReadonlySet<string>;
  signal?: AbortSignal;
}

/** What getAccount says of the seller a token belongs to (docs/sellers-api.md §1). */
export interface SellerAccountInfo {
  /** The registered business name; null when Amazon sends no business section (individual sellers). */
  businessName: string | null;
  /** CHARITY, PRIVATE_LIMITED, INDIVIDUAL... as Amazon sends it. */
  businessType: string;
  /** PROFESSIONAL or INDIVIDUAL, as Amazon sends it. */
  sellingPlan: string;
}

export interface SpApiClient {
  getMarketplaceParticipations(opts?: { signal?: AbortSignal }): Promise<MarketplaceParticipation[]>;
  getAccount(opts?: { signal?: AbortSignal }): Promise<SellerAccountInfo>;
  /** Waits for the report in this call: for the CLI and tools. The poller uses the three steps below. */
  fetchSellerPerformanceReport(
    marketplaceIds: string[],
    opts?: FetchReportOptions,
  ): Promise<SellerPerformanceReportResult>;
  /** Finds a reusable report or creates one, and returns at once. */
  requestSellerPerformanceReport(
    marketplaceIds: string[],
    opts?: RequestReportOptions,
  ): Promise<RequestedReport>;
  /** One getReport. FATAL and CANCELLED throw ReportFailedError (with Amazon's reason for FATAL). */
  checkReport(reportId: string, opts?: { signal?: AbortSignal }): Promise<ReportProgress>;
  /** Downloads and decodes a finished report's document; bad bytes throw MalformedDocumentError naming the report. */
  downloadReport(
    report: { reportId: string; reportDocumentId: string; marketplaceIds: string[] },
    opts?: { signal?: AbortSignal },
  ): Promise<{ bytes: Buffer; compressed: boolean }>;
}

export const SELLER_PERFORMANCE_REPORT_TYPE = 'GET_V2_SELLER_PERFORMANCE_REPORT';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_REUSE_WITHIN_MS = 60 * 60_000;
const DEFAULT_POLL_INTERVAL_MS = 15_000;
const MAX_POLL_INTERVAL_MS = 60_000;
// A look before the interval is only a miss that costs a whole back-off step: with +-20 % jitter a report ready
// after 500 ms and first looked at after 440 ms was seen after ~1.3 s. Jitter that only delays still keeps
// polls started together from asking in step.
const POLL_JITTER = 0.1;
const DEFAULT_DEADLINE_MS = 20 * 60_000;
// LWA access tokens live an hour; renewing early avoids spending a request on a 403 just to learn that.
const ACCESS_TOKEN_MAX_AGE_MS = 50 * 60_000;
const CREATED_SINCE_SLACK_MS = 10 * 60_000;
const MIN_BELIEVED_SKEW_MS = 5_000;
const TOKEN_OPERATION = 'token';
const DOWNLOAD_OPERATION = 'download';
const PENDING_STATUSES = ['IN_QUEUE', 'IN_PROGRESS'];
const READ_OPERATIONS = new Set([
  'getReports',
  'getReport',
  'getReportDocument',
  'getMarketplaceParticipations',
  'getAccount',
  DOWNLOAD_OPERATION,
]);
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

const reportSchema = z.object({
  reportId: z.string(),
  reportType: z.string().optional(),
  marketplaceIds: z.array(z.string()).optional(),
  createdTime: z.string().optional(),
  processingStatus: z.string(),
  processingEndTime: z.string().optional(),
  reportDocumentId: z.string().optional(),
});
type Report = z.infer<typeof reportSchema>;

const getReportsSchema = z.object({ reports: z.array(reportSchema) });
const createReportSchema = z.object({ reportId: z.string() });
const reportDocumentSchema = z.object({
  reportDocumentId: z.string(),
  url: z.string(),
  compressionAlgorithm: z.string().optional(),
});
const participationsSchema = z.object({
  payload: z.array(
    z.object({
      marketplace: z.object({
        id: z.string(),
        name: z.string(),
        countryCode: z.string(),
        defaultCurrencyCode: z.string(),
        domainName: z.string(),
      }),
      participation: z.object({ isParticipating: z.boolean(), hasSuspendedListings: z.boolean() }),
    }),
  ),
});

const accountSchema = z.object({
  payload: z.object({
    businessType: z.string(),
    sellingPlan: z.string(),
    business: z.object({ name: z.string() }).optional(),
  }),
});

// The package still lists getAccount as sandbox-only and would print a warning to the console on the first
// call; by path it sends the same request without it (docs/sellers-api.md §2).
const CALLED_BY_PATH: Readonly<Record<string, SpApiPathTarget>> = {
  getAccount: { api_path: '/sellers/v1/account', method: 'GET' },
};

interface CallContext {
  sleep: Sleep;
  signal: AbortSignal | undefined;
}

export function createSpApiClient(opts: SpApiClientOptions): SpApiClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const sp: SellingPartnerLike = createSellingPartner({
    region: opts.region,
    refreshToken: opts.refreshToken,
    clientId: opts.app.clientId,
    clientSecret: opts.app.clientSecret,
    agent: opts.endpoint ? sharedLocalTransportAgent(opts.endpoint) : undefined,
    timeoutMs,
  });
  const defaultContext: CallContext = { sleep: opts.sleep ?? realSleep, signal: undefined };

  let tokenObtainedAt = 0;
  // Amazon's clock, not ours, decides which reports are recent: createdTime is stamped by Amazon. Learned from
  // the Date header of SP-API responses; a local server with a virtual clock is then judged on its own time.
  let serverSkewMs = 0;
  const serverNow = () => Date.now() + serverSkewMs;
  let tokenRequest: Promise<void> | undefined;

  const report = (operation: string, outcome: SpApiCallEvent['outcome'], started: number, bytes?: number) => {
    const event: SpApiCallEvent = { operation, outcome, ms: Math.round(performance.now() - started) };
    if (bytes !== undefined) event.bytes = bytes;
    opts.onCall?.(event);
  };

  // Any secret we hold must not survive in a message, even if Amazon (or a proxy) echoes it back.
  const scrub = (err: SpApiError): SpApiError => {
    const secrets = [opts.refreshToken, opts.app.clientSecret, sp.access_token].filter(
      (s): s is string => typeof s === 'string' && s.length >= 8,
    );
    for (const secret of secrets) err.message = err.message.split(secret).join('[redacted]');
    return err;
  };

  async function withRetries<T>(operation: string, ctx: CallContext, attempt: () => Promise<T>): Promise<T> {
    let throttles = 0;
    let failures = 0;
    let reauthorized = false;
    for (;;) {
      try {
        return await attempt();
      } catch (caught) {
        if (caught instanceof HookFailure) throw caught.cause;
        const err = scrub(toSpApiError(caught, operation));
        // A token failure inside an API attempt has had its own retries already.
        if (err.operation === TOKEN_OPERATION && operation !== TOKEN_OPERATION) throw err;
        if (err instanceof DocumentUrlExpiredError) throw err;
        // A 403 may just mean the access token expired before we expected; one fresh token settles it.
        if (err instanceof AuthError && typeof err.status === 'number' && !reauthorized) {
          reauthorized = true;
          await refreshToken(ctx, true);
          continue;
        }
        const throttled = err instanceof ThrottledError;
        const waitMs = retryDelayMs(err, throttled ? throttles : failures, policy);
        if (waitMs === null) throw err;
        if (throttled) throttles += 1;
        else failures += 1;
        await sleepOrAbort(ctx.sleep, waitMs, operation, ctx.signal);
      }
    }
  }

  function refreshToken(ctx: CallContext, force: boolean): Promise<void> {
    const fresh = sp.access_token !== undefined && Date.now() - tokenObtainedAt < ACCESS_TOKEN_MAX_AGE_MS;
    if (fresh && !force) return Promise.resolve();
    tokenRequest ??= withRetries(TOKEN_OPERATION, ctx, async () => {
      const started = performance.now();
      try {
        await sp.refreshAccessToken();
      } catch (caught) {
        const err = toSpApiError(caught, TOKEN_OPERATION);
        report(TOKEN_OPERATION, err instanceof ThrottledError ? 'throttled' : 'error', started);
        throw err;
      }
      report(TOKEN_OPERATION, 'ok', started);
      tokenObtainedAt = Date.now();
    }).finally(() => {
      tokenRequest = undefined;
    });
    return tokenRequest;
  }

  async function callApi(
    endpoint: 'reports' | 'sellers',
    operation: string,
    ctx: CallContext,
    params: {
      path?: Record<string, string>;
      query?: Record<string, unknown>;
      body?: Record<string, unknown>;
    } = {},
  ): Promise<unknown> {
    return withRetries(operation, ctx, async () => {
      if (ctx.signal?.aborted) throw new SpApiAbortedError(operation);
      try {
        await opts.beforeCall?.(operation, ctx.signal);
      } catch (hookError) {
        throw new HookFailure(hookError);
      }
      await refreshToken(ctx, false);
      // The package mutates what it is given (it encodes path values in place), so every send gets copies.
      const send = () =>
        sp.callAPI({
          ...(CALLED_BY_PATH[operation] ?? { operation, endpoint }),
          ...(params.path ? { path: { ...params.path } } : {}),
          ...(params.query ? { query: { ...params.query } } : {}),
          ...(params.body ? { body: { ...params.body } } : {}),
          options: { raw_result: true },
        });
      let started = performance.now();
      let res: RawResponse;
      try {
        try {
          res = await send();
        } catch (caught) {
          if (!metStaleSocket(operation, caught)) throw caught;
          report(operation, 'error', started);
          started = performance.now();
          res = await send();
        }
      } catch (caught) {
        const err = toSpApiError(caught, operation);
        report(operation, err instanceof ThrottledError ? 'throttled' : 'error', started);
        throw err;
      }
      const bytes = res.chunks.reduce((n, c) => n + c.length, 0);
      const serverDate = Date.parse(headerValue(res.headers, 'date') ?? '');
      if (Number.isFinite(serverDate)) {
        // The header has whole seconds, so only a skew clearly beyond that resolution is believed.
        const skew = serverDate - Date.now();
        serverSkewMs = Math.abs(skew) > MIN_BELIEVED_SKEW_MS ? skew : 0;
      }
      if (res.statusCode >= 200 && res.statusCode < 300) {
        report(operation, 'ok', started, bytes);
        return parseJson(res.body, operation);
      }
      const err = errorFromHttpResponse(
        { status: res.statusCode, headers: res.headers, body: res.body },
        operation,
      );
      report(operation, err instanceof ThrottledError ? 'throttled' : 'error', started, bytes);
      throw err;
    });
  }

  async function download(url: string, ctx: CallContext): Promise<Buffer> {
    return withRetries(DOWNLOAD_OPERATION, ctx, async () => {
      // Declaring GZIP with unzip:false makes the package hand back the bytes untouched: we sniff and gunzip
      // ourselves because the compressionAlgorithm field is unreliable.
      const send = () =>
        sp.download(
          { url, compressionAlgorithm: 'GZIP' },
          { unzip: false, timeouts: { response: timeoutMs, idle: timeoutMs } },
        );
      let started = performance.now();
      try {
        let raw: Buffer;
        try {
          raw = await send();
        } catch (caught) {
          if (!metStaleSocket(DOWNLOAD_OPERATION, caught)) throw caught;
          report(DOWNLOAD_OPERATION, 'error', started);
          started = performance.now();
          raw = await send();
        }
        report(DOWNLOAD_OPERATION, 'ok', started, raw.length);
        return raw;
      } catch (caught) {
        const err = toSpApiError(caught, DOWNLOAD_OPERATION);
        report(DOWNLOAD_OPERATION, err instanceof ThrottledError ? 'throttled' : 'error', started);
        throw err;
      }
    });
  }

  async function fetchDocument(reportDocumentId: string, ctx: CallContext): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      const doc = validate(
        reportDocumentSchema,
        await callApi('reports', 'getReportDocument', ctx, { path: { reportDocumentId } }),
        'getReportDocument',
      );
      try {
        return await download(doc.url, ctx);
      } catch (err) {
        if (err instanceof DocumentUrlExpiredError && attempt === 0) continue;
        throw err;
      }
    }
  }

  async function findReusableReport(
    marketplaceIds: string[],
    withinMs: number,
    avoid: ReadonlySet<string> | undefined,
    ctx: CallContext,
  ) {
    const body = validate(
      getReportsSchema,
      await callApi('reports', 'getReports', ctx, {
        query: {
          reportTypes: [SELLER_PERFORMANCE_REPORT_TYPE],
          processingStatuses: ['DONE', ...PENDING_STATUSES],
          marketplaceIds,
          // The slack covers skew we have not measured yet; the exact window is applied below.
          createdSince: new Date(serverNow() - withinMs - CREATED_SINCE_SLACK_MS).toISOString(),
          pageSize: 100,
        },
      }),
      'getReports',
    );
    const since = serverNow() - withinMs;
    const candidates = body.reports
      .filter((r) => (r.reportType ?? SELLER_PERFORMANCE_REPORT_TYPE) === SELLER_PERFORMANCE_REPORT_TYPE)
      .filter((r) => r.processingStatus === 'DONE' || PENDING_STATUSES.includes(r.processingStatus))
      .filter((r) => sameSet(r.marketplaceIds ?? [], marketplaceIds))
      .filter((r) => r.createdTime === undefined || Date.parse(r.createdTime) >= since)
      .filter((r) => !avoid?.has(r.reportId))
      .sort((a, b) => Date.parse(b.createdTime ?? '') - Date.parse(a.createdTime ?? ''));
    // A finished report needs no waiting, so it beats a newer pending one inside the reuse window.
    return candidates.find((r) => r.processingStatus === 'DONE') ?? candidates[0];
  }

  async function failureReason(reportDocumentId: string, ctx: CallContext): Promise<string | undefined> {
    try {
      const { bytes } = decodeReportDocument(await fetchDocument(reportDocumentId, ctx));
      return describeErrorDocument(bytes.toString('utf8'));
    } catch (err) {
      // The FATAL status is the news; an unreadable error document only loses the explanation.
      if (err instanceof SpApiAbortedError) throw err;
      return undefined;
    }
  }

  /** One getReport; a finished failure is thrown, anything still pending is returned as it is. */
  async function lookAtReport(reportId: string, ctx: CallContext): Promise<Report> {
    const current = validate(
      reportSchema,
      await callApi('reports', 'getReport', ctx, { path: { reportId } }),
      'getReport',
    );
    await throwIfFailed(current, ctx);
    return current;
  }

  async function throwIfFailed(current: Report, ctx: CallContext): Promise<void> {
    const status = current.processingStatus;
    if (status !== 'FATAL' && status !== 'CANCELLED') return;
    const reason =
      status === 'FATAL' && current.reportDocumentId
        ? await failureReason(current.reportDocumentId, ctx)
        : undefined;
    throw new ReportFailedError({
      reportId: current.reportId,
      status,
      operation: 'getReport',
      ...(reason ? { reason } : {}),
    });
  }

  function progressOf(current: Report): ReportProgress {
    if (current.processingStatus === 'DONE') {
      if (!current.reportDocumentId) {
        throw new SpApiError(`getReport: report ${current.reportId} is DONE without a reportDocumentId`, {
          code: 'UnexpectedResponse',
          operation: 'getReport',
          retryable: true,
        });
      }
      return {
        reportId: current.reportId,
        status: 'DONE',
        reportDocumentId: current.reportDocumentId,
        createdTime: current.createdTime ?? null,
        processingEndTime: current.processingEndTime ?? null,
      };
    }
    // A status Amazon adds later is taken as still working, as waitForReport always has: the deadline ends it.
    return {
      reportId: current.reportId,
      status: current.processingStatus === 'IN_QUEUE' ? 'IN_QUEUE' : 'IN_PROGRESS',
    };
  }

  async function waitForReport(
    start: Report,
    fetchOpts: FetchReportOptions,
    ctx: CallContext,
  ): Promise<Report> {
    const deadlineMs = fetchOpts.deadlineMs ?? DEFAULT_DEADLINE_MS;
    let interval = fetchOpts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const startedAt = Date.now();
    let slept = 0;
    let current = start;
    await throwIfFailed(current, ctx);
    for (;;) {
      const status = current.processingStatus;
      if (status === 'DONE') return current;
      // Slept time counts too, so an injected sleep that returns at once still reaches the deadline.
      const waited = Math.max(Date.now() - startedAt, slept);
      if (waited >= deadlineMs) {
        throw new ReportTimeoutError({ reportId: current.reportId, lastStatus: status, waitedMs: waited });
      }
      const pause = Math.min(Math.round(interval * (1 + Math.random() * POLL_JITTER)), deadlineMs - waited);
      await sleepOrAbort(ctx.sleep, pause, 'getReport', ctx.signal);
      slept += pause;
      interval = Math.min(interval * 1.5, MAX_POLL_INTERVAL_MS);
      current = await lookAtReport(current.reportId, ctx);
    }
  }

  function checkedIds(marketplaceIds: string[]): string[] {
    const ids = [...new Set(marketplaceIds)];
    if (ids.length < 1 || ids.length > 25) {
      throw new SpApiError(`createReport: needs 1 to 25 marketplace ids, got ${ids.length}`, {
        code: 'InvalidInput',
        operation: 'createReport',
        retryable: false,
      });
    }
    return ids;
  }

  /** A recent report to reuse, or a new one: returned as Amazon last described it, without waiting. */
  async function requestReport(
    ids: string[],
    reuseWithinMs: number,
    avoid: ReadonlySet<string> | undefined,
    ctx: CallContext,
  ): Promise<{ report: Report; reused: boolean }> {
    // No window means no reuse, and getReports (one call per 45 s) is not spent finding out.
    const found = reuseWithinMs > 0 ? await findReusableReport(ids, reuseWithinMs, avoid, ctx) : undefined;
    if (found) return { report: found, reused: true };
    const created = validate(
      createReportSchema,
      await callApi('reports', 'createReport', ctx, {
        body: { reportType: SELLER_PERFORMANCE_REPORT_TYPE, marketplaceIds: ids },
      }),
      'createReport',
    );
    return { report: { reportId: created.reportId, processingStatus: 'IN_QUEUE' }, reused: false };
  }

  async function downloadDocument(
    done: { reportId: string; reportDocumentId: string; marketplaceIds: string[] },
    ctx: CallContext,
  ) {
    try {
      return decodeReportDocument(await fetchDocument(done.reportDocumentId, ctx));
    } catch (err) {
      // Which report the bad bytes belong to: the poller keeps them with it, and never reuses that report.
      if (err instanceof MalformedDocumentError) err.report = done;
      throw err;
    }
  }

  return {
    async getMarketplaceParticipations(callOpts: { signal?: AbortSignal } = {}) {
      const ctx: CallContext = { ...defaultContext, signal: callOpts.signal };
      const body = validate(
        participationsSchema,
        await callApi('sellers', 'getMarketplaceParticipations', ctx),
        'getMarketplaceParticipations',
      );
      return body.payload.map(({ marketplace, participation }) => ({
        marketplaceId: marketplace.id,
        name: marketplace.name,
        countryCode: marketplace.countryCode,
        defaultCurrencyCode: marketplace.defaultCurrencyCode,
        domainName: marketplace.domainName,
        isParticipating: participation.isParticipating,
        hasSuspendedListings: participation.hasSuspendedListings,
      }));
    },

    async getAccount(callOpts: { signal?: AbortSignal } = {}) {
      const ctx: CallContext = { ...defaultContext, signal: callOpts.signal };
      const { payload } = validate(accountSchema, await callApi('sellers', 'getAccount', ctx), 'getAccount');
      return {
        businessName: payload.business?.name ?? null,
        businessType: payload.businessType,
        sellingPlan: payload.sellingPlan,
      };
    },

    async fetchSellerPerformanceReport(marketplaceIds, fetchOpts = {}) {
      const ids = checkedIds(marketplaceIds);
      const ctx: CallContext = { sleep: fetchOpts.sleep ?? defaultContext.sleep, signal: fetchOpts.signal };
      const { report: start, reused } = await requestReport(
        ids,
        fetchOpts.reuseWithinMs ?? DEFAULT_REUSE_WITHIN_MS,
        fetchOpts.avoidReportIds,
        ctx,
      );
      const done = progressOf(await waitForReport(start, fetchOpts, ctx));
      if (done.status !== 'DONE') throw new Error('unreachable: waitForReport returns only DONE');
      const { bytes, compressed } = await downloadDocument({ ...done, marketplaceIds: ids }, ctx);
      return {
        reportId: done.reportId,
        reportDocumentId: done.reportDocumentId,
        reused,
        createdTime: done.createdTime,
        processingEndTime: done.processingEndTime,
        bytes,
        compressed,
      };
    },

    async requestSellerPerformanceReport(marketplaceIds, requestOpts = {}) {
      const ids = checkedIds(marketplaceIds);
      const ctx: CallContext = { ...defaultContext, signal: requestOpts.signal };
      const { report, reused } = await requestReport(
        ids,
        requestOpts.reuseWithinMs ?? DEFAULT_REUSE_WITHIN_MS,
        requestOpts.avoidReportIds,
        ctx,
      );
      await throwIfFailed(report, ctx);
      return { reportId: report.reportId, reused, status: progressOf(report).status };
    },

    async checkReport(reportId, checkOpts = {}) {
      const ctx: CallContext = { ...defaultContext, signal: checkOpts.signal };
      return progressOf(await lookAtReport(reportId, ctx));
    },

    async downloadReport(done, downloadOpts = {}) {
      const ctx: CallContext = { ...defaultContext, signal: downloadOpts.signal };
      return downloadDocument(done, ctx);
    },
  };
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

/**
 * A read that failed on a keep-alive socket the server had closed while it sat idle (ECONNRESET or EPIPE, no
 * answer): the server never saw it, so it is sent once more at once, outside the retry loop. The back-off and
 * the rate limiter's next token would only delay a call Amazon did not count, by a whole refill for
 * getReportDocument (60 s). Writes (createReport, the token exchange) keep the usual retry.
 */
function metStaleSocket(operation: string, caught: unknown): boolean {
  const code = (caught as { code?: unknown } | null)?.code;
  return READ_OPERATIONS.has(operation) && typeof code === 'string' && STALE_SOCKET_CODES.has(code);
}

/** Carries an error from the caller's own beforeCall hook past the retry loop, untouched. */
class HookFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('beforeCall failed');
  }
}

function headerValue(headers: RawResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/** Amazon's FATAL error documents are JSON (`errorDetails`) for most report types, but plain text is kept too. */
function describeErrorDocument(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      for (const key of ['errorDetails', 'message', 'error', 'reason']) {
        const value = record[key];
        if (typeof value === 'string') return safeDetail(value);
      }
      const errors = record.errors;
      if (Array.isArray(errors) && typeof errors[0] === 'object' && errors[0] !== null) {
        const message = (errors[0] as Record<string, unknown>).message;
        if (typeof message === 'string') return safeDetail(message);
      }
    }
  } catch {
    // not JSON: use the text as it is
  }
  return safeDetail(text);
}
