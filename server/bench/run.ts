// `pnpm bench`: the poller against the SP-API simulator (in its own process) with Amazon's usage plans scaled
// by a known factor, over real Postgres (or PGlite when none is reachable); then the resident memory of the real
// server just after start-up (server-rss.ts). Prints its figures; asserts nothing.
//
//   BENCH_ACCOUNTS (500)  BENCH_CONCURRENCY (100)  BENCH_CYCLES (3)  BENCH_RATE_SCALE (10)
//   BENCH_REPORT_MS (500)  BENCH_DATABASE_URL (TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
//   BENCH_LONE_POLLS (5)

import { gunzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { migrateToLatest } from '../src/db/migrate.ts';
import { SecretBox } from '../src/crypto/secrets.ts';
import { SpApiClients } from '../src/spapi/spapi-clients.ts';
import { SellerRateLimiter, SPAPI_USAGE_PLANS, type UsagePlan } from '../src/spapi/rate-limiter.ts';
import { Poller } from '../src/poller/poller.ts';
import type { PollSummary } from '../src/poller/run-poll.ts';
import { ingestReport } from '../src/ingest/ingest-report.ts';
import { parseReportBytes } from '../src/reports/parse-seller-performance.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../src/simulator/index.ts';
import { formatTable } from '../src/cli-table.ts';
import { measureServerMemory, type ServerMemory } from './server-rss.ts';
import {
  benchDatabaseUrl,
  connectSellers,
  openDatabase,
  processCpuMs,
  simJson,
  startSimulatorProcess,
} from './fleet.ts';

const N = Number(process.env.BENCH_ACCOUNTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 3);
const RATE_SCALE = Number(process.env.BENCH_RATE_SCALE ?? 10);
const REPORT_MS = Number(process.env.BENCH_REPORT_MS ?? 500);
// Polls run one at a time before the fleet's first cycle, to find what one poll costs with nothing beside it.
const LONE_POLLS = Math.max(2, Number(process.env.BENCH_LONE_POLLS ?? 5));
// Bursts of one token: from the first cycle on, every seller's calls are paced by the refill rates alone,
// which is the steady state of a fleet polled around the clock.
const BURST_SCALE = 1 / 15;
const SP_API_OPERATIONS = ['getReports', 'createReport', 'getReport', 'getReportDocument', 'cancelReport'];

const log = pino({ level: 'warn' });

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
 * The shortest cycle the fleet allows. No run is faster than one with the machine to itself (the report's
 * REPORT_MS plus the calls around it, the ingest and the bookkeeping), and the slots cannot do the fleet's work
 * faster than N x the slot time of that lone run / CONCURRENCY: a run waiting for Amazon holds no slot, so only
 * the steps count. From the second cycle on, each seller's createReport also waits for its bucket to refill
 * (1 / (rate x scale) seconds after the previous cycle's call).
 */
function floorMs(cycle: number, lone: { runMs: number; busyMs: number }): { floor: number; explain: string } {
  const slotFloor = (N * lone.busyMs) / CONCURRENCY;
  const refill = 1000 / (SPAPI_USAGE_PLANS.createReport!.rate * RATE_SCALE);
  const planFloor = cycle === 0 ? 0 : refill;
  const floor = Math.max(lone.runMs, slotFloor, planFloor);
  return {
    floor,
    explain:
      `max(${lone.runMs.toFixed(0)} ms fastest lone run, ${N} x ${lone.busyMs.toFixed(1)} ms of slot time / ` +
      `${CONCURRENCY} slots = ${slotFloor.toFixed(0)} ms, ${planFloor.toFixed(0)} ms createReport refill)`,
  };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-'));
  const sim = await startSimulatorProcess({
    rateScale: RATE_SCALE,
    burstScale: BURST_SCALE,
    reportMs: REPORT_MS,
  });
  const { database, label, drop } = await openDatabase(dataDir);
  const rssStart = process.memoryUsage().rss;
  try {
    await migrateToLatest(database.db);
    const secrets = new SecretBox(randomBytes(32).toString('hex'));

    // Sellers in the simulator, connected in the database: the fleet, and the few polled alone first.
    const ids = await connectSellers(sim.url, database, secrets, N, 'Bench');
    const loneIds = await connectSellers(sim.url, database, secrets, LONE_POLLS, 'Alone');

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
          // First look when the report can be ready: the simulator's reports take REPORT_MS, counted from its
          // receipt of createReport, and the client never looks sooner than this after the answer.
          reportPollIntervalMs: REPORT_MS,
          reuseWithinMs: 60 * 60_000,
        },
      );
      return poller;
    };

    // Sellers of their own, polled one after another: the first pays for first connections and lazy imports,
    // the fastest of the others is the floor's unit. They are cold as the fleet is (new token, getReports).
    const lone: PollSummary[] = [];
    {
      const poller = newPoller();
      for (const id of loneIds) {
        const [result] = (await poller.pollNow([id], undefined, 'schedule')) as PollSummary[];
        if (result?.status !== 'succeeded') throw new Error(`lone poll failed: ${result?.errorMessage}`);
        lone.push(result);
      }
      await poller.stop();
    }
    const fastest = {
      runMs: Math.min(...lone.slice(1).map((r) => r.durationMs)),
      busyMs: Math.min(...lone.slice(1).map((r) => r.busyMs)),
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
      const simCpuStart = await processCpuMs(sim.pid);
      const cpuStart = process.cpuUsage();
      const loopStart = performance.eventLoopUtilization();
      const started = performance.now();
      const results = (await poller.pollNow(ids, undefined, 'schedule')) as PollSummary[];
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpuStart);
      const loopBusy = performance.eventLoopUtilization(loopStart).utilization;
      const simCpuEnd = await processCpuMs(sim.pid);
      const simCpu =
        simCpuStart !== undefined && simCpuEnd !== undefined ? (simCpuEnd - simCpuStart) / N : undefined;
      const counters = await simJson<Counters>(sim.url, '/_sim/counters');
      const spapiCalls = SP_API_OPERATIONS.reduce((n, op) => n + (counters.byOperation[op] ?? 0), 0);
      const failed = results.filter((r) => r.status !== 'succeeded');
      const snapshots = results.reduce((n, r) => n + (r.snapshotsWritten ?? 0), 0);
      const { floor, explain } = floorMs(cycle, fastest);
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
        `${(results.reduce((n, r) => n + r.durationMs, 0) / N).toFixed(0)} / ${(results.reduce((n, r) => n + r.busyMs, 0) / N).toFixed(0)} ms`,
        `${((cpu.user + cpu.system) / 1000 / N).toFixed(1)} / ${simCpu === undefined ? '-' : simCpu.toFixed(1)} ms`,
        `${(loopBusy * 100).toFixed(0)} %`,
        (snapshots / (ms / 1000)).toFixed(0),
      ]);
      lastCycle = { calls: spapiCalls, ms };
      await poller.stop();
      if (cycle === 0) {
        console.log(`floor: ${explain}`);
        console.log(
          `lone runs: ${lone.map((r) => `${r.durationMs.toFixed(0)} ms (${r.busyMs} in slots)`).join(', ')} (the first warms up; the report alone takes ${REPORT_MS} ms)`,
        );
      }
      if (failed.length > 0)
        console.log(
          `cycle ${cycle + 1}: ${failed.length} polls failed, first: ${failed[0]!.errorCode} ${failed[0]!.errorMessage}`,
        );
    }

    // CPU per report parsed and ingested, measured alone so the network wait of polling does not blur it.
    const docs = await database.db.selectFrom('report_documents').select(['body_gzip']).limit(200).execute();
    const extraAccount = ids[0]!;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    let i = 0;
    for (const doc of docs) {
      const bytes = gunzipSync(doc.body_gzip!);
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
          'per run / in slots',
          'CPU/poll poller / sim',
          'poller loop busy',
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

    await printServerMemory(sim.url, label.startsWith('PostgreSQL') ? benchDatabaseUrl() : undefined);
  } finally {
    await database.close();
    await drop();
    await sim.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The real server's resident memory once it is up: on Postgres (a schema of its own, the bench's simulator as
 * its SP-API) and in demo mode on the embedded database, as someone trying it out would run it.
 */
