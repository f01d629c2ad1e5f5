import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { BackfillJobsTable, BackfillStatus, BackfillTrigger, DB } from '../db/schema.ts';
import { pollableMarketplaceIds } from '../accounts/accounts.repository.ts';
import { daysBetween, planChunks } from './days.ts';
import { dayCapturedAt, type AnalyticsDay } from './seller-analytics.ts';

// The backfill's tables: its jobs (queued, claimed with a lease, their progress recorded after every batch) and
// what a batch of Data Kiosk lines becomes: one `health_snapshots` row per day and marketplace (source
// `data_kiosk`, granularity `day`), its figures in `metric_snapshots` and the day's pointer in `daily_snapshots`.

type Db = Kysely<DB> | Transaction<DB>;

/** A job as read back, its days as `YYYY-MM-DD` text. */
export type BackfillJob = Omit<Selectable<BackfillJobsTable>, 'from_day' | 'to_day'> & {
  from_day: string;
  to_day: string;
};
export type ClaimedJob = BackfillJob & { lease_token: string };

const OPEN: BackfillStatus[] = ['queued', 'running'];

const COLUMNS = [
  'id',
  'account_id',
  'marketplace_id',
  'marketplace_ids',
  'trigger',
  'from_day',
  'to_day',
  'chunk_days',
  'status',
  'days_total',
  'days_done',
  'lines_stored',
  'lines_skipped',
  'chunks_total',
  'chunk_index',
  'query_id',
  'document_id',
  'pagination_token',
  'document_lines_done',
  'error',
  'attempts',
  'not_before',
  'lease_owner',
  'lease_token',
  'lease_expires_at',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
];

/** Every column of a job, its days as text (a driver would turn a date into local midnight). */
function columns(prefix = '') {
  return sql.raw(
    COLUMNS.map((c) => (c.endsWith('_day') ? `${prefix}${c}::text as ${c}` : `${prefix}${c}`)).join(', '),
  );
}
const jobColumns = columns();

export interface QueueInput {
  accountId: string;
  trigger: BackfillTrigger;
  fromDay: string;
  toDay: string;
  chunkDays: number;
  /** One marketplace only; default every enabled marketplace the seller participates in. */
  marketplaceId?: string;
}

export type QueueResult =
  | { kind: 'queued'; job: BackfillJob }
  /** The account already has a job queued or running: that one, untouched. */
  | { kind: 'open'; job: BackfillJob }
  | { kind: 'no_marketplaces' };

/** Queues a job unless the account has one open already (one open job per account, by a unique index). */
export async function queueJob(db: Db, input: QueueInput): Promise<QueueResult> {
  const marketplaceIds = input.marketplaceId
    ? [input.marketplaceId]
    : await pollableMarketplaceIds(db, input.accountId);
  if (marketplaceIds.length === 0) return { kind: 'no_marketplaces' };
  const chunks = planChunks({ ...input, marketplaceIds });
  const inserted = await sql<BackfillJob>`
    insert into backfill_jobs (account_id, marketplace_id, marketplace_ids, trigger, from_day, to_day, chunk_days,
      days_total, chunks_total)
    values (${input.accountId}, ${input.marketplaceId ?? null}, ${marketplaceIds}::text[], ${input.trigger},
      ${input.fromDay}::date, ${input.toDay}::date, ${input.chunkDays},
      ${daysBetween(input.fromDay, input.toDay) * marketplaceIds.length}, ${chunks.length})
    on conflict (account_id) where status in ('queued', 'running') do nothing
    returning ${jobColumns}`.execute(db);
  const job = inserted.rows[0];
  if (job) return { kind: 'queued', job };
  const open = await openJob(db, input.accountId);
  // Ended between the insert and this read: a new one can be queued now.
  if (!open) return queueJob(db, input);
  return { kind: 'open', job: open };
}

