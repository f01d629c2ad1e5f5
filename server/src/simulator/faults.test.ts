import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startSimulator } from './index.ts';
import type { FaultSpec, RunningSimulator } from './index.ts';
import type { ReportView } from './report-store.ts';
import { accessTokenFor, call, sleep, spApi } from './test-client.ts';

const V2 = 'GET_V2_SELLER_PERFORMANCE_REPORT';
const REPORTS = '/reports/2021-06-30/reports';
const PARTICIPATIONS = '/sellers/v1/marketplaceParticipations';
const healthy = DEMO_ACCOUNTS.find((a) => a.scenario === 'healthy')!;
const drift = DEMO_ACCOUNTS.find((a) => a.scenario === 'odr-drift')!;

describe('fault injection', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeEach(async () => {
    sim = await startSimulator({ reportProcessingMs: 60, rateScale: 1_000_000 });
    token = await accessTokenFor(sim, healthy.refreshToken);
  });
  afterEach(async () => {
    await sim.close();
  });

  const inject = async (spec: FaultSpec) => {
    const res = await call(sim, { method: 'POST', path: '/_sim/faults', body: spec });
    expect(res.status, res.text).toBe(201);
  };

  /** Creates a report, waits for it to finish processing, and returns it with its downloaded bytes. */
  const runReport = async (t = token, marketplaceIds = healthy.marketplaceIds.slice(0, 1)) => {
    const created = await spApi(sim, t, {
      method: 'POST',
      path: REPORTS,
      body: { reportType: V2, marketplaceIds },
    });
    expect(created.status, created.text).toBe(202);
    await sleep(120);
    const report = (
      await spApi(sim, t, { path: `${REPORTS}/${created.json<{ reportId: string }>().reportId}` })
    ).json<ReportView>();
    if (!report.reportDocumentId) return { report };
    const doc = (
      await spApi(sim, t, { path: `/reports/2021-06-30/documents/${report.reportDocumentId}` })
    ).json<{
      url: string;
      compressionAlgorithm?: string;
    }>();
    const url = new URL(doc.url);
    const file = await call(sim, { path: url.pathname + url.search, host: url.host });
    return { report, doc, file };
  };

  it('throttles the next N calls of an operation, then serves normally', async () => {
    await inject({ type: 'throttle', operation: 'getMarketplaceParticipations', count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await spApi(sim, token, { path: PARTICIPATIONS })).status);
    expect(statuses).toEqual([429, 429, 200]);
    expect(sim.state.counters().throttled).toBe(2);
  });

  it('answers 503 with an Amazon error body, only for the targeted seller', async () => {
    const other = await accessTokenFor(sim, drift.refreshToken);
    await inject({ type: 'error', status: 503, sellerId: drift.sellerId, count: 1 });
    expect((await spApi(sim, token, { path: PARTICIPATIONS })).status).toBe(200);
    const res = await spApi(sim, other, { path: PARTICIPATIONS });
    expect(res.status).toBe(503);
    expect(res.json<{ errors: { code: string }[] }>().errors[0]?.code).toBe('ServiceUnavailable');
    expect((await spApi(sim, other, { path: PARTICIPATIONS })).status).toBe(200);
  });

  it('delays answers by the latency asked for', async () => {
    await inject({ type: 'latency', ms: 250, count: 1 });
    const started = performance.now();
    expect((await spApi(sim, token, { path: PARTICIPATIONS })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('holds a timed-out request open until close destroys its socket', async () => {
    await inject({ type: 'timeout', operation: 'token' });
    const pending = accessTokenFor(sim, healthy.refreshToken);
    const outcome = await Promise.race([
      pending.then(
        () => 'answered',
        () => 'failed',
      ),
      sleep(300).then(() => 'open'),
    ]);
    expect(outcome).toBe('open');
    await sim.close();
    await expect(pending).rejects.toThrow();
    sim = await startSimulator();
  });

  it('applies probability faults with a seeded roll', async () => {
    sim.state.injectFault({ type: 'error', operation: 'getMarketplaceParticipations', probability: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await spApi(sim, token, { path: PARTICIPATIONS })).status);
    const errors = statuses.filter((s) => s === 500).length;
    expect(errors).toBeGreaterThan(8);
    expect(errors).toBeLessThan(32);
    sim.state.clearFaults();
    expect((await spApi(sim, token, { path: PARTICIPATIONS })).status).toBe(200);
  });

  it('serves truncated gzip, malformed JSON, foreign JSON and ungzipped bytes on demand', async () => {
    await inject({ type: 'truncated' });
    const truncated = await runReport();
    expect(() => gunzipSync(truncated.file!.body)).toThrow();

    await inject({ type: 'malformed' });
    const malformed = await runReport();
    const text = gunzipSync(malformed.file!.body).toString('utf8');
    expect(() => JSON.parse(text)).toThrow();

    await inject({ type: 'not-a-report' });
    const foreign = await runReport();
    const parsed = JSON.parse(gunzipSync(foreign.file!.body).toString('utf8')) as Record<string, unknown>;
    expect(parsed.performanceMetrics).toBeUndefined();

    await inject({ type: 'gzip-mismatch' });
    const plain = await runReport();
    expect(plain.doc?.compressionAlgorithm).toBe('GZIP');
    expect(plain.file!.body[0]).not.toBe(0x1f);
    expect(JSON.parse(plain.file!.text)).toHaveProperty('performanceMetrics');

    await inject({ type: 'gzip-unflagged' });
    const unflagged = await runReport();
    expect(unflagged.doc?.compressionAlgorithm).toBeUndefined();
    expect([...unflagged.file!.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    await inject({ type: 'content-encoding' });
    const encoded = await runReport();
    expect(encoded.file!.headers['content-encoding']).toBe('gzip');
    expect([...encoded.file!.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    const normal = await runReport();
    expect(normal.file!.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(gunzipSync(normal.file!.body).toString('utf8'))).toHaveProperty('accountStatuses');
  });

  it('scripts FATAL (with an error document), CANCELLED and stuck outcomes for the next reports', async () => {
    await inject({ type: 'fatal' });
    const fatal = await runReport();
    expect(fatal.report.processingStatus).toBe('FATAL');
    expect(JSON.parse(gunzipSync(fatal.file!.body).toString('utf8'))).toHaveProperty('errorDetails');

    await inject({ type: 'cancelled' });
    const cancelled = await runReport();
    expect(cancelled.report.processingStatus).toBe('CANCELLED');
    expect(cancelled.report.reportDocumentId).toBeUndefined();

    await inject({ type: 'stuck', count: 1 });
    expect((await runReport()).report.processingStatus).toBe('IN_PROGRESS');

    await inject({ type: 'stuck', stage: 'IN_QUEUE' });
    const queued = await runReport();
    expect(queued.report.processingStatus).toBe('IN_QUEUE');
    const cancel = await spApi(sim, token, {
      method: 'DELETE',
      path: `${REPORTS}/${queued.report.reportId}`,
    });
    expect(cancel.status).toBe(200);

    expect((await runReport()).report.processingStatus).toBe('DONE');
  });

  it('clears faults with DELETE /_sim/faults', async () => {
    await inject({ type: 'throttle', count: 5 });
    const cleared = await call(sim, { method: 'DELETE', path: '/_sim/faults' });
    expect(cleared.json()).toEqual({ cleared: 1 });
    expect((await spApi(sim, token, { path: PARTICIPATIONS })).status).toBe(200);
    const bad = await call(sim, { method: 'POST', path: '/_sim/faults', body: { type: 'meteor' } });
    expect(bad.status).toBe(400);
  });
});
