import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSpApiClient, type SpApiCallEvent, type SpApiClientOptions } from './client.ts';
import { AuthError, ServerError, SpApiAbortedError, SpApiError } from './errors.ts';

// A deliberately tiny fake SP-API: enough to check what the client puts on the wire. The full behaviour is
// exercised against the simulator in tests/integration/spapi-client.test.ts.

interface Received {
  host: string;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; body: string | Buffer; headers?: Record<string, string> };
/** 'reset': no answer, the socket is reset, as on a keep-alive socket the server has just closed. */
type Route = (req: Received) => Reply | 'reset' | undefined;

const REFRESH_TOKEN = 'Atzr|IwEBI-unit-refresh-token-value';
const CLIENT_SECRET = 'amzn1.oa2-cs.v1.unit-client-secret';
const DOC_HOST = 'tortuga-prod-eu.s3-eu-west-1.amazonaws.com';
const document = Buffer.from('{"accountStatuses":[{"marketplaceId":"A1PA6795UKMFR9","status":"NORMAL"}]}');

let server: http.Server;
let endpoint: string;
let received: Received[] = [];
let route: Route = () => undefined;
let tokensIssued = 0;

function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } };
}

function issueToken(): Reply {
  tokensIssued += 1;
  return json(200, {
    access_token: `Atza|unit-access-${tokensIssued}`,
    token_type: 'bearer',
    expires_in: 3600,
  });
}

function happyPath(req: Received): Reply | undefined {
  if (req.host === 'api.amazon.com') return issueToken();
  if (req.method === 'GET' && req.path.startsWith('/reports/2021-06-30/reports?'))
    return json(200, { reports: [] });
  if (req.method === 'POST' && req.path === '/reports/2021-06-30/reports')
    return json(202, { reportId: '5001' });
  if (req.path === '/reports/2021-06-30/reports/5001') {
    const polls = received.filter((r) => r.path === req.path).length;
    return json(200, {
      reportId: '5001',
      reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT',
      marketplaceIds: ['A1PA6795UKMFR9'],
      createdTime: '2025-06-02T10:00:00Z',
      processingStatus: polls < 2 ? 'IN_PROGRESS' : 'DONE',
      ...(polls < 2
        ? {}
        : { processingEndTime: '2025-06-02T10:01:00Z', reportDocumentId: 'amzn1.spdoc.1.4.eu.d1' }),
    });
  }
  if (req.path === '/reports/2021-06-30/documents/amzn1.spdoc.1.4.eu.d1') {
    return json(200, {
      reportDocumentId: 'amzn1.spdoc.1.4.eu.d1',
      url: `https://${DOC_HOST}/d1?X-Amz-Expires=300`,
      compressionAlgorithm: 'GZIP',
    });
  }
  if (req.host === DOC_HOST)
    return { status: 200, body: gzipSync(document), headers: { 'content-type': 'text/plain' } };
  return undefined;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        host: req.headers.host ?? '',
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      const reply = route(r) ?? json(404, { errors: [{ code: 'NotFound', message: `no route ${r.path}` }] });
      if (reply === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  tokensIssued = 0;
  route = happyPath;
});