export async function openJob(db: Db, accountId: string): Promise<BackfillJob | undefined> {
  const { rows } = await sql<BackfillJob>`select ${jobColumns} from backfill_jobs
    where account_id = ${accountId} and status in ('queued', 'running')`.execute(db);
  return rows[0];
}

export async function findJob(db: Db, id: string): Promise<BackfillJob | undefined> {
  const { rows } = await sql<BackfillJob>`select ${jobColumns} from backfill_jobs where id = ${id}`.execute(
    db,
  );
  return rows[0];
}

/** The account's jobs, newest first. */
export async function listJobs(db: Db, accountId: string, limit = 20): Promise<BackfillJob[]> {
  const { rows } = await sql<BackfillJob>`select ${jobColumns} from backfill_jobs
    where account_id = ${accountId} order by created_at desc, id limit ${limit}`.execute(db);
  return rows;
}

export interface ClaimOptions {
  instanceId: string;
  limit: number;
  leaseSeconds: number;
  /** This job only (the CLI), still only when nobody else holds it. */
  jobId?: string;
  /** Jobs this instance is running now. */
  exclude?: string[];
}

/**
 * Takes up to `limit` open jobs nobody holds (a lease that expired is nobody's: the instance that held it died,
 * and its job is carried on from the progress it recorded), those a person waits for first. Each claim gets a new token that fences off whoever
 * held the job before.
 */
export async function claimJobs(db: Kysely<DB>, options: ClaimOptions): Promise<ClaimedJob[]> {
  const { instanceId, limit, leaseSeconds, jobId, exclude = [] } = options;
  const { rows } = await sql<ClaimedJob>`
    update backfill_jobs as j
    set lease_owner = ${instanceId},
        lease_token = gen_random_uuid(),
        lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
        status = 'running',
        started_at = coalesce(j.started_at, now()),
        updated_at = now()
    from (
      select id from backfill_jobs
      where status in ('queued', 'running')
        and (lease_expires_at is null or lease_expires_at < now())
        and ${jobId === undefined ? sql`(not_before is null or not_before <= now())` : sql`id = ${jobId}`}
        and not (id = any(${exclude}::uuid[]))
      -- Someone is waiting on what they asked for (the API, the CLI), then on an account just connected; the
      -- demo's own histories and the daily top-up can wait. Oldest first within each.
      order by case trigger when 'api' then 0 when 'cli' then 0 when 'connect' then 1 when 'demo' then 2 else 3 end,
        created_at
      limit ${limit}
      for update skip locked
    ) as due
    where j.id = due.id
    returning ${columns('j.')}`.execute(db);
  return rows;
}

/** How long until the next open job may be claimed (0: now), if one may be within `withinMs`. */
export async function msUntilNextJob(db: Db, withinMs: number): Promise<number | undefined> {
  const { rows } = await sql<{ ms: number | null }>`
    select greatest(0, extract(epoch from (min(greatest(coalesce(not_before, now()),
      coalesce(lease_expires_at, now()))) - now())) * 1000)::float8 as ms
    from backfill_jobs
    where status in ('queued', 'running')
      and coalesce(not_before, now()) <= now() + make_interval(secs => ${withinMs / 1000})`.execute(db);
  const ms = rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : ms;
}

export type JobPatch = Partial<
  Pick<
    BackfillJob,
    | 'chunk_index'
    | 'query_id'
    | 'document_id'
    | 'pagination_token'
    | 'document_lines_done'
    | 'days_done'
    | 'error'
    | 'attempts'
  >
>;

