import type { Transaction } from 'kysely';
import type { DB, PollTrigger, SellerAccountUpdate } from '../db/schema.ts';
import {
  AuthRevokedError,
  MalformedDocumentError,
  ReportFailedError,
  ReportTimeoutError,
  SpApiAbortedError,
  SpApiError,
} from '../spapi/errors.ts';
import { pollableMarketplaceIds, upsertMarketplaces } from '../accounts/accounts.repository.ts';
import { holdsLease, releaseAccount, renewLease, type ClaimedAccount } from './leases.repository.ts';
import {
  abandonOrphanedRuns,
  failQueuedRuns,
  findQueuedRun,
  finishRun,
  lastFinishedStatus,
  reportsNotToReuse,
  setPhase,
  startRun,
  type RunCounters,
} from './poll-runs.repository.ts';
import { ingestReport } from '../ingest/ingest-report.ts';
import { fetchReports, type Fetched } from './fetch-reports.ts';
import type { PollDeps } from './poll-deps.ts';

export type { PollDeps, PollSettings } from './poll-deps.ts';
import { nextSlot, retryAt } from './schedule.ts';

// One poll of one account: the idempotent unit the scheduler, the API and the CLI all run. It is recorded as a
// poll run with its timings and counters, and always gives the account back with its next due time.

/** Failures in a row after which an account is shown as degraded. */
const DEGRADED_AFTER_FAILURES = 3;
/** Backoff step for a report stuck in Amazon's queue: retried 4 to 8 minutes later. */
const STUCK_RETRY_STEP = 3;

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

/** What one run has gathered, for the record it ends with. */
interface RunContext {
  deps: PollDeps;
  account: ClaimedAccount;
  /** Throws inside an ingest transaction once this poll no longer holds the account. */
  guard: (tx: Transaction<DB>) => Promise<void>;
  runId: string;
  counters: RunCounters;
  timings: Record<string, number>;
  started: number;
}

export async function pollAccount(
  deps: PollDeps,
  account: ClaimedAccount,
  trigger: PollTrigger,
  shutdown: AbortSignal,
): Promise<PollSummary> {
  const { db, clients, settings, log } = deps;
  const started = performance.now();

  await abandonOrphanedRuns(db, account.id);
  // A scheduled poll after a clean one cannot find a reusable report (the last was hours ago and was used), so
  // it skips the getReports look-up. After a failure, a timeout or an interrupted poll, or when a person asks
  // (a dispatched poll serving a queued refresh counts), the look-up may find a report already made or still in
  // Amazon's queue, and save a createReport.
  const asked = (await findQueuedRun(db, account.id))?.trigger ?? trigger;
  const lookUpRecentReport =
    asked !== 'schedule' || (await lastFinishedStatus(db, account.id)) !== 'succeeded';
  const run = await startRun(db, account.id, trigger, settings.instanceId);
  const leaseLost = new AbortController();
  const ctx: RunContext = {
    deps,
    account,
    guard: async (tx) => {
      if (await holdsLease(tx, account.id, account.lease_token)) return;
      leaseLost.abort();
      throw new LeaseLostError();
    },
    runId: run.id,
    counters: { calls: 0, throttles: 0, bytes: 0 },
    timings: {},
    started,
  };
  const stopObserving = clients.observe(account.id, (event) => {
    if (event.operation !== 'token') ctx.counters.calls += 1;
    if (event.outcome === 'throttled') ctx.counters.throttles += 1;
    if (event.bytes) ctx.counters.bytes += event.bytes;
  });
  // Keep the lease alive while Amazon takes its time. If another poll took the account over anyway (this one
  // stalled past its lease, say through a database outage), stop at once rather than poll the same seller twice;
  // the fencing token also keeps this poll's ingest from landing once the account is someone else's.
  const signal = AbortSignal.any([shutdown, leaseLost.signal]);
  const renewal = setInterval(
    () => {
      renewLease(db, account.id, account.lease_token, settings.leaseSeconds).then(
        (held) => {
          if (!held) leaseLost.abort();
        },
        (err: unknown) => log.warn({ err, accountId: account.id }, 'could not renew the poll lease'),
      );
    },
    Math.max(1_000, (settings.leaseSeconds * 1000) / 3),
  );
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      ctx.timings[name] = (ctx.timings[name] ?? 0) + Math.round(performance.now() - t0);
    }
  };

  try {
    const client = clients.forAccount(account);
    let marketplaceIds = await pollableMarketplaceIds(db, account.id);
    if (marketplaceIds.length === 0) {
      await setPhase(db, run.id, 'listing_marketplaces', ctx.counters);
      await upsertMarketplaces(
        db,
        account.id,
        await time('marketplaces', () => client.getMarketplaceParticipations()),
      );
      marketplaceIds = await pollableMarketplaceIds(db, account.id);
      if (marketplaceIds.length === 0) throw new NothingToPollError();
    }
    const fetched = await fetchReports(
      {
        deps,
        accountId: account.id,
        client,
        signal,
        lookUpRecentReport,
        avoidReportIds: lookUpRecentReport
          ? await reportsNotToReuse(db, account.id, settings.reuseWithinMs)
          : new Set(),
        phase: (name) => setPhase(db, run.id, name, ctx.counters),
        time,
        guard: ctx.guard,
      },
      marketplaceIds,
    );
    return await endWithReports(ctx, marketplaceIds, fetched);
  } catch (err) {
    return await endWithError(ctx, err, signal, leaseLost.signal.aborted);
  } finally {
    clearInterval(renewal);
    stopObserving();
  }
}

