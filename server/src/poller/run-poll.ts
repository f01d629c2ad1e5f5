import type { DB, PendingReportRow, PollTrigger, SellerAccountUpdate } from '../db/schema.ts';
import type { Transaction } from 'kysely';
import { AuthRevokedError, SpApiError } from '../spapi/errors.ts';
import { pollableMarketplaceIds, upsertMarketplaces } from '../accounts/accounts.repository.ts';
import { holdsLease, releaseAccount, renewLease, type ClaimedAccount } from './leases.repository.ts';
import {
  failQueuedRuns,
  findQueuedRun,
  finishRun,
  lastFinishedStatus,
  openRun,
  parkRun,
  reportsNotToReuse,
  setPhase,
  type RunCounters,
} from './poll-runs.repository.ts';
import { clearPendingReports, listPendingReports } from './pending-reports.repository.ts';
import {
  checkDueReports,
  isShutdown,
  marketplacesToAskAlone,
  requestAlone,
  requestReports,
  type StepContext,
} from './report-steps.ts';
import type { PollDeps } from './poll-deps.ts';
import { nextSlot, retryAt } from './schedule.ts';

export type { PollDeps, PollSettings } from './poll-deps.ts';

// One step of one account's poll run, the idempotent unit the scheduler, the API and the CLI all run. A run asks
// Amazon for a report and then waits for it without holding anything: each step claims the account, does what
// is due (ask, look again, collect), and gives the account back with the time of its next step, until the run
// ends with its verdict. Whoever claims the account next (this instance, another, or the next start) carries the
// same run on.

/** Failures in a row after which an account is shown as degraded. */
const DEGRADED_AFTER_FAILURES = 3;
/** Backoff step for a report stuck in Amazon's queue: retried 4 to 8 minutes later. */
const STUCK_RETRY_STEP = 3;
/** Steps of one run that may die without a word before the run is ended rather than carried on again. */
const MAX_INTERRUPTIONS = 3;

export interface PollSummary {
  runId: string;
  accountId: string;
  status: 'succeeded' | 'failed' | 'abandoned';
  outcome: string;
  errorCode: string | null;
  errorMessage: string | null;
  counters: RunCounters;
  /** From the first step to the verdict, waits for Amazon included. */
  durationMs: number;
  /** How long the run's steps held a poll slot, all steps together. */
  busyMs: number;
  snapshotsWritten: number;
  reportReused: boolean | null;
  isNewReport: boolean;
}

/** How a step ended: the run's verdict, a wait for Amazon, or the account lost to another step. */
export type StepResult =
  | { kind: 'ended'; summary: PollSummary }
  | { kind: 'waiting'; runId: string; accountId: string; nextStepAt: Date }
  | { kind: 'lost'; runId: string; accountId: string };

interface RunContext {
  deps: PollDeps;
  account: ClaimedAccount;
  runId: string;
  stepToken: string;
  counters: RunCounters;
  timings: Record<string, number>;
  /** When the run's first step started: a run's duration includes its waits. */
  runStartedAt: Date;
  stepStartedAt: number;
}

/** Adds this step's time to the run's `busy` timing: what the run cost in slots, as against its waits. */
function countStep(ctx: RunContext): void {
  ctx.timings.busy = (ctx.timings.busy ?? 0) + Math.round(performance.now() - ctx.stepStartedAt);
}

