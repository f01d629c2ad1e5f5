import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ParsedReport } from '../reports/types.ts';
import { SELLER_PERFORMANCE_REPORT_TYPE } from '../spapi/client.ts';
import { storeDocument } from '../documents/documents.repository.ts';
import { lockMarketplaceState, setMarketplaceLatest } from '../accounts/accounts.repository.ts';
import {
  recordStatusChange,
  recordWarningStates,
  writeHealthSnapshot,
  type StatusChange,
} from '../metrics/metrics.repository.ts';

// Ingest one downloaded report document in one transaction: the raw bytes (deduplicated by hash), the snapshots,
// status history, warning states, the latest-state rows and the alert hand-off. Either all of it lands or none:
// a crash mid-ingest leaves nothing half-written, and the next poll simply does it again. Each table is written
// by the feature that owns it; this module only orders the calls.

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
  /** Runs first inside the transaction and throws to write nothing (the poller checks it still holds the account). */
  guard?: (tx: Transaction<DB>) => Promise<void>;
  /** Runs last inside the transaction: the poller records the report as collected in the same commit. */
  onStored?: (tx: Transaction<DB>, result: IngestResult) => Promise<void>;
}

export interface IngestResult {
  reportDocumentId: string;
  /** False when this exact document was already stored: nothing else was written. */
  isNew: boolean;
  snapshotsWritten: number;
  statusChanges: StatusChange[];
}

export async function ingestReport(db: Kysely<DB>, input: IngestInput): Promise<IngestResult> {
  return db.transaction().execute(async (tx) => {
    await input.guard?.(tx);
    const document = await storeDocument(tx, {
      accountId: input.accountId,
      reportType: SELLER_PERFORMANCE_REPORT_TYPE,
      bytes: input.bytes,
      amazonReportId: input.amazonReportId,
      amazonDocumentId: input.amazonDocumentId,
      marketplaceIds: input.marketplaceIds,
      capturedAt: input.capturedAt,
      parsed: input.parsed.ok ? { ok: true, notes: input.parsed.report.notes } : input.parsed,
    });
    const result: IngestResult = {
      reportDocumentId: document.id,
      isNew: document.isNew,
      snapshotsWritten: 0,
      statusChanges: [],
    };
    if (!document.isNew || !input.parsed.ok) {
      await input.onStored?.(tx, result);
      return result;
    }

    for (const health of input.parsed.report.marketplaces) {
      const written = await writeHealthSnapshot(tx, {
        accountId: input.accountId,
        capturedAt: input.capturedAt,
        source: 'report',
        granularity: 'snapshot',
        reportDocumentId: document.id,
        health,
      });
      result.snapshotsWritten += written.figuresWritten;

      // Locked, so two ingests of the same account cannot both record the same change.
      const current = await lockMarketplaceState(tx, input.accountId, health.marketplaceId);
      // An older report arriving late must not overwrite the newer latest state.
      if (current?.last_report_at && current.last_report_at.getTime() > input.capturedAt.getTime()) continue;

      const previous = current?.account_status ?? null;
      const changed = health.accountStatus !== null && health.accountStatus !== previous;
      if (changed) {
        const change = { marketplaceId: health.marketplaceId, from: previous, to: health.accountStatus! };
        await recordStatusChange(tx, input.accountId, change, input.capturedAt, document.id);
        result.statusChanges.push(change);
      }
      await setMarketplaceLatest(tx, input.accountId, health.marketplaceId, {
        account_status: health.accountStatus ?? previous,
        status_since: changed ? input.capturedAt : (current?.status_since ?? null),
        ahr_status: health.ahrStatus,
        ahr_score: health.ahrScore,
        ahr_band: health.ahrBand,
        last_report_at: input.capturedAt,
        // A re-serialized copy of a report already stored has no snapshot of its own: keep pointing at the first.
        ...(written.snapshotId ? { latest_snapshot_id: written.snapshotId } : {}),
      });
      await recordWarningStates(tx, input.accountId, health, input.capturedAt);
    }
    await input.onStored?.(tx, result);
    return result;
  });
}
