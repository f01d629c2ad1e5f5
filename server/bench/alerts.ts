// `pnpm bench` (alerts part): the CPU the alert rules cost per report. Every demo scenario is played for
// BENCH_ALERT_DAYS virtual days (one report a day per seller), stored as ingest stores it, then evaluated as the
// engine does; the evaluation alone is timed. Prints its figures; asserts nothing.
//
//   BENCH_ALERT_DAYS (90)  BENCH_DATABASE_URL (TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { evaluateReport } from '../src/alerts/alerts.service.ts';
import { DEFAULT_ALERT_SETTINGS } from '../src/alerts/rules.ts';
import { formatTable } from '../src/cli-table.ts';
import { createDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ingestReport } from '../src/ingest/ingest-report.ts';
import { parseSellerPerformanceReport } from '../src/reports/parse-seller-performance.ts';
import { DEMO_ACCOUNTS } from '../src/simulator/index.ts';
import { generateSellerPerformanceReport } from '../src/simulator/performance-report.ts';

const DAYS = Number(process.env.BENCH_ALERT_DAYS ?? 90);
const DAY_MS = 86_400_000;
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_alerts_${randomBytes(4).toString('hex')}`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-alerts-'));
  const database = await createDatabase({ databaseUrl: baseUrl, dataDir, searchPath: schema, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const sellers = DEMO_ACCOUNTS.filter((a) => a.scenario !== 'revoked');
    const cpuMs: number[] = [];
    const wallMs: number[] = [];
    let events = 0;
    let marketplaces = 0;
    const start = Date.UTC(2026, 0, 5, 6);
    for (const seller of sellers) {
      const { id } = await database.db
        .insertInto('seller_accounts')
        .values({ seller_id: seller.sellerId, name: seller.name, region: seller.region, poll_enabled: false })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (let day = 0; day < DAYS; day++) {
        const at = new Date(start + day * DAY_MS);
        const document = generateSellerPerformanceReport(
          seller.scenario,
          seller.sellerId,
          seller.marketplaceIds,
          day,
          at,
        );
        const stored = await ingestReport(database.db, {
          accountId: id,
          bytes: Buffer.from(JSON.stringify(document)),
          amazonReportId: null,
          amazonDocumentId: null,
          marketplaceIds: seller.marketplaceIds,
          capturedAt: at,
          parsed: { ok: true, report: parseSellerPerformanceReport(document) },
        });
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const result = await evaluateReport(database.db, stored.reportDocumentId, {
          now: at,
          settings: DEFAULT_ALERT_SETTINGS,
        });
        const used = process.cpuUsage(cpu);
        wallMs.push(performance.now() - wall);
        cpuMs.push((used.user + used.system) / 1000);
        events += result?.events.length ?? 0;
        marketplaces += seller.marketplaceIds.length;
      }
    }
    cpuMs.sort((a, b) => a - b);
    wallMs.sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `Good Standing alerts benchmark: ${sellers.length} demo sellers x ${DAYS} days, ${cpuMs.length} reports ` +
        `(${marketplaces} marketplace snapshots), ${events} alert events\n`,
    );
    console.log(
      formatTable(
        ['figure', 'goal', 'mean', 'p50', 'p95'],
        [
          [
            'CPU per report evaluated (this process)',
            '<= 2 ms',
            `${mean(cpuMs).toFixed(2)} ms`,
            `${percentile(cpuMs, 50).toFixed(2)} ms`,
            `${percentile(cpuMs, 95).toFixed(2)} ms`,
          ],
          [
            'wall time per report evaluated (with Postgres)',
            '',
            `${mean(wallMs).toFixed(2)} ms`,
            `${percentile(wallMs, 50).toFixed(2)} ms`,
            `${percentile(wallMs, 95).toFixed(2)} ms`,
          ],
        ],
      ),
    );
  } finally {
    await database.close();
    await admin.query(`drop schema "${schema}" cascade`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
