/**
 * Typed errors for everything that can go wrong between us and Amazon. Callers branch on the class (or on
 * `retryable`), never on message text.
 *
 * Where the line between this module and the report parser sits:
 * - `MalformedDocumentError` means the download worked but the bytes cannot be turned into a document at all
 *   (a gzip stream that is cut short or corrupt, an empty body). Nothing downstream could use them, so the
 *   client throws and carries the raw bytes for the poller to keep.
 * - Bytes that decode fine but are not valid JSON, or are JSON of the wrong shape, are returned as a normal
 *   result. Judging content is the parser's job (reports/); the poller stores the raw bytes either way, so a
 *   parser fix can replay them later.
 *
 * Messages are a single line and never contain tokens or secrets: Amazon's text is passed through
 * `safeDetail`, which strips anything shaped like an LWA token or client secret and caps the length.
 */

interface SpApiErrorInit {
  code: string;
  retryable: boolean;
  operation?: string;
  /** The HTTP status when a response carried the failure; ReportFailedError narrows it to the report's status. */
  status?: number | string;
  requestId?: string;
}

export class SpApiError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly operation?: string;
  readonly status?: number | string;
  readonly requestId?: string;

  constructor(message: string, init: SpApiErrorInit) {
    super(oneLine(message));
    this.name = new.target.name;
    this.code = init.code;
    this.retryable = init.retryable;
    if (init.operation !== undefined) this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    if (init.requestId !== undefined) this.requestId = init.requestId;
  }
}

type Context = Omit<SpApiErrorInit, 'code' | 'retryable'> & { code?: string };

export class ThrottledError extends SpApiError {
  /** Requests per second from `x-amzn-RateLimit-Limit`, when Amazon sent it. */
  readonly rateLimit?: number;

  constructor(message: string, ctx: Context & { rateLimit?: number }) {
    super(message, { code: 'QuotaExceeded', ...ctx, retryable: true });
    if (ctx.rateLimit !== undefined) this.rateLimit = ctx.rateLimit;
  }
}

/** LWA answered `invalid_grant`: the seller revoked us or the refresh token is dead. Only reauthorizing helps. */
export class AuthRevokedError extends SpApiError {
  constructor(message: string, ctx: Context) {
    super(message, { code: 'invalid_grant', ...ctx, retryable: false });
  }
}

/**
 * LWA answered `invalid_grant` to an authorization code: it expired (codes live five minutes), was spent by an
 * earlier exchange, or was issued for another redirect URI (docs/oauth.md §4). Only a new consent helps.
 */
export class AuthorizationCodeRejectedError extends SpApiError {
  constructor(message: string, ctx: Context) {
    super(message, { code: 'invalid_grant', ...ctx, retryable: false });
  }
}

/** Our app credentials were refused (`invalid_client`) or the call was denied (401/403). */
export class AuthError extends SpApiError {
  constructor(message: string, ctx: Context) {
    super(message, { code: 'Unauthorized', ...ctx, retryable: false });
  }
}

type ReportFailureStatus = 'FATAL' | 'CANCELLED';

/**
 * The report ended FATAL or CANCELLED. Neither is retryable within a poll:
 * - CANCELLED means Amazon had no data for it, so asking again returns the same nothing.
 * - FATAL comes with an error document when Amazon says why ("the requested data is unavailable", a missing
 *   role). The V2 report is a snapshot of the seller's current state, so an immediate re-request meets the
 *   same cause and spends createReport quota (1 a minute). The next scheduled poll creates a fresh report,
 *   and that is the retry.
 */
export class ReportFailedError extends SpApiError {
  /** The report's processingStatus (not an HTTP status: the getReport call itself succeeded). */
  declare readonly status: ReportFailureStatus;
  readonly reportId: string;
  /** Amazon's reason from the error document, one line, at most ~200 characters. */
  readonly reason?: string;

  constructor(
    ctx: Omit<Context, 'status'> & { reportId: string; status: ReportFailureStatus; reason?: string },
  ) {
    const why = ctx.reason ? `: ${ctx.reason}` : ctx.status === 'CANCELLED' ? ' (no data)' : '';
    super(`Report ${ctx.reportId} ended ${ctx.status}${why}`, {
      code: `REPORT_${ctx.status}`,
      operation: ctx.operation ?? 'getReport',
      status: ctx.status,
      retryable: false,
    });
    this.reportId = ctx.reportId;
    if (ctx.reason !== undefined) this.reason = ctx.reason;
  }
}

/** The report stayed IN_QUEUE/IN_PROGRESS past our deadline. The next run finds it with getReports and waits on. */
export class ReportTimeoutError extends SpApiError {
  readonly reportId: string;
  readonly lastStatus: string;

