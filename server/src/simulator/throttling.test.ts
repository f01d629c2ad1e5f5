import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startSimulator, USAGE_PLANS } from './index.ts';
import type { RunningSimulator } from './index.ts';
import { accessTokenFor, sleep, spApi } from './test-client.ts';

const V2 = 'GET_V2_SELLER_PERFORMANCE_REPORT';
const healthy = DEMO_ACCOUNTS.find((a) => a.scenario === 'healthy')!;
const drift = DEMO_ACCOUNTS.find((a) => a.scenario === 'odr-drift')!;

describe('usage plans', () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim.close();
  });

  const create = (token: string, marketplaceIds: string[]) =>
    spApi(sim, token, {
      method: 'POST',
      path: '/reports/2021-06-30/reports',
      body: { reportType: V2, marketplaceIds },
    });

  it('serves the burst, then 429 QuotaExceeded, per seller, and recovers as the bucket refills', async () => {
    // createReport refills at 0.0167/s; scaled by 60 that is about one token a second.
    sim = await startSimulator({ reportProcessingMs: 0, rateScale: 60 });
    const token = await accessTokenFor(sim, healthy.refreshToken);
    const statuses: number[] = [];
    for (let i = 0; i < USAGE_PLANS.createReport.burst + 2; i++) {
      statuses.push((await create(token, healthy.marketplaceIds)).status);
    }
    expect(statuses.slice(0, 15)).toEqual(Array(15).fill(202));
    expect(statuses.slice(15)).toEqual([429, 429]);

    const throttled = await create(token, healthy.marketplaceIds);
    expect(throttled.status).toBe(429);
    expect(throttled.json()).toEqual({
      errors: [
        {
          code: 'QuotaExceeded',
          message: 'You exceeded your quota for the requested resource.',
          details: '',
        },
      ],
    });
    expect(Number(throttled.headers['x-amzn-ratelimit-limit'])).toBeCloseTo(0.0167 * 60, 6);

    // Another seller has its own bucket.
    const other = await accessTokenFor(sim, drift.refreshToken);
    expect((await create(other, drift.marketplaceIds)).status).toBe(202);

    await sleep(1150);
    expect((await create(token, healthy.marketplaceIds)).status).toBe(202);
    expect((await create(token, healthy.marketplaceIds)).status).toBe(429);

    const counters = sim.state.counters();
    expect(counters.throttled).toBe(4);
    expect(counters.throttledByOperation).toEqual({ createReport: 4 });
    expect(counters.bySeller[healthy.sellerId]?.createReport).toBe(20);
  });

  it('applies burstScale and keeps operations apart', async () => {
    sim = await startSimulator({ reportProcessingMs: 0, rateScale: 0.001, burstScale: 0.2 });
    const token = await accessTokenFor(sim, healthy.refreshToken);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await create(token, healthy.marketplaceIds)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const list = await spApi(sim, token, { path: `/reports/2021-06-30/reports?reportTypes=${V2}` });
    expect(list.status).toBe(200);
  });
});
