// `pnpm bench`: the poller against the SP-API simulator (in its own process) with Amazon's usage plans scaled
// by a known factor, over real Postgres (or PGlite when none is reachable). Prints its figures; asserts nothing.
//
//   BENCH_ACCOUNTS (500)  BENCH_CONCURRENCY (100)  BENCH_CYCLES (3)  BENCH_RATE_SCALE (10)
//   BENCH_REPORT_MS (500)  BENCH_DATABASE_URL (TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { createDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { SecretBox } from '../src/crypto/secrets.ts';
import { SpApiClients } from '../src/spapi/spapi-clients.ts';
import { SellerRateLimiter, SPAPI_USAGE_PLANS, type UsagePlan } from '../src/spapi/rate-limiter.ts';
import { Poller } from '../src/poller/poller.ts';
import type { PollSummary } from '../src/poller/run-poll.ts';
import { ingestReport } from '../src/poller/ingest.ts';
import { parseReportBytes } from '../src/reports/parse-seller-performance.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../src/simulator/index.ts';
import { formatTable } from '../src/cli-table.ts';

const N = Number(process.env.BENCH_ACCOUNTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 3);
const RATE_SCALE = Number(process.env.BENCH_RATE_SCALE ?? 10);
const REPORT_MS = Number(process.env.BENCH_REPORT_MS ?? 500);
// Bursts of one token: from the first cycle on, every seller's calls are paced by the refill rates alone,
// which is the steady state of a fleet polled around the clock.
const BURST_SCALE = 1 / 15;
const SP_API_OPERATIONS = ['getReports', 'createReport', 'getReport', 'getReportDocument', 'cancelReport'];

const log = pino({ level: 'warn' });

