// `pnpm bench`, second part: a fleet whose reports take long against the poll work, polled at the default
// concurrency. Waiting for Amazon holds no slot, so the cycle should be bounded by the report time and the slot
// work, not by accounts x report time / concurrency as when each poll held a slot while Amazon made its report.
// Amazon's usage plans are the real ones (not scaled). Prints its figures; asserts nothing.
//
//   BENCH_WAIT_ACCOUNTS (1000)  BENCH_WAIT_REPORT_MS (20000)  BENCH_WAIT_CONCURRENCY (POLL_CONCURRENCY's default, 8)

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { SecretBox } from '../src/crypto/secrets.ts';
import { SpApiClients } from '../src/spapi/spapi-clients.ts';
import { SellerRateLimiter, SPAPI_USAGE_PLANS } from '../src/spapi/rate-limiter.ts';
import { Poller } from '../src/poller/poller.ts';
import type { PollSummary } from '../src/poller/run-poll.ts';
import { countWaitingReports } from '../src/poller/pending-reports.repository.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../src/simulator/index.ts';
import { formatTable } from '../src/cli-table.ts';
import { connectSellers, openDatabase, simJson, startSimulatorProcess } from './fleet.ts';

const DEFAULTS = loadConfig({ APP_SECRET: 'x'.repeat(40) }).poll;
const N = Number(process.env.BENCH_WAIT_ACCOUNTS ?? 1000);
const REPORT_MS = Number(process.env.BENCH_WAIT_REPORT_MS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_WAIT_CONCURRENCY ?? DEFAULTS.concurrency);
const LONE = 3;

const log = pino({ level: 'warn' });

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-wait-'));
  const sim = await startSimulatorProcess({ rateScale: 1, burstScale: 1, reportMs: REPORT_MS });
  const { database, label, drop } = await openDatabase(dataDir);
  try {
    await migrateToLatest(database.db);
    const secrets = new SecretBox(randomBytes(32).toString('hex'));
    const ids = await connectSellers(sim.url, database, secrets, N, 'Waiting');
    const loneIds = await connectSellers(sim.url, database, secrets, LONE, 'Alone');
    const clients = new SpApiClients(
      { app: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET }, endpoint: sim.url },
      secrets,
      new SellerRateLimiter(SPAPI_USAGE_PLANS),
    );
    const poller = new Poller(
      { db: database.db, clients, log },
      {
        instanceId: 'bench-waiting',
        cron: '0 */4 * * *',
        concurrency: CONCURRENCY,
        leaseSeconds: 600,
        reportDeadlineMs: DEFAULTS.reportDeadlineSeconds * 1000,
        // The first look when the report can be ready; the interval then grows x1.5 as in production.
        reportPollIntervalMs: REPORT_MS,
        reuseWithinMs: 60 * 60_000,
      },
    );

    // A few runs with the machine to themselves: no run of the fleet can be faster.
    const lone = (await poller.pollNow(loneIds, undefined, 'schedule')) as PollSummary[];
    if (lone.some((r) => r.status !== 'succeeded'))
      throw new Error(`a lone run failed: ${JSON.stringify(lone)}`);
    const loneRunMs = Math.min(...lone.map((r) => r.durationMs));

    await simJson(sim.url, '/_sim/counters', { method: 'DELETE' });
    let peakWaiting = 0;
    const sampler = setInterval(() => {
      countWaitingReports(database.db).then(
        (n) => (peakWaiting = Math.max(peakWaiting, n)),
        () => {},
      );
    }, 500);
    const started = performance.now();
    const results = (await poller.pollNow(ids, undefined, 'schedule')) as PollSummary[];
    const ms = performance.now() - started;
    clearInterval(sampler);
    await poller.stop();
    const counters = await simJson<{ byOperation: Record<string, number>; throttled: number }>(
      sim.url,
      '/_sim/counters',
    );

    const failed = results.filter((r) => r.status !== 'succeeded');
    const busy = results.reduce((n, r) => n + r.busyMs, 0) / N;
    // The slot time the fleet's runs needed, spread over every slot with no gap: no schedule does better.
    const slotFloor = (N * busy) / CONCURRENCY;
    const floor = Math.max(loneRunMs, slotFloor);
    const heldSlots = Math.ceil(N / CONCURRENCY) * loneRunMs;
    const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
    console.log(
      `\nGood Standing poller benchmark, waiting for Amazon: ${N} accounts, reports ready after ${REPORT_MS / 1000} s, ` +
        `concurrency ${CONCURRENCY}, Amazon's usage plans unscaled`,
    );
    console.log(`database: ${label}\n`);
    console.log(
      formatTable(
        [
          'cycle',
          'floor',
          'ratio',
          'failed',
          'per run',
          'slot time per run',
          'reports waiting at once',
          '429s',
        ],
        [
          [
            s(ms),
            s(floor),
            `${(ms / floor).toFixed(2)}x`,
            String(failed.length),
            s(results.reduce((n, r) => n + r.durationMs, 0) / N),
            `${busy.toFixed(1)} ms`,
            String(peakWaiting),
            String(counters.throttled),
          ],
        ],
      ),
    );
    console.log(
      `floor: max(${s(loneRunMs)} fastest lone run, ${N} x ${busy.toFixed(1)} ms of slot time / ${CONCURRENCY} slots = ${s(slotFloor)})`,
    );
    console.log(
      `holding a slot while Amazon makes each report would need at least ${Math.ceil(N / CONCURRENCY)} waves x ` +
        `${s(loneRunMs)} = ${s(heldSlots)}`,
    );
    const calls = ['createReport', 'getReport', 'getReportDocument']
      .map((op) => `${op} ${((counters.byOperation[op] ?? 0) / N).toFixed(2)}`)
      .join(', ');
    console.log(`SP-API calls per account: ${calls}`);
    if (failed.length > 0) console.log(`first failure: ${failed[0]!.errorCode} ${failed[0]!.errorMessage}`);
  } finally {
    await database.close();
    await drop();
    await sim.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
