import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import { pruneRawBodies, readDocumentBody } from '@good-standing/server/documents/documents.repository.ts';
import { createPruneJob } from '@good-standing/server/documents/prune-job.ts';
import { seriesJson, policySeries, statusHistory } from '@good-standing/server/metrics/metrics.repository.ts';
import { parseReportBytes } from '@good-standing/server/reports/parse-seller-performance.ts';
import { samplePath } from '@good-standing/server/reports/fixtures/sample-files.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

// Raw bodies go, history stays: pruning drops old report bodies and keeps every figure parsed from them, and
// even deleting a document row leaves its snapshots in place.

const DAY = 86_400_000;
let t: TestDatabase;
let accountId: string;
let sample: Buffer;

/** Reports on consecutive days ending today, each with its own figures. */
async function ingestDays(days: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const doc = JSON.parse(sample.toString('utf8'));
    doc.performanceMetrics[0].orderDefectRate.mfn.rate = 0.001 * (i + 1);
    const bytes = Buffer.from(JSON.stringify(doc));
    const result = await ingestReport(t.db, {
      accountId,
      bytes,
      amazonReportId: `r${i}`,
      amazonDocumentId: `d${i}`,
      marketplaceIds: ['A1F83G8C2ARO7P'],
      capturedAt: new Date(Date.now() - i * DAY),
      parsed: { ok: true, report: parseReportBytes(bytes) },
    });
    ids.push(result.reportDocumentId);
  }
  return ids;
}

async function history() {
  const range = { accountId, from: new Date(0), resolution: 'report' as const };
  return {
    figures: JSON.parse(await seriesJson(t.db, range)) as { series: Array<{ points: { rate: unknown[] } }> },
    policies: await policySeries(t.db, range),
    statuses: await statusHistory(t.db, range),
  };
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sample = await readFile(samplePath('at_risk_odr_ip_complaints.json'));
  accountId = (
    await t.db
      .insertInto('seller_accounts')
      .values({ seller_id: 'A1PRUNE', name: 'Prune', region: 'eu' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await t?.destroy();
});

describe('pruning raw documents', () => {
  it('drops the bodies older than the cutoff and keeps every figure parsed from them', async () => {
    const ids = await ingestDays(10);
    const before = await history();
    expect(before.figures.series.length).toBeGreaterThan(3);
    expect(before.figures.series[0]!.points.rate).toHaveLength(10);

    // Small batches, so the loop over batches is exercised too.
    const pruned = await pruneRawBodies(t.db, {
      capturedBefore: new Date(Date.now() - 4.5 * DAY),
      batchSize: 2,
    });
    expect(pruned).toBe(5);
    const docs = await t.db
      .selectFrom('report_documents')
      .select(['id', 'body_gzip', 'pruned_at', 'sha256', 'parse_status'])
      .where('account_id', '=', accountId)
      .orderBy('captured_at')
      .execute();
    expect(docs.map((d) => d.body_gzip === null)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(docs.slice(0, 5).every((d) => d.pruned_at instanceof Date && d.sha256.length === 64)).toBe(true);
    expect(await readDocumentBody(t.db, ids[0]!)).toBeNull();
    expect(await readDocumentBody(t.db, ids[9]!)).not.toBeNull();

    expect(await history()).toEqual(before);
    // Pruned documents are still known by their hash: the same bytes arriving again are not stored twice.
    expect(await pruneRawBodies(t.db, { capturedBefore: new Date(Date.now() - 4.5 * DAY) })).toBe(0);
  });

  it('keeps the history when a document row itself is deleted', async () => {
    const before = await history();
    const oldest = await t.db
      .selectFrom('report_documents')
      .select('id')
      .where('account_id', '=', accountId)
      .orderBy('captured_at')
      .limit(3)
      .execute();
    await t.db
      .deleteFrom('report_documents')
      .where(
        'id',
        'in',
        oldest.map((d) => d.id),
      )
      .execute();
    expect(await history()).toEqual(before);
    const orphans = await sql<{ n: string }>`select count(*) as n from health_snapshots
      where account_id = ${accountId} and report_document_id is null`.execute(t.db);
    expect(Number(orphans.rows[0]!.n)).toBe(3);
  });

  it('runs as a daily job on RAW_DOCUMENT_RETENTION_DAYS, and keeps everything at 0', async () => {
    const log = pino({ level: 'silent' });
    const docs = await ingestDays(3);
    await t.db
      .updateTable('report_documents')
      .set({ captured_at: new Date(Date.now() - 200 * DAY) })
      .where('id', '=', docs[0]!)
      .execute();
    const forever = createPruneJob(t.db, 0, log);
    expect(await forever.runOnce()).toBe(0);
    await forever.stop();
    const job = createPruneJob(t.db, 180, log);
    expect(await job.runOnce()).toBe(1);
    expect(await readDocumentBody(t.db, docs[0]!)).toBeNull();
    expect(await readDocumentBody(t.db, docs[1]!)).not.toBeNull();
    await job.stop();
  });
});
