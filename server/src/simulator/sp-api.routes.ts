// The SP-API operations the simulator serves: Reports API 2021-06-30, Sellers API v1 and Data Kiosk API
// 2023-11-15 (data-kiosk.routes.ts). Each handler runs after authentication, fault injection and the usage plan,
// for one known selling partner.

import { DATA_KIOSK_HANDLERS, matchDataKioskRoute } from './data-kiosk.routes.ts';
import type { DemoAccount } from './demo-accounts.ts';
import type { Reply } from './http-kit.ts';
import { invalidInput, isRecord, json, notFound, parseJson } from './http-kit.ts';
import { marketplaceInfo } from './marketplaces.ts';
import { PROCESSING_STATUSES } from './report-store.ts';
import type { ReportFilter } from './report-store.ts';
import { isScenarioName, marketplaceFigures } from './scenarios.ts';
import type { SpApiContext, SpApiRoute } from './sp-api-context.ts';
import type { SimulatorState } from './state.ts';
import type { SpApiOperation } from './usage-plans.ts';

const REPORTS = '/reports/2021-06-30/reports';
const DOCUMENTS = '/reports/2021-06-30/documents/';

/** Which operation a method and path name; `methodNotAllowed` when the path exists for other methods. */
export function matchSpApiRoute(method: string, path: string): SpApiRoute | 'methodNotAllowed' | undefined {
  if (path === REPORTS) {
    if (method === 'GET') return { operation: 'getReports', params: {} };
    if (method === 'POST') return { operation: 'createReport', params: {} };
    return 'methodNotAllowed';
  }
  if (path.startsWith(`${REPORTS}/`)) {
    const reportId = decodeURIComponent(path.slice(REPORTS.length + 1));
    if (!reportId || reportId.includes('/')) return undefined;
    if (method === 'GET') return { operation: 'getReport', params: { reportId } };
    if (method === 'DELETE') return { operation: 'cancelReport', params: { reportId } };
    return 'methodNotAllowed';
  }
  if (path.startsWith(DOCUMENTS)) {
    const reportDocumentId = decodeURIComponent(path.slice(DOCUMENTS.length));
    if (!reportDocumentId || reportDocumentId.includes('/')) return undefined;
    return method === 'GET'
      ? { operation: 'getReportDocument', params: { reportDocumentId } }
      : 'methodNotAllowed';
  }
  if (path === '/sellers/v1/marketplaceParticipations') {
    return method === 'GET' ? { operation: 'getMarketplaceParticipations', params: {} } : 'methodNotAllowed';
  }
  if (path === '/sellers/v1/account') {
    return method === 'GET' ? { operation: 'getAccount', params: {} } : 'methodNotAllowed';
  }
  return matchDataKioskRoute(method, path);
}

export const SP_API_HANDLERS: Readonly<Record<SpApiOperation, (ctx: SpApiContext) => Reply>> = {
  createReport,
  getReport,
  getReports,
  cancelReport,
  getReportDocument,
  getMarketplaceParticipations,
  getAccount,
  ...DATA_KIOSK_HANDLERS,
};

