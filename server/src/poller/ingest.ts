import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { SELLER_PERFORMANCE_REPORT_TYPE } from '../spapi/client.ts';
import type { MarketplaceHealth, ParsedReport, ReportingWindow } from '../reports/types.ts';

// Ingest one downloaded report document in one transaction: the raw bytes (deduplicated by hash), the
// snapshots, status history, warning states, the latest-state columns and the alert hand-off. Either all of
// it lands or none: a crash mid-ingest leaves nothing half-written, and the next poll simply does it again.

export interface IngestInput {
  accountId: string;
  bytes: Buffer;
  amazonReportId: string | null;
  amazonDocumentId: string | null;
  marketplaceIds: string[];
  /** When Amazon produced the data (the report's processing end time), else when it was downloaded. */
  capturedAt: Date;
  /** The parse result, or the reason the document could not be parsed (raw bytes are kept either way). */
  parsed: { ok: true; report: ParsedReport } | { ok: false; error: string };
}

export interface IngestResult {
  reportDocumentId: string;
  /** False when this exact document was already stored: nothing else was written. */
  isNew: boolean;
  snapshotsWritten: number;
  statusChanges: Array<{ marketplaceId: string; from: string | null; to: string }>;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const DAY_MS = 86_400_000;

function windowDays(window: ReportingWindow): number | null {
  if (!window.from || !window.to) return null;
  const days = Math.round((Date.parse(window.to) - Date.parse(window.from)) / DAY_MS);
  return Number.isFinite(days) ? Math.abs(days) : null;
}

const toDate = (iso: string | null) => (iso ? new Date(iso) : null);

const INT4_MAX = 2_147_483_647;

/** Counts are int4 columns; a figure no seller can have (beyond 2^31) is treated as not reported. */
function toInt(n: number | null): number | null {
  if (n === null || !Number.isFinite(n)) return null;
  const rounded = Math.round(n);
  return Math.abs(rounded) > INT4_MAX ? null : rounded;
}

export async function ingestReport(db: Kysely<DB>, input: IngestInput): Promise<IngestResult> {
  return db.transaction().execute(async (tx) => {
    const hash = sha256(input.bytes);
    const inserted = await tx
      .insertInto('report_documents')
      .values({
        account_id: input.accountId,
        report_type: SELLER_PERFORMANCE_REPORT_TYPE,
        sha256: hash,
        amazon_report_id: input.amazonReportId,
        amazon_document_id: input.amazonDocumentId,
        marketplace_ids: input.marketplaceIds,
        byte_size: input.bytes.length,
        body: input.bytes,
        parse_status: input.parsed.ok ? 'parsed' : 'malformed',
        parse_error: input.parsed.ok ? null : input.parsed.error,
        parse_notes: JSON.stringify(input.parsed.ok ? input.parsed.report.notes : []),
        captured_at: input.capturedAt,
        evaluation_pending: input.parsed.ok,
      })
      .onConflict((oc) => oc.columns(['account_id', 'sha256']).doNothing())
      .returning('id')
      .executeTakeFirst();

    let documentId = inserted?.id;
    if (!documentId) {
      const existing = await tx
        .selectFrom('report_documents')
        .select(['id', 'parse_status'])
        .where('account_id', '=', input.accountId)
        .where('sha256', '=', hash)
        .forUpdate()
        .executeTakeFirstOrThrow();
      // The same bytes were kept earlier as malformed and now parse (the parser learned a new variant): replay
      // them, so what Amazon sent back then is not lost.
      if (!(existing.parse_status === 'malformed' && input.parsed.ok)) {
        return { reportDocumentId: existing.id, isNew: false, snapshotsWritten: 0, statusChanges: [] };
      }
      await tx
        .updateTable('report_documents')
        .set({
          parse_status: 'parsed',
          parse_error: null,
          parse_notes: JSON.stringify(input.parsed.report.notes),
          evaluation_pending: true,
        })
        .where('id', '=', existing.id)
        .execute();
      documentId = existing.id;
    }
    if (!input.parsed.ok) {
      return { reportDocumentId: documentId, isNew: true, snapshotsWritten: 0, statusChanges: [] };
    }

    let snapshotsWritten = 0;
    const statusChanges: IngestResult['statusChanges'] = [];
    for (const marketplace of input.parsed.report.marketplaces) {
      snapshotsWritten += await writeMarketplace(tx, input, documentId, marketplace, statusChanges);
    }
    return { reportDocumentId: documentId, isNew: true, snapshotsWritten, statusChanges };
  });
}

async function writeMarketplace(
  tx: Transaction<DB>,
  input: IngestInput,
  documentId: string,
  m: MarketplaceHealth,
  statusChanges: IngestResult['statusChanges'],
): Promise<number> {
  const base = {
    account_id: input.accountId,
    marketplace_id: m.marketplaceId,
    captured_at: input.capturedAt,
  };
  let written = 0;

  if (m.rates.length > 0) {
    const result = await tx
      .insertInto('metric_snapshots')
      .values(
        m.rates.map((r) => ({
          ...base,
          metric: r.metric,
          channel: r.channel,
          rate: r.rate,
          numerator: toInt(r.numerator),
          denominator: toInt(r.denominator),
          status: r.status,
          target_value: r.targetValue,
          target_condition: r.targetCondition,
          window_from: toDate(r.window.from),
          window_to: toDate(r.window.to),
          window_days: windowDays(r.window),
          parts: JSON.stringify(r.parts),
          report_document_id: documentId,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    written += Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  if (m.policies.length > 0) {
    const result = await tx
      .insertInto('policy_snapshots')
      .values(
        m.policies.map((p) => ({
          ...base,
          category: p.category,
          count: toInt(p.count),
          status: p.status,
          target_value: p.targetValue,
          target_condition: p.targetCondition,
          window_from: toDate(p.window.from),
          window_to: toDate(p.window.to),
          report_document_id: documentId,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    written += Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  await tx
    .insertInto('account_health_snapshots')
    .values({
      ...base,
      account_status: m.accountStatus,
      ahr_status: m.ahrStatus,
      ahr_score: m.ahrScore,
      ahr_band: m.ahrBand,
      policy_violation_warnings: toInt(m.policyViolationWarnings?.count ?? null),
      report_document_id: documentId,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();

  await recordStatus(tx, input, documentId, m, statusChanges);
  await recordWarningStates(tx, input, m);
  return written;
}

async function recordStatus(
  tx: Transaction<DB>,
  input: IngestInput,
  documentId: string,
  m: MarketplaceHealth,
  statusChanges: IngestResult['statusChanges'],
): Promise<void> {
  // Lock the marketplace row so two ingests of the same account cannot both record the same change.
  const current = await tx
    .selectFrom('account_marketplaces')
    .select(['account_status', 'status_since', 'last_report_at'])
    .where('account_id', '=', input.accountId)
    .where('marketplace_id', '=', m.marketplaceId)
    .forUpdate()
    .executeTakeFirst();

  // An older report arriving late must not overwrite the newer latest state.
  if (current?.last_report_at && current.last_report_at.getTime() > input.capturedAt.getTime()) return;

  const previous = current?.account_status ?? null;
  const status = m.accountStatus;
  const changed = status !== null && status !== previous;
  if (changed) {
    await tx
      .insertInto('account_status_history')
      .values({
        account_id: input.accountId,
        marketplace_id: m.marketplaceId,
        previous_status: previous,
        status,
        changed_at: input.capturedAt,
        report_document_id: documentId,
      })
      .execute();
    statusChanges.push({ marketplaceId: m.marketplaceId, from: previous, to: status });
  }

  const latest = {
    account_status: status ?? previous,
    status_since: changed ? input.capturedAt : (current?.status_since ?? null),
    ahr_status: m.ahrStatus,
    ahr_score: m.ahrScore,
    ahr_band: m.ahrBand,
    last_report_at: input.capturedAt,
  };
  await tx
    .insertInto('account_marketplaces')
    .values({ account_id: input.accountId, marketplace_id: m.marketplaceId, ...latest })
    .onConflict((oc) => oc.columns(['account_id', 'marketplace_id']).doUpdateSet(latest))
    .execute();
}

async function recordWarningStates(
  tx: Transaction<DB>,
  input: IngestInput,
  m: MarketplaceHealth,
): Promise<void> {
  const seen = new Set<string>();
  for (const w of m.warningStates) {
    if (seen.has(w.type)) continue;
    seen.add(w.type);
    await tx
      .insertInto('warning_states')
      .values({
        account_id: input.accountId,
        marketplace_id: m.marketplaceId,
        warning_type: w.type,
        status: w.status,
        first_seen_at: input.capturedAt,
        last_seen_at: input.capturedAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'marketplace_id', 'warning_type'])
          .where('cleared_at', 'is', null)
          .doUpdateSet({ status: w.status, last_seen_at: input.capturedAt }),
      )
      .execute();
  }
  // A warning absent from a newer report has cleared.
  let clear = tx
    .updateTable('warning_states')
    .set({ cleared_at: input.capturedAt })
    .where('account_id', '=', input.accountId)
    .where('marketplace_id', '=', m.marketplaceId)
    .where('cleared_at', 'is', null)
    .where('last_seen_at', '<', input.capturedAt);
  if (seen.size > 0) clear = clear.where('warning_type', 'not in', [...seen]);
  await clear.execute();
}

/** Reports whose alerts have not been evaluated yet, oldest first: the alert engine's durable queue. */
export async function pendingEvaluations(db: Kysely<DB>, limit = 100) {
  return db
    .selectFrom('report_documents')
    .select(['id', 'account_id', 'captured_at'])
    .where('evaluation_pending', '=', true)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Marks a report evaluated; the alert engine calls this in the transaction that writes its alerts. */
export async function markEvaluated(
  db: Kysely<DB> | Transaction<DB>,
  reportDocumentId: string,
): Promise<void> {
  await db
    .updateTable('report_documents')
    .set({ evaluation_pending: false, evaluated_at: sql<Date>`now()` })
    .where('id', '=', reportDocumentId)
    .execute();
}
