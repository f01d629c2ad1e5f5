import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB, PollTrigger, SellerAccountRow, SellerAccountUpdate } from '../db/schema.ts';
import { parseReportBytes, ReportFormatError } from '../reports/parse-seller-performance.ts';
import {
  AuthRevokedError,
  MalformedDocumentError,
  ReportFailedError,
  ReportTimeoutError,
  SpApiAbortedError,
  SpApiError,
} from '../spapi/errors.ts';
import {
  pollableMarketplaceIds,
  releaseAccount,
  renewLease,
  upsertMarketplaces,
} from '../accounts/accounts.repository.ts';
import {
  abandonOrphanedRuns,
  failQueuedRuns,
  findQueuedRun,
  finishRun,
  lastFinishedStatus,
  setPhase,
  startRun,
  type RunCounters,
} from './poll-runs.repository.ts';
import { ingestReport, type IngestInput } from './ingest.ts';
import { nextSlot, retryAt } from './schedule.ts';
import type { SpApiClients } from './spapi-clients.ts';

// One poll of one account: the idempotent unit the scheduler, the API and the CLI all run. It is recorded as a
// poll run with its timings and counters, and always gives the account back with its next due time.

/** Failures in a row after which an account is shown as degraded. */
const DEGRADED_AFTER_FAILURES = 3;
/** Backoff step for a report stuck in Amazon's queue: retried 4 to 8 minutes later. */
const STUCK_RETRY_STEP = 3;

export interface PollSettings {
  instanceId: string;
  cron: string;
  leaseSeconds: number;
  reportDeadlineMs: number;
  /** First getReport poll interval; the client backs off from there. */
  reportPollIntervalMs: number;
  /** Reuse a report Amazon made within this window rather than creating another. */
  reuseWithinMs: number;
}

export interface PollDeps {
  db: Kysely<DB>;
  clients: SpApiClients;
  settings: PollSettings;
  log: FastifyBaseLogger;
}

export interface PollSummary {
  runId: string;
  accountId: string;
  status: 'succeeded' | 'failed' | 'abandoned';
  outcome: string;
  errorCode: string | null;
  errorMessage: string | null;
  counters: RunCounters;
  durationMs: number;
  snapshotsWritten: number;
  reportReused: boolean | null;
  isNewReport: boolean;
}

