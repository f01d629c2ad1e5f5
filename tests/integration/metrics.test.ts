import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import type { ParsedReport, RateMetric } from '@good-standing/server/reports/types.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { windowDays, writeHealthSnapshot } from '@good-standing/server/metrics/metrics.repository.ts';
import { ahrBandOf } from '@good-standing/server/reports/ahr-band.ts';
import { Series } from '@good-standing/server/metrics/metrics.schemas.ts';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseReportBytes } from '@good-standing/server/reports/parse-seller-performance.ts';
import { samplePath } from '@good-standing/server/reports/fixtures/sample-files.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildPollingApp, connectDemoAccount, demoSeller, startTestSimulator } from '../helpers/poller.ts';

// The read API over real Postgres, fed by real polls of the simulator: every figure it returns must be the one
// the simulator served, through the same parser.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
const ids: Record<string, string> = {};
/** What the simulator served at each poll, by scenario, oldest first. */
const served: Record<string, ParsedReport[]> = {};

const SCENARIOS = ['healthy', 'odr-drift', 'suspension', 'ip-complaints'] as const;
/** Before the first poll: the simulator's clock starts at the real one and only moves forward. */
const since = new Date(Date.now() - 86_400_000).toISOString();

async function get<T>(url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

async function pollAll(): Promise<void> {
  for (const scenario of SCENARIOS) {
    (served[scenario] ??= []).push(
      parseSellerPerformanceReport(sim.state.currentDocument(demoSeller(scenario).sellerId)),
    );
  }
  const results = await app.poller.pollNow(SCENARIOS.map((s) => ids[s]!));
  for (const r of results) expect(r).toMatchObject({ status: 'succeeded' });
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  app = await buildPollingApp(t, sim);
  for (const scenario of SCENARIOS) ids[scenario] = await connectDemoAccount(app, scenario);
  // Day 0, then day 12: the suspension scenario is deactivated by day 9, ip-complaints is WARNED by day 11.
  await pollAll();
  sim.state.advanceClock({ days: 12 });
  await pollAll();
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

type Overview = {
  summary: Record<string, number>;
  accounts: Array<{
    id: string;
    name: string;
    standing: string;
    freshness: { lastGoodPollAt: string | null; stale: boolean };
    marketplaces: Array<{
      marketplaceId: string;
      standing: string;
      accountStatus: string | null;
      ahr: { status: string | null; score: number | null };
      metrics: Array<{
        metric: string;
        channel: string;
        windowDays: number | null;
        rate: number | null;
        numerator: number | null;
        denominator: number | null;
        status: string | null;
        target: { value: number; condition: string } | null;
        breached: boolean | null;
      }>;
      policyViolations: {
        total: number;
        categories: Array<{ category: string; count: number | null }>;
      } | null;
    }>;
  }>;
};

const figureKey = (r: { metric: string; channel: string; windowDays: number | null }) =>
  `${r.metric}|${r.channel}|${r.windowDays}`;
const servedKey = (r: RateMetric) => `${r.metric}|${r.channel}|${windowDays(r.window)}`;

describe('GET /api/overview', () => {
  it('shows a poll that just ended, not an earlier overview', async () => {
    const before = (await app.inject({ method: 'GET', url: '/api/overview' })).headers.etag as string;
    sim.state.advanceClock({ days: 1 });
    const report = parseSellerPerformanceReport(sim.state.currentDocument(demoSeller('odr-drift').sellerId));
    served['odr-drift']!.push(report);
    const [summary] = await app.poller.pollNow([ids['odr-drift']!]);
    expect(summary).toMatchObject({ status: 'succeeded', outcome: 'ingested' });
    const overview = await get<Overview>('/api/overview');
    expect(
      (await app.inject({ method: 'GET', url: '/api/overview', headers: { 'if-none-match': before } }))
        .statusCode,
    ).toBe(200);
    const odr = overview.accounts
      .find((a) => a.id === ids['odr-drift'])!
      .marketplaces[0]!.metrics.find((f) => f.metric === 'order_defect_rate' && f.channel === 'mfn')!;
    const servedOdr = report.marketplaces[0]!.rates.find(
      (r) => r.metric === 'order_defect_rate' && r.channel === 'mfn',
    )!;
    expect(odr.rate).toBe(servedOdr.rate);
    expect(odr.numerator).toBe(servedOdr.numerator);
  });

  it('gives every account the latest figures the simulator served, worst first', async () => {
    const overview = await get<Overview>('/api/overview');
    expect(overview.accounts.map((a) => a.id).sort()).toEqual(Object.values(ids).sort());

    for (const scenario of SCENARIOS) {
      const account = overview.accounts.find((a) => a.id === ids[scenario])!;
      const latest = served[scenario]!.at(-1)!;
      expect(account.freshness.stale).toBe(false);
      expect(account.freshness.lastGoodPollAt).not.toBeNull();
      for (const m of latest.marketplaces) {
        const shown = account.marketplaces.find((x) => x.marketplaceId === m.marketplaceId)!;
        expect(shown.accountStatus).toBe(m.accountStatus);
        expect(shown.ahr.status).toBe(m.ahrStatus);
        expect(shown.ahr.score).toBe(m.ahrScore);
        const byKey = new Map(shown.metrics.map((f) => [figureKey(f), f]));
        for (const rate of m.rates) {
          const figure = byKey.get(servedKey(rate));
          expect(figure, `${scenario} ${servedKey(rate)}`).toBeDefined();
          expect(figure).toMatchObject({
            rate: rate.rate,
            numerator: rate.numerator,
            denominator: rate.denominator,
            status: rate.status,
          });
        }
        const total = m.policies.reduce((n, p) => n + (p.count ?? 0), 0);
        expect(shown.policyViolations?.total ?? 0).toBe(total);
      }
    }

    const suspended = overview.accounts.find((a) => a.id === ids.suspension)!;
    expect(suspended.standing).toBe('suspended');
    expect(overview.accounts[0]!.standing).toBe('suspended');
    const order = ['suspended', 'at_risk', 'unknown', 'fine'];
    const ranks = overview.accounts.map((a) => order.indexOf(a.standing));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(overview.summary.accounts).toBe(SCENARIOS.length);
    expect(
      overview.summary.fine! +
        overview.summary.atRisk! +
        overview.summary.suspended! +
        overview.summary.unknown!,
    ).toBe(SCENARIOS.length);
  });

  it('sends the same overview gzip-compressed when asked, and a 304 for an ETag that is still current', async () => {
    const plain = await app.inject({ method: 'GET', url: '/api/overview' });
    const etag = plain.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const zipped = await app.inject({
      method: 'GET',
      url: '/api/overview',
      headers: { 'accept-encoding': 'br;q=1.0, gzip;q=0.8' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(plain.json());
    const refused = await app.inject({
      method: 'GET',
      url: '/api/overview',
      headers: { 'accept-encoding': 'gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const unchanged = await app.inject({
      method: 'GET',
      url: '/api/overview',
      headers: { 'if-none-match': etag },
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
  });

  it('marks a figure on the wrong side of its target as breached', async () => {
    const overview = await get<Overview>('/api/overview');
    for (const account of overview.accounts) {
      for (const m of account.marketplaces) {
        for (const f of m.metrics) {
          if (f.rate === null || !f.target) continue;
          const wrong =
            f.target.condition === 'LESS_THAN' ? f.rate >= f.target.value : f.rate <= f.target.value;
          if (['LESS_THAN', 'GREATER_THAN'].includes(f.target.condition)) expect(f.breached).toBe(wrong);
        }
      }
    }
  });
});

type SeriesBody = {
  accountId: string;
  series: Array<{
    marketplaceId: string;
    metric: string;
    channel: string;
    windowDays: number | null;
    target: { value: number; condition: string } | null;
    points: {
      capturedAt: string[];
      rate: Array<number | null>;
      numerator: Array<number | null>;
      source: string[];
    };
  }>;
};

describe('GET /api/accounts/:id/series', () => {
  it('returns each metric over time, one point per report, with its target', async () => {
    const body = await get<SeriesBody>(`/api/accounts/${ids['odr-drift']}/series?from=${since}`);
    // Served without a per-answer schema check (see the route): the answer must still be what the schema says.
    expect(() => Series.parse(body)).not.toThrow();
    const zipped = await app.inject({
      method: 'GET',
      url: `/api/accounts/${ids['odr-drift']}/series?from=${since}`,
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8'))).toEqual(body);
    const odr = body.series.find((s) => s.metric === 'order_defect_rate' && s.channel === 'mfn')!;
    expect(odr.target).toEqual({ value: 0.01, condition: 'LESS_THAN' });
    const expected = served['odr-drift']!.map((r) =>
      r.marketplaces[0]!.rates.find((x) => x.metric === 'order_defect_rate' && x.channel === 'mfn')!,
    );
    expect(odr.points.rate).toEqual(expected.map((e) => e.rate));
    expect(odr.points.numerator).toEqual(expected.map((e) => e.numerator));
    expect(odr.points.source.every((s) => s === 'report')).toBe(true);
    const times = odr.points.capturedAt.map((at) => Date.parse(at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Every served rate has its series.
    const keys = new Set(body.series.map(figureKey));
    for (const rate of served['odr-drift']!.at(-1)!.marketplaces[0]!.rates)
      expect(keys).toContain(servedKey(rate));
  });

  it('narrows to the metrics, marketplaces and range asked for', async () => {
    const all = await get<SeriesBody>(`/api/accounts/${ids.healthy}/series?from=${since}`);
    const marketplaces = [...new Set(all.series.map((s) => s.marketplaceId))];
    expect(marketplaces.length).toBeGreaterThan(1);

    const one = await get<SeriesBody>(
      `/api/accounts/${ids.healthy}/series?from=${since}&metrics=late_shipment_rate&marketplace=${marketplaces[0]}`,
    );
    expect(one.series.length).toBeGreaterThan(0);
    expect(
      one.series.every((s) => s.metric === 'late_shipment_rate' && s.marketplaceId === marketplaces[0]),
    ).toBe(true);

    const first = all.series[0]!.points.capturedAt[0]!;
    const until = await get<SeriesBody>(
      `/api/accounts/${ids.healthy}/series?from=${since}&to=${encodeURIComponent(first)}`,
    );
    expect(
      until.series.every((s) => s.points.capturedAt.length === 1 && s.points.capturedAt[0] === first),
    ).toBe(true);
  });

  it('refuses a bad range and an unknown account with a clear error', async () => {
    const bad = await app.inject({
      method: 'GET',
      url: `/api/accounts/${ids.healthy}/series?from=yesterday`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const reversed = await app.inject({
      method: 'GET',
      url: `/api/accounts/${ids.healthy}/series?from=2026-02-01&to=2026-01-01`,
    });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.message).toMatch(/after/);
    const tooLong = await app.inject({
      method: 'GET',
      url: `/api/accounts/${ids.healthy}/series?from=2020-01-01&to=2026-01-01`,
    });
    expect(tooLong.statusCode).toBe(400);
    const missing = await app.inject({
      method: 'GET',
      url: '/api/accounts/00000000-0000-4000-8000-000000000000/series',
    });
    expect(missing.statusCode).toBe(404);
    const injected = await app.inject({
      method: 'GET',
      url: `/api/accounts/${ids.healthy}/series?metrics=${encodeURIComponent("x' or '1'='1")}`,
    });
    expect(injected.statusCode).toBe(400);
  });
});

describe('series resolution', () => {
  it('keeps every report, or the last report of each day', async () => {
    const sample = await readFile(samplePath('at_risk_odr_ip_complaints.json'));
    const accountId = (
      await t.db
        .insertInto('seller_accounts')
        .values({ seller_id: 'A1RESOLUTION', name: 'Resolution', region: 'eu' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const day = Date.UTC(2026, 10, 2);
    const captures = [day + 1 * 3600_000, day + 7 * 3600_000, day + 13 * 3600_000, day + 30 * 3600_000];
    for (const [i, at] of captures.entries()) {
      const doc = JSON.parse(sample.toString('utf8'));
      doc.performanceMetrics[0].orderDefectRate.mfn.rate = 0.01 * (i + 1);
      const bytes = Buffer.from(JSON.stringify(doc));
      await ingestReport(t.db, {
        accountId,
        bytes,
        amazonReportId: String(i),
        amazonDocumentId: String(i),
        marketplaceIds: ['A1F83G8C2ARO7P'],
        capturedAt: new Date(at),
        parsed: { ok: true, report: parseReportBytes(bytes) },
      });
    }
    const odr = async (resolution: string) => {
      const body = await get<SeriesBody & { resolution: string }>(
        `/api/accounts/${accountId}/series?from=2026-11-01&to=2026-11-05&metrics=order_defect_rate&resolution=${resolution}`,
      );
      expect(body.resolution).toBe(resolution);
      return body.series.find((s) => s.channel === 'mfn')!.points;
    };
    expect((await odr('report')).rate).toEqual([0.01, 0.02, 0.03, 0.04]);
    const daily = await odr('day');
    expect(daily.rate).toEqual([0.03, 0.04]);
    expect(daily.capturedAt.map((at) => Date.parse(at))).toEqual([captures[2], captures[3]]);
    // A long range comes daily unless asked otherwise.
    const long = await get<{ resolution: string }>(
      `/api/accounts/${accountId}/series?from=2026-09-01&to=2026-11-05`,
    );
    expect(long.resolution).toBe('day');
  });
});

type ScoresBody = {
  series: unknown[];
  scores: Array<{
    marketplaceId: string;
    points: { day: string[]; capturedAt: string[]; score: number[]; band: string[]; source: string[] };
  }>;
};

describe("the Account Health Rating's score series", () => {
  it("has one score a day, the report's where it has one, else Data Kiosk's, each saying its source", async () => {
    const sample = JSON.parse(
      (await readFile(samplePath('at_risk_odr_ip_complaints.json'))).toString('utf8'),
    );
    const marketplaceId = 'A1F83G8C2ARO7P';
    const accountId = (
      await t.db
        .insertInto('seller_accounts')
        .values({ seller_id: 'A1SCORES', name: 'Scores', region: 'eu' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    // Data Kiosk's days, stored as the backfill stores them: the day's end, its score and the score's band.
    const kiosk = {
      '2026-10-30': 500,
      '2026-11-02': 230,
      '2026-11-03': 190,
      '2026-11-04': 90,
      '2026-11-05': 310,
    };
    await t.db.transaction().execute(async (tx) => {
      for (const [day, score] of Object.entries(kiosk)) {
        await writeHealthSnapshot(tx, {
          accountId,
          capturedAt: new Date(`${day}T23:59:59Z`),
          source: 'data_kiosk',
          granularity: 'day',
          reportDocumentId: null,
          health: {
            marketplaceId,
            accountStatus: null,
            ahrStatus: null,
            ahrScore: score,
            ahrBand: ahrBandOf(null, score),
            ahrWindow: { from: null, to: null },
            rates: [],
            policies: [],
            policyViolationWarnings: null,
            warningStates: [],
            unknownKeys: [],
          },
        });
      }
    });
    // Reports: two on 3 November (the later one stands for the day), one on 4 November without a score.
    const reports: Array<[string, number | null]> = [
      ['2026-11-03T07:00:00Z', 150],
      ['2026-11-03T13:00:00Z', 160],
      ['2026-11-04T07:00:00Z', null],
    ];
    for (const [i, [at, score]] of reports.entries()) {
      const doc = structuredClone(sample);
      const rating = doc.performanceMetrics[0].accountHealthRating;
      if (score === null) delete rating.ahrScore;
      else rating.ahrScore = score;
      const bytes = Buffer.from(JSON.stringify(doc));
      await ingestReport(t.db, {
        accountId,
        bytes,
        amazonReportId: `score-${i}`,
        amazonDocumentId: `score-${i}`,
        marketplaceIds: [marketplaceId],
        capturedAt: new Date(at),
        parsed: { ok: true, report: parseReportBytes(bytes) },
      });
    }

    const url = `/api/accounts/${accountId}/series?from=2026-11-01&marketplace=${marketplaceId}`;
    const body = await get<ScoresBody>(url);
    expect(() => Series.parse(body)).not.toThrow();
    expect(body.scores).toHaveLength(1);
    const { points } = body.scores[0]!;
    expect(body.scores[0]!.marketplaceId).toBe(marketplaceId);
    expect(points.day).toEqual(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);
    expect(points.score).toEqual([230, 160, 90, 310]);
    expect(points.band).toEqual(['healthy', 'at_risk', 'critical', 'healthy']);
    expect(points.source).toEqual(['data_kiosk', 'report', 'data_kiosk', 'data_kiosk']);
    expect(points.capturedAt.map((at) => Date.parse(at))).toEqual(
      ['2026-11-02T23:59:59Z', '2026-11-03T13:00:00Z', '2026-11-04T23:59:59Z', '2026-11-05T23:59:59Z'].map(
        Date.parse,
      ),
    );

    // The same at either resolution: the score is one point a day whatever the metrics come at.
    const byReport = await get<ScoresBody>(`${url}&resolution=report`);
    expect(byReport.scores).toEqual(body.scores);
    // Asked for alone it comes without the metrics; metrics asked for alone come without it.
    const alone = await get<ScoresBody>(`${url}&metrics=ahr_score`);
    expect(alone.series).toEqual([]);
    expect(alone.scores).toEqual(body.scores);
    const without = await get<ScoresBody>(`${url}&metrics=order_defect_rate`);
    expect(without.series.length).toBeGreaterThan(0);
    expect(without.scores).toEqual([]);
    // The range's end cuts the days after it.
    const until = await get<ScoresBody>(`${url}&to=2026-11-04T12:00:00Z`);
    expect(until.scores[0]!.points.day).toEqual(['2026-11-02', '2026-11-03']);
  });
});

describe('status history, violations and warning states', () => {
  it('records the suspension as the simulator served it', async () => {
    const history = await get<Array<{ previousStatus: string | null; status: string }>>(
      `/api/accounts/${ids.suspension}/status-history`,
    );
    const statuses = served.suspension!.map((r) => r.marketplaces[0]!.accountStatus);
    expect(history[0]!.status).toBe(statuses.at(-1));
    expect(history.at(-1)!.previousStatus).toBeNull();
    expect(history.at(-1)!.status).toBe(statuses[0]);
  });

  it('gives policy counts by category over time', async () => {
    const body = await get<{
      series: Array<{ category: string; points: Array<{ count: number | null }> }>;
    }>(`/api/accounts/${ids['ip-complaints']}/violations?from=${since}`);
    for (const [i, report] of served['ip-complaints']!.entries()) {
      for (const p of report.marketplaces[0]!.policies) {
        const series = body.series.find((s) => s.category === p.category)!;
        expect(series.points[i]!.count).toBe(p.count);
      }
    }
  });

  it('lists the warning states seen', async () => {
    const states = await get<Array<{ warningType: string; clearedAt: string | null }>>(
      `/api/accounts/${ids.suspension}/warning-states`,
    );
    const seen = new Set(
      served.suspension!.flatMap((r) => r.marketplaces[0]!.warningStates.map((w) => w.type)),
    );
    expect(new Set(states.map((s) => s.warningType))).toEqual(seen);
  });
});

describe('POST /api/accounts/refresh', () => {
  it('queues a poll of every account, and of the ones named', async () => {
    const all = await app.inject({ method: 'POST', url: '/api/accounts/refresh', payload: {} });
    expect(all.statusCode, all.body).toBe(202);
    const { runs, skipped } = all.json() as {
      runs: Array<{ accountId: string; runId: string }>;
      skipped: [];
    };
    const accounts = await t.db.selectFrom('seller_accounts').select('id').execute();
    expect(runs.map((r) => r.accountId).sort()).toEqual(accounts.map((a) => a.id).sort());
    expect(runs.map((r) => r.accountId)).toEqual(expect.arrayContaining(Object.values(ids)));
    expect(skipped).toEqual([]);
    const run = await get<{ status: string }>(`/api/poll-runs/${runs[0]!.runId}`);
    expect(run.status).toBe('queued');

    const some = await app.inject({
      method: 'POST',
      url: '/api/accounts/refresh',
      payload: { accountIds: [ids.healthy] },
    });
    expect(some.statusCode).toBe(202);
    // The account's refresh was queued already: a second ask joins the same run.
    expect(some.json().runs).toEqual([runs.find((r) => r.accountId === ids.healthy)]);
  });

  it('refuses unknown accounts and bodies a web form can send', async () => {
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/accounts/refresh',
      payload: { accountIds: ['00000000-0000-4000-8000-000000000000'] },
    });
    expect(unknown.statusCode).toBe(404);
    const form = await app.inject({
      method: 'POST',
      url: '/api/accounts/refresh',
      headers: { 'content-type': 'text/plain' },
      payload: '{}',
    });
    expect(form.statusCode).toBeGreaterThanOrEqual(400);
    expect(form.statusCode).toBeLessThan(500);
    const empty = await app.inject({ method: 'POST', url: '/api/accounts/refresh' });
    expect(empty.statusCode).toBe(415);
  });
});

describe('the API reference', () => {
  it('documents every read route with its schemas', async () => {
    const doc = await get<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(
      '/api/docs/json',
    );
    for (const path of [
      '/api/overview',
      '/api/accounts/{id}/series',
      '/api/accounts/{id}/status-history',
      '/api/accounts/{id}/violations',
      '/api/accounts/{id}/warning-states',
    ]) {
      expect(doc.paths[path]?.get?.responses['200'], path).toBeDefined();
    }
    expect(doc.paths['/api/accounts/refresh']?.post?.responses['202']).toBeDefined();
  });
});
