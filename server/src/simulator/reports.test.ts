import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, generateSellerPerformanceReport, startSimulator } from './index.ts';
import type { RunningSimulator } from './index.ts';
import type { ReportView } from './report-store.ts';
import { accessTokenFor, call, sleep, spApi } from './test-client.ts';

const V2 = 'GET_V2_SELLER_PERFORMANCE_REPORT';
const REPORTS = '/reports/2021-06-30/reports';
const drift = DEMO_ACCOUNTS.find((a) => a.scenario === 'odr-drift')!;
const healthy = DEMO_ACCOUNTS.find((a) => a.scenario === 'healthy')!;

async function createReport(sim: RunningSimulator, token: string, body: unknown) {
  return spApi(sim, token, { method: 'POST', path: REPORTS, body });
}

async function getReport(sim: RunningSimulator, token: string, reportId: string): Promise<ReportView> {
  const res = await spApi(sim, token, { path: `${REPORTS}/${reportId}` });
  expect(res.status).toBe(200);
  return res.json<ReportView>();
}

/** Sends the presigned URL to the simulator with its S3 Host header, as the real client's agent would. */
function download(sim: RunningSimulator, url: string) {
  const parsed = new URL(url);
  return call(sim, { path: parsed.pathname + parsed.search, host: parsed.host });
}

