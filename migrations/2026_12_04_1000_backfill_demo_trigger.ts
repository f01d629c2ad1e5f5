import { sql, type Kysely } from 'kysely';

// The demo's own backfills get their own trigger, 'demo', so the runner can put them after the jobs a person is
// waiting for: an account connected right after a demo start used to wait behind the seven demo histories.
// Jobs are claimed in the order api/cli, connect, demo, daily (backfill.repository.ts).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table backfill_jobs drop constraint backfill_jobs_trigger_check`.execute(db);
  await sql`alter table backfill_jobs add constraint backfill_jobs_trigger_check
    check (trigger in ('connect', 'api', 'cli', 'daily', 'demo'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update backfill_jobs set trigger = 'connect' where trigger = 'demo'`.execute(db);
  await sql`alter table backfill_jobs drop constraint backfill_jobs_trigger_check`.execute(db);
  await sql`alter table backfill_jobs add constraint backfill_jobs_trigger_check
    check (trigger in ('connect', 'api', 'cli', 'daily'))`.execute(db);
}