async function startSimulatorProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      path.join(import.meta.dirname, 'simulator-process.ts'),
      String(RATE_SCALE),
      String(BURST_SCALE),
      String(REPORT_MS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url: (JSON.parse(line) as { url: string }).url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function openDatabase(
  dataDir: string,
): Promise<{ database: Database; label: string; drop(): Promise<void> }> {
  const url =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    await admin.end();
  } catch {
    await admin.end().catch(() => {});
    const database = await createDatabase({ databaseUrl: undefined, dataDir });
    return { database, label: 'PGlite (no Postgres reachable)', drop: async () => {} };
  }
  const database = await createDatabase({ databaseUrl: url, dataDir, searchPath: schema, poolSize: 20 });
  return {
    database,
    label: `PostgreSQL (${new URL(url).host}, schema ${schema})`,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema "${schema}" cascade`);
      await c.end();
    },
  };
}

async function simJson<T>(url: string, pathname: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${url}${pathname}`, {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type Counters = { byOperation: Record<string, number>; throttled: number };

function scaledPlans(): Record<string, UsagePlan> {
  return Object.fromEntries(
    Object.entries(SPAPI_USAGE_PLANS).map(([op, plan]) => [
      op,
      { rate: plan.rate, burst: Math.max(1, Math.round(plan.burst * BURST_SCALE)) },
    ]),
  );
}

/**
 * The shortest cycle Amazon's rules allow for the fleet: each seller's own report takes REPORT_MS to be ready,
 * the poller runs CONCURRENCY polls at a time, and from the second cycle on each seller's createReport and
 * getReportDocument wait for their bucket to refill (1 / (rate x scale) seconds after the previous cycle's call).
 */
function floorMs(cycle: number): { floor: number; explain: string } {
  const perAccount = REPORT_MS;
  const waves = Math.ceil(N / CONCURRENCY);
  const concurrencyFloor = waves * perAccount;
  const refill = 1000 / (SPAPI_USAGE_PLANS.createReport!.rate * RATE_SCALE);
  const planFloor = cycle === 0 ? 0 : refill;
  const floor = Math.max(concurrencyFloor, planFloor);
  return {
    floor,
    explain: `max(${waves} waves x ${perAccount} ms report time, ${planFloor.toFixed(0)} ms createReport refill)`,
  };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-'));
  const sim = await startSimulatorProcess();
  const { database, label, drop } = await openDatabase(dataDir);
  const rssStart = process.memoryUsage().rss;
  try {
    await migrateToLatest(database.db);
    const secrets = new SecretBox(randomBytes(32).toString('hex'));

    // The fleet: N sellers in the simulator, connected in the database.
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const seller = await simJson<{ sellerId: string; refreshToken: string }>(sim.url, '/_sim/accounts', {
        method: 'POST',
        body: JSON.stringify({
          region: 'na',
          marketplaceIds: ['ATVPDKIKX0DER'],
          scenario: 'healthy',
          name: `Bench ${i}`,
        }),
      });
      const row = await database.db
        .insertInto('seller_accounts')
        .values({
          seller_id: seller.sellerId,
          name: `Bench ${i}`,
          region: 'na',
          refresh_token_encrypted: secrets.seal(seller.refreshToken),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await database.db
        .insertInto('account_marketplaces')
        .values({ account_id: row.id, marketplace_id: 'ATVPDKIKX0DER' })
        .execute();
      ids.push(row.id);
    }

    const limiter = new SellerRateLimiter(scaledPlans(), RATE_SCALE);
    // A fresh client set per cycle: cycles are hours apart in production, so each one starts by exchanging the
    // refresh token for a new access token, as it does here.
    const newPoller = () => {
      const clients = new SpApiClients(
        { app: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET }, endpoint: sim.url },
        secrets,
        limiter,
      );
      const poller = new Poller(
        { db: database.db, clients, log },
        {
          instanceId: 'bench',
          cron: '0 */4 * * *',
          concurrency: CONCURRENCY,
          leaseSeconds: 600,
          reportDeadlineMs: 60_000,
          // First look when the report should be ready; the simulator's reports take REPORT_MS.
          reportPollIntervalMs: Math.round(REPORT_MS * 1.1),
          reuseWithinMs: 60 * 60_000,
        },
      );
      return poller;
    };

    const rows: string[][] = [];
    let lastCycle: { calls: number; ms: number } | undefined;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Each cycle is a new day for the simulated sellers: new reports, new figures.
      if (cycle > 0)
        await simJson(sim.url, '/_sim/clock/advance', { method: 'POST', body: JSON.stringify({ days: 1 }) });
      const poller = newPoller();
      await simJson(sim.url, '/_sim/counters', { method: 'DELETE' });
      // Polls triggered by the schedule, as in production (the CLI path would look up reusable reports first).
      const started = performance.now();
      const results = (await poller.pollNow(ids, undefined, 'schedule')) as PollSummary[];
      const ms = performance.now() - started;
      const counters = await simJson<Counters>(sim.url, '/_sim/counters');
      const spapiCalls = SP_API_OPERATIONS.reduce((n, op) => n + (counters.byOperation[op] ?? 0), 0);
      const failed = results.filter((r) => r.status !== 'succeeded');
      const snapshots = results.reduce((n, r) => n + (r.snapshotsWritten ?? 0), 0);
      const { floor, explain } = floorMs(cycle);
      rows.push([
        String(cycle + 1),
        `${(ms / 1000).toFixed(2)} s`,
        `${(floor / 1000).toFixed(2)} s`,
        `${(ms / floor).toFixed(2)}x`,
        (spapiCalls / N).toFixed(2),
        ['getReports', 'createReport', 'getReport', 'getReportDocument']
          .map((op) => ((counters.byOperation[op] ?? 0) / N).toFixed(2))
          .join(' / '),
        ((counters.byOperation.token ?? 0) / N).toFixed(2),
        String(counters.throttled),
        String(failed.length),
        `${(results.reduce((n, r) => n + r.durationMs, 0) / N).toFixed(0)} ms`,
        (snapshots / (ms / 1000)).toFixed(0),
      ]);
      lastCycle = { calls: spapiCalls, ms };
      await poller.stop();
      if (cycle === 0) console.log(`floor: ${explain}`);
      if (failed.length > 0)
        console.log(
          `cycle ${cycle + 1}: ${failed.length} polls failed, first: ${failed[0]!.errorCode} ${failed[0]!.errorMessage}`,
        );
    }

    // CPU per report parsed and ingested, measured alone so the network wait of polling does not blur it.
    const docs = await database.db.selectFrom('report_documents').select(['body']).limit(200).execute();
    const extraAccount = ids[0]!;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    let i = 0;
    for (const doc of docs) {
      const bytes = Buffer.from(doc.body);
      // A byte appended keeps the JSON valid but gives a new hash, so every ingest writes a full report.
      const variant = Buffer.concat([bytes, Buffer.from(' '.repeat(++i))]);
      await ingestReport(database.db, {
        accountId: extraAccount,
        bytes: variant,
        amazonReportId: null,
        amazonDocumentId: null,
        marketplaceIds: ['ATVPDKIKX0DER'],
        capturedAt: new Date(Date.UTC(2030, 0, 1) + i * 60_000),
        parsed: { ok: true, report: parseReportBytes(variant) },
      });
    }
    const cpu = process.cpuUsage(cpuStart);
    const ingestWall = performance.now() - wallStart;

    console.log(
      `\nGood Standing poller benchmark: ${N} accounts, concurrency ${CONCURRENCY}, usage plans x${RATE_SCALE} (bursts of 1), reports ready after ${REPORT_MS} ms`,
    );
    console.log(`database: ${label}\n`);
    console.log(
      formatTable(
        [
          'cycle',
          'time',
          'floor',
          'ratio',
          'SP-API calls/acct',
          'getReports / create / getReport / getDocument',
          'token',
          '429s',
          'failed',
          'per poll',
          'snapshots/s',
        ],
        rows,
      ),
    );
    console.log(
      `\nCPU per report parsed and ingested: ${((cpu.user + cpu.system) / 1000 / docs.length).toFixed(2)} ms (${docs.length} reports, ${(ingestWall / docs.length).toFixed(2)} ms wall each)`,
    );
    console.log(
      `peak RSS of the poller process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (start ${(rssStart / 1024 / 1024).toFixed(0)} MB)`,
    );
    if (lastCycle)
      console.log(`steady state: ${(lastCycle.calls / N).toFixed(2)} SP-API calls per account per cycle`);
  } finally {
    await database.close();
    await drop();
    await sim.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
