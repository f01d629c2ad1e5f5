// `pnpm bench` (backfill part): the Data Kiosk history backfill (server/src/backfill) against the SP-API simulator
// in its own process, over real Postgres (a schema of its own, dropped at the end; PGlite when none answers).
// Prints its figures; asserts nothing.
//
// 1. One document of BENCH_BACKFILL_LINES lines streamed into the database by one job. The simulator's
//    `documentLines` makes the job's one query answer that many days (from centuries back: a real query answers
//    at most 731), written as it is downloaded. This process's resident memory is sampled every 50 ms: its peak
//    above the idle process (after a small warm-up job) should stay under 150 MB, whatever the document's size.
// 2. The two-year backfill of BENCH_BACKFILL_ACCOUNTS sellers with two marketplaces each (US and CA), every job
//    queued at once and worked by the BackfillRunner, paced by its own rate limiter, against the simulator's Data
//    Kiosk usage plans with rates x BENCH_RATE_SCALE (real bursts): the total time against the usage-plan floor,
//    the shortest time the calls made fit in.
//
//   BENCH_BACKFILL_LINES (100000)  BENCH_BACKFILL_ACCOUNTS (200)  BENCH_BACKFILL_CONCURRENCY (the accounts)
//   BENCH_RATE_SCALE (10)  BENCH_BACKFILL_QUERY_MS (500)  BENCH_BACKFILL_TIMEOUT_S (1800)
//   BENCH_SIM_PORT (0: any free port). BENCH_BACKFILL_LINES=0 or BENCH_BACKFILL_ACCOUNTS=0 leaves that part out.
//   BENCH_DATABASE_URL (TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pino from 'pino';
import {
  BackfillRunner,
  DEFAULT_BACKFILL_OPTIONS,
  type BackfillDeps,
  type BackfillOptions,
} from '../src/backfill/backfill-runner.ts';
import type { BackfillJob } from '../src/backfill/backfill.repository.ts';
import { addDays } from '../src/backfill/days.ts';
import { formatTable } from '../src/cli-table.ts';
import { SecretBox } from '../src/crypto/secrets.ts';
import type { Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { CountersSnapshot } from '../src/simulator/counters.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, MARKETPLACE_IDS, USAGE_PLANS } from '../src/simulator/index.ts';
import {
  connectSellers,
  openDatabase,
  processCpuMs,
  simJson,
  startSimulatorProcess,
  type SimulatorProcess,
} from './fleet.ts';

const LINES = Number(process.env.BENCH_BACKFILL_LINES ?? 100_000);
const ACCOUNTS = Number(process.env.BENCH_BACKFILL_ACCOUNTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_BACKFILL_CONCURRENCY ?? ACCOUNTS);
const RATE_SCALE = Number(process.env.BENCH_RATE_SCALE ?? 10);
const QUERY_MS = Number(process.env.BENCH_BACKFILL_QUERY_MS ?? 500);
const TIMEOUT_S = Number(process.env.BENCH_BACKFILL_TIMEOUT_S ?? 1800);
const SIM_PORT = Number(process.env.BENCH_SIM_PORT ?? 0);
const FLEET_MARKETPLACES = [MARKETPLACE_IDS.US, MARKETPLACE_IDS.CA];
const WARM_UP_LINES = 1_000;
const SAMPLE_MS = 50;
const DATA_KIOSK = ['createQuery', 'getQuery', 'getDocument'] as const;
type DataKioskOperation = (typeof DATA_KIOSK)[number];

const log = pino({ level: 'warn' });
const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

interface Bench {
  sim: SimulatorProcess;
  database: Database;
  deps: BackfillDeps;
}

/**
 * The server's runner options (DEFAULT_BACKFILL_OPTIONS), with its times scaled to the simulator's: the first
 * look at a query after the query's processing time (the server: REPORT_POLL_SECONDS, 15 s with Amazon), the
 * longest wait between looks four times that (the server: 15 s -> 60 s), the usage plans x RATE_SCALE.
 */
function runnerOptions(concurrency: number): BackfillOptions {
  return {
    ...DEFAULT_BACKFILL_OPTIONS,
    instanceId: 'bench',
    concurrency,
    rateScale: RATE_SCALE,
    queryPollMs: QUERY_MS,
    maxQueryPollMs: 4 * QUERY_MS,
    dailyCheckMs: 0,
  };
}

async function sellerIdOf(database: Database, accountId: string): Promise<string> {
  const row = await database.db
    .selectFrom('seller_accounts')
    .select('seller_id')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return row.seller_id;
}

/** The process's resident-memory high-water mark (Linux: VmHWM), in bytes; undefined elsewhere. */
async function highWaterMark(): Promise<number | undefined> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples this process's RSS every SAMPLE_MS until stopped; the highest sample. */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** One job of one query over the default chunk (90 days to yesterday), which the simulator answers with `lines`. */
async function runOneDocument(
  bench: Bench,
  accountId: string,
  lines: number,
): Promise<{ job: BackfillJob; wallMs: number; streamMs: number }> {
  const sellerId = await sellerIdOf(bench.database, accountId);
  await simJson(bench.sim.url, `/_sim/accounts/${sellerId}/data-kiosk`, {
    method: 'POST',
    body: JSON.stringify({ documentLines: lines }),
  });
  const runner = new BackfillRunner(bench.deps, runnerOptions(1));
  const { toDay } = runner.defaultRange();
  const queued = await runner.queue(accountId, {
    trigger: 'cli',
    fromDay: addDays(toDay, -(runner.options.chunkDays - 1)),
    toDay,
  });
  if (queued.kind !== 'queued') throw new Error(`the job was not queued: ${queued.kind}`);
  // From the moment the job knows its document: getDocument, the download and every batch.
  let documentAt: number | undefined;
  const off = runner.onProgress((job) => {
    if (job.document_id && documentAt === undefined) documentAt = performance.now();
  });
  const started = performance.now();
  const job = await runner.runNow(queued.job.id);
  const ended = performance.now();
  off();
  await runner.stop();
  if (job?.status !== 'done') throw new Error(`the job ended ${job?.status}: ${job?.error}`);
  return { job, wallMs: ended - started, streamMs: ended - (documentAt ?? started) };
}

async function storedRows(database: Database, accountIds: string[]) {
  const { rows } = await sql<{
    snapshots: number;
    metrics: number;
    days: number;
    first: string;
    last: string;
  }>`
    select
      (select count(*)::int from health_snapshots h
        where h.account_id = any(${accountIds}::uuid[]) and h.source = 'data_kiosk') as snapshots,
      (select count(*)::int from metric_snapshots m join health_snapshots h on h.id = m.snapshot_id
        where h.account_id = any(${accountIds}::uuid[]) and h.source = 'data_kiosk') as metrics,
      (select count(*)::int from daily_snapshots d
        where d.account_id = any(${accountIds}::uuid[]) and d.source = 'data_kiosk') as days,
      (select min(day)::text from daily_snapshots d where d.account_id = any(${accountIds}::uuid[])) as first,
      (select max(day)::text from daily_snapshots d where d.account_id = any(${accountIds}::uuid[])) as last
  `.execute(database.db);
  return rows[0]!;
}

/** Part 1: one large document, streamed; this process's memory and the rate. */
async function largeDocument(bench: Bench, secrets: SecretBox): Promise<number> {
  const [warmUp] = await connectSellers(bench.sim.url, bench.database, secrets, 1, 'Warm-up');
  const [account] = await connectSellers(bench.sim.url, bench.database, secrets, 1, 'Large document');
  // A small job first: modules loaded, connections open, the runner's code compiled, as in a server running.
  await runOneDocument(bench, warmUp!, WARM_UP_LINES);
  await sleep(1_000);

  const hwmBefore = await highWaterMark();
  const idle = process.memoryUsage.rss();
  const sampler = sampleRss();
  const cpuStart = process.cpuUsage();
  const { job, wallMs, streamMs } = await runOneDocument(bench, account!, LINES);
  const cpu = process.cpuUsage(cpuStart);
  const peak = sampler.stop();
  const hwmAfter = await highWaterMark();
  const stored = await storedRows(bench.database, [account!]);

  const lines = job.lines_stored + job.lines_skipped;
  const hwm =
    hwmBefore === undefined || hwmAfter === undefined
      ? '-'
      : hwmAfter > hwmBefore
        ? `${mb(hwmBefore)} -> ${mb(hwmAfter)}: ${mb(hwmAfter - idle)} above idle`
        : `${mb(hwmAfter)}, not raised by the job`;
  console.log(
    `\n1. One Data Kiosk document of ${int(LINES)} lines streamed into the database by one job ` +
      `(one query; one line a day, ${stored.first} to ${stored.last}; batches of ${DEFAULT_BACKFILL_OPTIONS.batchLines} lines)\n`,
  );
  console.log(
    formatTable(
      ['figure', 'value'],
      [
        ['RSS of this process, idle (after a warm-up job)', mb(idle)],
        [`RSS peak during the job (sampled every ${SAMPLE_MS} ms)`, mb(peak)],
        ['RSS peak above idle (goal: under 150 MB)', mb(peak - idle)],
        ['VmHWM (the kernel’s peak RSS) before -> after', hwm],
        [
          'lines read: stored / skipped',
          `${int(lines)}: ${int(job.lines_stored)} / ${int(job.lines_skipped)}`,
        ],
        [
          'rows in the database: days (health_snapshots) / figures / daily pointers',
          `${int(stored.snapshots)} / ${int(stored.metrics)} / ${int(stored.days)}`,
        ],
        ['job wall time (createQuery to done)', seconds(wallMs)],
        ['streaming time (getDocument to the last batch)', seconds(streamMs)],
        ['lines per second (streaming time)', int(lines / (streamMs / 1000))],
        ['lines per second (job wall time)', int(lines / (wallMs / 1000))],
        [
          'CPU of this process per 1,000 lines',
          `${((cpu.user + cpu.system) / 1000 / (lines / 1000)).toFixed(0)} ms`,
        ],
      ],
    ),
  );
  return lines / (streamMs / 1000);
}

/** A usage plan as the simulator applies it (rates x RATE_SCALE, real bursts). */
function plan(operation: DataKioskOperation): { rate: number; burst: number } {
  const { rate, burst } = USAGE_PLANS[operation];
  return { rate: rate * RATE_SCALE, burst };
}

/**
 * The shortest time one seller's calls fit in under the usage plans: n calls of an operation take at least
 * (n - burst) / rate once the burst is spent, and the last createQuery's query still runs QUERY_MS before its
 * document can be fetched. Plans are per seller and operation, so the fleet's floor is its slowest seller's.
 */
function sellerFloorMs(calls: Record<DataKioskOperation, number>): number {
  const spend = (operation: DataKioskOperation) => {
    const { rate, burst } = plan(operation);
    return (Math.max(0, calls[operation] - burst) / rate) * 1000;
  };
  return Math.max(spend('createQuery') + QUERY_MS, spend('getQuery'), spend('getDocument'));
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Part 2: the fleet's two-year backfill through the runner; total time against the usage-plan floor. */
async function fleetBackfill(
  bench: Bench,
  secrets: SecretBox,
  streamRate: number | undefined,
): Promise<void> {
  const { sim, database } = bench;
  const ids = await connectSellers(sim.url, database, secrets, ACCOUNTS, 'Fleet', FLEET_MARKETPLACES);
  const sellerIds = await Promise.all(ids.map((id) => sellerIdOf(database, id)));
  const runner = new BackfillRunner(bench.deps, runnerOptions(CONCURRENCY));
  // Queued as the API queues them (the default two years to yesterday), all before the runner starts.
  const jobIds = new Set<string>();
  for (const id of ids) {
    const queued = await runner.queue(id, { trigger: 'api' });
    if (queued.kind === 'queued') jobIds.add(queued.job.id);
  }
  const ended = new Map<string, BackfillJob>();
  let allEnded!: () => void;
  const done = new Promise<void>((resolve) => (allEnded = resolve));
  runner.onProgress((job) => {
    if (!jobIds.has(job.id) || job.status === 'queued' || job.status === 'running') return;
    ended.set(job.id, job);
    if (ended.size === jobIds.size) allEnded();
  });

  await simJson(sim.url, '/_sim/counters', { method: 'DELETE' });
  const simCpuStart = await processCpuMs(sim.pid);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  runner.start();
  const timedOut = await Promise.race([
    done.then(() => false),
    sleep(TIMEOUT_S * 1000, true, { ref: false }),
  ]);
  const totalMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const simCpuEnd = await processCpuMs(sim.pid);
  await runner.stop();
  const counters = await simJson<CountersSnapshot>(sim.url, '/_sim/counters');

  const jobs = await database.db
    .selectFrom('backfill_jobs')
    .select([
      'status',
      'error',
      'days_total',
      'lines_stored',
      'lines_skipped',
      'chunks_total',
      'started_at',
      'finished_at',
    ])
    .where('account_id', 'in', ids)
    .execute();
  const stored = await storedRows(database, ids);
  const byStatus = new Map<string, number>();
  for (const job of jobs) byStatus.set(job.status, (byStatus.get(job.status) ?? 0) + 1);
  const durations = jobs
    .filter((j) => j.status === 'done' && j.started_at && j.finished_at)
    .map((j) => j.finished_at!.getTime() - j.started_at!.getTime())
    .sort((a, b) => a - b);
  const linesStored = jobs.reduce((n, j) => n + j.lines_stored, 0);
  const daysExpected = jobs.reduce((n, j) => n + j.days_total, 0);
  const chunks = jobs.reduce((n, j) => n + j.chunks_total, 0);

  const callsOf = (sellerId: string): Record<DataKioskOperation, number> => {
    const seen = counters.bySeller[sellerId] ?? {};
    return {
      createQuery: seen.createQuery ?? 0,
      getQuery: seen.getQuery ?? 0,
      getDocument: seen.getDocument ?? 0,
    };
  };
  const floors = sellerIds.map((id) => ({ id, floor: sellerFloorMs(callsOf(id)) }));
  const slowest = floors.reduce((a, b) => (b.floor > a.floor ? b : a));
  const slowestCalls = callsOf(slowest.id);
  const floorMs = slowest.floor;
  const total = (op: string) => counters.byOperation[op] ?? 0;
  const perAccount = (op: string) => (total(op) / ACCOUNTS).toFixed(1);
  const serverConcurrency = DEFAULT_BACKFILL_OPTIONS.concurrency;
  // A job works its account's chunks one after another, so it takes at least its seller's floor; with `c` jobs
  // at a time the fleet takes at least ceil(accounts / c) of them.
  const serverFloorMs = Math.ceil(ACCOUNTS / serverConcurrency) * floorMs;
  const amazonFloorMs =
    Math.max(
      ...DATA_KIOSK.map((op) => Math.max(0, slowestCalls[op] - USAGE_PLANS[op].burst) / USAGE_PLANS[op].rate),
    ) * 1000;

  const plans = DATA_KIOSK.map(
    (op) => `${op} ${plan(op).rate.toPrecision(3)}/s burst ${plan(op).burst}`,
  ).join(', ');
  console.log(
    `\n2. Two-year backfill of ${ACCOUNTS} accounts x ${FLEET_MARKETPLACES.length} marketplaces (US, CA): ` +
      `${int(chunks)} chunks of up to ${DEFAULT_BACKFILL_OPTIONS.chunkDays} days, all jobs queued at once, ` +
      `the runner working ${CONCURRENCY} at a time (the server: ${serverConcurrency})`,
  );
  console.log(
    `   Data Kiosk usage plans x${RATE_SCALE} (rates; bursts as Amazon's), per seller and operation: ${plans}; ` +
      `queries DONE ${QUERY_MS} ms after createQuery`,
  );
  console.log(
    `   floor: the slowest seller's calls (${DATA_KIOSK.map((op) => `${slowestCalls[op]} ${op}`).join(', ')}): ` +
      `max((createQuery - burst) / rate + ${QUERY_MS} ms of the last query, (getQuery - burst) / rate, ` +
      `(getDocument - burst) / rate) = ${seconds(floorMs)}; no plan spans sellers, so they overlap entirely\n`,
  );
  const failed = jobs.filter((j) => j.status !== 'done');
  console.log(
    formatTable(
      ['figure', 'value'],
      [
        [
          'total time (first claim to last job done)',
          `${seconds(totalMs)}${timedOut ? ` (stopped after BENCH_BACKFILL_TIMEOUT_S=${TIMEOUT_S})` : ''}`,
        ],
        ['usage-plan floor', seconds(floorMs)],
        ['ratio', `${(totalMs / floorMs).toFixed(2)}x`],
        [
          'jobs: done / other',
          `${byStatus.get('done') ?? 0} / ${failed.length}${failed.length > 0 ? ` (${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}`,
        ],
        [
          'job time p50 / p95 / max',
          durations.length ? [50, 95, 100].map((p) => seconds(percentile(durations, p))).join(' / ') : '-',
        ],
        [
          'calls per account: createQuery / getQuery / getDocument / download / token',
          ['createQuery', 'getQuery', 'getDocument', 'downloadDocument', 'token'].map(perAccount).join(' / '),
        ],
        [
          'calls in all: createQuery / getQuery / getDocument / download / token',
          ['createQuery', 'getQuery', 'getDocument', 'downloadDocument', 'token']
            .map((op) => int(total(op)))
            .join(' / '),
        ],
        [
          '429s (QuotaExceeded) from the simulator',
          `${counters.throttled}${counters.throttled > 0 ? ` (${JSON.stringify(counters.throttledByOperation)})` : ''}`,
        ],
        ['lines stored / days asked for', `${int(linesStored)} / ${int(daysExpected)}`],
        [
          'rows in the database: days (health_snapshots) / figures / daily pointers',
          `${int(stored.snapshots)} / ${int(stored.metrics)} / ${int(stored.days)}`,
        ],
        ['lines per second overall', int(linesStored / (totalMs / 1000))],
        [
          'CPU: this process / the simulator',
          `${seconds((cpu.user + cpu.system) / 1000)} / ${simCpuStart === undefined || simCpuEnd === undefined ? '-' : seconds(simCpuEnd - simCpuStart)}`,
        ],
        ['peak RSS of this process (whole run)', mb(process.resourceUsage().maxRSS * 1024)],
        [
          "time to store these lines at part 1's rate (one job alone)",
          streamRate === undefined ? '-' : seconds((linesStored / streamRate) * 1000),
        ],
        [
          `floor at the server's concurrency (${serverConcurrency} jobs at a time): ceil(${ACCOUNTS} / ${serverConcurrency}) x floor`,
          `${seconds(serverFloorMs)} (${(serverFloorMs / floorMs).toFixed(0)}x the floor; not run)`,
        ],
        [
          "usage-plan floor at Amazon's own rates (x1), the queries' own time aside",
          `${seconds(amazonFloorMs)} a seller; ${seconds(Math.ceil(ACCOUNTS / serverConcurrency) * amazonFloorMs)} at the server's concurrency`,
        ],
      ],
    ),
  );
  if (failed.length > 0) console.log(`first job not done: ${failed[0]!.status} ${failed[0]!.error ?? ''}`);
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-backfill-'));
  const sim = await startSimulatorProcess({
    rateScale: RATE_SCALE,
    burstScale: 1,
    reportMs: QUERY_MS,
    port: SIM_PORT,
  });
  const { database, label, drop } = await openDatabase(dataDir);
  try {
    await migrateToLatest(database.db);
    const secrets = new SecretBox(randomBytes(32).toString('hex'));
    const bench: Bench = {
      sim,
      database,
      deps: {
        db: database.db,
        spapi: { app: { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET }, endpoint: sim.url },
        secrets,
        log,
      },
    };
    console.log(
      `Good Standing backfill benchmark: the SP-API simulator in its own process, Data Kiosk queries DONE after ` +
        `${QUERY_MS} ms; database: ${label}`,
    );
    const streamRate = LINES > 0 ? await largeDocument(bench, secrets) : undefined;
    if (ACCOUNTS > 0) await fleetBackfill(bench, secrets, streamRate);
  } finally {
    await database.close();
    await drop();
    await sim.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
