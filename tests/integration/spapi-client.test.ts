// The real amazon-sp-api client, through our wrapper, over HTTP against the simulator started in-process:
// token refresh, report reuse, polling, gzip download, throttling, and every failure the simulator can inject.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createSpApiClient,
  type FetchReportOptions,
  type SpApiCallEvent,
  type SpApiClientOptions,
} from '@good-standing/server/spapi/client.ts';
import {
  AuthError,
  AuthRevokedError,
  MalformedDocumentError,
  NetworkTimeoutError,
  ReportFailedError,
  ReportTimeoutError,
  ServerError,
} from '@good-standing/server/spapi/errors.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startSimulator,
  type DemoAccount,
  type FaultSpec,
  type RunningSimulator,
} from '@good-standing/server/simulator/index.ts';

const US = 'ATVPDKIKX0DER';
const FAST: FetchReportOptions = { pollIntervalMs: 40, deadlineMs: 10_000 };

function account(scenario: string): DemoAccount {
  const found = DEMO_ACCOUNTS.find((a) => a.scenario === scenario);
  if (!found) throw new Error(`no demo account with scenario ${scenario}`);
  return found;
}

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ rateScale: 1000, reportProcessingMs: 150 });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  await control('DELETE', '/_sim/faults');
});

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

const inject = (fault: FaultSpec) => control('POST', '/_sim/faults', fault);

function clientFor(who: DemoAccount, extra: Partial<SpApiClientOptions> = {}) {
  const events: SpApiCallEvent[] = [];
  const client = createSpApiClient({
    region: who.region,
    refreshToken: who.refreshToken,
    app: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET },
    endpoint: sim.url,
    timeoutMs: 5_000,
    retry: { baseDelayMs: 10, maxDelayMs: 100 },
    onCall: (e) => events.push(e),
    ...extra,
  });
  const outcomes = (operation: string) =>
    events.filter((e) => e.operation === operation).map((e) => e.outcome);
  return { client, events, outcomes };
}

