import { sql, type Kysely } from 'kysely';
import type { DB } from '@good-standing/server/db/schema.ts';

// How much one account has stored, by kind: what the ingest and poller tests compare before and after.

export type Stored = 'figures' | 'policies' | 'account_status_history' | 'report_documents' | 'poll_runs';

export async function countStored(db: Kysely<DB>, what: Stored, accountId: string): Promise<number> {
  const queries: Record<Stored, ReturnType<typeof sql<string>>> = {
    figures: sql`(select count(*) from metric_snapshots m join health_snapshots h on h.id = m.snapshot_id
      where h.account_id = ${accountId})`,
    // One per policy category of each snapshot.
    policies: sql`(select count(*) from health_snapshots h, jsonb_object_keys(h.policies)
      where h.account_id = ${accountId})`,
    account_status_history: sql`(select count(*) from account_status_history where account_id = ${accountId})`,
    report_documents: sql`(select count(*) from report_documents where account_id = ${accountId})`,
    poll_runs: sql`(select count(*) from poll_runs where account_id = ${accountId})`,
  };
  const r = await sql<{ n: string }>`select ${queries[what]} as n`.execute(db);
  return Number(r.rows[0]!.n);
}
