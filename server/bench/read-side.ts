// `pnpm bench` (second part): the read side at fleet scale. Seeds a year of history in SQL, starts the real server
// on it as its own process, and times the overview and a year-long series over HTTP, then the dashboard's pages
// (pages.ts); then the bytes stored per report and the time to prune raw documents. Prints its figures; asserts
// nothing.
//
//   BENCH_READ_ACCOUNTS (200)  BENCH_READ_DAYS (365)  BENCH_READ_REPORTS_PER_DAY (4)
//   BENCH_READ_CLIENTS (10)    BENCH_READ_REQUESTS (300)  BENCH_READ_KEEP (set: keep the seeded schema)
//   BENCH_DATABASE_URL (TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)

import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { insertUser } from '../src/auth/users.repository.ts';
import { insertApiToken } from '../src/auth/api-tokens.repository.ts';
import { hashPassword, newSecret, secretHash } from '../src/auth/secrets.ts';
import { pruneRawBodies } from '../src/documents/documents.repository.ts';
import { fillDailySnapshots, windowDays } from '../src/metrics/metrics.repository.ts';
import { parseSellerPerformanceReport } from '../src/reports/parse-seller-performance.ts';
import { generateSellerPerformanceReport } from '../src/simulator/performance-report.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../src/simulator/index.ts';
import { formatTable } from '../src/cli-table.ts';
import { measurePages, signIn } from './pages.ts';

const ACCOUNTS = Number(process.env.BENCH_READ_ACCOUNTS ?? 200);
const DAYS = Number(process.env.BENCH_READ_DAYS ?? 365);
const PER_DAY = Number(process.env.BENCH_READ_REPORTS_PER_DAY ?? 4);
const CLIENTS = Number(process.env.BENCH_READ_CLIENTS ?? 10);
const REQUESTS = Number(process.env.BENCH_READ_REQUESTS ?? 300);
const PRUNE_DOCUMENTS = 10_000;
const MARKETPLACES = ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'];
const SLOT_HOURS = 24 / PER_DAY;