/** Records the job's state if this claim still holds it (and extends the lease); false when it lost the job. */
export async function saveJob(
  db: Db,
  job: { id: string; lease_token: string },
  patch: JobPatch,
  leaseSeconds: number,
): Promise<boolean> {
  const result = await db
    .updateTable('backfill_jobs')
    .set({
      ...patch,
      lease_expires_at: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', job.id)
    .where('lease_token', '=', job.lease_token)
    .where('status', 'in', OPEN)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function renewJobLease(db: Db, job: { id: string; lease_token: string }, leaseSeconds: number) {
  return saveJob(db, job, {}, leaseSeconds);
}

/** Gives the job back unfinished (shutdown, or a failure that may pass): the next claim carries it on. */
export async function releaseJob(
  db: Db,
  job: { id: string; lease_token: string },
  patch: JobPatch & { not_before?: Date | null } = {},
): Promise<boolean> {
  const result = await db
    .updateTable('backfill_jobs')
    .set({
      ...patch,
      lease_owner: null,
      lease_token: null,
      lease_expires_at: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', job.id)
    .where('lease_token', '=', job.lease_token)
    .where('status', 'in', OPEN)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends the job. `done` clears the account's history message; `no_access` records it on the account, where the
 * dashboard and the API show it; `failed` leaves the account as it is (report polling is never touched).
 */
export async function finishJob(
  db: Kysely<DB>,
  job: { id: string; lease_token: string; account_id: string },
  outcome: { status: 'done' } | { status: 'failed' | 'no_access'; error: string },
  patch: JobPatch = {},
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable('backfill_jobs')
      .set({
        ...patch,
        status: outcome.status,
        error: outcome.status === 'done' ? null : outcome.error,
        lease_owner: null,
        lease_token: null,
        lease_expires_at: null,
        not_before: null,
        finished_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', job.id)
      .where('lease_token', '=', job.lease_token)
      .where('status', 'in', OPEN)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    if (outcome.status !== 'failed') {
      await tx
        .updateTable('seller_accounts')
        .set({ history_error: outcome.status === 'no_access' ? outcome.error : null })
        .where('id', '=', job.account_id)
        .execute();
    }
    return true;
  });
}

/** The job's row locked for this transaction if this claim still holds it. */
async function holdsJob(tx: Transaction<DB>, job: { id: string; lease_token: string }): Promise<boolean> {
  const row = await tx
    .selectFrom('backfill_jobs')
    .select('id')
    .where('id', '=', job.id)
    .where('lease_token', '=', job.lease_token)
    .where('status', 'in', OPEN)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`backfill job ${jobId} was taken over by another claim`);
    this.name = 'LeaseLostError';
  }
}

const INT4_MAX = 2_147_483_647;
function toInt(n: number | null): number | null {
  if (n === null || !Number.isFinite(n)) return null;
  const rounded = Math.round(n);
  return Math.abs(rounded) > INT4_MAX ? null : rounded;
}

/**
 * Stores one batch of days and the job's progress in one transaction, only while the claim holds the job: a
 * job killed half-way has either all of a batch and its progress, or neither. Idempotent: a day already stored
 * (same account, marketplace, source, granularity and capture time) is updated in place and its figures
 * replaced, so a second backfill of the same range adds no rows and a revised figure replaces the old one.
 */
export async function storeBatch(
  db: Kysely<DB>,
  job: { id: string; lease_token: string; account_id: string },
  days: Array<AnalyticsDay & { marketplaceId: string }>,
  progress: { patch: JobPatch; linesStored: number; linesSkipped: number; leaseSeconds: number },
): Promise<void> {
  // The last line of a day wins, as a later line would overwrite an earlier one.
  const unique = new Map<string, AnalyticsDay & { marketplaceId: string }>();
  for (const d of days) unique.set(`${d.marketplaceId}|${d.day}`, d);
  const rows = [...unique.values()];
  await db.transaction().execute(async (tx) => {
    if (!(await holdsJob(tx, job))) throw new LeaseLostError(job.id);
    if (rows.length > 0) {
      const headers = await tx
        .insertInto('health_snapshots')
        .values(
          rows.map((d) => ({
            account_id: job.account_id,
            marketplace_id: d.marketplaceId,
            captured_at: dayCapturedAt(d.day),
            source: 'data_kiosk' as const,
            granularity: 'day' as const,
            account_status: null,
            ahr_status: null,
            ahr_score: d.score,
            ahr_band: d.band,
            policy_violation_warnings: null,
            policies: null,
            report_document_id: null,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['account_id', 'marketplace_id', 'captured_at', 'source', 'granularity'])
            .doUpdateSet((eb) => ({
              ahr_score: eb.ref('excluded.ahr_score'),
              ahr_band: eb.ref('excluded.ahr_band'),
            })),
        )
        .returning(['id', 'marketplace_id', 'captured_at'])
        .execute();
      const idOf = new Map(headers.map((h) => [`${h.marketplace_id}|${h.captured_at.toISOString()}`, h.id]));
      const snapshotId = (d: AnalyticsDay & { marketplaceId: string }) =>
        idOf.get(`${d.marketplaceId}|${dayCapturedAt(d.day).toISOString()}`)!;
      await tx
        .deleteFrom('metric_snapshots')
        .where(
          'snapshot_id',
          'in',
          headers.map((h) => h.id),
        )
        .execute();
      const figures = rows.flatMap((d) =>
        d.figures.map((f) => ({
          snapshot_id: snapshotId(d),
          metric: f.metric,
          channel: f.channel,
          window_days: null,
          rate: f.rate,
          numerator: toInt(f.numerator),
          denominator: toInt(f.denominator),
          status: null,
          target_value: null,
          target_condition: null,
          window_from: null,
          window_to: null,
          parts: f.parts ? JSON.stringify(f.parts) : null,
        })),
      );
      if (figures.length > 0) await tx.insertInto('metric_snapshots').values(figures).execute();
      await tx
        .insertInto('daily_snapshots')
        .values(
          rows.map((d) => ({
            account_id: job.account_id,
            marketplace_id: d.marketplaceId,
            source: 'data_kiosk' as const,
            day: d.day,
            snapshot_id: snapshotId(d),
            captured_at: dayCapturedAt(d.day),
          })),
        )
        .onConflict((oc) =>
          oc.columns(['account_id', 'marketplace_id', 'source', 'day']).doUpdateSet((eb) => ({
            snapshot_id: eb.ref('excluded.snapshot_id'),
            captured_at: eb.ref('excluded.captured_at'),
          })),
        )
        .execute();
    }
    await tx
      .updateTable('backfill_jobs')
      .set({
        ...progress.patch,
        lines_stored: sql<number>`lines_stored + ${progress.linesStored}`,
        lines_skipped: sql<number>`lines_skipped + ${progress.linesSkipped}`,
        lease_expires_at: sql<Date>`now() + make_interval(secs => ${progress.leaseSeconds})`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', job.id)
      .execute();
  });
}

/**
 * Accounts due their daily history query: connected (a token, not waiting for reauthorization), with no job
 * open and none queued in the last `minHours`. `full` when the account has never had a complete backfill (its
 * analytics role was granted since, or the first one failed): the daily run is then the whole range again.
 */
export async function accountsDueDaily(
  db: Db,
  minHours: number,
): Promise<Array<{ id: string; full: boolean }>> {
  const { rows } = await sql<{ id: string; full: boolean }>`
    select a.id, not exists (
        select 1 from backfill_jobs d where d.account_id = a.id and d.status = 'done' and d.trigger <> 'daily'
      ) as full
    from seller_accounts a
    where a.refresh_token_encrypted is not null
      and a.connection_state not in ('needs_reauthorization', 'disconnected')
      and not exists (
        select 1 from backfill_jobs j where j.account_id = a.id
          and (j.status in ('queued', 'running') or j.created_at > now() - make_interval(hours => ${minHours}))
      )
    order by a.id`.execute(db);
  return rows;
}

/** PGlite: this process holds the database's lock, so leases left by a previous process are void now. */
export async function releaseAllLeases(db: Db): Promise<number> {
  const result = await db
    .updateTable('backfill_jobs')
    .set({ lease_owner: null, lease_token: null, lease_expires_at: null })
    .where('status', 'in', OPEN)
    .where('lease_token', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