  constructor(ctx: Context & { reportId: string; lastStatus: string; waitedMs: number }) {
    super(`Report ${ctx.reportId} still ${ctx.lastStatus} after ${Math.round(ctx.waitedMs / 1000)} s`, {
      code: 'REPORT_TIMEOUT',
      ...withoutCode(ctx),
      retryable: true,
    });
    this.reportId = ctx.reportId;
    this.lastStatus = ctx.lastStatus;
  }
}

export class ServerError extends SpApiError {
  constructor(message: string, ctx: Context) {
    super(message, { code: 'InternalFailure', ...ctx, retryable: true });
  }
}

/** The connection failed (refused, reset, DNS). */
export class NetworkError extends SpApiError {
  constructor(message: string, ctx: Context) {
    super(message, { code: 'NETWORK_ERROR', ...ctx, retryable: true });
  }
}

/** No response (or no next chunk) within the timeout. */
export class NetworkTimeoutError extends NetworkError {
  constructor(message: string, ctx: Context) {
    super(message, { code: 'TIMEOUT', ...ctx });
  }
}

export class MalformedDocumentError extends SpApiError {
  /** The bytes exactly as downloaded, so the poller can store them for inspection. */
  declare readonly raw: Buffer;
  /** The report and document the bytes came from, when the failure happened while fetching one. */
  report?: { reportId: string; reportDocumentId: string; marketplaceIds: string[] };

  constructor(message: string, ctx: Context & { raw: Buffer }) {
    super(message, { code: 'MALFORMED_DOCUMENT', ...withoutRaw(ctx), retryable: false });
    // Not enumerable, so a logger serializing the error does not dump the whole document.
    Object.defineProperty(this, 'raw', { value: ctx.raw, enumerable: false });
  }
}

/** S3 refused the presigned document URL (it lives 5 minutes); a fresh getReportDocument gives a new one. */
export class DocumentUrlExpiredError extends SpApiError {
  constructor(message: string, ctx: Context) {
    super(message, { code: 'DOCUMENT_URL_REFUSED', ...ctx, retryable: true });
  }
}

/** Waiting was aborted (graceful shutdown). Retryable: nothing failed, the work is simply unfinished. */
export class SpApiAbortedError extends SpApiError {
  constructor(operation: string) {
    super(`${operation} aborted`, { code: 'ABORTED', operation, retryable: true });
  }
}

