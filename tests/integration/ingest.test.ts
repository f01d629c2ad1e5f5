import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestReport, markEvaluated, pendingEvaluations } from '@good-standing/server/poller/ingest.ts';
import { parseReportBytes } from '@good-standing/server/reports/parse-seller-performance.ts';
import { samplePath } from '@good-standing/server/reports/fixtures/sample-files.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

// The ingest transaction on its own: idempotent on the snapshot keys even when the bytes differ, replays a
// document that once failed to parse, and never loses the raw bytes over a figure out of range.

let t: TestDatabase;
let accountId: string;
let sample: Buffer;

async function rows(
  table: 'metric_snapshots' | 'policy_snapshots' | 'account_status_history' | 'report_documents',
) {
  const r = await t.db
    .selectFrom(table)
    .where('account_id', '=', accountId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

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
    expect(first.snapshotsWritten).toBeGreaterThan(10);
    expect(first.statusChanges).toEqual([{ marketplaceId: 'A1F83G8C2ARO7P', from: null, to: 'AT_RISK' }]);
    const before = {
      metrics: await rows('metric_snapshots'),
      policies: await rows('policy_snapshots'),
      history: await rows('account_status_history'),
    };

    // Same content re-serialized: a new document by hash, but the same snapshots by their keys.
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(sample.toString('utf8'))));
    const second = await ingestReport(t.db, input(reformatted));
    expect(second.isNew).toBe(true);
    expect(second.snapshotsWritten).toBe(0);
    expect(second.statusChanges).toEqual([]);
    expect({
      metrics: await rows('metric_snapshots'),
      policies: await rows('policy_snapshots'),
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
      .selectFrom('metric_snapshots')
      .selectAll()
      .where('report_document_id', '=', result.reportDocumentId)
      .where('metric', '=', 'order_defect_rate')
      .where('channel', '=', 'mfn')
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
});
