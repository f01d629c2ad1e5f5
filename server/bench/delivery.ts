// `pnpm bench` (delivery part): how fast an alert reaches an inbox, and what the morning digest costs.
//
// 1. From a report ingested to the SMTP server accepting its critical alert: BENCH_DELIVERY_ALERTS sellers (100)
//    are suspended at once (each stores the report that shows DEACTIVATED, as a poll would, then kicks the alert
//    engine as a finished poll does); the engine and the outbox sender run as in the server, and a real SMTP
//    server on loopback (smtp-server) notes when each message arrives. The latency of each seller's first
//    critical message is its arrival minus the start of its ingest.
// 2. The digest for BENCH_DIGEST_ACCOUNTS accounts (200) with two marketplaces and a week of reports each: the
//    time to build and queue it, its size, and the time to send it.
//
// Prints its figures; asserts nothing. BENCH_DATABASE_URL (TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { AlertEngine } from '../src/alerts/alert-engine.ts';
import { formatTable } from '../src/cli-table.ts';
import { SecretBox } from '../src/crypto/secrets.ts';
import { createDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ingestReport } from '../src/ingest/ingest-report.ts';
import { OverviewCache } from '../src/metrics/overview-cache.ts';
import { queueDigests } from '../src/notifications/digest.ts';
import { OutboxWorker } from '../src/notifications/outbox-worker.ts';
import { smtpTransport } from '../src/notifications/transports.ts';
import { parseSellerPerformanceReport } from '../src/reports/parse-seller-performance.ts';
import { writeSetting } from '../src/settings/settings.repository.ts';
import { generateSellerPerformanceReport } from '../src/simulator/performance-report.ts';

const ALERTS = Number(process.env.BENCH_DELIVERY_ALERTS ?? 100);
const DIGEST_ACCOUNTS = Number(process.env.BENCH_DIGEST_ACCOUNTS ?? 200);
const DAY_MS = 86_400_000;
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const MARKETPLACES = ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2'];
const log = pino({ level: 'silent' });

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Arrival {
  at: number;
  subject: string;
  bytes: number;
}

async function startMailbox(
  onMessage: (a: Arrival) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        // Subject lines are folded and may be encoded: the seller's name is looked for in the whole message.
        onMessage({ at: performance.now(), subject: raw, bytes: raw.length });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function withSchema<T>(run: (database: Database) => Promise<T>): Promise<T> {
  const schema = `bench_delivery_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-delivery-'));
  const database = await createDatabase({ databaseUrl: baseUrl, dataDir, searchPath: schema, poolSize: 8 });
  try {
    await migrateToLatest(database.db);
    return await run(database);
  } finally {
    await database.close();
    await admin.query(`drop schema "${schema}" cascade`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function addSeller(database: Database, n: number, name: string): Promise<string> {
  const { id } = await database.db
    .insertInto('seller_accounts')
    .values({ seller_id: `ABENCH${String(n).padStart(8, '0')}`, name, region: 'na', poll_enabled: false })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

async function store(
  database: Database,
  accountId: string,
  scenario: string,
  n: number,
  day: number,
  at: Date,
) {
  const document = generateSellerPerformanceReport(
    scenario,
    `ABENCH${String(n).padStart(8, '0')}`,
    MARKETPLACES,
    day,
    at,
  );
  return ingestReport(database.db, {
    accountId,
    bytes: Buffer.from(JSON.stringify(document)),
    amazonReportId: null,
    amazonDocumentId: null,
    marketplaceIds: MARKETPLACES,
    capturedAt: at,
    parsed: { ok: true, report: parseSellerPerformanceReport(document) },
  });
}

async function alertLatency(): Promise<string[][]> {
  return withSchema(async (database) => {
    const firstArrival = new Map<string, number>();
    let messages = 0;
    const names = Array.from({ length: ALERTS }, (_, i) => `Bench seller ${String(i).padStart(4, '0')}`);
    const mailbox = await startMailbox((a) => {
      messages += 1;
      const name = names.find((n) => a.subject.includes(n));
      if (name && a.subject.includes('[Critical]') && !firstArrival.has(name)) firstArrival.set(name, a.at);
    });
    await writeSetting(database.db, 'notifications', {
      recipients: [{ email: 'oncall@bench.test', severities: ['critical'] }],
    });
    const ids = [];
    for (let i = 0; i < ALERTS; i++) ids.push(await addSeller(database, i, names[i]!));
    const secrets = new SecretBox('bench-secret-'.padEnd(40, 'x'));
    const worker = new OutboxWorker({
      db: database.db,
      log,
      secrets,
      mail: smtpTransport(`smtp://127.0.0.1:${mailbox.port}`),
      from: 'Good Standing <alerts@bench.test>',
      baseUrl: 'http://bench.test',
    });
    const engine = new AlertEngine(database.db, log, {
      everyMs: 5_000,
      monitoringEveryMs: 3_600_000,
      pollIntervalMs: 4 * 3_600_000,
    });
    const evaluatedAt = new Map<string, number>();
    engine.onEvents((events) => {
      for (const e of events)
        if (!evaluatedAt.has(e.accountId)) evaluatedAt.set(e.accountId, performance.now());
      worker.kick();
    });
    worker.start();
    engine.start();
    const started = new Map<string, number>();
    const at = new Date(Date.UTC(2026, 0, 14, 6));
    const t0 = performance.now();
    // Every seller suspended within the same moment: the burst an agency meets when a policy sweep hits.
    await Promise.all(
      ids.map(async (id, i) => {
        started.set(names[i]!, performance.now());
        await store(database, id, 'suspension', i, 9, at);
        engine.kick();
      }),
    );
    const ingested = performance.now() - t0;
    const deadline = Date.now() + 60_000;
    while (firstArrival.size < ALERTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const total = performance.now() - t0;
    await engine.stop();
    await worker.stop();
    await mailbox.close();
    const evaluation = ids
      .map((id, i) => ((evaluatedAt.get(id) ?? NaN) - started.get(names[i]!)!) / 1000)
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    const latencies = names
      .filter((n) => firstArrival.has(n))
      .map((n) => (firstArrival.get(n)! - started.get(n)!) / 1000)
      .sort((a, b) => a - b);
    console.log(
      `Delivery: ${ALERTS} sellers suspended at once; ${messages} messages accepted by the SMTP server in ` +
        `${(total / 1000).toFixed(1)} s (the reports were stored in ${(ingested / 1000).toFixed(1)} s); ` +
        `${latencies.length} of ${ALERTS} first critical messages arrived\n`,
    );
    return [
      [
        'report ingested -> alerts evaluated and queued',
        '',
        `${percentile(evaluation, 50).toFixed(2)} s`,
        `${percentile(evaluation, 95).toFixed(2)} s`,
        `${(evaluation.at(-1) ?? 0).toFixed(2)} s`,
      ],
      [
        'report ingested -> SMTP accepted, critical alert',
        '<= 5 s p95',
        `${percentile(latencies, 50).toFixed(2)} s`,
        `${percentile(latencies, 95).toFixed(2)} s`,
        `${(latencies.at(-1) ?? 0).toFixed(2)} s`,
      ],
    ];
  });
}

