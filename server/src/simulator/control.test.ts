import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startSimulator } from './index.ts';
import type { RunningSimulator, StateSnapshot } from './index.ts';
import type { ReportView } from './report-store.ts';
import { accessTokenFor, call, spApi } from './test-client.ts';

const drift = DEMO_ACCOUNTS.find((a) => a.scenario === 'odr-drift')!;

describe('control API', () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('is not exposed when control is false', async () => {
    sim = await startSimulator({ control: false });
    for (const [method, path] of [
      ['GET', '/_sim/state'],
      ['POST', '/_sim/clock/advance'],
      ['POST', '/_sim/reset'],
    ] as const) {
      expect((await call(sim, { method, path, body: {} })).status).toBe(404);
    }
    expect(sim.state.listAccounts()).toHaveLength(DEMO_ACCOUNTS.length);
  });

  it('reports the clock, accounts and counters, and advances the virtual clock', async () => {
    const base = new Date('2025-06-02T10:00:00Z');
    sim = await startSimulator({ now: () => base });
    const state = (await call(sim, { path: '/_sim/state' })).json<StateSnapshot>();
    expect(state.now).toBe(base.toISOString());
    expect(state.accounts.map((a) => a.scenario)).toEqual(DEMO_ACCOUNTS.map((a) => a.scenario));
    expect(state.accounts.every((a) => a.virtualDay === 0)).toBe(true);
    expect(state.accounts.find((a) => a.scenario === 'revoked')?.revoked).toBe(true);

    const advanced = await call(sim, {
      method: 'POST',
      path: '/_sim/clock/advance',
      body: { days: 20, hours: 14 },
    });
    expect(advanced.json()).toEqual({ now: '2025-06-23T00:00:00.000Z' });
    expect(sim.state.virtualDay(drift.sellerId)).toBe(21);
    expect(
      (await call(sim, { method: 'POST', path: '/_sim/clock/advance', body: { days: -1 } })).status,
    ).toBe(400);
  });

  it('serves the document of the account’s current virtual day, and restarts day 0 on a scenario change', async () => {
    sim = await startSimulator({ reportProcessingMs: 0, rateScale: 1000 });
    const mfnRate = async () => {
      const token = await accessTokenFor(sim, drift.refreshToken);
      const created = await spApi(sim, token, {
        method: 'POST',
        path: '/reports/2021-06-30/reports',
        body: { reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT', marketplaceIds: drift.marketplaceIds },
      });
      const { reportId } = created.json<{ reportId: string }>();
      const report = (
        await spApi(sim, token, { path: `/reports/2021-06-30/reports/${reportId}` })
      ).json<ReportView>();
      const doc = (
        await spApi(sim, token, { path: `/reports/2021-06-30/documents/${report.reportDocumentId}` })
      ).json<{ url: string }>();
      const url = new URL(doc.url);
      const file = await call(sim, { path: url.pathname + url.search, host: url.host });
      const content = JSON.parse(gunzipSync(file.body).toString('utf8')) as {
        performanceMetrics: { orderDefectRate: { mfn: { rate: number } } }[];
      };
      return content.performanceMetrics[0]!.orderDefectRate.mfn.rate;
    };
    expect(await mfnRate()).toBeLessThan(0.01);
    sim.state.advanceClock({ days: 30 });
    expect(await mfnRate()).toBeGreaterThanOrEqual(0.01);
    const switched = await call(sim, {
      method: 'POST',
      path: `/_sim/accounts/${drift.sellerId}/scenario`,
      body: { scenario: 'odr-drift' },
    });
    expect(switched.status).toBe(200);
    expect(sim.state.virtualDay(drift.sellerId)).toBe(0);
    expect(await mfnRate()).toBeLessThan(0.01);
    const unknown = await call(sim, {
      method: 'POST',
      path: `/_sim/accounts/${drift.sellerId}/scenario`,
      body: { scenario: 'bankrupt' },
    });
    expect(unknown.status).toBe(400);
  });

  it('adds accounts with unique ids and tokens, deterministically, quickly', async () => {
    sim = await startSimulator({ accounts: 'none' });
    const other = await startSimulator({ accounts: 'none' });
    try {
      const started = performance.now();
      const added = Array.from({ length: 500 }, () =>
        sim.state.addAccount({ region: 'na', marketplaceIds: ['ATVPDKIKX0DER'], scenario: 'healthy' }),
      );
      expect(performance.now() - started).toBeLessThan(1000);
      expect(new Set(added.map((a) => a.sellerId)).size).toBe(500);
      expect(new Set(added.map((a) => a.refreshToken)).size).toBe(500);
      expect(added.every((a) => /^A[0-9A-Z]{12}$/.test(a.sellerId))).toBe(true);

      const viaHttp = await call(other, {
        method: 'POST',
        path: '/_sim/accounts',
        body: { region: 'na', marketplaceIds: ['ATVPDKIKX0DER'], scenario: 'healthy' },
      });
      expect(viaHttp.status).toBe(201);
      expect(viaHttp.json()).toMatchObject({
        sellerId: added[0]!.sellerId,
        refreshToken: added[0]!.refreshToken,
      });
      expect(await accessTokenFor(other, added[0]!.refreshToken)).toMatch(/^Atza\|/);

      const wrongRegion = await call(other, {
        method: 'POST',
        path: '/_sim/accounts',
        body: { region: 'eu', marketplaceIds: ['ATVPDKIKX0DER'], scenario: 'healthy' },
      });
      expect(wrongRegion.status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('resets clock, accounts, reports and counters', async () => {
    sim = await startSimulator({ reportProcessingMs: 0 });
    sim.state.addAccount({ region: 'eu', marketplaceIds: ['A1PA6795UKMFR9'], scenario: 'ip-complaints' });
    sim.state.advanceClock({ days: 3 });
    await accessTokenFor(sim, drift.refreshToken);
    expect(sim.state.counters().total).toBe(1);
    const reset = await call(sim, { method: 'POST', path: '/_sim/reset' });
    expect(reset.status).toBe(200);
    const state = sim.state.snapshot();
    expect(state.clockOffsetMs).toBe(0);
    expect(state.accounts).toHaveLength(DEMO_ACCOUNTS.length);
    expect(state.counters.total).toBe(0);
    expect(state.reports).toBe(0);
  });
});
