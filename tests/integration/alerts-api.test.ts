import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { generateSellerPerformanceReport } from '@good-standing/server/simulator/performance-report.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { signInAs, type SignedIn } from '../helpers/auth.ts';
import { buildPollingApp, connectDemoAccount, demoSeller, startTestSimulator } from '../helpers/poller.ts';

// The alerts API over real Postgres: alerts raised by the engine from real polls of the simulator, then from a
// month of the drifting seller's reports; listed, read with their history, acknowledged, resolved and muted by
// signed-in users.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let admin: SignedIn;
let viewer: SignedIn;
const ids: Record<string, string> = {};

interface AlertBody {
  id: string;
  accountId: string;
  rule: string;
  subject: string | null;
  severity: string;
  state: string;
  details: Record<string, unknown>;
  events: Array<{ type: string; userId: string | null; details: Record<string, unknown> }>;
}

async function call<T>(
  who: SignedIn,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: unknown,
  status = 200,
): Promise<T> {
  const res = await app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return (res.body ? res.json() : undefined) as T;
}

/** Stores one report of the scenario's day, as a poll would, and lets the engine evaluate it. */
async function reportDay(scenario: string, day: number) {
  const seller = demoSeller(scenario);
  const at = new Date(Date.UTC(2026, 4, 1, 6) + day * 86_400_000);
  const document = generateSellerPerformanceReport(scenario, seller.sellerId, seller.marketplaceIds, day, at);
  await ingestReport(app.database.db, {
    accountId: ids[scenario]!,
    bytes: Buffer.from(JSON.stringify(document)),
    amazonReportId: null,
    amazonDocumentId: null,
    marketplaceIds: seller.marketplaceIds,
    capturedAt: at,
    parsed: { ok: true, report: parseSellerPerformanceReport(document) },
  });
  return app.alerts.pass(at);
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  app = await buildPollingApp(t, sim, {}, 50);
  admin = await signInAs(app, 'admin');
  viewer = await signInAs(app, 'viewer');
  for (const scenario of ['odr-drift', 'suspension']) ids[scenario] = await connectDemoAccount(app, scenario);
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

describe('alerts from polls', () => {
  it('evaluates each report a poll stores, once', async () => {
    sim.state.advanceClock({ days: 10 });
    const runs = await app.poller.pollNow([ids.suspension!]);
    expect(runs[0]).toMatchObject({ status: 'succeeded', outcome: 'ingested' });
    const events = await app.alerts.pass();
    const critical = events.find((e) => e.rule === 'account_status' && e.accountId === ids.suspension);
    expect(critical).toMatchObject({ event: 'opened', severity: 'critical' });
    // Nothing left pending: a second pass finds nothing new.
    expect((await app.alerts.pass()).filter((e) => e.rule !== 'stale_data')).toEqual([]);
  });
});

describe('the alerts API', () => {
  let odrAlert: AlertBody;

  beforeAll(async () => {
    for (let day = 0; day < 30; day++) await reportDay('odr-drift', day);
  });

  it('lists unresolved alerts, the most severe first, with counts and filters', async () => {
    const list = await call<{ total: number; counts: Record<string, number>; alerts: AlertBody[] }>(
      viewer,
      'GET',
      '/api/alerts',
    );
    expect(list.total).toBeGreaterThan(0);
    const ranks = list.alerts.map((a) => ['critical', 'warning', 'info'].indexOf(a.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(list.counts.critical).toBe(list.alerts.filter((a) => a.severity === 'critical').length);

    const odr = await call<{ alerts: AlertBody[] }>(
      viewer,
      'GET',
      `/api/alerts?account=${ids['odr-drift']}&rule=metric_breach`,
    );
    expect(odr.alerts).toHaveLength(1);
    odrAlert = odr.alerts[0]!;
    expect(odrAlert).toMatchObject({
      subject: 'order_defect_rate:mfn:60',
      severity: 'critical',
      state: 'open',
    });
    expect(odrAlert.details).toMatchObject({ metric: 'order_defect_rate', target: { value: 0.01 } });

    const resolved = await call<{ alerts: AlertBody[] }>(
      viewer,
      'GET',
      `/api/alerts?state=resolved&account=${ids['odr-drift']}`,
    );
    // The early warnings gave way to the breach.
    expect(resolved.alerts.map((a) => a.rule).sort()).toEqual(
      expect.arrayContaining(['metric_margin', 'metric_trend']),
    );
    await call(viewer, 'GET', '/api/alerts?severity=loud', undefined, 400);
  });

  it('reads an alert with its history, and acknowledges it once', async () => {
    const alert = await call<AlertBody>(viewer, 'GET', `/api/alerts/${odrAlert.id}`);
    expect(alert.events[0]).toMatchObject({ type: 'opened' });
    const acked = await call<AlertBody>(viewer, 'POST', `/api/alerts/${odrAlert.id}/acknowledge`, {
      note: 'on it',
    });
    expect(acked.state).toBe('acknowledged');
    expect(acked.events.at(-1)).toMatchObject({ type: 'acknowledged', userId: viewer.userId });
    const again = await call<AlertBody>(viewer, 'POST', `/api/alerts/${odrAlert.id}/acknowledge`, {});
    expect(again.events.filter((e) => e.type === 'acknowledged')).toHaveLength(1);

    // Still acknowledged while the next report shows the breach: updated, not reopened.
    await reportDay('odr-drift', 30);
    const later = await call<AlertBody>(viewer, 'GET', `/api/alerts/${odrAlert.id}`);
    expect(later.state).toBe('acknowledged');
  });

  it('resolves by hand only with a note, once', async () => {
    await call(viewer, 'POST', `/api/alerts/${odrAlert.id}/resolve`, {}, 400);
    const resolved = await call<AlertBody>(viewer, 'POST', `/api/alerts/${odrAlert.id}/resolve`, {
      note: 'refunded the claims',
    });
    expect(resolved.state).toBe('resolved');
    expect(resolved.events.at(-1)).toMatchObject({
      type: 'resolved',
      details: { reason: 'by_hand', note: 'refunded the claims' },
    });
    await call(viewer, 'POST', `/api/alerts/${odrAlert.id}/resolve`, { note: 'again' }, 409);
    await call(viewer, 'GET', '/api/alerts/00000000-0000-4000-8000-000000000000', undefined, 404);
  });

  it('mutes a rule for an account (admins): it opens nothing meanwhile, and again once unmuted', async () => {
    const account = ids['odr-drift']!;
    await call(viewer, 'POST', `/api/accounts/${account}/mutes`, { rule: 'metric_breach', until: null }, 403);
    const mutes = await call<Array<{ rule: string; until: string | null }>>(
      admin,
      'POST',
      `/api/accounts/${account}/mutes`,
      { rule: 'metric_breach', until: null },
    );
    expect(mutes).toEqual([expect.objectContaining({ rule: 'metric_breach', until: null })]);

    // The breach holds still: resolved by hand above, a muted rule opens no new alert for it.
    const muted = await reportDay('odr-drift', 31);
    expect(muted.filter((e) => e.rule === 'metric_breach')).toEqual([]);

    await call(admin, 'DELETE', `/api/accounts/${account}/mutes/metric_breach`, undefined, 204);
    await call(admin, 'DELETE', `/api/accounts/${account}/mutes/metric_breach`, undefined, 404);
    const unmuted = await reportDay('odr-drift', 32);
    expect(unmuted.filter((e) => e.rule === 'metric_breach' && e.event === 'opened')).toHaveLength(1);
    await call(
      admin,
      'POST',
      `/api/accounts/${account}/mutes`,
      { rule: 'metric_breach', until: '2020-01-01T00:00:00Z' },
      400,
    );
  });
});