function createReport({ state, sellerId, req }: SpApiContext): Reply {
  const body = parseJson(req.body);
  if (!isRecord(body)) return invalidInput('Invalid input', 'The request body must be a JSON object.');
  const { reportType, marketplaceIds, dataStartTime, dataEndTime, reportOptions } = body;
  if (typeof reportType !== 'string' || reportType.trim() === '') {
    return invalidInput('Invalid input', 'reportType is required.');
  }
  if (
    !Array.isArray(marketplaceIds) ||
    marketplaceIds.length < 1 ||
    marketplaceIds.length > 25 ||
    !marketplaceIds.every((id): id is string => typeof id === 'string')
  ) {
    return invalidInput('Invalid input', 'marketplaceIds must be an array of 1 to 25 marketplace ids.');
  }
  const account = state.getAccount(sellerId);
  if (account?.reportMarketplaces === 'one-at-a-time' && new Set(marketplaceIds).size > 1) {
    // Amazon's answer for report types limited to one marketplace per request (docs#614).
    return invalidInput(
      'Invalid input',
      `Report type ${reportType} can only be applied to one marketplace at a time.`,
    );
  }
  const foreign = marketplaceIds.filter((id) => !account?.marketplaceIds.includes(id));
  if (foreign.length > 0) {
    return invalidInput(
      `Invalid marketplaceIds: ${foreign.join(', ')}`,
      'The selling partner does not participate in these marketplaces.',
    );
  }
  for (const [name, value] of [
    ['dataStartTime', dataStartTime],
    ['dataEndTime', dataEndTime],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      return invalidInput('Invalid input', `${name} must be an ISO 8601 date-time.`);
    }
  }
  if (reportOptions !== undefined && !isRecord(reportOptions)) {
    return invalidInput('Invalid input', 'reportOptions must be an object of strings.');
  }
  const report = state.createReport(sellerId, {
    reportType,
    marketplaceIds: [...new Set(marketplaceIds)],
    dataStartTime: typeof dataStartTime === 'string' ? new Date(dataStartTime).toISOString() : undefined,
    dataEndTime: typeof dataEndTime === 'string' ? new Date(dataEndTime).toISOString() : undefined,
  });
  return json(202, { reportId: report.reportId });
}

function getReport({ state, sellerId, params }: SpApiContext): Reply {
  const report = state.reports.get(sellerId, params.reportId ?? '');
  return report ? json(200, report) : notFound(`Report ${params.reportId} was not found.`);
}

function cancelReport({ state, sellerId, params }: SpApiContext): Reply {
  const reportId = params.reportId ?? '';
  const result = state.reports.cancel(sellerId, reportId);
  if (result === 'not-found') return notFound(`Report ${reportId} was not found.`);
  if (result !== 'cancelled') {
    return invalidInput(
      `Report ${reportId} cannot be cancelled.`,
      `Only reports with processingStatus IN_QUEUE can be cancelled; this one is ${result}.`,
    );
  }
  // amazon-sp-api parses every non-204 body as JSON, so an empty object rather than nothing.
  return json(200, {});
}

function getReportDocument({ state, signer, sellerId, params }: SpApiContext): Reply {
  const documentId = params.reportDocumentId ?? '';
  const document = state.reports.documentFor(sellerId, documentId);
  const account = state.getAccount(sellerId);
  if (!document || !account) return notFound(`Report document ${documentId} was not found.`);
  return json(200, {
    reportDocumentId: documentId,
    url: signer.sign(documentId, sellerId, account.region, state.now()),
    ...(document.compressionAlgorithm ? { compressionAlgorithm: document.compressionAlgorithm } : {}),
  });
}

interface NextToken {
  s: string;
  f: Omit<ReportFilter, 'reportTypes' | 'processingStatuses' | 'marketplaceIds' | 'beforeSeq'> & {
    reportTypes?: string[];
    processingStatuses?: string[];
    marketplaceIds?: string[];
  };
  b: number;
}

function getReports({ state, sellerId, req }: SpApiContext): Reply {
  const query = req.url.searchParams;
  const list = (name: string): string[] | undefined => {
    const values = query
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return values.length > 0 ? values : undefined;
  };
  const token = query.get('nextToken');
  let filter: ReportFilter;
  if (token !== null) {
    if ([...query.keys()].some((k) => k !== 'nextToken')) {
      return invalidInput('Invalid input', 'nextToken must be the only parameter when it is given.');
    }
    const decoded = decodeNextToken(token);
    if (!decoded || decoded.s !== sellerId) return invalidInput('Invalid input', 'The nextToken is invalid.');
    filter = {
      ...decoded.f,
      reportTypes: decoded.f.reportTypes ? new Set(decoded.f.reportTypes) : undefined,
      processingStatuses: decoded.f.processingStatuses ? new Set(decoded.f.processingStatuses) : undefined,
      marketplaceIds: decoded.f.marketplaceIds ? new Set(decoded.f.marketplaceIds) : undefined,
      beforeSeq: decoded.b,
    };
  } else {
    const reportTypes = list('reportTypes');
    const processingStatuses = list('processingStatuses');
    const marketplaceIds = list('marketplaceIds');
    if (!reportTypes) return invalidInput('Invalid input', 'Either reportTypes or nextToken is required.');
    if (reportTypes.length > 10) return invalidInput('Invalid input', 'reportTypes takes at most 10 values.');
    if (marketplaceIds && marketplaceIds.length > 10) {
      return invalidInput('Invalid input', 'marketplaceIds takes at most 10 values.');
    }
    const unknownStatus = processingStatuses?.find(
      (s) => !(PROCESSING_STATUSES as readonly string[]).includes(s),
    );
    if (unknownStatus) return invalidInput('Invalid input', `Unknown processingStatus ${unknownStatus}.`);
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
    filter = {
      reportTypes: new Set(reportTypes),
      processingStatuses: processingStatuses ? new Set(processingStatuses) : undefined,
      marketplaceIds: marketplaceIds ? new Set(marketplaceIds) : undefined,
      createdSinceMs: since,
      createdUntilMs: until,
      pageSize,
    };
  }
  const page = state.reports.list(sellerId, filter);
  return json(200, {
    reports: page.reports,
    ...(page.nextSeq !== undefined ? { nextToken: encodeNextToken(sellerId, filter, page.nextSeq) } : {}),
  });
}

