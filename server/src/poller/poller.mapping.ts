import type { z } from 'zod';
import type { PollRunRow } from '../db/schema.ts';
import type { PollRun } from './poller.schemas.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function pollRunRowToPollRun(row: PollRunRow): z.infer<typeof PollRun> {
  return {
    id: row.id,
    accountId: row.account_id,
    trigger: row.trigger,
    status: row.status,
    phase: row.phase,
    outcome: row.outcome,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    queuedAt: row.queued_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms,
    spapiCalls: row.spapi_calls,
    throttles: row.throttles,
    bytes: row.bytes,
    reportReused: row.report_reused,
    snapshotsWritten: row.snapshots_written,
  };
}
