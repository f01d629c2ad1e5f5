import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import type { BackfillOptions } from '@good-standing/server/backfill/backfill-runner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  buildPollingApp,
  connectDemoAccount,
  demoApp,
  demoSeller,
  startTestSimulator,
} from '../helpers/poller.ts';
import { spawnServerScript } from '../helpers/processes.ts';

// The Data Kiosk backfill against the simulator over HTTP, through the real client, into the real Postgres: two
// years of daily figures stored exactly as Amazon served them, idempotent, resumable after a kill, and a seller
// without the analytics role told so while its report polling goes on.

const RATE = 1000;
const FAST: Partial<BackfillOptions> = {
  queryPollMs: 20,
  maxQueryPollMs: 60,
  tickMs: 100,
  batchLines: 40,
  retryBaseMs: 50,
  dailyCheckMs: 0,
  concurrency: 4,
  retry: { baseDelayMs: 20, maxDelayMs: 100 },
};

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;

interface Job {
  id: string;
  status: string;
  trigger: string;
  from: string;
  to: string;
  marketplaceIds: string[];
  daysTotal: number;
  daysDone: number;
  linesStored: number;
  chunksTotal: number;
  error: string | null;
}

async function backfillState(accountId: string) {
  const res = await app.inject({ method: 'GET', url: `/api/accounts/${accountId}/backfill` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { historyError: string | null; jobs: Job[] };
}

/** Waits until the account's newest job has ended, and returns it. */
async function jobEnded(accountId: string, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [job] = (await backfillState(accountId)).jobs;
    if (job && job.status !== 'queued' && job.status !== 'running') return job;
    if (Date.now() > deadline) throw new Error(`backfill still ${job?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function overviewVersion(): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/api/overview/version' });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { version: string }).version;
}

type Row = Record<string, unknown>;

/** What the simulator serves for these days (the control API runs the same query as createQuery would). */
async function served(sellerId: string, marketplaceId: string, from: string, to: string): Promise<Row[]> {
  const url =
    `${sim.url}/_sim/accounts/${sellerId}/data-kiosk?startDate=${from}&endDate=${to}` +
    `&marketplaceIds=${marketplaceId}&groupBy=fulfilmentChannel`;
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: Row[] }).rows;
}

/** Every stored Data Kiosk day of the account with its figures, in a stable order. */
async function storedDays(accountId: string) {
  const { rows } = await sql<{
    marketplace_id: string;
    day: string;
    captured_at: Date;
    ahr_score: number | null;
    ahr_band: string | null;
    figures: Record<
      string,
      { rate: number | null; numerator: number | null; denominator: number | null; parts: unknown }
    >;
  }>`select h.marketplace_id, d.day::text as day, h.captured_at, h.ahr_score, h.ahr_band,
      coalesce((select json_object_agg(m.metric || ':' || m.channel, json_build_object('rate', m.rate, 'numerator', m.numerator,
        'denominator', m.denominator, 'parts', m.parts, 'channel', m.channel))
        from metric_snapshots m where m.snapshot_id = h.id), '{}'::json) as figures
    from health_snapshots h
    join daily_snapshots d on d.snapshot_id = h.id and d.source = 'data_kiosk'
    where h.account_id = ${accountId} and h.source = 'data_kiosk' and h.granularity = 'day'
    order by h.marketplace_id, h.captured_at`.execute(t.db);
  return rows;
}

async function counts(accountId: string) {
  const { rows } = await sql<{ snapshots: string; figures: string; days: string }>`select
      (select count(*) from health_snapshots where account_id = ${accountId} and source = 'data_kiosk') as snapshots,
      (select count(*) from metric_snapshots m join health_snapshots h on h.id = m.snapshot_id
        where h.account_id = ${accountId} and h.source = 'data_kiosk') as figures,
      (select count(*) from daily_snapshots where account_id = ${accountId} and source = 'data_kiosk') as days`.execute(
    t.db,
  );
  const r = rows[0]!;
  return { snapshots: Number(r.snapshots), figures: Number(r.figures), days: Number(r.days) };
}

const value = (health: Row | null | undefined, field: string): number | null => {
  const figure = health?.[field] as { value: number } | null | undefined;
  return figure?.value ?? null;
};

async function createQueries(sellerId: string): Promise<number> {
  const res = await fetch(`${sim.url}/_sim/counters`);
  const body = (await res.json()) as { bySeller: Record<string, Record<string, number>> };
  return body.bySeller[sellerId]?.createQuery ?? 0;
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: RATE, dataKioskProcessingMs: 30 });
  app = await buildPollingApp(t, sim, {}, RATE, { backfill: FAST });
  app.backfill.start();
});

afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

describe('connecting an account', () => {
  it('backfills two years of daily points, each day as Amazon served it', async () => {
    const seller = demoSeller('odr-drift');
    ids.drift = await connectDemoAccount(app, 'odr-drift');
    const job = await jobEnded(ids.drift);
    expect(job).toMatchObject({ status: 'done', trigger: 'connect', marketplaceIds: seller.marketplaceIds });
    expect(job.daysTotal).toBe(730);
    expect(job.chunksTotal).toBe(9);

    const marketplaceId = seller.marketplaceIds[0]!;
    const rows = await served(seller.sellerId, marketplaceId, job.from, job.to);
    const days = await storedDays(ids.drift);
    expect(rows.length).toBeGreaterThan(600);
    expect(days).toHaveLength(rows.length);
    expect(job.linesStored).toBe(rows.length);
    const byDay = new Map(days.map((d) => [d.day, d]));
    const channelsSeen = new Set<string>();
    for (const row of rows) {
      const day = byDay.get(row.startDate as string);
      expect(day, `day ${String(row.startDate)}`).toBeDefined();
      const health = (row.totals as Row).accountHealth as Row;
      expect(day!.marketplace_id).toBe(marketplaceId);
      expect(day!.captured_at.toISOString()).toBe(`${String(row.startDate)}T23:59:59.000Z`);
      expect(day!.ahr_score).toBe(value(health, 'accountHealthRatingScore'));
      // The ODR is kept per channel (below), as the report gives it.
      expect(day!.figures['order_defect_rate:all']).toBeUndefined();
      expect(day!.figures['late_shipment_rate:all']).toMatchObject({
        rate: value(health, 'accountHealthLateShipmentRate'),
        numerator: value(health, 'accountHealthLateShipmentOrderCount'),
      });
      expect(day!.figures['pre_fulfillment_cancellation_rate:all']).toMatchObject({
        rate: value(health, 'accountHealthPreFulfillmentCancelRate'),
        numerator: value(health, 'accountHealthPreFulfillmentCancelOrderCount'),
      });
      const packages = value(health, 'accountHealthPackageCount');
      expect(day!.figures['valid_tracking_rate:all']).toMatchObject({
        rate: value(health, 'accountHealthValidTrackingRate'),
        numerator: packages! - value(health, 'accountHealthValidTrackingDefectPackageCount')!,
        denominator: packages,
      });
      expect(day!.figures['on_time_delivery_rate:all']).toMatchObject({
        rate: value(health, 'accountHealthOnTimeDeliveryRate'),
        parts: { lateDeliveries: { count: value(health, 'accountHealthOnTimeDeliveryDefectPackageCount') } },
      });
      // The ODR of each fulfilment channel, as Amazon judges it.
      for (const entry of row.metrics as Row[]) {
        const channel = { FBA: 'afn', FBM: 'mfn' }[(entry.groupByKey as Row).fulfilmentChannel as string];
        const of = (entry.metrics as Row).accountHealth as Row | null;
        const rate = value(of, 'accountHealthOrderDefectRate');
        if (rate === null && value(of, 'accountHealthOrderCount') === null) continue;
        expect(day!.figures[`order_defect_rate:${channel}`]).toMatchObject({
          rate,
          numerator: value(of, 'accountHealthTotalOrderDefects'),
          denominator: value(of, 'accountHealthOrderCount'),
          channel,
        });
        channelsSeen.add(channel!);
      }
    }

    expect([...channelsSeen].sort()).toEqual(['afn', 'mfn']);

    // The charts read it: a year at day resolution has the Data Kiosk points beside the reports'.
    const [polled] = await app.poller.pollNow([ids.drift!]);
    expect(polled).toMatchObject({ status: 'succeeded' });
    const from = new Date(Date.now() - 365 * 86_400_000).toISOString();
    const series = await app.inject({
      method: 'GET',
      url: `/api/accounts/${ids.drift}/series?metrics=order_defect_rate&from=${from}&resolution=day`,
    });
    expect(series.statusCode, series.body).toBe(200);
    // The seller-fulfilled ODR is one line: Data Kiosk's year, then the report's days continuing it, one point
    // a day, each saying which source it took.
    const mfn = (
      series.json() as {
        series: {
          channel: string;
          windowDays: number | null;
          points: { source: string[]; capturedAt: string[] };
        }[];
      }
    ).series.filter((s) => s.channel === 'mfn');
    expect(mfn).toHaveLength(1);
    expect(mfn[0]!.windowDays).toBe(60);
    const sources = new Set(mfn[0]!.points.source);
    expect([...sources].sort()).toEqual(['data_kiosk', 'report']);
    expect(mfn[0]!.points.source.filter((s) => s === 'data_kiosk').length).toBeGreaterThanOrEqual(364);
    const pointDays = mfn[0]!.points.capturedAt.map((at) => at.slice(0, 10));
    expect(new Set(pointDays).size).toBe(pointDays.length);
  });
});

describe('a second backfill', () => {
  it('of the same range adds no duplicates', async () => {
    const before = await counts(ids.drift!);
    const rows = await storedDays(ids.drift!);
    // Amazon throttles some calls on the way: the job backs off and carries on.
    const { sellerId } = demoSeller('odr-drift');
    for (const operation of ['createQuery', 'getQuery', 'getDocument']) {
      sim.state.injectFault({ type: 'throttle', operation, sellerId, count: 2 });
    }
    const throttledBefore = (await (await fetch(`${sim.url}/_sim/counters`)).json()) as { throttled: number };
    const res = await app.inject({ method: 'POST', url: `/api/accounts/${ids.drift}/backfill`, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const again = await app.inject({
      method: 'POST',
      url: `/api/accounts/${ids.drift}/backfill`,
      payload: {},
    });
    expect(again.statusCode, again.body).toBe(409);
    const job = await jobEnded(ids.drift!);
    expect(job).toMatchObject({ status: 'done', trigger: 'api' });
    const throttled = (await (await fetch(`${sim.url}/_sim/counters`)).json()) as { throttled: number };
    expect(throttled.throttled - throttledBefore.throttled).toBe(6);
    expect(await counts(ids.drift!)).toEqual(before);
    expect(await storedDays(ids.drift!)).toEqual(rows);
  });

  it('refuses a range Amazon does not keep', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${ids.drift}/backfill`,
      payload: { from: '2020-01-01' },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(/on or after/);
  });
});