export async function pollAccount(
  deps: PollDeps,
  account: SellerAccountRow,
  trigger: PollTrigger,
  shutdown: AbortSignal,
): Promise<PollSummary> {
  const { db, clients, settings, log } = deps;
  const started = performance.now();
  const timings: Record<string, number> = {};
  const counters: RunCounters = { calls: 0, throttles: 0, bytes: 0 };

  await abandonOrphanedRuns(db, account.id);
  // A scheduled poll after a clean one cannot find a reusable report (the last was hours ago and was used), so
  // it skips the getReports look-up. After a failure, a timeout or an interrupted poll, or when a person asks,
  // the look-up may find a report already made or still in Amazon's queue and save a createReport.
  // A dispatched poll that serves a queued refresh is a person's request all the same.
  const asked = (await findQueuedRun(db, account.id))?.trigger ?? trigger;
  const lookUpRecentReport =
    asked !== 'schedule' || (await lastFinishedStatus(db, account.id)) !== 'succeeded';
  const run = await startRun(db, account.id, trigger, settings.instanceId);
  const stopObserving = clients.observe(account.id, (event) => {
    if (event.operation !== 'token') counters.calls += 1;
    if (event.outcome === 'throttled') counters.throttles += 1;
    if (event.bytes) counters.bytes += event.bytes;
  });
  // Keep the lease alive while Amazon takes its time. If another instance took the account over anyway (this
  // one stalled past its lease), stop at once rather than poll the same seller twice.
  const leaseLost = new AbortController();
  const signal = AbortSignal.any([shutdown, leaseLost.signal]);
  const renewEvery = Math.max(1_000, (settings.leaseSeconds * 1000) / 3);
  const renewal = setInterval(() => {
    renewLease(db, account.id, settings.instanceId, settings.leaseSeconds).then(
      (held) => {
        if (!held) leaseLost.abort();
      },
      (err: unknown) => log.warn({ err, accountId: account.id }, 'could not renew the poll lease'),
    );
  }, renewEvery);

  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + Math.round(performance.now() - t0);
    }
  };

  let summary: PollSummary;
  try {
    const client = clients.forAccount(account);
    let marketplaceIds = await pollableMarketplaceIds(db, account.id);
    if (marketplaceIds.length === 0) {
      await setPhase(db, run.id, 'listing_marketplaces', counters);
      const participations = await time('marketplaces', () => client.getMarketplaceParticipations());
      await upsertMarketplaces(db, account.id, participations);
      marketplaceIds = await pollableMarketplaceIds(db, account.id);
      if (marketplaceIds.length === 0) throw new NothingToPollError();
    }

    const fetchOne = async (ids: string[]) => {
      await setPhase(db, run.id, 'fetching_report', counters);
      const report = await time('fetch', () =>
        client.fetchSellerPerformanceReport(ids, {
          signal,
          deadlineMs: settings.reportDeadlineMs,
          pollIntervalMs: settings.reportPollIntervalMs,
          reuseWithinMs: lookUpRecentReport ? settings.reuseWithinMs : 0,
        }),
      );
      await setPhase(db, run.id, 'ingesting', counters);
      const parsed = parse(report.bytes);
      const capturedAt = new Date(report.processingEndTime ?? report.createdTime ?? Date.now());
      const ingest = await time('ingest', () =>
        ingestReport(db, {
          accountId: account.id,
          bytes: report.bytes,
          amazonReportId: report.reportId,
          amazonDocumentId: report.reportDocumentId,
          marketplaceIds: ids,
          capturedAt,
          parsed,
        }),
      );
      const covered = parsed.ok ? parsed.report.marketplaces.map((m) => m.marketplaceId) : [];
      return { report, parsed, capturedAt, ingest, covered };
    };

    // One report for all of the account's marketplaces (the report is designed for several). Amazon has been
    // seen to refuse several marketplaces or to answer for only one: then each missing one is asked alone.
    let fetched: Array<Awaited<ReturnType<typeof fetchOne>>>;
    try {
      fetched = [await fetchOne(marketplaceIds)];
    } catch (err) {
      if (!(marketplaceIds.length > 1 && err instanceof SpApiError && err.status === 400)) throw err;
      log.info(
        { accountId: account.id },
        'Amazon refused a report for several marketplaces; asking one by one',
      );
      fetched = [];
    }
    const first = fetched[0];
    if (!first || first.parsed.ok) {
      const covered = new Set(fetched.flatMap((f) => f.covered));
      for (const id of marketplaceIds.filter((m) => !covered.has(m))) {
        try {
          fetched.push(await fetchOne([id]));
        } catch (err) {
          // With data already stored for some marketplaces, one that fails is reported as missing below;
          // with nothing stored yet, the poll fails as a whole.
          if (fetched.length === 0 || signal.aborted || err instanceof AuthRevokedError) throw err;
          log.warn({ accountId: account.id, marketplaceId: id, err }, 'report for one marketplace failed');
        }
      }
    }

    const malformed = fetched.find((f) => !f.parsed.ok);
    const last = fetched.at(-1)!;
    const snapshotsWritten = fetched.reduce((n, f) => n + f.ingest.snapshotsWritten, 0);
    const isNew = fetched.some((f) => f.ingest.isNew);
    const missing = marketplaceIds.filter((m) => !fetched.some((f) => f.covered.includes(m)));
    const reportFields = {
      reportReused: fetched.every((f) => f.report.reused),
      amazonReportId: last.report.reportId,
      reportDocumentId: last.ingest.reportDocumentId,
    };

    if (malformed && !malformed.parsed.ok) {
      summary = await fail(deps, account, run.id, {
        code: 'REPORT_MALFORMED',
        message: malformed.parsed.error,
        counters,
        timings,
        started,
        ...reportFields,
        reportReused: malformed.report.reused,
        amazonReportId: malformed.report.reportId,
        reportDocumentId: malformed.ingest.reportDocumentId,
      });
    } else {
      const durationMs = performance.now() - started;
      const outcome = isNew ? 'ingested' : 'unchanged';
      await finishRun(db, run.id, {
        status: 'succeeded',
        outcome,
        // Not a failure, but worth seeing: the report did not cover every marketplace asked for.
        errorCode: missing.length > 0 ? 'MARKETPLACES_MISSING' : null,
        errorMessage: missing.length > 0 ? `the report has no data for ${missing.join(', ')}` : null,
        counters,
        timings,
        durationMs,
        ...reportFields,
        snapshotsWritten,
      });
      await releaseAccount(db, account.id, settings.instanceId, {
        connection_state: 'connected',
        connection_error: null,
        consecutive_failures: 0,
        last_success_at: new Date(Math.min(...fetched.map((f) => f.capturedAt.getTime()))),
        next_poll_at: await nextDue(db, account.id, nextSlot(settings.cron, account.id, new Date())),
      });
      summary = {
        runId: run.id,
        accountId: account.id,
        status: 'succeeded',
        outcome,
        errorCode: null,
        errorMessage: null,
        counters,
        durationMs,
        snapshotsWritten,
        reportReused: reportFields.reportReused,
        isNewReport: isNew,
      };
    }
  } catch (err) {
    summary = await handleFailure(deps, account, run.id, err, {
      counters,
      timings,
      started,
      signal,
      leaseLost: leaseLost.signal.aborted,
    });
  } finally {
    clearInterval(renewal);
    stopObserving();
  }
  return summary;
}