async function printServerMemory(simulatorUrl: string, databaseUrl: string | undefined): Promise<void> {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const line = (what: string, m: ServerMemory) =>
    console.log(
      `  ${what}: VmRSS ${mb(m.rss)}, VmHWM ${mb(m.hwm)} (healthy after ${(m.readyMs / 1000).toFixed(1)} s)`,
    );
  console.log(
    '\nserver memory after start-up (node --import tsx server/src/server.ts, at its first healthy /api/health):',
  );
  if (databaseUrl) {
    const schema = `bench_server_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query(`create schema "${schema}"`);
      // Spelled out: URLSearchParams would write the space as '+', which pg does not read back as one.
      const options = `options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const url = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}${options}`;
      const memory = await measureServerMemory({
        DATABASE_URL: url,
        ROLE: 'all',
        SPAPI_ENDPOINT: simulatorUrl,
        SPAPI_CLIENT_ID: DEMO_CLIENT_ID,
        SPAPI_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      });
      const tables = await admin.query(
        'select count(*)::int as n from information_schema.tables where table_schema = $1',
        [schema],
      );
      if (tables.rows[0].n === 0) throw new Error(`the server did not migrate into schema ${schema}`);
      line('ROLE=all on PostgreSQL, SP-API at the simulator', memory);
    } finally {
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  }
  line('demo mode on embedded PGlite (no DATABASE_URL)', await measureServerMemory({}));
}

await main();