describe('a backfill killed half-way', () => {
  it('resumes where it stopped, on the same queries, and ends with the same rows', async () => {
    const seller = demoSeller('odr-drift');
    const complete = await storedDays(ids.drift!);
    await sql`delete from health_snapshots where account_id = ${ids.drift} and source = 'data_kiosk'`.execute(
      t.db,
    );
    const queriesBefore = await createQueries(seller.sellerId);

    let stopping: Promise<void> | undefined;
    const unsubscribe = app.backfill.onProgress((job) => {
      if (job.account_id === ids.drift && job.lines_stored >= 150 && !stopping)
        stopping = app.backfill.stop();
    });
    const res = await app.inject({ method: 'POST', url: `/api/accounts/${ids.drift}/backfill`, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const deadline = Date.now() + 10_000;
    while (!stopping && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await stopping;
    unsubscribe();

    // Stopped: the job is handed back unfinished, with exactly the rows its recorded progress says.
    const [halfway] = (await backfillState(ids.drift!)).jobs;
    expect(halfway!.status).toBe('running');
    const partial = await counts(ids.drift!);
    expect(partial.snapshots).toBe(halfway!.linesStored);
    expect(partial.snapshots).toBeGreaterThanOrEqual(150);
    expect(partial.snapshots).toBeLessThan(complete.length);

    // A new process (another runner on the same database) carries it on.
    await app.close();
    app = await buildPollingApp(t, sim, {}, RATE, { backfill: FAST });
    app.backfill.start();
    const job = await jobEnded(ids.drift!);
    expect(job.status).toBe('done');
    expect(job.id).toBe(halfway!.id);
    expect(job.linesStored).toBe(complete.length);
    expect(await storedDays(ids.drift!)).toEqual(complete);
    // One query per chunk, whichever process asked: the resumed job polled the one in flight again.
    expect((await createQueries(seller.sellerId)) - queriesBefore).toBe(job.chunksTotal);
  });
});

describe('a seller without the analytics role', () => {
  it('is told what to grant, and its report polling goes on', async () => {
    const seller = sim.state.addAccount({
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER'],
      scenario: 'healthy',
      analyticsAccess: false,
    });
    const connected = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      payload: {
        sellerId: seller.sellerId,
        name: 'No Analytics',
        region: 'na',
        refreshToken: seller.refreshToken,
      },
    });
    expect(connected.statusCode, connected.body).toBe(201);
    ids.noAccess = (connected.json() as { id: string }).id;

    const job = await jobEnded(ids.noAccess);
    expect(job.status).toBe('no_access');
    const state = await backfillState(ids.noAccess);
    expect(state.historyError).toMatch(/analytics role/);
    expect(state.historyError).toMatch(/Manage Your Apps/);
    expect(state.historyError).toMatch(/run the backfill again/);
    expect(await counts(ids.noAccess)).toEqual({ snapshots: 0, figures: 0, days: 0 });

    const [poll] = await app.poller.pollNow([ids.noAccess]);
    expect(poll && 'status' in poll ? poll.status : poll).toBe('succeeded');
    const account = await app.inject({ method: 'GET', url: `/api/accounts/${ids.noAccess}` });
    expect(account.json()).toMatchObject({ connectionState: 'connected', connectionError: null });

    // Granted later: the next backfill works and the message goes.
    sim.state.setAnalyticsAccess(seller.sellerId, true);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const from = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${ids.noAccess}/backfill`,
      payload: { from },
    });
    expect(res.statusCode, res.body).toBe(202);
    const done = await jobEnded(ids.noAccess);
    expect(done).toMatchObject({ status: 'done', from, to: yesterday, daysTotal: 10 });
    expect((await backfillState(ids.noAccess)).historyError).toBeNull();
    expect((await counts(ids.noAccess)).days).toBe(10);
  });
});

describe('the daily query', () => {
  it('asks again for the last days of each account once a day', async () => {
    await sql`update backfill_jobs set created_at = now() - interval '2 days'`.execute(t.db);
    const before = await overviewVersion();
    const queued = await app.backfill.queueDaily();
    expect(queued).toBe(2);
    const drift = await jobEnded(ids.drift!);
    expect(drift).toMatchObject({ status: 'done', trigger: 'daily', daysTotal: 7 });
    // The overview draws Data Kiosk's days (the rating's 90-day line): a job that stored some changes its version,
    // so the open dashboards fetch it again instead of waiting for the cache to age.
    expect(await overviewVersion()).not.toBe(before);
    expect(await app.backfill.queueDaily()).toBe(0);
  });
});

describe('Amazon’s clock ahead of ours', () => {
  it('leaves out the days it no longer serves instead of failing the query', async () => {
    sim.state.advanceClock({ days: 30 });
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${ids.noAccess}/backfill`,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(202);
    const job = await jobEnded(ids.noAccess!);
    expect(job.status, job.error ?? '').toBe('done');
    const { rows } = await sql<{ first: string }>`select min(day)::text as first from daily_snapshots
      where account_id = ${ids.noAccess} and source = 'data_kiosk'`.execute(t.db);
    expect(rows[0]!.first > job.from).toBe(true);
  });
});

describe('pnpm cli backfill', () => {
  it('fetches the history now and says how it went', async () => {
    // This process's runner stands aside, so the command does the work itself.
    await app.backfill.stop();
    const from = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
    const proc = spawnServerScript(
      'cli.ts',
      ['backfill', '--account', ids.drift!, '--from', from],
      {
        DATABASE_URL: t.url!,
        DATA_DIR: t.dataDir,
        APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
        LOG_LEVEL: 'warn',
        SPAPI_CLIENT_ID: demoApp.clientId,
        SPAPI_CLIENT_SECRET: demoApp.clientSecret,
        SPAPI_ENDPOINT: sim.url,
        REPORT_POLL_SECONDS: '1',
      },
      t.dataDir,
    );
    const { code } = await proc.exited;
    const output = proc.output();
    expect(code, output).toBe(0);
    expect(output).toMatch(/done\s+\S+ to \S+\s+ATVPDKIKX0DER\s+5\/5\s+5/);
    const [job] = (await backfillState(ids.drift!)).jobs;
    expect(job).toMatchObject({ status: 'done', trigger: 'cli', from, daysTotal: 5, linesStored: 5 });
  });
});

describe('more jobs than the runner takes at once', () => {
  it('starts each as a slot frees, the account just connected before the demo’s', async () => {
    // A database of its own, and a runner taking one job at a time that ticks while its slot is full.
    const t2 = await createTestDatabase('postgres');
    const one = await buildPollingApp(t2, sim, {}, RATE, {
      backfill: { ...FAST, concurrency: 1, tickMs: 20 },
    });
    try {
      const demo = [await connectDemoAccount(one, 'healthy'), await connectDemoAccount(one, 'ip-complaints')];
      // As the demo queues its own sellers' histories.
      await sql`update backfill_jobs set trigger = 'demo' where account_id in (${sql.join(demo)})`.execute(
        t2.db,
      );
      await sql`update backfill_jobs set created_at = created_at - interval '1 minute'`.execute(t2.db);
      const connected = await connectDemoAccount(one, 'late-shipment-spike');
      one.backfill.start();
      const ends = await Promise.all(
        [connected, ...demo].map(async (accountId) => {
          const deadline = Date.now() + 30_000;
          for (;;) {
            const res = await one.inject({ method: 'GET', url: `/api/accounts/${accountId}/backfill` });
            const [job] = (res.json() as { jobs: (Job & { startedAt: string; finishedAt: string })[] }).jobs;
            if (job?.status === 'done') return job;
            if (Date.now() > deadline) throw new Error(`${accountId}: backfill still ${job?.status}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        }),
      );
      // One at a time, the connect first, then the demo's oldest first.
      const [first, second, third] = ends;
      expect(first!.trigger).toBe('connect');
      expect(Date.parse(first!.finishedAt)).toBeLessThanOrEqual(Date.parse(second!.startedAt));
      expect(Date.parse(second!.finishedAt)).toBeLessThanOrEqual(Date.parse(third!.startedAt));
    } finally {
      await one.close();
      await t2.destroy();
    }
  });
});
