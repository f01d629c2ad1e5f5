import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

// What GET /metrics reports, read at scrape time in one statement: one round trip, and every figure from the same
// moment of the database. Instants come as Unix seconds.

export interface MonitoringState {
  /** The database's clock, Unix seconds. */
  now: number;
  accounts: Array<{
    id: string;
    sellerId: string;
    region: string;
    name: string;
    connectionState: string;
    lastGoodPollAt: number | null;
  }>;
  marketplaces: Array<{
    accountId: string;
    marketplaceId: string;
    /** Polled (enabled, and the seller takes part in it). */
    polled: boolean;
    accountStatus: string | null;
    ahrStatus: string | null;
    ahrScore: number | null;
    ahrBand: string | null;
    lastReportAt: number | null;
  }>;
  figures: Array<{
    accountId: string;
    marketplaceId: string;
    metric: string;
    channel: string;
    windowDays: number | null;
    rate: number | null;
    status: string | null;
    targetValue: number | null;
    targetCondition: string | null;
  }>;
  /** Unresolved alerts (open or acknowledged), counted. */
  alerts: Array<{ accountId: string; severity: string; state: string; count: number }>;
  /** Every poll run ever recorded, per account: finished ones by outcome, and the 429s Amazon answered. */
  polls: Array<{
    accountId: string;
    succeeded: number;
    failed: number;
    abandoned: number;
    throttles: number;
  }>;
  /** Runs not finished, by status. */
  pollsInFlight: Array<{ status: string; count: number }>;
  /** Messages not sent (pending, sending, failed), by status and channel, with the oldest one's age. */
  outbox: Array<{ status: string; channel: string; count: number; oldestAgeSeconds: number }>;
}

/** Everything but the poll totals (readPollTotals), which scan every run ever recorded. */
export async function readMonitoringState(db: Kysely<DB>): Promise<Omit<MonitoringState, 'polls'>> {
  const { rows } = await sql<Omit<MonitoringState, 'polls'>>`select
    extract(epoch from now())::float8 as now,
    (select coalesce(json_agg(json_build_object(
        'id', a.id, 'sellerId', a.seller_id, 'region', a.region, 'name', a.name,
        'connectionState', a.connection_state,
        'lastGoodPollAt', extract(epoch from a.last_good_poll_at)::float8)), '[]'::json)
      from seller_accounts a) as accounts,
    (select coalesce(json_agg(json_build_object(
        'accountId', m.account_id, 'marketplaceId', m.marketplace_id,
        'polled', m.enabled and m.is_participating, 'accountStatus', m.account_status,
        'ahrStatus', m.ahr_status, 'ahrScore', m.ahr_score, 'ahrBand', m.ahr_band,
        'lastReportAt', extract(epoch from m.last_report_at)::float8)), '[]'::json)
      from account_marketplaces m) as marketplaces,
    (select coalesce(json_agg(json_build_object(
        'accountId', f.account_id, 'marketplaceId', f.marketplace_id, 'metric', f.metric,
        'channel', f.channel, 'windowDays', f.window_days, 'rate', f.rate, 'status', f.status,
        'targetValue', f.target_value, 'targetCondition', f.target_condition)), '[]'::json)
      from metric_latest f) as figures,
    (select coalesce(json_agg(json_build_object(
        'accountId', x.account_id, 'severity', x.severity, 'state', x.state, 'count', x.n)), '[]'::json)
      from (select account_id, severity, state, count(*) as n from alerts
        where state in ('open', 'acknowledged') group by account_id, severity, state) x) as alerts,
    (select coalesce(json_agg(json_build_object('status', x.status, 'count', x.n)), '[]'::json)
      -- Two reads of the partial indexes on open runs (queued; running or waiting), not a scan of every run.
      from (select 'queued' as status, count(*) as n from poll_runs where status = 'queued'
        union all
        select status, count(*) from poll_runs where status in ('running', 'waiting') group by status) x)
      as "pollsInFlight",
    (select coalesce(json_agg(json_build_object(
        'status', x.status, 'channel', x.channel, 'count', x.n, 'oldestAgeSeconds', x.age)), '[]'::json)
      from (select status, channel, count(*) as n,
          greatest(extract(epoch from now() - min(created_at))::float8, 0) as age
        from outbox_messages where status in ('pending', 'sending', 'failed')
        group by status, channel) x) as outbox`.execute(db);
  return rows[0]!;
}

/** Every poll run ever recorded, counted per account: a scan of the whole table (about 0.3 s for two million runs). */
export async function readPollTotals(db: Kysely<DB>): Promise<MonitoringState['polls']> {
  const { rows } = await sql<{
    account_id: string;
    succeeded: string;
    failed: string;
    abandoned: string;
    throttles: string;
  }>`select account_id,
      count(*) filter (where status = 'succeeded') as succeeded,
      count(*) filter (where status = 'failed') as failed,
      count(*) filter (where status = 'abandoned') as abandoned,
      coalesce(sum(throttles), 0) as throttles
    from poll_runs group by account_id`.execute(db);
  return rows.map((r) => ({
    accountId: r.account_id,
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    abandoned: Number(r.abandoned),
    throttles: Number(r.throttles),
  }));
}