/**
 * When the account is next due: at `regular`, unless someone asked for a refresh while this poll ran, in which
 * case at once (their queued run is waiting for it).
 */
async function nextDue(db: PollDeps['db'], accountId: string, regular: Date): Promise<Date> {
  return (await findQueuedRun(db, accountId)) ? new Date() : regular;
}

function parse(bytes: Buffer): IngestInput['parsed'] {
  try {
    return { ok: true, report: parseReportBytes(bytes) };
  } catch (err) {
    if (err instanceof ReportFormatError) return { ok: false, error: err.message };
    throw err;
  }
}

class NothingToPollError extends Error {
  readonly code = 'NO_MARKETPLACES';
  constructor() {
    super('the account participates in no marketplace that is enabled for polling');
  }
}

interface FailureContext {
  counters: RunCounters;
  timings: Record<string, number>;
  started: number;
  signal: AbortSignal;
  leaseLost: boolean;
}

async function handleFailure(
  deps: PollDeps,
  account: SellerAccountRow,
  runId: string,
  err: unknown,
  ctx: FailureContext,
): Promise<PollSummary> {
  const { db, settings, log } = deps;
  // Shutting down (or the lease went to another instance): give the account back at once so another
  // instance, or the next start, polls it.
  if (err instanceof SpApiAbortedError || ctx.signal.aborted) {
    const durationMs = performance.now() - ctx.started;
    const code = ctx.leaseLost ? 'LEASE_LOST' : 'SHUTDOWN';
    const message = ctx.leaseLost
      ? 'another instance took this account over; this poll stopped'
      : 'the poller stopped before this poll finished; it will be polled again';
    await finishRun(db, runId, {
      status: 'abandoned',
      outcome: 'interrupted',
      errorCode: code,
      errorMessage: message,
      counters: ctx.counters,
      timings: ctx.timings,
      durationMs,
    });
    await releaseAccount(db, account.id, settings.instanceId, { next_poll_at: new Date() });
    return summaryOf(runId, account.id, 'abandoned', 'interrupted', code, message, ctx, durationMs);
  }

  // CANCELLED is Amazon's way of saying there is no data for the period (a seller with no orders yet): the
  // account is fine, and the next regular slot will ask again.
  if (err instanceof ReportFailedError && err.status === 'CANCELLED') {
    const durationMs = performance.now() - ctx.started;
    await finishRun(db, runId, {
      status: 'succeeded',
      outcome: 'no_data',
      errorCode: err.code,
      errorMessage: err.message,
      counters: ctx.counters,
      timings: ctx.timings,
      durationMs,
    });
    await releaseAccount(db, account.id, settings.instanceId, {
      connection_state: 'connected',
      connection_error: null,
      consecutive_failures: 0,
      next_poll_at: await nextDue(db, account.id, nextSlot(settings.cron, account.id, new Date())),
    });
    return summaryOf(runId, account.id, 'succeeded', 'no_data', err.code, err.message, ctx, durationMs);
  }

  if (err instanceof AuthRevokedError) {
    deps.clients.forget(account.id);
    const durationMs = performance.now() - ctx.started;
    await finishRun(db, runId, {
      status: 'failed',
      outcome: 'needs_reauthorization',
      errorCode: err.code,
      errorMessage: err.message,
      counters: ctx.counters,
      timings: ctx.timings,
      durationMs,
    });
    // Refreshes people queued meanwhile can never run now: close them with the reason, so nobody waits on them.
    await failQueuedRuns(
      db,
      account.id,
      err.code,
      'the account needs reauthorization before it can be polled',
    );
    await releaseAccount(db, account.id, settings.instanceId, {
      connection_state: 'needs_reauthorization',
      connection_error: 'Amazon revoked the authorization (invalid_grant): connect the account again',
      consecutive_failures: account.consecutive_failures + 1,
    });
    log.warn({ accountId: account.id, sellerId: account.seller_id }, 'account needs reauthorization');
    return summaryOf(
      runId,
      account.id,
      'failed',
      'needs_reauthorization',
      err.code,
      err.message,
      ctx,
      durationMs,
    );
  }

  if (err instanceof MalformedDocumentError) {
    // The bytes could not even be decoded: keep them as a malformed document so nothing Amazon sent is lost.
    const ingest = await ingestReport(db, {
      accountId: account.id,
      bytes: err.raw,
      amazonReportId: null,
      amazonDocumentId: null,
      marketplaceIds: [],
      capturedAt: new Date(),
      parsed: { ok: false, error: err.message },
    });
    return fail(deps, account, runId, {
      code: 'REPORT_MALFORMED',
      message: err.message,
      ...ctx,
      reportDocumentId: ingest.reportDocumentId,
    });
  }

  const code =
    err instanceof SpApiError ? err.code : err instanceof NothingToPollError ? err.code : 'INTERNAL_ERROR';
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof SpApiError) && !(err instanceof NothingToPollError)) {
    log.error({ err, accountId: account.id }, 'poll failed unexpectedly');
  }
  return fail(deps, account, runId, {
    code,
    message,
    ...ctx,
    // A report stuck in Amazon's queue is not a failure of the account: it is abandoned and retried later.
    status: err instanceof ReportTimeoutError ? 'abandoned' : 'failed',
  });
}

