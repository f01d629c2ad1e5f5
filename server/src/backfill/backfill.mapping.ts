import type { z } from 'zod';
import type { BackfillJob as BackfillJobRow } from './backfill.repository.ts';
import type { BackfillJob } from './backfill.schemas.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function jobRowToJob(row: BackfillJobRow): z.infer<typeof BackfillJob> {
  return {
    id: row.id,
    accountId: row.account_id,
    trigger: row.trigger,
    status: row.status,
    marketplaceIds: row.marketplace_ids,
    from: row.from_day,
    to: row.to_day,
    daysTotal: row.days_total,
    daysDone: row.days_done,
    linesStored: row.lines_stored,
    linesSkipped: row.lines_skipped,
    chunksTotal: row.chunks_total,
    chunksDone: row.status === 'done' ? row.chunks_total : row.chunk_index,
    queryId: row.query_id,
    documentId: row.document_id,
    error: row.error,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'running' || row.status === 'queued' ? iso(row.not_before) : null,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    updatedAt: row.updated_at.toISOString(),
  };
}