describe('Reports API lifecycle', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeEach(async () => {
    sim = await startSimulator({ reportProcessingMs: 900, rateScale: 1000 });
    token = await accessTokenFor(sim, drift.refreshToken);
  });
  afterEach(async () => {
    await sim.close();
  });

  it('moves a report IN_QUEUE -> IN_PROGRESS -> DONE and serves its gzipped document', async () => {
    const created = await createReport(sim, token, { reportType: V2, marketplaceIds: drift.marketplaceIds });
    expect(created.status).toBe(202);
    expect(created.headers['x-amzn-ratelimit-limit']).toBe(String(0.0167 * 1000));
    const { reportId } = created.json<{ reportId: string }>();
    expect(reportId).toMatch(/^\d+$/);

    const seen: string[] = [];
    let report = await getReport(sim, token, reportId);
    const deadline = Date.now() + 5000;
    while (report.processingStatus !== 'DONE' && Date.now() < deadline) {
      seen.push(report.processingStatus);
      await sleep(40);
      report = await getReport(sim, token, reportId);
    }
    expect(seen[0]).toBe('IN_QUEUE');
    expect(seen).toContain('IN_PROGRESS');
    expect(report.processingStatus).toBe('DONE');
    expect(report).toMatchObject({ reportType: V2, marketplaceIds: drift.marketplaceIds });
    expect(report.reportDocumentId).toMatch(/^amzn1\.spdoc\.1\.4\.na\.[0-9a-f-]{36}\.T[A-Z0-9]{13}\.\d+$/);

    const docRes = await spApi(sim, token, {
      path: `/reports/2021-06-30/documents/${report.reportDocumentId}`,
    });
    expect(docRes.status).toBe(200);
    const doc = docRes.json<{ reportDocumentId: string; url: string; compressionAlgorithm: string }>();
    expect(doc.compressionAlgorithm).toBe('GZIP');
    expect(doc.url).toMatch(
      /^https:\/\/tortuga-prod-na\.s3-external-1\.amazonaws\.com\/[0-9a-f]{32}\/amzn1\.spdoc\./,
    );
    expect(doc.url).toContain('X-Amz-Expires=300');

    const file = await download(sim, doc.url);
    expect(file.status).toBe(200);
    expect([...file.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const content: unknown = JSON.parse(gunzipSync(file.body).toString('utf8'));
    const now = sim.state.now();
    expect(content).toEqual(
      generateSellerPerformanceReport(
        drift.scenario,
        drift.sellerId,
        drift.marketplaceIds,
        0,
        now,
        drift.dialect,
      ),
    );
  });

  it('expires document URLs after 5 virtual minutes and refuses tampered ones', async () => {
    const { reportId } = (
      await createReport(sim, token, { reportType: V2, marketplaceIds: drift.marketplaceIds })
    ).json<{
      reportId: string;
    }>();
    await sleep(950);
    const report = await getReport(sim, token, reportId);
    const { url } = (
      await spApi(sim, token, { path: `/reports/2021-06-30/documents/${report.reportDocumentId}` })
    ).json<{ url: string }>();
    const tampered = url.replace(/X-Amz-Expires=300/, 'X-Amz-Expires=99999');
    const forged = await download(sim, tampered);
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>');

    sim.state.advanceClock({ minutes: 6 });
    const expired = await download(sim, url);
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('<Code>AccessDenied</Code>');
    expect(expired.text).toContain('Request has expired');
  });

  it('validates createReport bodies and marketplaces', async () => {
    const bad = async (body: unknown) => {
      const res = await createReport(sim, token, body);
      expect(res.status).toBe(400);
      return res.json<{ errors: { code: string; message: string }[] }>().errors[0]!;
    };
    expect((await bad({ marketplaceIds: drift.marketplaceIds })).code).toBe('InvalidInput');
    expect((await bad({ reportType: V2, marketplaceIds: [] })).code).toBe('InvalidInput');
    expect((await bad({ reportType: V2, marketplaceIds: Array(26).fill('ATVPDKIKX0DER') })).code).toBe(
      'InvalidInput',
    );
    const foreign = await bad({ reportType: V2, marketplaceIds: ['A1PA6795UKMFR9'] });
    expect(foreign.message).toContain('A1PA6795UKMFR9');
  });

  it('cancels only IN_QUEUE reports, and other report types end CANCELLED without a document', async () => {
    const first = (
      await createReport(sim, token, { reportType: V2, marketplaceIds: drift.marketplaceIds })
    ).json<{
      reportId: string;
    }>();
    const cancel = await spApi(sim, token, { method: 'DELETE', path: `${REPORTS}/${first.reportId}` });
    expect(cancel.status).toBe(200);
    expect((await getReport(sim, token, first.reportId)).processingStatus).toBe('CANCELLED');

    const second = (
      await createReport(sim, token, { reportType: V2, marketplaceIds: drift.marketplaceIds })
    ).json<{
      reportId: string;
    }>();
    await sleep(950);
    const late = await spApi(sim, token, { method: 'DELETE', path: `${REPORTS}/${second.reportId}` });
    expect(late.status).toBe(400);

    const other = (
      await createReport(sim, token, {
        reportType: 'GET_MERCHANT_LISTINGS_ALL_DATA',
        marketplaceIds: drift.marketplaceIds,
      })
    ).json<{ reportId: string }>();
    await sleep(950);
    const otherReport = await getReport(sim, token, other.reportId);
    expect(otherReport.processingStatus).toBe('CANCELLED');
    expect(otherReport.reportDocumentId).toBeUndefined();
  });

  it('keeps a seller’s reports from other sellers and forgets them after 90 days', async () => {
    const { reportId } = (
      await createReport(sim, token, { reportType: V2, marketplaceIds: drift.marketplaceIds })
    ).json<{
      reportId: string;
    }>();
    const other = await accessTokenFor(sim, healthy.refreshToken);
    expect((await spApi(sim, other, { path: `${REPORTS}/${reportId}` })).status).toBe(404);
    sim.state.advanceClock({ days: 91 });
    const fresh = await accessTokenFor(sim, drift.refreshToken);
    expect((await spApi(sim, fresh, { path: `${REPORTS}/${reportId}` })).status).toBe(404);
  });
});

describe('getReports', () => {
  let sim: RunningSimulator;
  let token: string;
  const ids: string[] = [];
  beforeEach(async () => {
    sim = await startSimulator({ reportProcessingMs: 0, rateScale: 1000 });
    token = await accessTokenFor(sim, healthy.refreshToken);
    ids.length = 0;
    const plan: [string, string][] = [
      [V2, 'ATVPDKIKX0DER'],
      [V2, 'A2EUQ1WTGCTBG2'],
      ['GET_MERCHANT_LISTINGS_ALL_DATA', 'ATVPDKIKX0DER'],
      [V2, 'A1AM78C64UM0Y8'],
      [V2, 'ATVPDKIKX0DER'],
    ];
    for (const [reportType, marketplace] of plan) {
      const res = await createReport(sim, token, { reportType, marketplaceIds: [marketplace] });
      ids.push(res.json<{ reportId: string }>().reportId);
      sim.state.advanceClock({ hours: 1 });
      // Access tokens live one virtual hour.
      token = await accessTokenFor(sim, healthy.refreshToken);
    }
  });
  afterEach(async () => {
    await sim.close();
  });

  const list = async (query: string) => {
    const res = await spApi(sim, token, { path: `${REPORTS}?${query}` });
    expect(res.status, res.text).toBe(200);
    return res.json<{ reports: ReportView[]; nextToken?: string }>();
  };

  it('filters by type, status and marketplace, newest first', async () => {
    const v2 = await list(`reportTypes=${V2}`);
    expect(v2.reports.map((r) => r.reportId)).toEqual([ids[4], ids[3], ids[1], ids[0]]);
    const done = await list(`reportTypes=${V2},GET_MERCHANT_LISTINGS_ALL_DATA&processingStatuses=DONE`);
    expect(done.reports.map((r) => r.reportId)).toEqual([ids[4], ids[3], ids[1], ids[0]]);
    const cancelled = await list(
      `reportTypes=${V2}%2CGET_MERCHANT_LISTINGS_ALL_DATA&processingStatuses=CANCELLED`,
    );
    expect(cancelled.reports.map((r) => r.reportId)).toEqual([ids[2]]);
    const us = await list(`reportTypes=${V2}&marketplaceIds=ATVPDKIKX0DER`);
    expect(us.reports.map((r) => r.reportId)).toEqual([ids[4], ids[0]]);
    const at = (hoursAgo: number) =>
      encodeURIComponent(new Date(sim.state.now().getTime() - hoursAgo * 3_600_000).toISOString());
    expect((await list(`reportTypes=${V2}&createdSince=${at(0.5)}`)).reports).toEqual([]);
    const window = await list(`reportTypes=${V2}&createdSince=${at(4.5)}&createdUntil=${at(1.5)}`);
    expect(window.reports.map((r) => r.reportId)).toEqual([ids[3], ids[1]]);
  });

  it('pages with nextToken as the only parameter', async () => {
    const first = await list(`reportTypes=${V2}&pageSize=3`);
    expect(first.reports.map((r) => r.reportId)).toEqual([ids[4], ids[3], ids[1]]);
    expect(first.nextToken).toBeDefined();
    const second = await list(`nextToken=${encodeURIComponent(first.nextToken!)}`);
    expect(second.reports.map((r) => r.reportId)).toEqual([ids[0]]);
    expect(second.nextToken).toBeUndefined();
    const mixed = await spApi(sim, token, {
      path: `${REPORTS}?nextToken=${encodeURIComponent(first.nextToken!)}&pageSize=3`,
    });
    expect(mixed.status).toBe(400);
  });

  it('requires reportTypes and validates its parameters', async () => {
    for (const query of [
      '',
      'pageSize=5',
      `reportTypes=${V2}&pageSize=101`,
      `reportTypes=${V2}&processingStatuses=LOST`,
    ]) {
      const res = await spApi(sim, token, { path: `${REPORTS}?${query}` });
      expect(res.status, query).toBe(400);
    }
  });
});
