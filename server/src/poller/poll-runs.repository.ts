import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, PollRunRow, PollTrigger } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * Queues a run for the account, or returns the one already queued: two clicks wait for the same poll. A run
 * waiting for a report it asked Amazon for is already bringing fresh data, so it is the one returned.
 */
export async function queueRun(db: Db, accountId: string, trigger: PollTrigger): Promise<PollRunRow> {
  const waiting = await db
    .selectFrom('poll_runs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('status', '=', 'waiting')
    .executeTakeFirst();
  if (waiting) return waiting;
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

export interface OpenedRun {
  run: PollRunRow;
  /** The run was left `running` by a step that never ended (its instance died or lost the database). */
  interrupted: boolean;
}

/**
 * The run this step carries on, now marked running under the step's claim: the account's open run if it has one
 * (waiting for Amazon, or left running by a step that died), else the run a user queued, else a new one.
 */
export async function openRun(
  db: Db,
  accountId: string,
  stepToken: string,
  trigger: PollTrigger,
  instanceId: string,
): Promise<OpenedRun> {
  const open = await db
    .selectFrom('poll_runs')
    .select(['id', 'status'])
    .where('account_id', '=', accountId)
    .where('status', 'in', ['running', 'waiting', 'queued'])
    // Carried-on runs first: they hold reports Amazon is making.
    .orderBy(sql`status = 'queued'`)
    .orderBy('queued_at')
    .limit(1)
    .executeTakeFirst();
  if (open) {
    const interrupted = open.status === 'running';
    const run = await db
      .updateTable('poll_runs')
      .set((eb) => ({
        status: 'running',
        step_token: stepToken,
        instance_id: instanceId,
        phase: 'starting',
        steps: eb('steps', '+', 1),
        interruptions: interrupted ? eb('interruptions', '+', 1) : eb.ref('interruptions'),
        started_at: sql<Date>`coalesce(started_at, now())`,
      }))
      .where('id', '=', open.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { run, interrupted };
  }
  const run = await db
    .insertInto('poll_runs')
    .values({
      account_id: accountId,
      trigger,
      status: 'running',
      started_at: sql<Date>`now()`,
      instance_id: instanceId,
      phase: 'starting',
      step_token: stepToken,
      steps: 1,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { run, interrupted: false };
}

export async function setPhase(
  db: Db,
  runId: string,
  stepToken: string,
  phase: string,
  counters: RunCounters,
): Promise<void> {
  await db
    .updateTable('poll_runs')
    .set({ phase, spapi_calls: counters.calls, throttles: counters.throttles, bytes: counters.bytes })
    .where('id', '=', runId)
    .where('step_token', '=', stepToken)
    .execute();
}

/** The step is over and Amazon is still making the run's reports: the run waits, holding nothing. */
export async function parkRun(
  db: Db,
  runId: string,
  stepToken: string,
  progress: { phase: string; counters: RunCounters; timings: Record<string, number> },
): Promise<boolean> {
  const result = await db
    .updateTable('poll_runs')
    .set({
      status: 'waiting',
      phase: progress.phase,
      spapi_calls: progress.counters.calls,
      throttles: progress.counters.throttles,
      bytes: progress.counters.bytes,
      timings: JSON.stringify(progress.timings),
    })
    .where('id', '=', runId)
    .where('step_token', '=', stepToken)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
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

export async function finishRun(
  db: Db,
  runId: string,
  stepToken: string,
  outcome: RunOutcome,
): Promise<void> {
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
    // A step that lost the account (another step carries the run on) leaves the run alone.
    .where('step_token', '=', stepToken)
    .execute();
}

export async function findRun(db: Db, runId: string): Promise<PollRunRow | undefined> {
  return db.selectFrom('poll_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function findRuns(db: Db, runIds: readonly string[]): Promise<PollRunRow[]> {
  if (runIds.length === 0) return [];
  return db
    .selectFrom('poll_runs')
    .selectAll()
    .where('id', 'in', [...runIds])
    .execute();
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
 * For the embedded database, whose single owner is this process: ends every lease, since whoever held them is
 * gone. Runs the previous process left running stay so: the next claim of each account carries them on (and
 * counts the interruption). Returns how many there are.
 */
export async function recoverFromPreviousProcess(db: Kysely<DB>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await tx
      .updateTable('seller_accounts')
      .set({ lease_owner: null, lease_token: null, lease_expires_at: null })
      .where('lease_owner', 'is not', null)
      .execute();
    const row = await tx
      .selectFrom('poll_runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'running')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  });
}

/**
 * Ends every run of the account that has not ended (queued, waiting for Amazon, or running) as failed with this
 * reason, and clears their step token, so a step still in flight cannot record anything more for them.
 */
export async function endOpenRuns(db: Db, accountId: string, code: string, message: string): Promise<void> {
  await db
    .updateTable('poll_runs')
    .set({
      status: 'failed',
      outcome: 'not_run',
      error_code: code,
      error_message: message,
      step_token: null,
      finished_at: sql<Date>`now()`,
    })
    .where('account_id', '=', accountId)
    .where('status', 'in', ['queued', 'waiting', 'running'])
    .execute();
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