class LeaseLostError extends Error {
  constructor() {
    super('this poll no longer holds the account');
  }
}

class NothingToPollError extends Error {
  readonly code = 'NO_MARKETPLACES';
  constructor() {
    super('the account participates in no marketplace that is enabled for polling');
  }
}

async function endWithReports(
  ctx: RunContext,
  marketplaceIds: string[],
  fetched: Fetched[],
): Promise<PollSummary> {
  const last = fetched.at(-1)!;
  const malformed = fetched.find((f) => !f.parsed.ok);
  if (malformed && !malformed.parsed.ok) {
    return end(ctx, {
      ...(await failurePatch(ctx, 'failed', 'REPORT_MALFORMED', malformed.parsed.error)),
      outcome: 'error',
      report: malformed,
    });
  }
  const missing = marketplaceIds.filter((m) => !fetched.some((f) => f.covered.includes(m)));
  const isNew = fetched.some((f) => f.ingest.isNew);
  return end(ctx, {
    status: 'succeeded',
    outcome: isNew ? 'ingested' : 'unchanged',
    // Not a failure, but worth seeing: the reports did not cover every marketplace asked for.
    errorCode: missing.length > 0 ? 'MARKETPLACES_MISSING' : null,
    errorMessage: missing.length > 0 ? `the report has no data for ${missing.join(', ')}` : null,
    report: last,
    reportReused: fetched.every((f) => f.report.reused),
    snapshotsWritten: fetched.reduce((n, f) => n + f.ingest.snapshotsWritten, 0),
    isNewReport: isNew,
    accountPatch: {
      connection_state: 'connected',
      connection_error: null,
      consecutive_failures: 0,
      last_success_at: new Date(Math.min(...fetched.map((f) => f.capturedAt.getTime()))),
      last_good_poll_at: new Date(),
      next_poll_at: await nextDue(ctx, nextSlot(ctx.deps.settings.cron, ctx.account.id, new Date())),
    },
  });
}

async function endWithError(
  ctx: RunContext,
  err: unknown,
  signal: AbortSignal,
  leaseLost: boolean,
): Promise<PollSummary> {
  const { deps, account } = ctx;
  // Shutting down (or the lease went to another instance): give the account back at once so another
  // instance, or the next start, polls it.
  if (err instanceof SpApiAbortedError || err instanceof LeaseLostError || signal.aborted) {
    return end(ctx, {
      status: 'abandoned',
      outcome: 'interrupted',
      errorCode: leaseLost ? 'LEASE_LOST' : 'SHUTDOWN',
      errorMessage: leaseLost
        ? 'this poll lost its claim on the account (its lease expired) and another poll took it over; nothing of this one was stored'
        : 'the poller stopped before this poll finished; it will be polled again',
      accountPatch: { next_poll_at: new Date() },
    });
  }

  // CANCELLED is Amazon's way of saying there is no data for the period (a seller with no orders yet): the
  // account is fine, and the next regular slot will ask again.
  if (err instanceof ReportFailedError && err.status === 'CANCELLED') {
    return end(ctx, {
      status: 'succeeded',
      outcome: 'no_data',
      amazonReportId: err.reportId,
      errorCode: err.code,
      errorMessage: err.message,
      accountPatch: {
        connection_state: 'connected',
        connection_error: null,
        consecutive_failures: 0,
        next_poll_at: await nextDue(ctx, nextSlot(deps.settings.cron, account.id, new Date())),
      },
    });
  }

  if (err instanceof AuthRevokedError) {
    deps.clients.forget(account.id);
    // Refreshes people queued meanwhile can never run now: close them with the reason, so nobody waits on them.
    await failQueuedRuns(
      deps.db,
      account.id,
      err.code,
      'the account needs reauthorization before it can be polled',
    );
    deps.log.warn({ accountId: account.id, sellerId: account.seller_id }, 'account needs reauthorization');
    return end(ctx, {
      status: 'failed',
      outcome: 'needs_reauthorization',
      errorCode: err.code,
      errorMessage: err.message,
      accountPatch: {
        connection_state: 'needs_reauthorization',
        connection_error: 'Amazon revoked the authorization (invalid_grant): connect the account again',
        consecutive_failures: account.consecutive_failures + 1,
      },
    });
  }

  if (err instanceof MalformedDocumentError) {
    // The bytes could not even be decoded: keep them as a malformed document so nothing Amazon sent is lost.
    const stored = await ingestReport(deps.db, {
      accountId: account.id,
      bytes: err.raw,
      amazonReportId: err.report?.reportId ?? null,
      amazonDocumentId: err.report?.reportDocumentId ?? null,
      marketplaceIds: err.report?.marketplaceIds ?? [],
      capturedAt: new Date(),
      parsed: { ok: false, error: err.message },
      guard: ctx.guard,
    });
    return end(ctx, {
      ...(await failurePatch(ctx, 'failed', 'REPORT_MALFORMED', err.message)),
      outcome: 'error',
      reportDocumentId: stored.reportDocumentId,
      ...(err.report ? { amazonReportId: err.report.reportId } : {}),
    });
  }

  const known = err instanceof SpApiError || err instanceof NothingToPollError;
  if (!known) deps.log.error({ err, accountId: account.id }, 'poll failed unexpectedly');
  // A report stuck in Amazon's queue is not the account's failure: the poll is abandoned and retried soon.
  const status = err instanceof ReportTimeoutError ? 'abandoned' : 'failed';
  const message = err instanceof Error ? err.message : String(err);
  const ending = await failurePatch(ctx, status, known ? err.code : 'INTERNAL_ERROR', message);
  if (err instanceof ReportTimeoutError) {
    // Not a failure of the account, but its data is late: say so where the account's state is shown.
    ending.accountPatch.connection_error =
      `${err.code}: Amazon has not finished report ${err.reportId} (${message}); ` +
      `asking again from ${ending.accountPatch.next_poll_at instanceof Date ? ending.accountPatch.next_poll_at.toISOString() : 'the next slot'}`;
  }
  return end(ctx, {
    ...ending,
    outcome: status === 'abandoned' ? 'retry_later' : 'error',
    ...(err instanceof ReportTimeoutError || err instanceof ReportFailedError
      ? { amazonReportId: err.reportId }
      : {}),
  });
}

