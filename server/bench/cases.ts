// `pnpm bench` (cases part): what a reinstatement case costs. The demo sellers' stories are stored for
// BENCH_CASE_DAYS virtual days (one report a day), then for each seller a case is opened (its facts read from the
// snapshots, its trends, its drafts), worked to a decision and closed, BENCH_CASE_ROUNDS times; each case is
// exported; the sample notices are read; and a 10 MB file goes through the evidence check and into Postgres.
// Prints its figures; asserts nothing.
//
//   BENCH_CASE_DAYS (90)  BENCH_CASE_ROUNDS (20)
//   BENCH_DATABASE_URL (TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { caseDocument } from '../src/cases/cases.mapping.ts';
import { findCase } from '../src/cases/cases.repository.ts';
import { changeStatus, openCase } from '../src/cases/cases.service.ts';
import { sniffEvidence } from '../src/cases/evidence.ts';
import { addEvidence, listEvidence } from '../src/cases/evidence.repository.ts';
import { caseAppealText, caseMarkdown } from '../src/cases/export.ts';
import { parseNotice } from '../src/cases/notice.ts';
import { formatTable } from '../src/cli-table.ts';
import { createDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ingestReport } from '../src/ingest/ingest-report.ts';
import { parseSellerPerformanceReport } from '../src/reports/parse-seller-performance.ts';
import { DEMO_ACCOUNTS } from '../src/simulator/index.ts';
import { generateSellerPerformanceReport } from '../src/simulator/performance-report.ts';

const DAYS = Number(process.env.BENCH_CASE_DAYS ?? 90);
const ROUNDS = Number(process.env.BENCH_CASE_ROUNDS ?? 20);
const DAY_MS = 86_400_000;
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_cases_${randomBytes(4).toString('hex')}`;
const noticesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/cases/fixtures/notices');

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(2)} ms`;

function row(name: string, xs: number[]): string[] {
  const sorted = [...xs].sort((a, b) => a - b);
  return [name, ms(mean(sorted)), ms(percentile(sorted, 50)), ms(percentile(sorted, 95))];
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gs-bench-cases-'));
  const database = await createDatabase({ databaseUrl: baseUrl, dataDir, searchPath: schema, poolSize: 2 });
  const db = database.db;
  try {
    await migrateToLatest(db);
    const sellers = DEMO_ACCOUNTS.filter((a) => a.scenario !== 'revoked');
    const start = Date.now() - DAYS * DAY_MS;
    const accounts: Array<{ id: string; marketplaceId: string }> = [];
    for (const seller of sellers) {
      const { id } = await db
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
        await ingestReport(db, {
          accountId: id,
          bytes: Buffer.from(JSON.stringify(document)),
          amazonReportId: null,
          amazonDocumentId: null,
          marketplaceIds: seller.marketplaceIds,
          capturedAt: at,
          parsed: { ok: true, report: parseSellerPerformanceReport(document) },
        });
      }
      for (const marketplaceId of seller.marketplaceIds) accounts.push({ id, marketplaceId });
    }

    const openWall: number[] = [];
    const openCpu: number[] = [];
    const exportMs: number[] = [];
    let causes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const a of accounts) {
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const opened = await openCase(db, { accountId: a.id, marketplaceId: a.marketplaceId, userId: null });
        openWall.push(performance.now() - wall);
        const used = process.cpuUsage(cpu);
        openCpu.push((used.user + used.system) / 1000);
        const row = (await findCase(db, opened.caseId))!;
        const doc = caseDocument(row, await listEvidence(db, row.id));
        causes += doc.facts.causes.length;
        const t0 = performance.now();
        caseMarkdown(doc);
        caseAppealText(doc);
        exportMs.push(performance.now() - t0);
        // Worked to a decision, so the next round opens a new case for the marketplace.
        for (const status of ['ready', 'submitted', 'denied'] as const) {
          await changeStatus(db, opened.caseId, null, status, null);
        }
      }
    }

    const notices = await Promise.all(
      (await readdir(noticesDir)).map((f) => readFile(path.join(noticesDir, f), 'utf8')),
    );
    const noticeMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      for (const text of notices) {
        const t0 = performance.now();
        parseNotice(text, new Date());
        noticeMs.push(performance.now() - t0);
      }
    }

    // A 10 MB scan: the content check, the checksum and the transaction that stores it.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(10 * 1024 * 1024 - 9)]);
    const evidenceMs: number[] = [];
    const open = await openCase(db, {
      accountId: accounts[0]!.id,
      marketplaceId: accounts[0]!.marketplaceId,
      userId: null,
    });
    const user = await db
      .insertInto('users')
      .values({ email: 'bench@example.com', role: 'admin', password_hash: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const sniff = sniffEvidence('scan.pdf', pdf);
      if (!sniff.ok) throw new Error(sniff.reason);
      await addEvidence(db, {
        caseId: open.caseId,
        fileName: 'scan.pdf',
        contentType: sniff.contentType,
        sha256: createHash('sha256').update(pdf).digest('hex'),
        content: pdf,
        description: null,
        userId: user.id,
      });
      evidenceMs.push(performance.now() - t0);
    }

    console.log(
      `Good Standing cases benchmark: ${accounts.length} marketplaces of ${sellers.length} demo sellers with ` +
        `${DAYS} days of reports each; ${openWall.length} cases opened (${(causes / openWall.length).toFixed(1)} ` +
        `causes each on average), ${notices.length} sample notices read ${noticeMs.length} times\n`,
    );
    console.log(
      formatTable(
        ['figure', 'mean', 'p50', 'p95'],
        [
          row('case opened (facts, 60-day trends, drafts), wall', openWall),
          row('case opened, CPU of this process', openCpu),
          row('case exported (Markdown and appeal text)', exportMs),
          row('notice read (ASINs, dates, deadline)', noticeMs),
          row('10 MB evidence checked, hashed and stored', evidenceMs),
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
