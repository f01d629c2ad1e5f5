import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, PendingReportRow, PendingReportState } from '../db/schema.ts';

// The reports a run has asked Amazon for, kept from the request until the run ends, so any instance that claims
// the account next can look at them again. Every write names the run's step token: a step that lost the account
// (its lease expired and another step carries the run on) changes nothing here.

type Db = Kysely<DB> | Transaction<DB>;

export interface NewPendingReport {
  runId: string;
  accountId: string;
  amazonReportId: string;
  marketplaceIds: string[];
  reused: boolean;
  alone: boolean;
  /** Amazon's status when asked; a report already DONE is looked at again at once. */
  status: string;
  firstCheckInMs: number;
}

export async function addPendingReport(db: Db, stepToken: string, report: NewPendingReport): Promise<void> {
  await sql`
    insert into pending_reports
      (run_id, account_id, amazon_report_id, marketplace_ids, reused, alone, last_status, next_check_at,
       check_interval_ms)
    select ${report.runId}, ${report.accountId}, ${report.amazonReportId}, ${report.marketplaceIds}::text[],
           ${report.reused}, ${report.alone}, ${report.status},
           now() + make_interval(secs => ${report.status === 'DONE' ? 0 : report.firstCheckInMs / 1000}),
           ${Math.round(report.firstCheckInMs)}
    where exists (select 1 from poll_runs where id = ${report.runId} and step_token = ${stepToken})`.execute(
    db,
  );
}

export async function listPendingReports(db: Db, runId: string): Promise<PendingReportRow[]> {
  return db.selectFrom('pending_reports').selectAll().where('run_id', '=', runId).orderBy('id').execute();
}

/** Reports still at Amazon whose next look is due (or due within `slackMs`, not worth a wait of their own). */
export function dueForCheck(rows: PendingReportRow[], now: Date, slackMs = 250): PendingReportRow[] {
  return rows.filter((r) => r.state === 'waiting' && r.next_check_at.getTime() <= now.getTime() + slackMs);
}

/** Still in Amazon's queue: looked at again after the interval, which grows ×1.5 up to `maxIntervalMs`. */
export async function scheduleNextCheck(
  db: Db,
  stepToken: string,
  id: string,
  update: { lastStatus: string; maxIntervalMs: number; error?: { code: string; message: string } },
): Promise<void> {
  await sql`
    update pending_reports as p
    set checks = p.checks + 1,
        last_status = ${update.lastStatus},
        error_code = ${update.error?.code ?? null},
        error_message = ${update.error?.message ?? null},
        check_interval_ms = least(round(p.check_interval_ms * 1.5)::integer, ${update.maxIntervalMs}),
        next_check_at = now() + make_interval(secs => least(p.check_interval_ms * 1.5, ${update.maxIntervalMs}) / 1000.0)
    from poll_runs r
    where p.id = ${id} and r.id = p.run_id and r.step_token = ${stepToken}`.execute(db);
}

export interface SettledReport {
  state: Exclude<PendingReportState, 'waiting'>;
  lastStatus?: string;
  errorCode?: string | null;
  errorMessage?: string | null;
  reportDocumentId?: string | null;
  covered?: string[];
  snapshotsWritten?: number;
  isNew?: boolean;
  capturedAt?: Date | null;
}

export async function settleReport(
  db: Db,
  stepToken: string,
  id: string,
  settled: SettledReport,
): Promise<void> {
  await sql`
    update pending_reports as p
    set state = ${settled.state},
        checks = p.checks + 1,
        last_status = coalesce(${settled.lastStatus ?? null}, p.last_status),
        error_code = ${settled.errorCode ?? null},
        error_message = ${settled.errorMessage ?? null},
        report_document_id = ${settled.reportDocumentId ?? null},
        covered = ${settled.covered ?? []}::text[],
        snapshots_written = ${settled.snapshotsWritten ?? 0},
        is_new = ${settled.isNew ?? false},
        captured_at = ${settled.capturedAt ?? null}
    from poll_runs r
    where p.id = ${id} and r.id = p.run_id and r.step_token = ${stepToken}`.execute(db);
}

/** Once the run has its verdict, its reports are no longer pending; the run keeps which report it used. */
export async function clearPendingReports(db: Db, runId: string): Promise<void> {
  await db.deleteFrom('pending_reports').where('run_id', '=', runId).execute();
}

/** Reports in Amazon's queue across the fleet, for the bench and the operator's view of the backlog. */
export async function countWaitingReports(db: Db): Promise<number> {
  const row = await db
    .selectFrom('pending_reports')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('state', '=', 'waiting')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Drops every report the account's runs were waiting for (the runs were ended without them). */
export async function clearAccountPendingReports(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('pending_reports').where('account_id', '=', accountId).execute();
}
