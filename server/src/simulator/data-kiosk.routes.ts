// The Data Kiosk API 2023-11-15 operations: createQuery, getQuery, getQueries, cancelQuery and getDocument.
// Like the other SP-API handlers they run after authentication, fault injection and the usage plan.

import { QUERY_STATUSES } from './data-kiosk-store.ts';
import type { QueryFilter } from './data-kiosk-store.ts';
import { compactGraphQL } from './graphql.ts';
import type { Reply } from './http-kit.ts';
import { amazonError, invalidInput, isRecord, json, parseJson } from './http-kit.ts';
import { checkQuery } from './seller-analytics.ts';
import type { SpApiContext, SpApiRoute } from './sp-api-context.ts';
import type { DataKioskOperation } from './usage-plans.ts';

const QUERIES = '/dataKiosk/2023-11-15/queries';
const DOCUMENTS = '/dataKiosk/2023-11-15/documents/';
const MAX_QUERY_CHARS = 8000;
const INVALID_QUERY = 'The provided query is invalid.';

/** Which Data Kiosk operation a method and path name; `methodNotAllowed` when the path exists for other methods. */
export function matchDataKioskRoute(
  method: string,
  path: string,
): SpApiRoute | 'methodNotAllowed' | undefined {
  if (path === QUERIES) {
    if (method === 'GET') return { operation: 'getQueries', params: {} };
    if (method === 'POST') return { operation: 'createQuery', params: {} };
    return 'methodNotAllowed';
  }
  if (path.startsWith(`${QUERIES}/`)) {
    const queryId = decodeURIComponent(path.slice(QUERIES.length + 1));
    if (!queryId || queryId.includes('/')) return undefined;
    if (method === 'GET') return { operation: 'getQuery', params: { queryId } };
    if (method === 'DELETE') return { operation: 'cancelQuery', params: { queryId } };
    return 'methodNotAllowed';
  }
  if (path.startsWith(DOCUMENTS)) {
    const documentId = decodeURIComponent(path.slice(DOCUMENTS.length));
    if (!documentId || documentId.includes('/')) return undefined;
    return method === 'GET' ? { operation: 'getDocument', params: { documentId } } : 'methodNotAllowed';
  }
  return undefined;
}

export const DATA_KIOSK_HANDLERS: Readonly<Record<DataKioskOperation, (ctx: SpApiContext) => Reply>> = {
  createQuery,
  getQuery,
  getQueries,
  cancelQuery,
  getDocument,
};

function createQuery({ state, sellerId, req }: SpApiContext): Reply {
  // The Seller Analytics fields need the analytics_sales_and_traffic_view_pa right.
  if (!state.hasAnalyticsAccess(sellerId)) {
    return amazonError(403, 'Unauthorized', 'Access to requested resource is denied.', '');
  }
  const body = parseJson(req.body);
  if (!isRecord(body)) return invalidInput('Invalid input', 'The request body must be a JSON object.');
  const { query, paginationToken } = body;
  if (typeof query !== 'string' || query.trim() === '')
    return invalidInput(INVALID_QUERY, 'query is required.');
  if (compactGraphQL(query).length > MAX_QUERY_CHARS) {
    return invalidInput(
      INVALID_QUERY,
      `A query must be at most ${MAX_QUERY_CHARS} characters after unnecessary whitespace is removed.`,
    );
  }
  // The simulator's documents always hold every row, so it never hands out a token to come back with.
  if (paginationToken !== undefined) return invalidInput('Invalid input', 'The paginationToken is invalid.');
  const check = checkQuery(query);
  if (!check.ok && check.stage === 'request') return invalidInput(INVALID_QUERY, check.details);
  const created = state.createQuery(sellerId, query, check);
  return json(202, { queryId: created.queryId });
}

function getQuery({ state, sellerId, params }: SpApiContext): Reply {
  const query = state.dataKiosk.get(sellerId, params.queryId ?? '');
  return query ? json(200, query) : amazonError(404, 'NotFound', 'The provided queryId was not found.');
}

function cancelQuery({ state, sellerId, params }: SpApiContext): Reply {
  const queryId = params.queryId ?? '';
  const result = state.dataKiosk.cancel(sellerId, queryId);
  if (result === 'not-found') return amazonError(404, 'NotFound', 'The provided queryId was not found.');
  if (result !== 'cancelled') {
    return invalidInput(
      `Query ${queryId} cannot be cancelled.`,
      `Only queries with processingStatus IN_QUEUE or IN_PROGRESS can be cancelled; this one is ${result}.`,
    );
  }
  return { status: 204 };
}

function getDocument({ state, signer, sellerId, params }: SpApiContext): Reply {
  const documentId = params.documentId ?? '';
  const document = state.dataKiosk.documentFor(sellerId, documentId);
  const account = state.getAccount(sellerId);
  if (!document || !account) return amazonError(404, 'NotFound', 'The provided documentId was not found.');
  return json(200, {
    documentId,
    documentUrl: signer.sign(documentId, sellerId, account.region, state.now()),
  });
}

interface PaginationToken {
  s: string;
  b: number;
}

/**
 * getQueries. As the model asks, a `paginationToken` comes back with the same filters as the call that gave it
 * (only `pageSize` may change); the token itself carries the position only.
 */
function getQueries({ state, sellerId, req }: SpApiContext): Reply {
  const query = req.url.searchParams;
  const statuses = query
    .getAll('processingStatuses')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const unknown = statuses.filter((s) => !(QUERY_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    return invalidInput(
      `1 validation error detected: Value '[${unknown.join(', ')}]' at 'processingStatuses' failed to satisfy ` +
        'constraint: Member must satisfy constraint: [Member must satisfy enum value set: ' +
        '[DONE, FATAL, IN_PROGRESS, CANCELLED, IN_QUEUE]]',
    );
  }
  const pageSizeText = query.get('pageSize');
  const pageSize = pageSizeText === null ? 10 : Number(pageSizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    return invalidInput('Invalid input', 'pageSize must be an integer from 1 to 100.');
  }
  const now = state.now().getTime();
  const since = parseDate(query.get('createdSince'), now - 90 * 86_400_000);
  const until = parseDate(query.get('createdUntil'), now);
  if (since === undefined || until === undefined) {
    return invalidInput('Invalid input', 'createdSince and createdUntil must be ISO 8601 date-times.');
  }
  const filter: QueryFilter = {
    processingStatuses: statuses.length > 0 ? new Set(statuses) : undefined,
    createdSinceMs: since,
    createdUntilMs: until,
    pageSize,
  };
  const token = query.get('paginationToken');
  if (token !== null) {
    const decoded = decodeToken(token);
    if (!decoded || decoded.s !== sellerId)
      return invalidInput('Invalid input', 'The paginationToken is invalid.');
    filter.beforeSeq = decoded.b;
  }
  const page = state.dataKiosk.list(sellerId, filter);
  return json(200, {
    queries: page.queries,
    ...(page.nextSeq !== undefined
      ? { pagination: { nextToken: encodeToken({ s: sellerId, b: page.nextSeq }) } }
      : {}),
  });
}

function parseDate(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function encodeToken(token: PaginationToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64');
}

function decodeToken(token: string): PaginationToken | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (!isRecord(decoded) || typeof decoded.s !== 'string' || typeof decoded.b !== 'number')
      return undefined;
    return { s: decoded.s, b: decoded.b };
  } catch {
    return undefined;
  }
}