async function digest(): Promise<string[][]> {
  return withSchema(async (database) => {
    const arrivals: Arrival[] = [];
    const mailbox = await startMailbox((a) => arrivals.push(a));
    const scenarios = ['healthy', 'odr-drift', 'late-shipment-spike', 'healthy', 'suspension'];
    const last = Date.UTC(2026, 0, 20, 6);
    const seedStart = performance.now();
    for (let i = 0; i < DIGEST_ACCOUNTS; i++) {
      const id = await addSeller(database, i, `Digest seller ${String(i).padStart(4, '0')}`);
      for (let d = 6; d >= 0; d--) {
        await store(database, id, scenarios[i % scenarios.length]!, i, 30 - d, new Date(last - d * DAY_MS));
      }
    }
    const seeded = performance.now() - seedStart;
    await database.db
      .insertInto('users')
      .values({ email: 'morning@bench.test', role: 'admin', time_zone: 'UTC', digest_time: '07:00' })
      .execute();
    const overview = new OverviewCache(database.db, 8 * 3_600_000);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const queued = await queueDigests(
      database.db,
      new Date('2026-01-21T07:05:00Z'),
      { rows: async () => (await overview.current()).rows },
      'http://bench.test',
    );
    const built = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    const row = await database.db
      .selectFrom('outbox_messages')
      .select(['body_html', 'body_text'])
      .where('kind', '=', 'digest')
      .executeTakeFirstOrThrow();
    const worker = new OutboxWorker({
      db: database.db,
      log,
      secrets: new SecretBox('bench-secret-'.padEnd(40, 'x')),
      mail: smtpTransport(`smtp://127.0.0.1:${mailbox.port}`),
      from: 'Good Standing <alerts@bench.test>',
      baseUrl: 'http://bench.test',
    });
    const s0 = performance.now();
    await worker.drain(() => new Date('2026-01-21T07:06:00Z'));
    const sent = performance.now() - s0;
    await worker.stop();
    await mailbox.close();
    console.log(
      `\nDigest: ${DIGEST_ACCOUNTS} accounts x ${MARKETPLACES.length} marketplaces, 7 days of reports each ` +
        `(seeded in ${(seeded / 1000).toFixed(1)} s); ${queued} digest queued, ${arrivals.length} accepted\n`,
    );
    return [
      [
        'digest built and queued (overview rows, alerts, render)',
        `${built.toFixed(0)} ms`,
        `CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`,
      ],
      [
        'digest size (HTML / plain text)',
        `${(Buffer.byteLength(row.body_html ?? '') / 1024).toFixed(0)} KB`,
        `${(Buffer.byteLength(row.body_text ?? '') / 1024).toFixed(0)} KB`,
      ],
      [
        'digest sent (SMTP accepted)',
        `${sent.toFixed(0)} ms`,
        `${((arrivals[0]?.bytes ?? 0) / 1024).toFixed(0)} KB on the wire`,
      ],
    ];
  });
}

const latency = await alertLatency();
console.log(formatTable(['figure', 'goal', 'p50', 'p95', 'max'], latency));
const digestRows = await digest();
console.log(formatTable(['figure', 'value', ''], digestRows));
