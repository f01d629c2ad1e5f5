import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ingestReport } from '@good-standing/server/ingest/ingest-report.ts';
import {
  markEvaluated,
  pendingEvaluations,
  readDocumentBody,
} from '@good-standing/server/documents/documents.repository.ts';
import { parseReportBytes } from '@good-standing/server/reports/parse-seller-performance.ts';
import { samplePath } from '@good-standing/server/reports/fixtures/sample-files.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { countStored, type Stored } from '../helpers/counts.ts';

// The ingest transaction on its own: idempotent on the snapshot keys even when the bytes differ, replays a
// document that once failed to parse, and never loses the raw bytes over a figure out of range.

let t: TestDatabase;
let accountId: string;
let sample: Buffer;

const rows = (what: Stored) => countStored(t.db, what, accountId);

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sample = await readFile(samplePath('at_risk_odr_ip_complaints.json'));
  accountId = (
    await t.db
      .insertInto('seller_accounts')
      .values({ seller_id: 'A1INGEST', name: 'Ingest', region: 'eu' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  await t?.destroy();
});

const capturedAt = new Date('2025-06-02T06:00:00Z');

function input(bytes: Buffer) {
  let parsed;
  try {
    parsed = { ok: true as const, report: parseReportBytes(bytes) };
  } catch (err) {
    parsed = { ok: false as const, error: (err as Error).message };
  }
  return {
    accountId,
    bytes,
    amazonReportId: '1',
    amazonDocumentId: 'doc',
    marketplaceIds: ['A1F83G8C2ARO7P'],
    capturedAt,
    parsed,
  };
}

describe('ingestReport', () => {
  it('writes the figures once, even when the same report arrives as different bytes', async () => {
    const first = await ingestReport(t.db, input(sample));
    expect(first.isNew).toBe(true);
    expect(first.snapshotsWritten).toBe(parseReportBytes(sample).marketplaces[0]!.rates.length);
    expect(first.statusChanges).toEqual([{ marketplaceId: 'A1F83G8C2ARO7P', from: null, to: 'AT_RISK' }]);
    const before = {
      metrics: await rows('figures'),
      policies: await rows('policies'),
      history: await rows('account_status_history'),
    };

    // Same content re-serialized: a new document by hash, but the same snapshots by their keys.
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(sample.toString('utf8'))));
    const second = await ingestReport(t.db, input(reformatted));
    expect(second.isNew).toBe(true);
    expect(second.snapshotsWritten).toBe(0);
    expect(second.statusChanges).toEqual([]);
    expect({
      metrics: await rows('figures'),
      policies: await rows('policies'),
      history: await rows('account_status_history'),
    }).toEqual(before);

    const again = await ingestReport(t.db, input(sample));
    expect(again).toMatchObject({
      isNew: false,
      snapshotsWritten: 0,
      reportDocumentId: first.reportDocumentId,
    });
  });

  it('keeps a malformed document, and replays it when the same bytes later parse', async () => {
    const bytes = Buffer.from(JSON.stringify({ performanceMetrics: [{ marketplaceId: 'A1F83G8C2ARO7P' }] }));
    const failed = await ingestReport(t.db, {
      ...input(bytes),
      parsed: { ok: false, error: 'parser did not know it' },
    });
    const stored = await t.db
      .selectFrom('report_documents')
      .selectAll()
      .where('id', '=', failed.reportDocumentId)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ parse_status: 'malformed', parse_error: 'parser did not know it' });
    expect(stored.evaluation_pending).toBe(false);

    const replayed = await ingestReport(t.db, {
      ...input(bytes),
      capturedAt: new Date('2025-06-03T00:00:00Z'),
    });
    expect(replayed).toMatchObject({ reportDocumentId: failed.reportDocumentId, isNew: true });
    const after = await t.db
      .selectFrom('report_documents')
      .selectAll()
      .where('id', '=', failed.reportDocumentId)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ parse_status: 'parsed', parse_error: null, evaluation_pending: true });
  });

  it('stores a count too large for any seller as not reported instead of failing the report', async () => {
    const doc = JSON.parse(sample.toString('utf8'));
    doc.performanceMetrics[0].orderDefectRate.mfn.orderCount = 99_999_999_999;
    const bytes = Buffer.from(JSON.stringify(doc));
    const result = await ingestReport(t.db, {
      ...input(bytes),
      capturedAt: new Date('2025-06-04T00:00:00Z'),
    });
    expect(result.isNew).toBe(true);
    const odr = await t.db
      .selectFrom('metric_snapshots as m')
      .innerJoin('health_snapshots as h', 'h.id', 'm.snapshot_id')
      .selectAll('m')
      .where('h.report_document_id', '=', result.reportDocumentId)
      .where('m.metric', '=', 'order_defect_rate')
      .where('m.channel', '=', 'mfn')
      .executeTakeFirstOrThrow();
    expect(odr.denominator).toBeNull();
    expect(odr.numerator).toBe(24);
  });

  it('hands every parsed report to the alert engine through a durable queue', async () => {
    const doc = JSON.parse(sample.toString('utf8'));
    doc.performanceMetrics[0].lateShipmentRate.rate = 0.05;
    const result = await ingestReport(t.db, {
      ...input(Buffer.from(JSON.stringify(doc))),
      capturedAt: new Date('2025-06-05T00:00:00Z'),
    });
    const pending = await pendingEvaluations(t.db);
    expect(pending.map((p) => p.id)).toContain(result.reportDocumentId);
    // Written in the ingest transaction: there is no moment where the report exists but is not queued.
    await markEvaluated(t.db, result.reportDocumentId);
    expect((await pendingEvaluations(t.db)).map((p) => p.id)).not.toContain(result.reportDocumentId);
    const row = await t.db
      .selectFrom('report_documents')
      .select(['evaluation_pending', 'evaluated_at'])
      .where('id', '=', result.reportDocumentId)
      .executeTakeFirstOrThrow();
    expect(row.evaluation_pending).toBe(false);
    expect(row.evaluated_at).toBeInstanceOf(Date);
  });

  it('keeps the raw document gzip-compressed, and gives back the exact bytes', async () => {
    const bytes = Buffer.from(JSON.stringify({ ...JSON.parse(sample.toString('utf8')), extra: 'gzip me' }));
    const result = await ingestReport(t.db, {
      ...input(bytes),
      capturedAt: new Date('2025-06-06T00:00:00Z'),
    });
    const row = await t.db
      .selectFrom('report_documents')
      .select(['body_gzip', 'byte_size'])
      .where('id', '=', result.reportDocumentId)
      .executeTakeFirstOrThrow();
    expect([...row.body_gzip!.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(row.body_gzip!.length).toBeLessThan(bytes.length / 2);
    expect(row.byte_size).toBe(bytes.length);
    expect((await readDocumentBody(t.db, result.reportDocumentId))!.equals(bytes)).toBe(true);
  });

  it('keeps the newest figure of every metric, and a late older report does not replace it', async () => {
    const latestOdr = () =>
      t.db
        .selectFrom('metric_latest')
        .select(['rate', 'captured_at', 'numerator'])
        .where('account_id', '=', accountId)
        .where('metric', '=', 'order_defect_rate')
        .where('channel', '=', 'mfn')
        .executeTakeFirstOrThrow();
    const doc = JSON.parse(sample.toString('utf8'));
    doc.performanceMetrics[0].orderDefectRate.mfn.rate = 0.031;
    await ingestReport(t.db, {
      ...input(Buffer.from(JSON.stringify(doc))),
      capturedAt: new Date('2025-07-01T00:00:00Z'),
    });
    expect(await latestOdr()).toMatchObject({ rate: 0.031, captured_at: new Date('2025-07-01T00:00:00Z') });

    doc.performanceMetrics[0].orderDefectRate.mfn.rate = 0.002;
    await ingestReport(t.db, {
      ...input(Buffer.from(JSON.stringify(doc))),
      capturedAt: new Date('2025-06-20T00:00:00Z'),
    });
    expect(await latestOdr()).toMatchObject({ rate: 0.031, captured_at: new Date('2025-07-01T00:00:00Z') });

    // One row per metric, channel and window: the latest table never grows with history.
    const perKey = await sql<{
      n: string;
    }>`select count(*) as n from metric_latest where account_id = ${accountId}
      group by metric, channel, window_days having count(*) > 1`.execute(t.db);
    expect(perKey.rows).toEqual([]);
    const marketplace = await t.db
      .selectFrom('account_marketplaces as am')
      .innerJoin('health_snapshots as h', 'h.id', 'am.latest_snapshot_id')
      .select('h.captured_at')
      .where('am.account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(marketplace.captured_at).toEqual(new Date('2025-07-01T00:00:00Z'));
  });
});
