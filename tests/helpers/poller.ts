import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '@good-standing/server/app.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '@good-standing/server/simulator/index.ts';
import type { TestDatabase } from './db.ts';
import { injectAsAdmin } from './auth.ts';

export const demoApp = { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET };

export async function startTestSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ reportProcessingMs: 300, control: true, ...opts });
}

/**
 * The app in live mode against a simulator, without the schedule: tests drive polls themselves. Its `inject`
 * acts as an admin's API token unless a call sends its own credentials (tests/helpers/auth.ts).
 */
export async function buildPollingApp(
  t: TestDatabase,
  sim: RunningSimulator,
  env: Record<string, string> = {},
  /** The simulator's `rateScale`, for a test that polls the same seller more often than Amazon's plans allow. */
  rateScale?: number,
  /** More of the app's dependencies (the outbox's pacing, for one). */
  deps: Partial<AppDeps> = {},
): Promise<FastifyInstance> {
  const app = await buildApp(
    loadConfig({
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
      SPAPI_CLIENT_ID: DEMO_CLIENT_ID,
      SPAPI_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      SPAPI_ENDPOINT: sim.url,
      REPORT_DEADLINE_SECONDS: '10',
      ...env,
    }),
    {
      database: t,
      web: false,
      schedule: false,
      poller: { reportPollIntervalMs: 100, reportDeadlineMs: 3_000 },
      ...(rateScale === undefined ? {} : { rateScale }),
      ...deps,
    },
  );
  await injectAsAdmin(app);
  return app;
}

/** Connects a demo seller through the API, the way a user would. Returns the account id. */
export async function connectDemoAccount(app: FastifyInstance, scenario: string): Promise<string> {
  const demo = DEMO_ACCOUNTS.find((a) => a.scenario === scenario);
  if (!demo) throw new Error(`no demo account plays ${scenario}`);
  const res = await app.inject({
    method: 'POST',
    url: '/api/accounts',
    payload: {
      sellerId: demo.sellerId,
      name: demo.name,
      region: demo.region,
      refreshToken: demo.refreshToken,
    },
  });
  if (res.statusCode !== 201) throw new Error(`connecting ${scenario} failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

export function demoSeller(scenario: string) {
  const demo = DEMO_ACCOUNTS.find((a) => a.scenario === scenario);
  if (!demo) throw new Error(`no demo account plays ${scenario}`);
  return demo;
}

/** A new seller in the simulator (US, healthy), connected through the API. */
export async function connectNewSeller(
  app: FastifyInstance,
  sim: RunningSimulator,
  name: string,
): Promise<{ id: string; sellerId: string; refreshToken: string }> {
  const seller = sim.state.addAccount({
    region: 'na',
    marketplaceIds: ['ATVPDKIKX0DER'],
    scenario: 'healthy',
  });
  const res = await app.inject({
    method: 'POST',
    url: '/api/accounts',
    payload: { sellerId: seller.sellerId, name, region: 'na', refreshToken: seller.refreshToken },
  });
  if (res.statusCode !== 201) throw new Error(`connecting ${name} failed: ${res.statusCode} ${res.body}`);
  return {
    id: (res.json() as { id: string }).id,
    sellerId: seller.sellerId,
    refreshToken: seller.refreshToken,
  };
}