const TIMEOUT_CODES = new Set([
  'API_RESPONSE_TIMEOUT',
  'API_IDLE_TIMEOUT',
  'API_DEADLINE_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const LWA_AUTH_CODES = new Set(['invalid_client', 'unauthorized_client', 'invalid_request', 'access_denied']);
const API_AUTH_CODES = new Set(['Unauthorized', 'Forbidden', 'AccessDeniedException', 'InvalidSignature']);
// LWA's OAuth error codes for an overloaded or failing server, then S3's and SP-API's.
const SERVER_CODES = new Set([
  'server_error',
  'temporarily_unavailable',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'DOWNLOAD_ERROR',
  'JSON_PARSE_ERROR',
]);
// LWA says `slow_down` (OAuth) and S3 says `SlowDown` (a 503) where SP-API would say QuotaExceeded.
const THROTTLE_CODES = new Set(['QuotaExceeded', 'slow_down', 'SlowDown']);
// The package raises these when LWA answers with something that is not OAuth JSON (a gateway page, an
// `errors` list); the raw body is in the message, so it is inspected for throttling and otherwise retried.
const LWA_UNPARSED_CODES = new Set([
  'REFRESH_ACCESS_TOKEN_PARSE_ERROR',
  'UNKNOWN_REFRESH_ACCESS_TOKEN_ERROR',
]);
// S3 refuses a presigned URL after its 5 minutes; a fresh getReportDocument gives a new one.
const DOCUMENT_URL_CODES = new Set([
  'AccessDenied',
  'ExpiredToken',
  'RequestExpired',
  'SignatureDoesNotMatch',
]);

/** Maps whatever `amazon-sp-api` (or Node underneath it) throws to one of the typed errors above. */
export function toSpApiError(err: unknown, operation: string): SpApiError {
  if (err instanceof SpApiError) return err;
  const code = readString(err, 'code');
  const detail = safeDetail(readString(err, 'message') ?? (typeof err === 'string' ? err : undefined));
  const ctx = { operation };
  const say = (what: string) => `${operation}: ${what}${detail ? ` (${detail})` : ''}`;

  if (code === undefined) {
    return new SpApiError(say('unexpected failure'), { code: 'UNKNOWN', operation, retryable: false });
  }
  if (code === 'invalid_grant') {
    return new AuthRevokedError(
      say('refresh token rejected (invalid_grant); the seller must reauthorize'),
      ctx,
    );
  }
  if (LWA_AUTH_CODES.has(code))
    return new AuthError(say(`LWA refused the app credentials (${code})`), { ...ctx, code });
  if (TIMEOUT_CODES.has(code)) return new NetworkTimeoutError(say(`timed out (${code})`), { ...ctx, code });
  if (NETWORK_CODES.has(code)) return new NetworkError(say(`connection failed (${code})`), { ...ctx, code });
  if (THROTTLE_CODES.has(code)) return new ThrottledError(say(`throttled (${code})`), { ...ctx, code });
  if (API_AUTH_CODES.has(code)) return new AuthError(say(`access denied (${code})`), { ...ctx, code });
  if (code === 'temporarily_unavailable') {
    return new ServerError(say('temporarily unavailable (LWA answered 503)'), { ...ctx, code });
  }
  if (SERVER_CODES.has(code)) return new ServerError(say(`server error (${code})`), { ...ctx, code });
  if (DOCUMENT_URL_CODES.has(code)) {
    return new DocumentUrlExpiredError(say(`document URL refused (${code})`), { ...ctx, code });
  }
  if (LWA_UNPARSED_CODES.has(code)) {
    const bodyCode = errorsListCode(readString(err, 'message'));
    if (bodyCode === 'QuotaExceeded') return new ThrottledError(`${operation}: LWA throttled`, ctx);
    return new ServerError(`${operation}: unexpected LWA response${bodyCode ? ` (${bodyCode})` : ''}`, {
      ...ctx,
      code,
    });
  }
  return new SpApiError(say(`failed (${code})`), { code, operation, retryable: false });
}

interface HttpErrorResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Maps a non-2xx SP-API response (read with the package's `raw_result`) to a typed error. */
export function errorFromHttpResponse(res: HttpErrorResponse, operation: string): SpApiError {
  const first = firstApiError(res.body);
  const requestId = header(res.headers, 'x-amzn-requestid');
  const ctx = { operation, status: res.status, ...(requestId ? { requestId } : {}) };
  const code = first?.code;
  const detail = safeDetail([first?.message, first?.details].filter(Boolean).join(' - '));
  const msg = `${operation}: HTTP ${res.status}${code ? ` ${code}` : ''}${detail ? ` (${detail})` : ''}`;

  if (res.status === 429) {
    const rateLimit = parseRateLimit(header(res.headers, 'x-amzn-ratelimit-limit'));
    return new ThrottledError(msg, { ...ctx, ...(rateLimit !== undefined ? { rateLimit } : {}) });
  }
  if (res.status === 401 || res.status === 403)
    return new AuthError(msg, { ...ctx, code: code ?? 'Unauthorized' });
  if (res.status >= 500) return new ServerError(msg, { ...ctx, code: code ?? 'InternalFailure' });
  return new SpApiError(msg, { ...ctx, code: code ?? `HTTP_${res.status}`, retryable: false });
}

function parseRateLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

const SECRET_PATTERNS: RegExp[] = [
  /Atz[a-z]\|[^\s"',;]+/g, // LWA access (Atza|) and refresh (Atzr|) tokens
  /amzn1\.oa2-cs\.v1\.[^\s"',;]+/g, // LWA client secrets
  /(access_token|refresh_token|client_secret|x-amz-access-token)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
];

/** Amazon's text made safe for a one-line message: secrets stripped, whitespace folded, length capped. */
export function safeDetail(text: string | undefined, max = 200): string | undefined {
  if (!text) return undefined;
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, key?: string, sep?: string) =>
      typeof key === 'string' && typeof sep === 'string' ? `${key}${sep}[redacted]` : '[redacted]',
    );
  }
  out = oneLine(out);
  if (out.length === 0) return undefined;
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function firstApiError(body: string): { code?: string; message?: string; details?: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const errors = (parsed as { errors?: unknown }).errors;
    const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
    if (typeof first !== 'object' || first === null) return undefined;
    const pick = (k: string) => readString(first, k);
    return { code: pick('code'), message: pick('message'), details: pick('details') };
  } catch {
    return undefined;
  }
}

function errorsListCode(body: string | undefined): string | undefined {
  return body === undefined ? undefined : firstApiError(body)?.code;
}

function header(headers: HttpErrorResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

function withoutCode<T extends { code?: string }>(ctx: T): Omit<T, 'code'> {
  const { code: _code, ...rest } = ctx;
  return rest;
}

function withoutRaw<T extends { raw: Buffer }>(ctx: T): Omit<T, 'raw'> {
  const { raw: _raw, ...rest } = ctx;
  return rest;
}
