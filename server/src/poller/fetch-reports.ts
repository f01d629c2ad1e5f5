import type { SpApiClient, SellerPerformanceReportResult } from '../spapi/client.ts';
import { AuthRevokedError, SpApiError } from '../spapi/errors.ts';
import { parseReportBytes, ReportFormatError } from '../reports/parse-seller-performance.ts';
import { ingestReport, type IngestInput, type IngestResult } from '../ingest/ingest-report.ts';
import type { PollDeps } from './poll-deps.ts';

// Fetching an account's reports and ingesting each as it arrives. One report for all of the account's
// marketplaces (the report is designed for several); Amazon has been seen to refuse several marketplaces in one
// request, or to answer for only one (docs/report-formats.md §(c) "Marketplaces"), so each marketplace left out
// is then asked alone.

export interface FetchContext {
  deps: PollDeps;
  accountId: string;
  client: SpApiClient;
  signal: AbortSignal;
  /** Look for a recent report to reuse before asking for a new one. */
  lookUpRecentReport: boolean;
  /** Recent reports that failed this account (bad document, stuck): never reused. */
  avoidReportIds: ReadonlySet<string>;
  /** Called before each fetch and ingest, to show the run's progress. */
  phase(name: 'fetching_report' | 'ingesting'): Promise<void>;
  /** Passed to ingest: throws inside its transaction when this poll no longer holds the account. */
  guard: IngestInput['guard'];
  time<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface Fetched {
  report: SellerPerformanceReportResult;
  parsed: IngestInput['parsed'];
  capturedAt: Date;
  ingest: IngestResult;
  /** Marketplaces the document has data for. */
  covered: string[];
}

export async function fetchReports(ctx: FetchContext, marketplaceIds: string[]): Promise<Fetched[]> {
  const { deps, accountId, signal } = ctx;
  let fetched: Fetched[];
  try {
    fetched = [await fetchOne(ctx, marketplaceIds)];
  } catch (err) {
    if (!(marketplaceIds.length > 1 && err instanceof SpApiError && err.status === 400)) throw err;
    deps.log.info({ accountId }, 'Amazon refused a report for several marketplaces; asking one by one');
    fetched = [];
  }
  // A document that does not parse ends the poll: asking again marketplace by marketplace would not mend it.
  if (fetched[0] && !fetched[0].parsed.ok) return fetched;

  const covered = new Set(fetched.flatMap((f) => f.covered));
  for (const id of marketplaceIds.filter((m) => !covered.has(m))) {
    try {
      fetched.push(await fetchOne(ctx, [id]));
    } catch (err) {
      // With data already stored for some marketplaces, one that fails is reported missing by the caller; with
      // nothing stored yet, the poll fails as a whole.
      if (fetched.length === 0 || signal.aborted || err instanceof AuthRevokedError) throw err;
      deps.log.warn({ accountId, marketplaceId: id, err }, 'report for one marketplace failed');
    }
  }
  return fetched;
}

async function fetchOne(ctx: FetchContext, marketplaceIds: string[]): Promise<Fetched> {
  const { settings, db } = ctx.deps;
  await ctx.phase('fetching_report');
  const report = await ctx.time('fetch', () =>
    ctx.client.fetchSellerPerformanceReport(marketplaceIds, {
      signal: ctx.signal,
      deadlineMs: settings.reportDeadlineMs,
      pollIntervalMs: settings.reportPollIntervalMs,
      reuseWithinMs: ctx.lookUpRecentReport ? settings.reuseWithinMs : 0,
      avoidReportIds: ctx.avoidReportIds,
    }),
  );
  await ctx.phase('ingesting');
  const parsed = parse(report.bytes);
  const capturedAt = new Date(report.processingEndTime ?? report.createdTime ?? Date.now());
  const ingest = await ctx.time('ingest', () =>
    ingestReport(db, {
      accountId: ctx.accountId,
      bytes: report.bytes,
      amazonReportId: report.reportId,
      amazonDocumentId: report.reportDocumentId,
      marketplaceIds,
      capturedAt,
      parsed,
      guard: ctx.guard,
    }),
  );
  const covered = parsed.ok ? parsed.report.marketplaces.map((m) => m.marketplaceId) : [];
  return { report, parsed, capturedAt, ingest, covered };
}

function parse(bytes: Buffer): IngestInput['parsed'] {
  try {
    return { ok: true, report: parseReportBytes(bytes) };
  } catch (err) {
    if (err instanceof ReportFormatError) return { ok: false, error: err.message };
    throw err;
  }
}