function parseDate(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function encodeNextToken(sellerId: string, filter: ReportFilter, beforeSeq: number): string {
  const token: NextToken = {
    s: sellerId,
    f: {
      createdSinceMs: filter.createdSinceMs,
      createdUntilMs: filter.createdUntilMs,
      pageSize: filter.pageSize,
      reportTypes: filter.reportTypes ? [...filter.reportTypes] : undefined,
      processingStatuses: filter.processingStatuses ? [...filter.processingStatuses] : undefined,
      marketplaceIds: filter.marketplaceIds ? [...filter.marketplaceIds] : undefined,
    },
    b: beforeSeq,
  };
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64');
}

function decodeNextToken(token: string): NextToken | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (!isRecord(decoded) || typeof decoded.s !== 'string' || typeof decoded.b !== 'number')
      return undefined;
    if (!isRecord(decoded.f) || typeof decoded.f.pageSize !== 'number') return undefined;
    return decoded as unknown as NextToken;
  } catch {
    return undefined;
  }
}

function getMarketplaceParticipations({ state, sellerId }: SpApiContext): Reply {
  const account = state.getAccount(sellerId);
  if (!account) return notFound('Unknown selling partner.');
  return json(200, { payload: participationList(state, account) });
}

/**
 * Sellers API getAccount (docs/sellers-api.md §1). The primary contact, personal data nobody here reads, is left
 * out, as the model allows; an individual seller without a registered business gets no business section.
 */
function getAccount({ state, sellerId }: SpApiContext): Reply {
  const account = state.getAccount(sellerId);
  if (!account) return notFound('Unknown selling partner.');
  const countryCode = marketplaceInfo(account.marketplaceIds[0] ?? '')?.countryCode ?? 'US';
  return json(200, {
    payload: {
      businessType: account.businessName === null ? 'INDIVIDUAL' : 'PRIVATE_LIMITED',
      sellingPlan: 'PROFESSIONAL',
      marketplaceParticipationList: participationList(state, account),
      ...(account.businessName === null
        ? {}
        : {
            business: {
              name: account.businessName,
              registeredBusinessAddress: { addressLine1: registeredStreet(sellerId), countryCode },
            },
          }),
    },
  });
}

/** A stable, made-up street line per seller. */
function registeredStreet(sellerId: string): string {
  const number = [...sellerId].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 400;
  return `${number + 1} Commerce Street`;
}

function participationList(state: SimulatorState, account: DemoAccount) {
  const { sellerId } = account;
  const day = state.virtualDay(sellerId);
  return account.marketplaceIds.flatMap((id) => {
    const marketplace = marketplaceInfo(id);
    if (!marketplace) return [];
    const suspended = isScenarioName(account.scenario)
      ? marketplaceFigures(account.scenario, { sellerId, marketplace, day }).hasSuspendedListings
      : false;
    const { region: _region, ...fields } = marketplace;
    return [
      {
        marketplace: fields,
        storeName: account.name,
        participation: { isParticipating: true, hasSuspendedListings: suspended },
      },
    ];
  });
}
