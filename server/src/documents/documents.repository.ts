import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

// Raw report documents: every document exactly as Amazon sent it, kept gzip-compressed (as Amazon serves them),
// deduplicated by hash, with its parse outcome and the alert engine's hand-off flag. Bodies older than the
// retention are pruned; the row (hash, ids, parse notes) and every figure parsed from it stay.

type Db = Kysely<DB> | Transaction<DB>;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface DocumentInput {
  accountId: string;
  reportType: string;
  /** The document bytes, uncompressed. */
  bytes: Buffer;
  amazonReportId: string | null;
  amazonDocumentId: string | null;
  marketplaceIds: string[];
  capturedAt: Date;
  parsed: { ok: true; notes: string[] } | { ok: false; error: string };
}

interface StoredDocument {
  id: string;
  /** True when this call stored it, or replayed a once-malformed copy that now parses: figures are to be written. */
  isNew: boolean;
}

/**
 * Stores a document unless the same bytes are stored already. The same bytes once kept as malformed that now parse
 * (the parser learned a new variant) are marked parsed and reported new, so what Amazon sent then is not lost.
 */
export async function storeDocument(tx: Transaction<DB>, input: DocumentInput): Promise<StoredDocument> {
  const hash = sha256(input.bytes);
  const inserted = await tx
    .insertInto('report_documents')
    .values({
      account_id: input.accountId,
      report_type: input.reportType,
      sha256: hash,
      amazon_report_id: input.amazonReportId,
      amazon_document_id: input.amazonDocumentId,
      marketplace_ids: input.marketplaceIds,
      byte_size: input.bytes.length,
      body_gzip: gzipSync(input.bytes),
      parse_status: input.parsed.ok ? 'parsed' : 'malformed',
      parse_error: input.parsed.ok ? null : input.parsed.error,
      parse_notes: JSON.stringify(input.parsed.ok ? input.parsed.notes : []),
      captured_at: input.capturedAt,
      evaluation_pending: input.parsed.ok,
    })
    .onConflict((oc) => oc.columns(['account_id', 'sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, isNew: true };

  const existing = await tx
    .selectFrom('report_documents')
    .select(['id', 'parse_status'])
    .where('account_id', '=', input.accountId)
    .where('sha256', '=', hash)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (!(existing.parse_status === 'malformed' && input.parsed.ok)) return { id: existing.id, isNew: false };
  await tx
    .updateTable('report_documents')
    .set({
      parse_status: 'parsed',
      parse_error: null,
      parse_notes: JSON.stringify(input.parsed.notes),
      evaluation_pending: true,
    })
    .where('id', '=', existing.id)
    .execute();
  return { id: existing.id, isNew: true };
}

/** The document's bytes, uncompressed; null when its body was pruned or it does not exist. */
export async function readDocumentBody(db: Db, id: string): Promise<Buffer | null> {
  const row = await db
    .selectFrom('report_documents')
    .select('body_gzip')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.body_gzip ? gunzipSync(row.body_gzip) : null;
}

/** Reports whose alerts have not been evaluated yet, oldest first: the alert engine's durable queue. */
export async function pendingEvaluations(db: Db, limit = 100) {
  return db
    .selectFrom('report_documents')
    .select(['id', 'account_id', 'captured_at'])
    .where('evaluation_pending', '=', true)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Marks a report evaluated; the alert engine calls this in the transaction that writes its alerts. */
export async function markEvaluated(db: Db, reportDocumentId: string): Promise<void> {
  await db
    .updateTable('report_documents')
    .set({ evaluation_pending: false, evaluated_at: sql<Date>`now()` })
    .where('id', '=', reportDocumentId)
    .execute();
}

interface PruneOptions {
  /** Bodies of documents captured before this are dropped. */
  capturedBefore: Date;
  /** Rows per statement, so a large backlog never holds locks for long. */
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * Drops the raw bodies of documents captured before the cutoff, in batches. The alert engine reads the parsed
 * figures, not the bodies, so a document waiting for it can be pruned too. Safe to run from several instances at
 * once (SKIP LOCKED).
 */
export async function pruneRawBodies(db: Kysely<DB>, options: PruneOptions): Promise<number> {
  const batch = options.batchSize ?? 1_000;
  let pruned = 0;
  while (!options.signal?.aborted) {
    const result = await sql`
      update report_documents set body_gzip = null, pruned_at = now()
      where id in (
        select id from report_documents
        where body_gzip is not null and captured_at < ${options.capturedBefore}
        limit ${batch}
        for update skip locked
      )`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    pruned += n;
    if (n < batch) break;
  }
  return pruned;
}