function counters() {
  return sim.state.counters();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('SP-API client against the simulator', () => {
  it('gets a token and the marketplace participations', async () => {
    const healthy = account('healthy');
    const { client, outcomes } = clientFor(healthy);
    const before = counters();

    const participations = await client.getMarketplaceParticipations();

    expect(participations.map((p) => p.marketplaceId).sort()).toEqual([...healthy.marketplaceIds].sort());
    const us = participations.find((p) => p.marketplaceId === US);
    expect(us).toMatchObject({ countryCode: 'US', defaultCurrencyCode: 'USD', isParticipating: true });
    expect(typeof us?.hasSuspendedListings).toBe('boolean');
    expect(outcomes('token')).toEqual(['ok']);
    expect(counters().byOperation.token).toBe((before.byOperation.token ?? 0) + 1);
  });

  it('creates a report, polls it to DONE, downloads gzip JSON, then reuses it without createReport', async () => {
    const healthy = account('healthy');
    const { client, outcomes } = clientFor(healthy);
    const before = counters();

    const first = await client.fetchSellerPerformanceReport([US], FAST);

    expect(first.reused).toBe(false);
    expect(first.compressed).toBe(true);
    expect(first.reportDocumentId).toMatch(/^amzn1\.spdoc\.1\.4\.na\./);
    expect(first.createdTime).not.toBeNull();
    expect(first.processingEndTime).not.toBeNull();
    const doc = JSON.parse(first.bytes.toString('utf8')) as {
      performanceMetrics: { marketplaceId: string }[];
    };
    expect(doc.performanceMetrics.map((m) => m.marketplaceId)).toEqual([US]);
    expect(outcomes('getReport').length).toBeGreaterThanOrEqual(1);
    expect(outcomes('getReport').every((o) => o === 'ok')).toBe(true);
    const afterFirst = counters();
    expect(afterFirst.byOperation.createReport).toBe((before.byOperation.createReport ?? 0) + 1);

    const second = await client.fetchSellerPerformanceReport([US], FAST);

    expect(second).toMatchObject({
      reused: true,
      reportId: first.reportId,
      reportDocumentId: first.reportDocumentId,
    });
    expect(second.bytes.equals(first.bytes)).toBe(true);
    const afterSecond = counters();
    expect(afterSecond.byOperation.createReport).toBe(afterFirst.byOperation.createReport);
    expect(afterSecond.byOperation.getReports).toBe((afterFirst.byOperation.getReports ?? 0) + 1);
  });

  it('does not reuse a report for a different marketplace set', async () => {
    const healthy = account('healthy');
    const { client } = clientFor(healthy);
    const one = await client.fetchSellerPerformanceReport([US], FAST);
    const before = counters();

    const both = await client.fetchSellerPerformanceReport([US, 'A2EUQ1WTGCTBG2'], FAST);

    expect(both.reused).toBe(false);
    expect(both.reportId).not.toBe(one.reportId);
    expect(counters().byOperation.createReport).toBe((before.byOperation.createReport ?? 0) + 1);
  });

  it('retries throttled calls after the advertised rate, counts every throttle, and loses no request', async () => {
    const seller = account('odr-drift');
    const { client, outcomes } = clientFor(seller);
    await inject({ type: 'throttle', operation: 'getReports', sellerId: seller.sellerId, count: 3 });
    await inject({ type: 'throttle', operation: 'createReport', sellerId: seller.sellerId, count: 2 });
    const before = counters();

    // This seller has no report yet, so getReports finds none and createReport runs.
    const result = await client.fetchSellerPerformanceReport(seller.marketplaceIds, FAST);

    expect(result.reused).toBe(false);
    expect(JSON.parse(result.bytes.toString('utf8'))).toHaveProperty('performanceMetrics');
    expect(outcomes('getReports')).toEqual(['throttled', 'throttled', 'throttled', 'ok']);
    expect(outcomes('createReport')).toEqual(['throttled', 'throttled', 'ok']);
    const after = counters();
    const delta = (op: string) =>
      (after.throttledByOperation[op] ?? 0) - (before.throttledByOperation[op] ?? 0);
    expect(delta('getReports')).toBe(3);
    expect(delta('createReport')).toBe(2);
    expect(after.byOperation.createReport).toBe((before.byOperation.createReport ?? 0) + 3);
  });

  it('throws AuthRevokedError for a revoked seller without calling SP-API', async () => {
    const revoked = account('revoked');
    const { client, outcomes } = clientFor(revoked);
    const before = counters();

    const err = await rejection(client.fetchSellerPerformanceReport(revoked.marketplaceIds, FAST));

    expect(err).toBeInstanceOf(AuthRevokedError);
    expect(err).toMatchObject({ code: 'invalid_grant', retryable: false });
    expect((err as Error).message).not.toContain(revoked.refreshToken);
    expect(outcomes('token')).toEqual(['error']);
    expect(counters().byOperation.getReports ?? 0).toBe(before.byOperation.getReports ?? 0);
  });

  it('throws AuthRevokedError once a seller revokes us through the control API', async () => {
    const seller = account('new-seller');
    const { client } = clientFor(seller);
    await client.getMarketplaceParticipations();
    await control('POST', `/_sim/accounts/${seller.sellerId}/revoke`);

    // The revoke also kills the live access token: the 403 triggers one refresh, which LWA refuses.
    const err = await rejection(client.getMarketplaceParticipations());
    expect(err).toBeInstanceOf(AuthRevokedError);
    // Later tests use this seller again; a reset brings the demo accounts back as they started.
    await control('POST', '/_sim/reset');
  });

  it('retries a throttled LWA token request', async () => {
    const seller = account('healthy');
    const { client, outcomes } = clientFor(seller);
    await inject({ type: 'throttle', operation: 'token', count: 1 });

    await client.getMarketplaceParticipations();

    expect(outcomes('token')).toEqual(['throttled', 'ok']);
  });

  it('refuses wrong app credentials with AuthError', async () => {
    const { client } = clientFor(account('healthy'), {
      app: { clientId: DEMO_CLIENT_ID, clientSecret: 'wrong-secret' },
    });
    const err = await rejection(client.getMarketplaceParticipations());
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'invalid_client', retryable: false });
    expect((err as Error).message).not.toContain('wrong-secret');
  });

  it('reports FATAL with the reason from the error document', async () => {
    const seller = account('suspension');
    const { client } = clientFor(seller);
    await inject({ type: 'fatal', sellerId: seller.sellerId });

    const err = await rejection(
      client.fetchSellerPerformanceReport(seller.marketplaceIds, { ...FAST, reuseWithinMs: 0 }),
    );

    expect(err).toBeInstanceOf(ReportFailedError);
    expect(err).toMatchObject({ status: 'FATAL', retryable: false });
    expect((err as ReportFailedError).reason).toMatch(/requested data is unavailable/);
    expect((err as Error).message).toMatch(/ended FATAL: The requested data is unavailable/);
  });

  it('reports CANCELLED as ReportFailedError without a document', async () => {
    const seller = account('suspension');
    const { client, outcomes } = clientFor(seller);
    await inject({ type: 'cancelled', sellerId: seller.sellerId });

    const err = await rejection(
      client.fetchSellerPerformanceReport(seller.marketplaceIds, { ...FAST, reuseWithinMs: 0 }),
    );

    expect(err).toBeInstanceOf(ReportFailedError);
    expect(err).toMatchObject({ status: 'CANCELLED', retryable: false });
    expect(outcomes('getReportDocument')).toEqual([]);
  });

  it('gives up on a stuck report with ReportTimeoutError, and awaits that same report next time', async () => {
    const seller = account('ip-complaints');
    const { client } = clientFor(seller);
    await inject({ type: 'stuck', sellerId: seller.sellerId, stage: 'IN_PROGRESS' });
    const before = counters();

    const err = await rejection(
      client.fetchSellerPerformanceReport(seller.marketplaceIds, { pollIntervalMs: 30, deadlineMs: 200 }),
    );
    expect(err).toBeInstanceOf(ReportTimeoutError);
    expect(err).toMatchObject({ retryable: true, lastStatus: 'IN_PROGRESS' });
    const stuckId = (err as ReportTimeoutError).reportId;

    const again = await rejection(
      client.fetchSellerPerformanceReport(seller.marketplaceIds, { pollIntervalMs: 30, deadlineMs: 100 }),
    );
    expect(again).toMatchObject({ reportId: stuckId });
    expect(counters().byOperation.createReport).toBe((before.byOperation.createReport ?? 0) + 1);
  });

  it('turns a hung request into NetworkTimeoutError after bounded retries', async () => {
    const seller = account('healthy');
    const { client, outcomes } = clientFor(seller, {
      timeoutMs: 150,
      retry: { maxErrorRetries: 2, baseDelayMs: 5 },
    });
    await client.getMarketplaceParticipations();
    await inject({
      type: 'timeout',
      operation: 'getMarketplaceParticipations',
      sellerId: seller.sellerId,
      count: 5,
    });

    const err = await rejection(client.getMarketplaceParticipations());

    expect(err).toBeInstanceOf(NetworkTimeoutError);
    expect(err).toMatchObject({ retryable: true, operation: 'getMarketplaceParticipations' });
    expect(outcomes('getMarketplaceParticipations')).toEqual(['ok', 'error', 'error', 'error']);
  });

  it('retries a 503 and succeeds', async () => {
    const seller = account('healthy');
    const { client, outcomes } = clientFor(seller);
    await inject({ type: 'error', status: 503, operation: 'getMarketplaceParticipations', count: 2 });

    const participations = await client.getMarketplaceParticipations();

    expect(participations.length).toBe(seller.marketplaceIds.length);
    expect(outcomes('getMarketplaceParticipations')).toEqual(['error', 'error', 'ok']);
  });

  it('surfaces a persistent 503 as a retryable ServerError', async () => {
    const seller = account('healthy');
    const { client, outcomes } = clientFor(seller, { retry: { maxErrorRetries: 3, baseDelayMs: 5 } });
    await inject({ type: 'error', status: 503, operation: 'getMarketplaceParticipations', count: 10 });

    const err = await rejection(client.getMarketplaceParticipations());

    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ status: 503, retryable: true, code: 'ServiceUnavailable' });
    expect(outcomes('getMarketplaceParticipations')).toHaveLength(4);
  });

  it('says an LWA 503 is a temporary outage, not an internal error', async () => {
    const seller = account('healthy');
    const { client } = clientFor(seller, { retry: { maxErrorRetries: 1, baseDelayMs: 5 } });
    await inject({ type: 'error', status: 503, operation: 'token', count: 10 });

    const err = await rejection(client.getMarketplaceParticipations());

    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ code: 'temporarily_unavailable', retryable: true });
    expect((err as Error).message).toMatch(/temporarily unavailable \(LWA answered 503\)/);
    expect((err as Error).message).not.toMatch(/internal server error/i);
    await control('DELETE', '/_sim/faults');
  });

  it('retries a failing document download', async () => {
    const seller = account('late-shipment-spike');
    const { client, outcomes } = clientFor(seller);
    await inject({
      type: 'error',
      status: 500,
      operation: 'downloadDocument',
      sellerId: seller.sellerId,
      count: 1,
    });
    await inject({ type: 'throttle', operation: 'downloadDocument', sellerId: seller.sellerId, count: 1 });

    const result = await client.fetchSellerPerformanceReport(seller.marketplaceIds, {
      ...FAST,
      reuseWithinMs: 0,
    });

    expect(JSON.parse(result.bytes.toString('utf8'))).toBeTypeOf('object');
    expect(outcomes('download')).toEqual(['error', 'throttled', 'ok']);
  });

  it('throws MalformedDocumentError with the raw bytes for a truncated gzip document', async () => {
    const seller = account('new-seller');
    const { client } = clientFor(seller);
    await inject({ type: 'truncated', sellerId: seller.sellerId });

    const err = await rejection(
      client.fetchSellerPerformanceReport(seller.marketplaceIds, { ...FAST, reuseWithinMs: 0 }),
    );

    expect(err).toBeInstanceOf(MalformedDocumentError);
    const raw = (err as MalformedDocumentError).raw;
    expect(raw.length).toBeGreaterThan(2);
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
  });

  it('returns the bytes of valid gzip holding invalid JSON: rejecting them is the parser job', async () => {
    const seller = account('new-seller');
    const { client } = clientFor(seller);
    await inject({ type: 'malformed', sellerId: seller.sellerId });

    const result = await client.fetchSellerPerformanceReport(seller.marketplaceIds, {
      ...FAST,
      reuseWithinMs: 0,
    });

    expect(result.compressed).toBe(true);
    expect(result.bytes.length).toBeGreaterThan(0);
    expect(() => JSON.parse(result.bytes.toString('utf8'))).toThrow();
  });

  it.each([
    ['gzip-mismatch', false],
    ['gzip-unflagged', true],
    ['content-encoding', true],
  ] as const)('decodes a %s document by its bytes, not its labels', async (type, compressed) => {
    const seller = account('new-seller');
    const { client } = clientFor(seller);
    await inject({ type, sellerId: seller.sellerId });

    const result = await client.fetchSellerPerformanceReport(seller.marketplaceIds, {
      ...FAST,
      reuseWithinMs: 0,
    });

    expect(result.compressed).toBe(compressed);
    const doc = JSON.parse(result.bytes.toString('utf8')) as {
      performanceMetrics: { marketplaceId: string }[];
    };
    expect(doc.performanceMetrics.map((m) => m.marketplaceId)).toEqual(seller.marketplaceIds);
  });

  // Last: it moves the simulator's clock.
  it('recovers once from an access token the server says has expired', async () => {
    const seller = account('healthy');
    const { client, outcomes } = clientFor(seller);
    await client.getMarketplaceParticipations();
    await control('POST', '/_sim/clock/advance', { hours: 2 });

    await client.getMarketplaceParticipations();

    expect(outcomes('token')).toEqual(['ok', 'ok']);
    expect(outcomes('getMarketplaceParticipations')).toEqual(['ok', 'error', 'ok']);
  });
});
