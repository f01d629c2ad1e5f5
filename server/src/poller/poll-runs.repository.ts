import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, PollRunRow, PollTrigger } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** Queues a run for the account, or returns the one already queued: two clicks wait for the same poll. */
export async function queueRun(db: Db, accountId: string, trigger: PollTrigger): Promise<PollRunRow> {
  const inserted = await db
    .insertInto('poll_runs')
    .values({ account_id: accountId, trigger, status: 'queued' })
    .onConflict((oc) => oc.column('account_id').where('status', '=', 'queued').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  const queued = await findQueuedRun(db, accountId);
  if (!queued) throw new Error('a queued run vanished while queueing another; try again');
  return queued;
}

/** The queued run a user asked for, if any: the poll adopts it so the id they were given shows the progress. */
export async function findQueuedRun(db: Db, accountId: string): Promise<PollRunRow | undefined> {
  return db
    .selectFrom('poll_runs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('status', '=', 'queued')
    .orderBy('queued_at')
    .limit(1)
    .executeTakeFirst();
}

export async function startRun(
  db: Db,
  accountId: string,
  trigger: PollTrigger,
  instanceId: string,
): Promise<PollRunRow> {
  const queued = await findQueuedRun(db, accountId);
  if (queued) {
    const started = await db
      .updateTable('poll_runs')
      .set({ status: 'running', started_at: sql<Date>`now()`, instance_id: instanceId, phase: 'starting' })
      .where('id', '=', queued.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return started;
  }
  return db
    .insertInto('poll_runs')
    .values({
      account_id: accountId,
      trigger,
      status: 'running',
      started_at: sql<Date>`now()`,
      instance_id: instanceId,
      phase: 'starting',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setPhase(db: Db, runId: string, phase: string, counters: RunCounters): Promise<void> {
  await db
    .updateTable('poll_runs')
    .set({ phase, spapi_calls: counters.calls, throttles: counters.throttles, bytes: counters.bytes })
    .where('id', '=', runId)
    .execute();
}

export interface RunCounters {
  calls: number;
  throttles: number;
  bytes: number;
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'abandoned';
  outcome: string;
  errorCode?: string | null;
  errorMessage?: string | null;
  counters: RunCounters;
  timings: Record<string, number>;
  durationMs: number;
  reportReused?: boolean | null;
  amazonReportId?: string | null;
  reportDocumentId?: string | null;
  snapshotsWritten?: number;
}

export async function finishRun(db: Db, runId: string, outcome: RunOutcome): Promise<void> {
  await db
    .updateTable('poll_runs')
    .set({
      status: outcome.status,
      phase: null,
      outcome: outcome.outcome,
      error_code: outcome.errorCode ?? null,
      error_message: outcome.errorMessage ?? null,
      spapi_calls: outcome.counters.calls,
      throttles: outcome.counters.throttles,
      bytes: outcome.counters.bytes,
      duration_ms: Math.round(outcome.durationMs),
      timings: JSON.stringify(outcome.timings),
      report_reused: outcome.reportReused ?? null,
      amazon_report_id: outcome.amazonReportId ?? null,
      report_document_id: outcome.reportDocumentId ?? null,
      snapshots_written: outcome.snapshotsWritten ?? 0,
      finished_at: sql<Date>`now()`,
    })
    .where('id', '=', runId)
    // A run another instance already closed (it took the account over) keeps that verdict.
    .where('status', '=', 'running')
    .execute();
}

/**
 * Runs still `running` when an account is claimed belong to a poll whose lease expired: its instance died, or lost
 * the database for longer than the lease, or could not record its end. The claim's new fencing token keeps such
 * a poll from storing anything now, so its run is closed as abandoned, saying so.
 */
export async function abandonOrphanedRuns(db: Db, accountId: string): Promise<number> {
  const result = await db
    .updateTable('poll_runs')
    .set({
      status: 'abandoned',
      outcome: 'abandoned',
      error_code: 'LEASE_EXPIRED',
      error_message:
        'the lease of this poll expired before it finished (its instance stopped, or lost the database for longer ' +
        'than the lease); another poll took the account over',
      finished_at: sql<Date>`now()`,
      phase: null,
    })
    .where('account_id', '=', accountId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findRun(db: Db, runId: string): Promise<PollRunRow | undefined> {
  return db.selectFrom('poll_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function listRuns(db: Db, accountId: string, limit = 50): Promise<PollRunRow[]> {
  return db
    .selectFrom('poll_runs')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('queued_at', 'desc')
    .limit(limit)
    .execute();
}

/** The status of the account's last finished run, if any (ignoring the one in progress). */
export async function lastFinishedStatus(
  db: Db,
  accountId: string,
): Promise<PollRunRow['status'] | undefined> {
  const row = await db
    .selectFrom('poll_runs')
    .select('status')
    .where('account_id', '=', accountId)
    .where('finished_at', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.status;
}

/**
 * For the embedded database, whose single owner is this process: ends every lease and marks every running poll
 * abandoned, since whoever held them is gone. Returns how many polls were closed.
 */
export async function recoverFromPreviousProcess(db: Kysely<DB>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await tx
      .updateTable('seller_accounts')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('lease_owner', 'is not', null)
      .execute();
    const result = await tx
      .updateTable('poll_runs')
      .set({
        status: 'abandoned',
        outcome: 'abandoned',
        error_code: 'INSTANCE_LOST',
        error_message: 'the process polling this account stopped before finishing',
        finished_at: sql<Date>`now()`,
        phase: null,
      })
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
}

/** Closes the account's queued runs as failed, with the reason the user will read. */
export async function failQueuedRuns(
  db: Db,
  accountId: string,
  code: string,
  message: string,
): Promise<void> {
  await db
    .updateTable('poll_runs')
    .set({
      status: 'failed',
      outcome: 'not_run',
      error_code: code,
      error_message: message,
      finished_at: sql<Date>`now()`,
    })
    .where('account_id', '=', accountId)
    .where('status', '=', 'queued')
    .execute();
}

/**
 * Amazon reports this account must not reuse: a report whose document did not decode or parse gives the same bytes
 * every time, and one left stuck in Amazon's queue would hold the next poll for the whole deadline again.
 */
export async function reportsNotToReuse(db: Db, accountId: string, withinMs: number): Promise<Set<string>> {
  const rows = await db
    .selectFrom('poll_runs')
    .select('amazon_report_id')
    .where('account_id', '=', accountId)
    .where('amazon_report_id', 'is not', null)
    .where('finished_at', '>', sql<Date>`now() - make_interval(secs => ${withinMs / 1000})`)
    .where((eb) => eb.or([eb('error_code', '=', 'REPORT_MALFORMED'), eb('outcome', '=', 'retry_later')]))
    .execute();
  return new Set(rows.map((r) => r.amazon_report_id!));
}
