import type { PendingReportRow } from '../db/schema.ts';
import type { SpApiClient } from '../spapi/client.ts';
import {
  AuthRevokedError,
  MalformedDocumentError,
  ReportFailedError,
  SpApiAbortedError,
  SpApiError,
} from '../spapi/errors.ts';
import { parseReportBytes, ReportFormatError } from '../reports/parse-seller-performance.ts';
import { ingestReport, type IngestInput } from '../ingest/ingest-report.ts';
import {
  addPendingReport,
  dueForCheck,
  scheduleNextCheck,
  settleReport,
} from './pending-reports.repository.ts';
import type { PollDeps } from './poll-deps.ts';

// Asking Amazon for an account's reports, and looking at them again later: each call is one short step that holds
// a poll slot only while it talks to Amazon or the database. Between steps the report waits in pending_reports.
//
// One report for all of the account's marketplaces (the report is designed for several); Amazon has been seen to
// refuse several marketplaces in one request, or to answer for only one (docs/report-formats.md §(c)
// "Marketplaces"), so each marketplace left out is then asked alone.

/** Amazon's getReport advice is to back off; the interval grows ×1.5 up to this. */
const MAX_CHECK_INTERVAL_MS = 60_000;

export interface StepContext {
  deps: PollDeps;
  accountId: string;
  runId: string;
  /** The claim this step holds: every write to the run and its reports names it. */
  stepToken: string;
  client: SpApiClient;
  signal: AbortSignal;
  /** Passed to ingest: throws inside its transaction when this step no longer holds the account. */
  guard: NonNullable<IngestInput['guard']>;
  phase(name: 'requesting_report' | 'checking_report' | 'downloading' | 'ingesting'): Promise<void>;
  time<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface RequestOptions {
  /** Look for a recent report to reuse before asking for a new one. */
  lookUpRecentReport: boolean;
  /** Recent reports that failed this account (bad document, stuck): never reused. */
  avoidReportIds: ReadonlySet<string>;
}

/**
 * Asks for a report for all the marketplaces, and records it as pending. When Amazon refuses several marketplaces
 * in one request, each is asked alone.
 */
export async function requestReports(
  ctx: StepContext,
  marketplaceIds: string[],
  options: RequestOptions,
): Promise<void> {
  try {
    await requestOne(ctx, marketplaceIds, false, options);
  } catch (err) {
    if (!(marketplaceIds.length > 1 && err instanceof SpApiError && err.status === 400)) throw err;
    ctx.deps.log.info(
      { accountId: ctx.accountId },
      'Amazon refused a report for several marketplaces; asking one by one',
    );
    await requestAlone(ctx, marketplaceIds, options);
  }
}

/**
 * Asks for one report per marketplace. A marketplace Amazon will not report on is left out (the run says it is
 * missing), unless none could be asked at all: then the run fails with the first reason.
 */
export async function requestAlone(
  ctx: StepContext,
  marketplaceIds: string[],
  options: RequestOptions,
): Promise<void> {
  let first: unknown;
  let asked = 0;
  for (const id of marketplaceIds) {
    try {
      await requestOne(ctx, [id], true, options);
      asked += 1;
    } catch (err) {
      if (ctx.signal.aborted || err instanceof AuthRevokedError || !(err instanceof SpApiError)) throw err;
      ctx.deps.log.warn(
        { accountId: ctx.accountId, marketplaceId: id, err },
        'report for one marketplace failed',
      );
      first ??= err;
    }
  }
  if (asked === 0 && first !== undefined) throw first;
}

async function requestOne(
  ctx: StepContext,
  marketplaceIds: string[],
  alone: boolean,
  options: RequestOptions,
): Promise<void> {
  const { settings, db } = ctx.deps;
  await ctx.phase('requesting_report');
  const requested = await ctx.time('request', () =>
    ctx.client.requestSellerPerformanceReport(marketplaceIds, {
      signal: ctx.signal,
      reuseWithinMs: options.lookUpRecentReport ? settings.reuseWithinMs : 0,
      avoidReportIds: options.avoidReportIds,
    }),
  );
  await addPendingReport(db, ctx.stepToken, {
    runId: ctx.runId,
    accountId: ctx.accountId,
    amazonReportId: requested.reportId,
    marketplaceIds,
    reused: requested.reused,
    alone,
    status: requested.status,
    firstCheckInMs: settings.reportPollIntervalMs,
  });
}

/** Looks again at every pending report that is due, collecting those Amazon has finished. */
export async function checkDueReports(ctx: StepContext, rows: PendingReportRow[]): Promise<void> {
  for (const row of dueForCheck(rows, new Date())) await checkOne(ctx, row);
}

async function checkOne(ctx: StepContext, row: PendingReportRow): Promise<void> {
  const { db, settings } = ctx.deps;
  const waitedMs = Date.now() - row.requested_at.getTime();
  await ctx.phase('checking_report');
  let progress;
  try {
    progress = await ctx.time('check', () =>
      ctx.client.checkReport(row.amazon_report_id, { signal: ctx.signal }),
    );
  } catch (err) {
    if (!(err instanceof ReportFailedError)) throw err;
    await settleReport(db, ctx.stepToken, row.id, {
      state: err.status === 'CANCELLED' ? 'cancelled' : 'failed',
      lastStatus: err.status,
      errorCode: err.code,
      errorMessage: err.message,
    });
    return;
  }
  if (progress.status !== 'DONE') {
    if (waitedMs >= settings.reportDeadlineMs) {
      // A report stuck in Amazon's queue is not waited on again: the next poll asks for another.
      await settleReport(db, ctx.stepToken, row.id, {
        state: 'stuck',
        lastStatus: progress.status,
        errorCode: 'REPORT_TIMEOUT',
        errorMessage: `Report ${row.amazon_report_id} still ${progress.status} after ${Math.round(waitedMs / 1000)} s`,
      });
    } else {
      await scheduleNextCheck(db, ctx.stepToken, row.id, {
        lastStatus: progress.status,
        maxIntervalMs: MAX_CHECK_INTERVAL_MS,
      });
    }
    return;
  }

  const report = {
    reportId: progress.reportId,
    reportDocumentId: progress.reportDocumentId,
    marketplaceIds: row.marketplace_ids,
  };
  const capturedAt = new Date(progress.processingEndTime ?? progress.createdTime ?? Date.now());
  let bytes: Buffer;
  let parsed: IngestInput['parsed'];
  await ctx.phase('downloading');
  try {
    bytes = (await ctx.time('download', () => ctx.client.downloadReport(report, { signal: ctx.signal })))
      .bytes;
    parsed = parse(bytes);
  } catch (err) {
    if (!(err instanceof MalformedDocumentError)) throw err;
    // The bytes could not even be decoded: kept as a malformed document, so nothing Amazon sent is lost.
    bytes = err.raw;
    parsed = { ok: false, error: err.message };
  }
  await ctx.phase('ingesting');
  await ctx.time('ingest', () =>
    ingestReport(db, {
      accountId: ctx.accountId,
      bytes,
      amazonReportId: report.reportId,
      amazonDocumentId: report.reportDocumentId,
      marketplaceIds: row.marketplace_ids,
      capturedAt,
      parsed,
      guard: ctx.guard,
      // In the same commit as the document: a crash between the two cannot collect the report twice.
      onStored: (tx, stored) =>
        settleReport(tx, ctx.stepToken, row.id, {
          state: parsed.ok ? 'ingested' : 'malformed',
          lastStatus: 'DONE',
          errorCode: parsed.ok ? null : 'REPORT_MALFORMED',
          errorMessage: parsed.ok ? null : parsed.error,
          reportDocumentId: stored.reportDocumentId,
          covered: parsed.ok ? parsed.report.marketplaces.map((m) => m.marketplaceId) : [],
          snapshotsWritten: stored.snapshotsWritten,
          isNew: stored.isNew,
          capturedAt,
        }),
    }),
  );
}

/**
 * After the report for several marketplaces is in: the marketplaces it left out, to ask alone. Only once per run,
 * and never after a document that did not parse (asking again marketplace by marketplace would not mend it).
 */
export function marketplacesToAskAlone(rows: PendingReportRow[]): string[] {
  if (rows.some((r) => r.alone)) return [];
  const main = rows.find((r) => !r.alone);
  if (!main || main.state !== 'ingested' || main.marketplace_ids.length < 2) return [];
  return main.marketplace_ids.filter((m) => !main.covered.includes(m));
}

export function isShutdown(err: unknown, signal: AbortSignal): boolean {
  return err instanceof SpApiAbortedError || signal.aborted;
}

function parse(bytes: Buffer): IngestInput['parsed'] {
  try {
    return { ok: true, report: parseReportBytes(bytes) };
  } catch (err) {
    if (err instanceof ReportFormatError) return { ok: false, error: err.message };
    throw err;
  }
}
