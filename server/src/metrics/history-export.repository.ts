import { sql, type Kysely } from 'kysely';
import type { Channel, DB, SnapshotGranularity, SnapshotSource } from '../db/schema.ts';

// The reads behind the history export (history-export.ts): an account's snapshots and their figures, one page at
// a time, in the order of the snapshots' identity index, so each page is one range of that index however long
// the history.

export interface HistoryRange {
  accountId: string;
  /** First instant included; null: from the first snapshot. */
  from: Date | null;
  /** First instant excluded; null: up to the last snapshot. */
  until: Date | null;
  /** Only these marketplaces; every one when absent or empty. */
  marketplaceIds?: readonly string[];
  /** Figures of these metrics only; null: every metric; empty: none. */
  figureMetrics: readonly string[] | null;
}

/** Where the previous page ended: the identity of its last snapshot (`capturedAt` as Postgres wrote it). */
export interface HistoryCursor {
  marketplaceId: string;
  capturedAt: string;
  source: string;
  granularity: string;
}

export interface HistoryPageRow {
  snapshot_id: string;
  marketplace_id: string;
  captured_at: Date;
  /** The capture time as text, exactly (microseconds and all): the next page starts after it. */
  captured_key: string;
  source: SnapshotSource;
  granularity: SnapshotGranularity;
  account_status: string | null;
  ahr_status: string | null;
  ahr_score: number | null;
  /** Null when the snapshot has no figure (of the metrics asked for). */
  metric: string | null;
  channel: Channel | null;
  window_days: number | null;
  window_from: Date | null;
  window_to: Date | null;
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string | null;
  target_value: number | null;
  target_condition: string | null;
}

/**
 * Up to `limit` snapshots after `after`, by marketplace, capture time, source and granularity, each with its
 * figures (one row per figure, or one row with a null metric when it has none), in the same order, a snapshot's
 * figures by metric, channel and window.
 */
export async function historyPage(
  db: Kysely<DB>,
  range: HistoryRange,
  after: HistoryCursor | null,
  limit: number,
): Promise<HistoryPageRow[]> {
  const conditions = [sql`h.account_id = ${range.accountId}`];
  if (range.from) conditions.push(sql`h.captured_at >= ${range.from}`);
  if (range.until) conditions.push(sql`h.captured_at < ${range.until}`);
  if (range.marketplaceIds?.length) {
    conditions.push(sql`h.marketplace_id in (${sql.join([...range.marketplaceIds])})`);
  }
  if (after) {
    conditions.push(
      sql`(h.marketplace_id, h.captured_at, h.source, h.granularity) >
        (${after.marketplaceId}, ${after.capturedAt}::timestamptz, ${after.source}, ${after.granularity})`,
    );
  }
  const figures =
    range.figureMetrics === null
      ? sql``
      : range.figureMetrics.length === 0
        ? sql`and false`
        : sql`and m.metric in (${sql.join([...range.figureMetrics])})`;
  const { rows } = await sql<HistoryPageRow>`
    select s.id as snapshot_id, s.marketplace_id, s.captured_at, s.captured_at::text as captured_key, s.source,
      s.granularity, s.account_status, s.ahr_status, s.ahr_score, f.metric, f.channel, f.window_days,
      f.window_from, f.window_to, f.rate, f.numerator, f.denominator, f.status, f.target_value, f.target_condition
    from (
      select h.id, h.marketplace_id, h.captured_at, h.source, h.granularity, h.account_status, h.ahr_status,
        h.ahr_score
      from health_snapshots h
      where ${sql.join(conditions, sql` and `)}
      order by h.marketplace_id, h.captured_at, h.source, h.granularity
      limit ${limit}
    ) s
    left join lateral (
      select m.metric, m.channel, m.window_days, m.window_from, m.window_to, m.rate, m.numerator, m.denominator,
        m.status, m.target_value, m.target_condition
      from metric_snapshots m
      where m.snapshot_id = s.id ${figures}
    ) f on true
    order by s.marketplace_id, s.captured_at, s.source, s.granularity, f.metric, f.channel,
      f.window_days nulls first`.execute(db);
  return rows;
}

/** Every metric name stored for this account (its newest figures name them all). */
export async function storedMetricNames(db: Kysely<DB>, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('metric_latest')
    .select('metric')
    .distinct()
    .where('account_id', '=', accountId)
    .execute();
  return rows.map((r) => r.metric);
}
