/**
 * The one way the web app talks to the API. Loaders pass in Kit's `fetch` so that during SSR the call
 * carries the visitor's cookies and its response is inlined into the page for hydration.
 */

export type Fetch = typeof fetch;

/** The server's uniform error body (server/src/http/errors.ts). */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Codes this wrapper gives to failures that never produced the server's error shape. */
export const UNREACHABLE = 'UNREACHABLE';
export const INVALID_RESPONSE = 'INVALID_RESPONSE';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status, or 0 when no answer came back at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** True when the server itself never answered: network down, process stopped, a proxy in front failing. */
  get unreachable(): boolean {
    return this.code === UNREACHABLE;
  }
}

export async function api<T>(fetch: Fetch, path: string, init?: RequestInit): Promise<T> {
  const headers = new Headers(init?.headers);
  if (!headers.has('accept')) headers.set('accept', 'application/json');

  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (cause) {
    throw new ApiError(0, UNREACHABLE, `No answer from the API (${path}).`, undefined, { cause });
  }

  if (response.status === 204) return undefined as T;

  const text = await response.text();
  const body = parseJson(text);

  if (!response.ok) {
    if (isErrorBody(body)) {
      throw new ApiError(response.status, body.error.code, body.error.message, body.error.details);
    }
    // A gateway answering for a server that is down is still "unreachable" from the user's point of view.
    const code = [502, 504].includes(response.status) ? UNREACHABLE : `HTTP_${response.status}`;
    throw new ApiError(response.status, code, `The API answered ${response.status} for ${path}.`);
  }

  if (body === undefined) {
    throw new ApiError(response.status, INVALID_RESPONSE, `The API did not answer ${path} with JSON.`);
  }
  return body as T;
}

/** The methods that change something. */
export type Change = 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Every change the dashboard makes goes from the browser straight to the API through this function, with the
 * session's CSRF token in `x-csrf-token`. Not SvelteKit form actions: the one-port server hands SvelteKit only GET
 * and HEAD (server/src/http/web.ts), and the API refuses a POST that is not JSON (server/src/http/api-guards.ts),
 * so a form posted without JavaScript could reach neither. One way for every change keeps the token in one place.
 */
export function send<T>(
  fetch: Fetch,
  method: Change,
  path: string,
  { body, csrfToken }: { body?: unknown; csrfToken: string | undefined },
): Promise<T> {
  const headers = new Headers();
  if (csrfToken) headers.set('x-csrf-token', csrfToken);
  // The API wants a JSON body on every POST ({} when there is nothing to say) and none where there is nothing.
  const payload = body ?? (method === 'POST' ? {} : undefined);
  if (payload !== undefined) headers.set('content-type', 'application/json');
  return api<T>(fetch, path, {
    method,
    headers,
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
}

/** What to tell the user about a failed call: the server's own message, or why there was no answer. */
export function problemOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong in this page; reload it and try again.';
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

// The API's answers, typed from the server's own schemas (types only: nothing of the server is bundled).
export type {
  ConnectOutcome,
  ConsentStarted,
  Health,
  Overview,
  OverviewAccount,
  OverviewVersion,
  Board,
  BoardRow,
  BoardFigure,
  PollRunInfo,
  RefreshManyQueued,
  RefreshQueued,
  SellerAccount,
  Series,
  StatusChange,
  Violations,
  WarningState,
  User,
  Session,
  ManagedUser,
  Invited,
  ApiToken,
  CreatedToken,
  Alert,
  AlertEvent,
  AlertList,
  AlertWithEvents,
  Mute,
  RuleInfo,
  CaseDetail,
  CaseEvidenceItem,
  CaseFacts,
  CaseFigure,
  CasePolicy,
  CaseStatus,
  CaseSummary,
  CaseTrend,
  CauseGuidance,
  CauseId,
  ChecklistItem,
  NoticeExtract,
  OpenedCase,
  SectionKey,
  SectionRevision,
  BackfillJob,
  BackfillState,
  BackfillQueued,
} from '@good-standing/server/api-types.ts';
export type Role = import('@good-standing/server/api-types.ts').User['role'];
export type TokenScope = import('@good-standing/server/api-types.ts').ApiToken['scope'];