const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_read_${randomBytes(4).toString('hex')}`;
const schemaUrl = (() => {
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
})();

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A real two-marketplace document as the simulator serves it: the raw body and the figures of every seeded report. */
function templateReport() {
  const document = generateSellerPerformanceReport(
    'healthy',
    'ABENCHTEMPLATE',
    MARKETPLACES,
    30,
    new Date(),
    'standard',
  );
  const bytes = Buffer.from(JSON.stringify(document));
  const parsed = parseSellerPerformanceReport(document);
  const m = parsed.marketplaces[0]!;
  const figures = m.rates.map((r) => ({
    metric: r.metric,
    channel: r.channel,
    window_days: windowDays(r.window),
    rate: r.rate ?? 0,
    denominator: r.denominator ?? 1000,
    status: r.status,
    target_value: r.targetValue,
    target_condition: r.targetCondition,
    parts: Object.keys(r.parts).length > 0 ? r.parts : null,
  }));
  const policies = Object.fromEntries(
    m.policies.map((p) => [
      p.category,
      {
        count: p.count,
        status: p.status,
        ...(p.targetValue !== null ? { targetValue: p.targetValue } : {}),
        ...(p.targetCondition !== null ? { targetCondition: p.targetCondition } : {}),
        ...(p.window.from ? { windowFrom: p.window.from } : {}),
        ...(p.window.to ? { windowTo: p.window.to } : {}),
      },
    ]),
  );
  return { body: gzipSync(bytes), byteSize: bytes.length, figures, policies };
}

async function seed(db: Awaited<ReturnType<typeof createDatabase>>['db']) {
  const t = templateReport();
  const slots = DAYS * PER_DAY;
  const started = performance.now();
  await sql`insert into seller_accounts (seller_id, name, region, last_good_poll_at, last_success_at, next_poll_at)
    select 'ABENCH' || lpad(i::text, 8, '0'), 'Bench seller ' || lpad(i::text, 4, '0'), 'na', now(), now(),
      now() + interval '1 hour'
    from generate_series(1, ${ACCOUNTS}) i`.execute(db);
  await sql`insert into account_marketplaces (account_id, marketplace_id, country_code, name)
    select a.id, m, 'US', m from seller_accounts a, unnest(${MARKETPLACES}::text[]) m`.execute(db);
  await sql`insert into report_documents (account_id, report_type, sha256, amazon_report_id, amazon_document_id,
      marketplace_ids, byte_size, body_gzip, parse_status, captured_at, evaluation_pending)
    select a.id, 'GET_V2_SELLER_PERFORMANCE_REPORT', md5(a.id::text || s) || md5(s || a.id::text), '5' || s,
      'amzn1.tortuga.4.na.' || md5(a.id::text || s), ${MARKETPLACES}::text[], ${t.byteSize}, ${t.body}, 'parsed',
      now() - s * make_interval(hours => ${SLOT_HOURS}), false
    from seller_accounts a, generate_series(0, ${slots - 1}) s`.execute(db);
  const documentsMs = performance.now() - started;
  await sql`insert into health_snapshots (account_id, marketplace_id, captured_at, source, granularity,
      account_status, ahr_status, ahr_score, ahr_band, policy_violation_warnings, policies, report_document_id)
    select d.account_id, m, d.captured_at, 'report', 'snapshot', 'NORMAL', 'GREAT',
      200 + (abs(hashtext(d.id::text || m)) % 800), 'healthy', 0, ${JSON.stringify(t.policies)}::jsonb, d.id
    from report_documents d, unnest(${MARKETPLACES}::text[]) m`.execute(db);
  // Each figure drifts around the template's rate: a deterministic wobble per snapshot and metric.
  await sql`insert into metric_snapshots (snapshot_id, metric, channel, window_days, rate, numerator, denominator,
      status, target_value, target_condition, window_from, window_to, parts)
    select h.id, f.metric, f.channel, f.window_days, r.rate, round(r.rate * f.denominator)::int, f.denominator,
      f.status, f.target_value, f.target_condition,
      h.captured_at - make_interval(days => coalesce(f.window_days, 0)), h.captured_at, f.parts
    from health_snapshots h
    cross join jsonb_to_recordset(${JSON.stringify(t.figures)}::jsonb) as f(metric text, channel text,
      window_days int, rate float8, denominator int, status text, target_value float8, target_condition text,
      parts jsonb)
    cross join lateral (select least(1, f.rate * (0.6 + (abs(hashtext(h.id::text || f.metric || f.channel)) % 800)
      / 1000.0)) as rate) r`.execute(db);
  // The day's last snapshot, as ingest keeps it.
  await fillDailySnapshots(db);
  await sql`insert into metric_latest (account_id, marketplace_id, metric, channel, window_days, captured_at,
      source, rate, numerator, denominator, status, target_value, target_condition, window_from, window_to, parts,
      snapshot_id)
    select distinct on (h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days)
      h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days, h.captured_at, h.source, m.rate,
      m.numerator, m.denominator, m.status, m.target_value, m.target_condition, m.window_from, m.window_to,
      m.parts, h.id
    from metric_snapshots m join health_snapshots h on h.id = m.snapshot_id
    order by h.account_id, h.marketplace_id, m.metric, m.channel, m.window_days, h.captured_at desc`.execute(
    db,
  );
  await sql`update account_marketplaces am set latest_snapshot_id = h.id, last_report_at = h.captured_at,
      account_status = h.account_status, ahr_status = h.ahr_status, ahr_score = h.ahr_score, ahr_band = h.ahr_band
    from (select distinct on (account_id, marketplace_id) * from health_snapshots
          order by account_id, marketplace_id, captured_at desc) h
    where h.account_id = am.account_id and h.marketplace_id = am.marketplace_id`.execute(db);
  // As autovacuum would by then: statistics, and the visibility map index-only scans rely on.
  await sql`vacuum analyze`.execute(db);
  return {
    seedMs: performance.now() - started,
    documentsMs,
    figuresPerMarketplace: t.figures.length,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, path.join(import.meta.dirname, '..', 'src', 'server.ts')],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: schemaUrl,
        DATA_DIR: dataDir,
        ROLE: 'web',
        LOG_LEVEL: 'warn',
        APP_SECRET: 'bench-read-side-'.padEnd(40, 'x'),
        // Live mode with nothing to poll in this role: no SP-API call is made.
        SPAPI_CLIENT_ID: DEMO_CLIENT_ID,
        SPAPI_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        SPAPI_ENDPOINT: 'http://127.0.0.1:9',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not answer /api/health within 60 s');
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) the process has used so far, in ms. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, fields 14 and 15 of the whole line, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * `total` GETs of `url` from `clients` clients at once, over keep-alive connections, asking for gzip as a browser
 * does. The bytes are read, not decompressed: the figures are the server's, not this process's unzipping.
 */
async function load(
  url: string,
  clients: number,
  total: number,
  serverPid: number,
  headers: Record<string, string> = { authorization: `Bearer ${readToken}` },
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const get = () =>
    new Promise<{ status: number; bytes: number; encoding: string | undefined }>((resolve, reject) => {
      const req = http.get(url, { agent, headers: { 'accept-encoding': 'gzip', ...headers } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, bytes, encoding: res.headers['content-encoding'] }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  const times: number[] = [];
  let last = { status: 0, bytes: 0, encoding: undefined as string | undefined };
  let next = 0;
  const client = async () => {
    while (next++ < total) {
      const t0 = performance.now();
      last = await get();
      times.push(performance.now() - t0);
      if (last.status !== 200) throw new Error(`${url}: ${last.status}`);
    }
  };
  const cpu0 = cpuMsOf(serverPid);
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const wall = performance.now() - started;
  const serverCpuMs = (cpuMsOf(serverPid) - cpu0) / total;
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    rps: (total / wall) * 1000,
    bytes: last.bytes,
    encoding: last.encoding ?? 'identity',
    serverCpuMs,
  };
}

/** A read-only API token, as a monitoring script would read the API with. */
let readToken = '';
/** The same user signs in to the dashboard with this. */
const PASSWORD = newSecret();

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-read-'));
  const database = await createDatabase({ databaseUrl: baseUrl, dataDir, searchPath: schema, poolSize: 4 });
  let server: ChildProcess | undefined;
  try {
    await migrateToLatest(database.db);
    const reader = await insertUser(database.db, {
      email: 'bench@example.com',
      displayName: 'Bench',
      role: 'viewer',
      passwordHash: await hashPassword(PASSWORD),
    });
    readToken = newSecret('gs_');
    await insertApiToken(database.db, {
      name: 'bench',
      scope: 'read',
      tokenHash: secretHash(readToken),
      userId: reader!.id,
    });
    const seeded = await seed(database.db);
    const reports = ACCOUNTS * DAYS * PER_DAY;
    const counts = await sql<{ figures: string; snapshots: string }>`select
      (select count(*) from metric_snapshots) as figures, (select count(*) from health_snapshots) as snapshots`.execute(
      database.db,
    );
    const sizes = await sql<{ table: string; bytes: string; heap: string; indexes: string }>`select
        c.relname as table, pg_total_relation_size(c.oid) as bytes, pg_relation_size(c.oid) as heap,
        pg_indexes_size(c.oid) as indexes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r'
        and c.relname in ('report_documents', 'health_snapshots', 'metric_snapshots', 'metric_latest',
          'daily_snapshots')`.execute(database.db);
    const size = (table: string) => Number(sizes.rows.find((r) => r.table === table)?.bytes ?? 0);
    const perReport = (table: string) => size(table) / reports;

    const port = await freePort();
    server = await startServer(port, dataDir);
    const base = `http://127.0.0.1:${port}`;
    const afterStart = memoryOf(server.pid!);
    const account = await database.db
      .selectFrom('seller_accounts')
      .select('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    const from = new Date(Date.now() - DAYS * 86_400_000).toISOString();
    const seriesUrl = `${base}/api/accounts/${account.id}/series?from=${encodeURIComponent(from)}`;

    // Warm up: connections, query plans, JIT of the serializers.
    const pid = server.pid!;
    await load(`${base}/api/overview`, 2, 20, pid);
    await load(seriesUrl, 1, 10, pid);
    const overview = await load(`${base}/api/overview`, CLIENTS, REQUESTS, pid);
    const series = await load(seriesUrl, 1, Math.max(50, Math.round(REQUESTS / 3)), pid);
    const seriesConcurrent = await load(seriesUrl, CLIENTS, REQUESTS, pid);
    const afterLoad = memoryOf(server.pid!);

    // The pages, as the bench's user signed in to the dashboard sees them.
    const pagesStarted = performance.now();
    const pages = await measurePages({
      base,
      session: await signIn(base, 'bench@example.com', PASSWORD),
      accountId: account.id,
      clients: CLIENTS,
      // A page costs several API requests' worth: a third as many keeps this part within a minute.
      requests: Math.round(REQUESTS / 3),
      time: (url, clients, total, headers) => load(url, clients, total, pid, headers),
    });
    const pagesMs = performance.now() - pagesStarted;

    // Pruning: the oldest 10,000 documents.
    const cutoff = await sql<{ captured_at: Date }>`select captured_at from report_documents
      order by captured_at offset ${Math.min(PRUNE_DOCUMENTS, reports) - 1} limit 1`.execute(database.db);
    const pruneStarted = performance.now();
    const pruned = await pruneRawBodies(database.db, {
      capturedBefore: new Date(cutoff.rows[0]!.captured_at.getTime() + 1),
    });
    const pruneMs = performance.now() - pruneStarted;

    console.log(
      `\nGood Standing read-side benchmark: ${ACCOUNTS} accounts x ${MARKETPLACES.length} marketplaces x ${DAYS} days x ${PER_DAY} reports a day`,
    );
    console.log(`database: PostgreSQL (${new URL(baseUrl).host}, schema ${schema})`);
    console.log(
      `seeded ${reports.toLocaleString('en')} reports, ${Number(counts.rows[0]!.snapshots).toLocaleString('en')} health snapshots and ${Number(counts.rows[0]!.figures).toLocaleString('en')} metric rows (${seeded.figuresPerMarketplace} per marketplace) in ${seconds(seeded.seedMs)}\n`,
    );
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(
      formatTable(
        ['request over HTTP', 'clients', 'p50', 'p95', 'p99', 'req/s', 'server CPU/req', 'answer', 'goal'],
        [
          [
            'GET /api/overview',
            String(CLIENTS),
            ms(overview.p50),
            ms(overview.p95),
            ms(overview.p99),
            overview.rps.toFixed(0),
            ms(overview.serverCpuMs),
            `${(overview.bytes / 1024).toFixed(0)} KB ${overview.encoding}`,
            'p95 <= 50 ms',
          ],
          [
            `GET series, ${DAYS} days, every metric`,
            '1',
            ms(series.p50),
            ms(series.p95),
            ms(series.p99),
            series.rps.toFixed(0),
            ms(series.serverCpuMs),
            `${(series.bytes / 1024).toFixed(0)} KB ${series.encoding}`,
            'p95 <= 30 ms',
          ],
          [
            `GET series, ${DAYS} days, every metric`,
            String(CLIENTS),
            ms(seriesConcurrent.p50),
            ms(seriesConcurrent.p95),
            ms(seriesConcurrent.p99),
            seriesConcurrent.rps.toFixed(0),
            ms(seriesConcurrent.serverCpuMs),
            `${(seriesConcurrent.bytes / 1024).toFixed(0)} KB ${seriesConcurrent.encoding}`,
            '',
          ],
        ],
      ),
    );
    console.log(
      `\nthe dashboard's pages, signed in (server render over HTTP, the rest in Chromium), measured in ${seconds(pagesMs)}:\n`,
    );
    console.log(formatTable(['figure', 'goal', 'measured'], pages.rows));
    for (const note of pages.notes) console.log(`  ${note}`);
    const raw = perReport('report_documents');
    const snapshots =
      perReport('health_snapshots') + perReport('metric_snapshots') + perReport('daily_snapshots');
    console.log(
      `\nbytes stored per report (tables, indexes and TOAST): ${((raw + snapshots) / 1024).toFixed(2)} KB (goal <= 8 KB): raw document ${(raw / 1024).toFixed(2)} KB, health snapshots ${(perReport('health_snapshots') / 1024).toFixed(2)} KB, figures ${(perReport('metric_snapshots') / 1024).toFixed(2)} KB, day pointers ${(perReport('daily_snapshots') / 1024).toFixed(2)} KB; latest-figure table ${(size('metric_latest') / 1024 / 1024).toFixed(1)} MB in all`,
    );
    for (const r of sizes.rows) {
      const per = (n: string) => `${(Number(n) / reports).toFixed(0)} B`;
      const toast = Number(r.bytes) - Number(r.heap) - Number(r.indexes);
      console.log(
        `  ${r.table}: per report ${per(r.bytes)} (heap ${per(r.heap)}, indexes ${per(r.indexes)}, TOAST ${per(String(toast))})`,
      );
    }
    console.log(`pruned ${pruned.toLocaleString('en')} raw documents in ${ms(pruneMs)}`);
    console.log(
      `server (ROLE=web, PostgreSQL) memory: ${afterStart.rss.toFixed(0)} MB RSS after start-up, ${afterLoad.rss.toFixed(0)} MB after the load, peak ${afterLoad.peak.toFixed(0)} MB`,
    );
  } finally {
    server?.kill('SIGTERM');
    await database.close();
    if (process.env.BENCH_READ_KEEP) {
      console.log(`kept the seeded data in schema ${schema} (BENCH_READ_KEEP)`);
    } else {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop schema "${schema}" cascade`);
      await c.end();
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