export async function pollAccount(
  deps: PollDeps,
  account: ClaimedAccount,
  trigger: PollTrigger,
  shutdown: AbortSignal,
): Promise<StepResult> {
  const { db, clients, settings, log } = deps;
  const stepStartedAt = performance.now();
  const stepToken = account.lease_token;
  const { run, interrupted } = await openRun(db, account.id, stepToken, trigger, settings.instanceId);
  if (interrupted)
    log.warn({ accountId: account.id, runId: run.id }, 'carrying on a poll whose step never ended');
  const leaseLost = new AbortController();
  const ctx: RunContext = {
    deps,
    account,
    runId: run.id,
    stepToken,
    counters: { calls: run.spapi_calls, throttles: run.throttles, bytes: run.bytes },
    timings: { ...run.timings },
    runStartedAt: run.started_at ?? new Date(),
    stepStartedAt,
  };
  const stopObserving = clients.observe(account.id, (event) => {
    if (event.operation !== 'token') ctx.counters.calls += 1;
    if (event.outcome === 'throttled') ctx.counters.throttles += 1;
    if (event.bytes) ctx.counters.bytes += event.bytes;
  });
  // Keep the lease alive while a slow call or ingest runs. If another step took the account over anyway (this
  // one stalled past its lease, say through a database outage), stop at once rather than poll the same seller
  // twice; the fencing token also keeps this step from writing once the account is someone else's.
  const signal = AbortSignal.any([shutdown, leaseLost.signal]);
  const renewal = setInterval(
    () => {
      renewLease(db, account.id, stepToken, settings.leaseSeconds).then(
        (held) => {
          if (!held) leaseLost.abort();
        },
        (err: unknown) => log.warn({ err, accountId: account.id }, 'could not renew the poll lease'),
      );
    },
    Math.max(1_000, (settings.leaseSeconds * 1000) / 3),
  );
  const step: StepContext = {
    deps,
    accountId: account.id,
    runId: run.id,
    stepToken,
    client: clients.forAccount(account),
    signal,
    guard: async (tx: Transaction<DB>) => {
      if (await holdsLease(tx, account.id, stepToken)) return;
      leaseLost.abort();
      throw new LeaseLostError();
    },
    phase: (name) => setPhase(db, run.id, stepToken, name, ctx.counters),
    time: async (name, fn) => {
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        ctx.timings[name] = (ctx.timings[name] ?? 0) + Math.round(performance.now() - t0);
      }
    },
  };

  try {
    if (run.interruptions > MAX_INTERRUPTIONS) throw new InterruptedTooOftenError(run.interruptions);
    let rows = await listPendingReports(db, run.id);
    if (rows.length === 0) {
      await requestReports(step, await marketplacesToPoll(step), {
        lookUpRecentReport: await mayReuse(ctx, run.trigger, run.steps > 1 || run.interruptions > 0),
        avoidReportIds: await reportsNotToReuse(db, account.id, settings.reuseWithinMs),
      });
      rows = await listPendingReports(db, run.id);
    }
    await checkDueReports(step, rows);
    rows = await listPendingReports(db, run.id);
    if (!rows.some((r) => r.state === 'waiting')) {
      const leftOut = marketplacesToAskAlone(rows);
      if (leftOut.length > 0) {
        await requestAlone(step, leftOut, {
          lookUpRecentReport: true,
          avoidReportIds: await reportsNotToReuse(db, account.id, settings.reuseWithinMs),
        });
        rows = await listPendingReports(db, run.id);
        await checkDueReports(step, rows);
        rows = await listPendingReports(db, run.id);
      }
    }
    if (rows.some((r) => r.state === 'waiting')) return await park(ctx, rows);
    return await endWithReports(ctx, rows);
  } catch (err) {
    return await endWithError(ctx, err, signal, leaseLost.signal.aborted);
  } finally {
    clearInterval(renewal);
    stopObserving();
  }
}

/** The marketplaces to report on, listed from Amazon the first time. */
async function marketplacesToPoll(step: StepContext): Promise<string[]> {
  const { db } = step.deps;
  let ids = await pollableMarketplaceIds(db, step.accountId);
  if (ids.length > 0) return ids;
  await upsertMarketplaces(
    db,
    step.accountId,
    await step.time('marketplaces', () => step.client.getMarketplaceParticipations({ signal: step.signal })),
  );
  ids = await pollableMarketplaceIds(db, step.accountId);
  if (ids.length === 0) throw new NothingToPollError();
  return ids;
}

/**
 * A scheduled poll after a clean one cannot find a reusable report (the last was hours ago and was used), so it
 * skips the getReports look-up. After a failure, a timeout or an interrupted step, or when a person asks (the
 * run is the one they queued, whoever claims it), the look-up may find a report already made or still in
 * Amazon's queue, and save a createReport.
 */
async function mayReuse(ctx: RunContext, trigger: PollTrigger, carriedOn: boolean): Promise<boolean> {
  if (carriedOn || trigger !== 'schedule') return true;
  return (await lastFinishedStatus(ctx.deps.db, ctx.account.id)) !== 'succeeded';
}