/**
 * When the account is next due, and what its failure record becomes. Amazon being slow (`abandoned`) is not
 * counted towards degraded: the report stays in Amazon's queue and the retry a few minutes later finds it.
 */
async function failurePatch(
  ctx: RunContext,
  status: 'failed' | 'abandoned',
  errorCode: string,
  errorMessage: string,
): Promise<Pick<Ending, 'status' | 'errorCode' | 'errorMessage' | 'accountPatch'>> {
  const { account, deps } = ctx;
  const now = new Date();
  const regular = nextSlot(deps.settings.cron, account.id, now);
  if (status === 'abandoned') {
    const next_poll_at = await nextDue(ctx, retryAt(STUCK_RETRY_STEP, now, regular));
    return { status, errorCode, errorMessage, accountPatch: { next_poll_at } };
  }
  const failures = account.consecutive_failures + 1;
  const patch: SellerAccountUpdate = {
    consecutive_failures: failures,
    connection_error: `${errorCode}: ${errorMessage}`,
    next_poll_at: await nextDue(ctx, retryAt(failures, now, regular)),
  };
  if (failures >= DEGRADED_AFTER_FAILURES && account.connection_state === 'connected') {
    patch.connection_state = 'degraded';
  }
  return { status, errorCode, errorMessage, accountPatch: patch };
}

/**
 * When the account is next due: at `regular`, unless someone asked for a refresh while this poll ran, in which
 * case at once (their queued run is waiting for it).
 */
async function nextDue(ctx: RunContext, regular: Date): Promise<Date> {
  return (await findQueuedRun(ctx.deps.db, ctx.account.id)) ? new Date() : regular;
}

interface Ending {
  status: PollSummary['status'];
  outcome: string;
  errorCode: string | null;
  errorMessage: string | null;
  accountPatch: SellerAccountUpdate;
  report?: Fetched;
  /** The Amazon report this run waited on, when it ended without one (stuck, FATAL, CANCELLED). */
  amazonReportId?: string;
  reportReused?: boolean;
  reportDocumentId?: string;
  snapshotsWritten?: number;
  isNewReport?: boolean;
}

/** Records how the run ended, gives the account back, and says what happened. */
async function end(ctx: RunContext, e: Ending): Promise<PollSummary> {
  const { deps, account } = ctx;
  const durationMs = performance.now() - ctx.started;
  const reportReused = e.reportReused ?? e.report?.report.reused ?? null;
  await finishRun(deps.db, ctx.runId, {
    status: e.status,
    outcome: e.outcome,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
    counters: ctx.counters,
    timings: ctx.timings,
    durationMs,
    reportReused,
    amazonReportId: e.amazonReportId ?? e.report?.report.reportId ?? null,
    reportDocumentId: e.reportDocumentId ?? e.report?.ingest.reportDocumentId ?? null,
    snapshotsWritten: e.snapshotsWritten ?? 0,
  });
  await releaseAccount(deps.db, account.id, account.lease_token, e.accountPatch);
  return {
    runId: ctx.runId,
    accountId: account.id,
    status: e.status,
    outcome: e.outcome,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
    counters: ctx.counters,
    durationMs,
    snapshotsWritten: e.snapshotsWritten ?? 0,
    reportReused,
    isNewReport: e.isNewReport ?? false,
  };
}