function makeClient(extra: Partial<SpApiClientOptions> = {}) {
  const events: SpApiCallEvent[] = [];
  const sleeps: number[] = [];
  const client = createSpApiClient({
    region: 'eu',
    refreshToken: REFRESH_TOKEN,
    app: { clientId: 'amzn1.application-oa2-client.unit', clientSecret: CLIENT_SECRET },
    endpoint,
    timeoutMs: 2_000,
    onCall: (e) => events.push(e),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { client, events, sleeps };
}

describe('createSpApiClient against a local fake', () => {
  it('runs token, getReports, createReport, getReport polling, getReportDocument and download', async () => {
    const { client, events, sleeps } = makeClient();
    const result = await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], {
      pollIntervalMs: 1_000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    expect(result).toMatchObject({
      reportId: '5001',
      reportDocumentId: 'amzn1.spdoc.1.4.eu.d1',
      reused: false,
      compressed: true,
      createdTime: '2025-06-02T10:00:00Z',
      processingEndTime: '2025-06-02T10:01:00Z',
    });
    expect(result.bytes.equals(document)).toBe(true);
    expect(received.map((r) => `${r.method} ${r.host}`)).toEqual([
      'POST api.amazon.com',
      'GET sellingpartnerapi-eu.amazon.com',
      'POST sellingpartnerapi-eu.amazon.com',
      'GET sellingpartnerapi-eu.amazon.com',
      'GET sellingpartnerapi-eu.amazon.com',
      'GET sellingpartnerapi-eu.amazon.com',
      `GET ${DOC_HOST}`,
    ]);
    // Poll back-off: 1 s then 1.5 s, never sooner, at most 10 % later.
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1_000);
    expect(sleeps[0]).toBeLessThanOrEqual(1_100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(1_500);
    expect(sleeps[1]).toBeLessThanOrEqual(1_650);
    expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual([
      'token:ok',
      'getReports:ok',
      'createReport:ok',
      'getReport:ok',
      'getReport:ok',
      'getReportDocument:ok',
      'download:ok',
    ]);
    expect(events.at(-1)?.bytes).toBe(gzipSync(document).length);
  });

  it('sends the explicit credentials to LWA and the token to SP-API, and asks for no transfer encoding', async () => {
    const { client } = makeClient();
    await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], { pollIntervalMs: 10 });

    const tokenRequest = received[0];
    expect(tokenRequest?.path).toBe('/auth/o2/token');
    expect(JSON.parse(tokenRequest?.body ?? '{}')).toEqual({
      grant_type: 'refresh_token',
      refresh_token: REFRESH_TOKEN,
      client_id: 'amzn1.application-oa2-client.unit',
      client_secret: CLIENT_SECRET,
    });
    const getReports = received[1];
    expect(getReports?.headers['x-amz-access-token']).toBe('Atza|unit-access-1');
    const query = new URLSearchParams(getReports?.path.split('?')[1]);
    expect(query.get('reportTypes')).toBe('GET_V2_SELLER_PERFORMANCE_REPORT');
    expect(query.get('processingStatuses')).toBe('DONE,IN_QUEUE,IN_PROGRESS');
    expect(query.get('marketplaceIds')).toBe('A1PA6795UKMFR9');
    const since = Date.parse(query.get('createdSince') ?? '');
    // The reuse window (60 min) plus 10 min of slack for clock skew; the exact window is applied locally.
    expect(Date.now() - since).toBeGreaterThanOrEqual(70 * 60_000 - 5_000);
    expect(Date.now() - since).toBeLessThan(70 * 60_000 + 5_000);
    expect(JSON.parse(received[2]?.body ?? '{}')).toEqual({
      reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT',
      marketplaceIds: ['A1PA6795UKMFR9'],
    });
    const download = received.at(-1);
    expect(download?.headers['accept-encoding']).toBeUndefined();
    expect(download?.headers['x-amz-access-token']).toBeUndefined();
  });

  it('refreshes the access token once when SP-API says it expired, then succeeds', async () => {
    let rejected = 0;
    route = (req) => {
      if (req.host === 'api.amazon.com') return issueToken();
      if (req.headers['x-amz-access-token'] === 'Atza|unit-access-1') {
        rejected += 1;
        return json(403, {
          errors: [
            {
              code: 'Unauthorized',
              message: 'Access to requested resource is denied.',
              details: 'The access token you provided has expired.',
            },
          ],
        });
      }
      return json(200, {
        payload: [
          {
            marketplace: {
              id: 'A1PA6795UKMFR9',
              name: 'Amazon.de',
              countryCode: 'DE',
              defaultCurrencyCode: 'EUR',
              defaultLanguageCode: 'de_DE',
              domainName: 'www.amazon.de',
            },
            participation: { isParticipating: true, hasSuspendedListings: false },
          },
        ],
      });
    };
    const { client, events } = makeClient();
    const participations = await client.getMarketplaceParticipations();

    expect(participations).toEqual([
      {
        marketplaceId: 'A1PA6795UKMFR9',
        name: 'Amazon.de',
        countryCode: 'DE',
        defaultCurrencyCode: 'EUR',
        domainName: 'www.amazon.de',
        isParticipating: true,
        hasSuspendedListings: false,
      },
    ]);
    expect(rejected).toBe(1);
    expect(tokensIssued).toBe(2);
    expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual([
      'token:ok',
      'getMarketplaceParticipations:error',
      'token:ok',
      'getMarketplaceParticipations:ok',
    ]);
  });

  it('gives up with AuthError when a fresh token is refused too', async () => {
    route = (req) =>
      req.host === 'api.amazon.com'
        ? issueToken()
        : json(403, {
            errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }],
          });
    const { client } = makeClient();
    await expect(client.getMarketplaceParticipations()).rejects.toBeInstanceOf(AuthError);
    expect(tokensIssued).toBe(2);
  });

  it('retries 429 after at least 1/rate seconds and counts every throttle', async () => {
    let throttles = 0;
    route = (req) => {
      if (req.method === 'GET' && req.path.startsWith('/reports/2021-06-30/reports?') && throttles < 2) {
        throttles += 1;
        return json(
          429,
          {
            errors: [
              { code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.' },
            ],
          },
          { 'x-amzn-RateLimit-Limit': '0.0222' },
        );
      }
      return happyPath(req);
    };
    const { client, events, sleeps } = makeClient();
    const result = await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], { pollIntervalMs: 10 });

    expect(result.reportId).toBe('5001');
    expect(events.filter((e) => e.operation === 'getReports').map((e) => e.outcome)).toEqual([
      'throttled',
      'throttled',
      'ok',
    ]);
    const throttleSleeps = sleeps.slice(0, 2);
    for (const ms of throttleSleeps) expect(ms).toBeGreaterThanOrEqual(Math.ceil(1000 / 0.0222));
  });

  it('sends a read again at once, outside the rate limiter, when the server reset its socket', async () => {
    const resets = new Set(['/reports/2021-06-30/documents/amzn1.spdoc.1.4.eu.d1', '/d1?X-Amz-Expires=300']);
    route = (req) => (resets.delete(req.path) ? 'reset' : happyPath(req));
    const acquired: string[] = [];
    const { client, events, sleeps } = makeClient({
      beforeCall: async (operation) => {
        acquired.push(operation);
      },
    });
    const result = await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], { pollIntervalMs: 10 });

    expect(result.bytes.equals(document)).toBe(true);
    const outcomes = (op: string) => events.filter((e) => e.operation === op).map((e) => e.outcome);
    expect(outcomes('getReportDocument')).toEqual(['error', 'ok']);
    expect(outcomes('download')).toEqual(['error', 'ok']);
    // One token taken for getReportDocument, and no back-off: the only sleeps are the two report polls.
    expect(acquired.filter((op) => op === 'getReportDocument')).toHaveLength(1);
    expect(sleeps).toHaveLength(2);
  });

  it('leaves a reset createReport to the usual back-off, since the server may have made the report', async () => {
    let reset = true;
    route = (req) => {
      if (req.method === 'POST' && req.path === '/reports/2021-06-30/reports' && reset) {
        reset = false;
        return 'reset';
      }
      return happyPath(req);
    };
    const acquired: string[] = [];
    const { client, events, sleeps } = makeClient({
      beforeCall: async (operation) => {
        acquired.push(operation);
      },
    });
    await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], { pollIntervalMs: 10 });

    expect(events.filter((e) => e.operation === 'createReport').map((e) => e.outcome)).toEqual([
      'error',
      'ok',
    ]);
    expect(acquired.filter((op) => op === 'createReport')).toHaveLength(2);
    expect(sleeps).toHaveLength(3);
  });

  it('surfaces a persistent 503 as a retryable ServerError after bounded retries', async () => {
    route = (req) =>
      req.host === 'api.amazon.com'
        ? issueToken()
        : json(503, { errors: [{ code: 'ServiceUnavailable', message: 'Service temporarily unavailable' }] });
    const { client, events } = makeClient({ retry: { maxErrorRetries: 2 } });
    const err = await client.getMarketplaceParticipations().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ status: 503, retryable: true, code: 'ServiceUnavailable' });
    expect(events.filter((e) => e.operation === 'getMarketplaceParticipations')).toHaveLength(3);
  });

  it('keeps our secrets out of error messages even when the server echoes them', async () => {
    route = (req) =>
      req.host === 'api.amazon.com'
        ? issueToken()
        : json(400, {
            errors: [
              {
                code: 'InvalidInput',
                message: `bad token ${req.headers['x-amz-access-token']} ${CLIENT_SECRET}`,
              },
            ],
          });
    const { client } = makeClient();
    const err = (await client.getMarketplaceParticipations().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('InvalidInput');
    expect(err.message).not.toContain('unit-access');
    expect(err.message).not.toContain('unit-client-secret');
  });

  it('awaits a pending report found by getReports instead of creating another', async () => {
    route = (req) => {
      if (req.method === 'GET' && req.path.startsWith('/reports/2021-06-30/reports?')) {
        return json(200, {
          reports: [
            {
              reportId: '4000',
              reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT',
              marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH'],
              createdTime: new Date(Date.now() - 60_000).toISOString(),
              processingStatus: 'DONE',
              reportDocumentId: 'amzn1.spdoc.1.4.eu.other',
            },
            {
              reportId: '5001',
              reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT',
              marketplaceIds: ['A1PA6795UKMFR9'],
              createdTime: new Date(Date.now() - 30_000).toISOString(),
              processingStatus: 'IN_QUEUE',
            },
          ],
        });
      }
      return happyPath(req);
    };
    const { client } = makeClient();
    const result = await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], { pollIntervalMs: 10 });

    expect(result).toMatchObject({ reportId: '5001', reused: true });
    expect(received.some((r) => r.method === 'POST' && r.path === '/reports/2021-06-30/reports')).toBe(false);
  });

  it("judges a report's age on the server's clock, learned from the Date header", async () => {
    // The server lives two days ahead (like the simulator after a clock advance): a report stamped one hour
    // ago by our clock is two days old by its own, so it must not be reused.
    const aheadMs = 2 * 86_400_000;
    route = (req) => {
      const reply = happyPath(req);
      if (req.method === 'GET' && req.path.startsWith('/reports/2021-06-30/reports?')) {
        return json(
          200,
          {
            reports: [
              {
                reportId: '3000',
                reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT',
                marketplaceIds: ['A1PA6795UKMFR9'],
                createdTime: new Date(Date.now() - 60_000).toISOString(),
                processingStatus: 'DONE',
                reportDocumentId: 'amzn1.spdoc.1.4.eu.stale',
              },
            ],
          },
          { date: new Date(Date.now() + aheadMs).toUTCString() },
        );
      }
      return reply && req.host !== DOC_HOST && req.host !== 'api.amazon.com'
        ? { ...reply, headers: { ...reply.headers, date: new Date(Date.now() + aheadMs).toUTCString() } }
        : reply;
    };
    const { client } = makeClient();
    const fresh = await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], { pollIntervalMs: 10 });
    expect(fresh).toMatchObject({ reportId: '5001', reused: false });
  });

  it('awaits beforeCall before every SP-API attempt, retries included, and lets its errors through', async () => {
    let throttled = false;
    route = (req) => {
      if (req.path === '/sellers/v1/marketplaceParticipations' && !throttled) {
        throttled = true;
        return json(
          429,
          { errors: [{ code: 'QuotaExceeded', message: 'quota' }] },
          { 'x-amzn-RateLimit-Limit': '100' },
        );
      }
      return req.host === 'api.amazon.com' ? issueToken() : json(200, { payload: [] });
    };
    const waited: string[] = [];
    const { client } = makeClient({
      beforeCall: async (operation) => {
        waited.push(operation);
      },
    });
    await client.getMarketplaceParticipations();
    expect(waited).toEqual(['getMarketplaceParticipations', 'getMarketplaceParticipations']);

    const refusal = new Error('limiter closed');
    const refusing = makeClient({
      beforeCall: async () => {
        throw refusal;
      },
    });
    const before = received.length;
    await expect(refusing.client.getMarketplaceParticipations()).rejects.toBe(refusal);
    expect(received.length).toBe(before);
  });

  it('stops waiting on a report when the signal aborts', async () => {
    route = (req) =>
      req.path === '/reports/2021-06-30/reports/5001'
        ? json(200, {
            reportId: '5001',
            processingStatus: 'IN_PROGRESS',
            createdTime: new Date().toISOString(),
          })
        : happyPath(req);
    const controller = new AbortController();
    const { client } = makeClient();
    const polls = () => received.filter((r) => r.path === '/reports/2021-06-30/reports/5001').length;
    const err = await client
      .fetchSellerPerformanceReport(['A1PA6795UKMFR9'], {
        pollIntervalMs: 10,
        signal: controller.signal,
        sleep: async () => {
          if (polls() >= 2) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiAbortedError);
    expect(polls()).toBe(2);
  });

  it('prints nothing to the console (the package debug log would print the access token)', async () => {
    const spies = (['log', 'dir', 'warn', 'info', 'error'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => undefined),
    );
    try {
      const { client } = makeClient();
      await client.fetchSellerPerformanceReport(['A1PA6795UKMFR9'], { pollIntervalMs: 10 });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('getAccount', () => {
  // Amazon's own example of a getAccount answer (Sellers API model; docs/sellers-api.md §1).
  const modelExample = {
    payload: {
      businessType: 'PRIVATE_LIMITED',
      marketplaceParticipationList: [
        {
          marketplace: {
            id: 'ATVPDKIKX0DER',
            name: 'United States',
            countryCode: 'US',
            domainName: 'www.amazon.com',
          },
          storeName: 'BestSellerStore',
          participation: { isParticipating: true, hasSuspendedListings: false },
        },
      ],
      sellingPlan: 'PROFESSIONAL',
      business: {
        name: 'BestSeller Inc.',
        nonLatinName: 'ベストセラー株式会社',
        registeredBusinessAddress: { addressLine1: '123 Main St', city: 'Seattle', countryCode: 'US' },
        companyRegistrationNumber: '123456789',
      },
      primaryContact: { name: 'John Doe', address: { addressLine1: '456 Oak St', countryCode: 'US' } },
    },
  };
  const answering =
    (body: unknown): Route =>
    (req) => {
      if (req.host === 'api.amazon.com') return issueToken();
      if (req.method === 'GET' && req.path === '/sellers/v1/account') return json(200, body);
      return undefined;
    };

  it("reads the registered business name from Amazon's example, paced, and prints nothing", async () => {
    route = answering(modelExample);
    const paced: string[] = [];
    const spies = (['log', 'warn', 'info', 'error'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => undefined),
    );
    try {
      const { client, events } = makeClient({ beforeCall: async (operation) => void paced.push(operation) });
      expect(await client.getAccount()).toEqual({
        businessName: 'BestSeller Inc.',
        businessType: 'PRIVATE_LIMITED',
        sellingPlan: 'PROFESSIONAL',
      });
      expect(paced).toEqual(['getAccount']);
      expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['token:ok', 'getAccount:ok']);
      const call = received.find((r) => r.path === '/sellers/v1/account');
      expect(call).toMatchObject({ method: 'GET', host: 'sellingpartnerapi-eu.amazon.com' });
      expect(call?.headers['x-amz-access-token']).toBe('Atza|unit-access-1');
      // The package would warn that getAccount is sandbox-only had it been called by name.
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('gives a null business name for a seller Amazon sends no business section for', async () => {
    const { business: _business, ...individual } = modelExample.payload;
    route = answering({ payload: { ...individual, businessType: 'INDIVIDUAL', sellingPlan: 'INDIVIDUAL' } });
    const { client } = makeClient();
    expect(await client.getAccount()).toEqual({
      businessName: null,
      businessType: 'INDIVIDUAL',
      sellingPlan: 'INDIVIDUAL',
    });
  });

  it('refuses an answer without the fields the model requires, naming where, without retrying', async () => {
    route = answering({ payload: { sellingPlan: 'PROFESSIONAL', business: { name: 'No Type Ltd' } } });
    const { client } = makeClient();
    const err = await client.getAccount().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpApiError);
    expect(err).toMatchObject({
      code: 'UnexpectedResponse',
      operation: 'getAccount',
      retryable: false,
      message: 'getAccount: unexpected response shape at payload.businessType',
    });
    expect(received.filter((r) => r.path === '/sellers/v1/account')).toHaveLength(1);

    route = answering({ payload: { ...modelExample.payload, business: { nonLatinName: 'ベストセラー' } } });
    await expect(makeClient().client.getAccount()).rejects.toThrow(
      'getAccount: unexpected response shape at payload.business.name',
    );
  });
});