class LeaseLostError extends Error {
  constructor() {
    super('this step no longer holds the account');
  }
}

class NothingToPollError extends Error {
  readonly code = 'NO_MARKETPLACES';
  constructor() {
    super('the account participates in no marketplace that is enabled for polling');
  }
}

class InterruptedTooOftenError extends Error {
  readonly code = 'INTERRUPTED';
  constructor(times: number) {
    super(
      `this poll was interrupted ${times} times without finishing (its process stopped or lost the database ` +
        'each time); it is ended here and the account is polled afresh later',
    );
  }
}

/** Amazon is still making a report: the run waits, and the account is due again when the next look is. */
async function park(ctx: RunContext, rows: PendingReportRow[]): Promise<StepResult> {
  const { deps, account } = ctx;
  const nextStepAt = new Date(
    Math.min(...rows.filter((r) => r.state === 'waiting').map((r) => r.next_check_at.getTime())),
  );
  countStep(ctx);
  const parked = await parkRun(deps.db, ctx.runId, ctx.stepToken, {
    phase: 'waiting_for_amazon',
    counters: ctx.counters,
    timings: ctx.timings,
  });
  const released = await releaseAccount(deps.db, account.id, ctx.stepToken, { next_poll_at: nextStepAt });
  if (!parked || !released) return { kind: 'lost', runId: ctx.runId, accountId: account.id };
  return { kind: 'waiting', runId: ctx.runId, accountId: account.id, nextStepAt };
}

async function endWithReports(ctx: RunContext, rows: PendingReportRow[]): Promise<StepResult> {
  const asked = [...new Set(rows.flatMap((r) => r.marketplace_ids))];
  const ingested = rows.filter((r) => r.state === 'ingested');
  if (ingested.length > 0) {
    const covered = new Set(ingested.flatMap((r) => r.covered));
    const missing = asked.filter((m) => !covered.has(m));
    const isNew = ingested.some((r) => r.is_new);
    const last = ingested.at(-1)!;
    return end(ctx, {
      status: 'succeeded',
      outcome: isNew ? 'ingested' : 'unchanged',
      // Not a failure, but worth seeing: the reports did not cover every marketplace asked for.
      errorCode: missing.length > 0 ? 'MARKETPLACES_MISSING' : null,
      errorMessage: missing.length > 0 ? `the report has no data for ${missing.join(', ')}` : null,
      amazonReportId: last.amazon_report_id,
      reportDocumentId: last.report_document_id,
      reportReused: ingested.every((r) => r.reused),
      snapshotsWritten: ingested.reduce((n, r) => n + r.snapshots_written, 0),
      isNewReport: isNew,
      accountPatch: {
        connection_state: 'connected',
        connection_error: null,
        consecutive_failures: 0,
        last_success_at: new Date(Math.min(...ingested.map((r) => (r.captured_at ?? new Date()).getTime()))),
        last_good_poll_at: new Date(),
        next_poll_at: await nextDue(ctx, nextSlot(ctx.deps.settings.cron, ctx.account.id, new Date())),
      },
    });
  }

  // Nothing collected: the most telling failure decides.
  const failure = (['malformed', 'failed', 'stuck', 'cancelled'] as const)
    .map((state) => rows.find((r) => r.state === state))
    .find((r) => r !== undefined);
  if (!failure) throw new Error(`run ${ctx.runId} ended with no report to show for it`);
  const reportOf = { amazonReportId: failure.amazon_report_id, reportReused: failure.reused };
  const code = failure.error_code ?? 'REPORT_FAILED';
  const message = failure.error_message ?? `report ${failure.amazon_report_id} ended ${failure.state}`;

  if (failure.state === 'cancelled') {
    // CANCELLED is Amazon's way of saying there is no data for the period (a seller with no orders yet): the
    // account is fine, and the next regular slot will ask again.
    return end(ctx, {
      ...reportOf,
      status: 'succeeded',
      outcome: 'no_data',
      errorCode: code,
      errorMessage: message,
      accountPatch: {
        connection_state: 'connected',
        connection_error: null,
        consecutive_failures: 0,
        next_poll_at: await nextDue(ctx, nextSlot(ctx.deps.settings.cron, ctx.account.id, new Date())),
      },
    });
  }
  if (failure.state === 'stuck') {
    // A report stuck in Amazon's queue is not the account's failure: the run is abandoned and retried soon.
    const ending = await failurePatch(ctx, 'abandoned', code, message);
    // Not a failure of the account, but its data is late: say so where the account's state is shown.
    const next = ending.accountPatch.next_poll_at;
    ending.accountPatch.connection_error =
      `${code}: Amazon has not finished report ${failure.amazon_report_id} (${message}); ` +
      `asking again from ${next instanceof Date ? next.toISOString() : 'the next slot'}`;
    return end(ctx, { ...ending, ...reportOf, outcome: 'retry_later' });
  }
  return end(ctx, {
    ...(await failurePatch(ctx, 'failed', code, message)),
    ...reportOf,
    outcome: 'error',
    reportDocumentId: failure.report_document_id,
  });
}