interface FailInput {
  code: string;
  message: string;
  counters: RunCounters;
  timings: Record<string, number>;
  started: number;
  status?: 'failed' | 'abandoned';
  reportReused?: boolean | null;
  amazonReportId?: string | null;
  reportDocumentId?: string | null;
}

async function fail(
  deps: PollDeps,
  account: SellerAccountRow,
  runId: string,
  f: FailInput,
): Promise<PollSummary> {
  const { db, settings } = deps;
  const durationMs = performance.now() - f.started;
  const status = f.status ?? 'failed';
  await finishRun(db, runId, {
    status,
    outcome: status === 'abandoned' ? 'retry_later' : 'error',
    errorCode: f.code,
    errorMessage: f.message,
    counters: f.counters,
    timings: f.timings,
    durationMs,
    reportReused: f.reportReused ?? null,
    amazonReportId: f.amazonReportId ?? null,
    reportDocumentId: f.reportDocumentId ?? null,
  });
  const now = new Date();
  const regular = nextSlot(settings.cron, account.id, now);
  let patch: SellerAccountUpdate;
  if (status === 'abandoned') {
    // Amazon being slow is not the account's failure: no count towards degraded. The report stays in Amazon's
    // queue, and the retry a few minutes later finds it with getReports instead of asking for another.
    patch = { next_poll_at: await nextDue(db, account.id, retryAt(STUCK_RETRY_STEP, now, regular)) };
  } else {
    const failures = account.consecutive_failures + 1;
    patch = {
      consecutive_failures: failures,
      connection_error: `${f.code}: ${f.message}`,
      next_poll_at: await nextDue(db, account.id, retryAt(failures, now, regular)),
    };
    if (failures >= DEGRADED_AFTER_FAILURES && account.connection_state === 'connected') {
      patch.connection_state = 'degraded';
    }
  }
  await releaseAccount(db, account.id, settings.instanceId, patch);
  return {
    runId,
    accountId: account.id,
    status,
    outcome: status === 'abandoned' ? 'retry_later' : 'error',
    errorCode: f.code,
    errorMessage: f.message,
    counters: f.counters,
    durationMs,
    snapshotsWritten: 0,
    reportReused: f.reportReused ?? null,
    isNewReport: false,
  };
}

function summaryOf(
  runId: string,
  accountId: string,
  status: PollSummary['status'],
  outcome: string,
  errorCode: string | null,
  errorMessage: string | null,
  ctx: FailureContext,
  durationMs: number,
): PollSummary {
  return {
    runId,
    accountId,
    status,
    outcome,
    errorCode,
    errorMessage,
    counters: ctx.counters,
    durationMs,
    snapshotsWritten: 0,
    reportReused: null,
    isNewReport: false,
  };
}