async function endWithError(
  ctx: RunContext,
  err: unknown,
  signal: AbortSignal,
  leaseLost: boolean,
): Promise<StepResult> {
  const { deps, account } = ctx;
  // Another step took the account over: it carries the run on, and this one writes nothing more.
  if (leaseLost || err instanceof LeaseLostError)
    return { kind: 'lost', runId: ctx.runId, accountId: account.id };
  // Shutting down: the run waits for whoever claims the account next, at once, with its reports still pending.
  if (isShutdown(err, signal)) {
    countStep(ctx);
    await parkRun(deps.db, ctx.runId, ctx.stepToken, {
      phase: 'interrupted_by_shutdown',
      counters: ctx.counters,
      timings: ctx.timings,
    });
    await releaseAccount(deps.db, account.id, ctx.stepToken, { next_poll_at: new Date() });
    return { kind: 'waiting', runId: ctx.runId, accountId: account.id, nextStepAt: new Date() };
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

  const known =
    err instanceof SpApiError || err instanceof NothingToPollError || err instanceof InterruptedTooOftenError;
  if (!known) deps.log.error({ err, accountId: account.id }, 'poll failed unexpectedly');
  const message = err instanceof Error ? err.message : String(err);
  return end(ctx, {
    ...(await failurePatch(ctx, 'failed', known ? err.code : 'INTERNAL_ERROR', message)),
    outcome: 'error',
  });
}

/**
 * When the account is next due, and what its failure record becomes. Amazon being slow (`abandoned`) is not
 * counted towards degraded: a new report is asked for a few minutes later.
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
 * When the account is next due: at `regular`, unless someone asked for a refresh while this step ran, in which
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
  /** The Amazon report the run used or waited on. */
  amazonReportId?: string | null;
  reportReused?: boolean | null;
  reportDocumentId?: string | null;
  snapshotsWritten?: number;
  isNewReport?: boolean;
}

/** Records how the run ended, gives the account back, and says what happened. */
async function end(ctx: RunContext, e: Ending): Promise<StepResult> {
  const { deps, account } = ctx;
  const durationMs = Date.now() - ctx.runStartedAt.getTime();
  const reportReused = e.reportReused ?? null;
  countStep(ctx);
  await finishRun(deps.db, ctx.runId, ctx.stepToken, {
    status: e.status,
    outcome: e.outcome,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
    counters: ctx.counters,
    timings: ctx.timings,
    durationMs,
    reportReused,
    amazonReportId: e.amazonReportId ?? null,
    reportDocumentId: e.reportDocumentId ?? null,
    snapshotsWritten: e.snapshotsWritten ?? 0,
  });
  const released = await releaseAccount(deps.db, account.id, ctx.stepToken, e.accountPatch);
  if (!released) return { kind: 'lost', runId: ctx.runId, accountId: account.id };
  await clearPendingReports(deps.db, ctx.runId);
  return {
    kind: 'ended',
    summary: {
      runId: ctx.runId,
      accountId: account.id,
      status: e.status,
      outcome: e.outcome,
      errorCode: e.errorCode,
      errorMessage: e.errorMessage,
      counters: ctx.counters,
      durationMs,
      busyMs: ctx.timings.busy ?? 0,
      snapshotsWritten: e.snapshotsWritten ?? 0,
      reportReused,
      isNewReport: e.isNewReport ?? false,
    },
  };
}
