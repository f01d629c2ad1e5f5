import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB, PolicyFigure, SnapshotGranularity, SnapshotSource } from '../db/schema.ts';
import type { MarketplaceHealth, ReportingWindow } from '../reports/types.ts';

// The time series: health snapshots (one marketplace at one capture), their figures, the newest figure of every
// metric, status history and warning states. Ingest writes them inside its transaction; the read API, the alert
// engine and the cases read them. Nothing else touches these tables.

type Db = Kysely<DB> | Transaction<DB>;

export interface SnapshotInput {
  accountId: string;
  capturedAt: Date;
  source: SnapshotSource;
  granularity: SnapshotGranularity;
  reportDocumentId: string | null;
  health: MarketplaceHealth;
}

export interface SnapshotWritten {
  /** Null when this marketplace already had a snapshot at this capture (same source and granularity). */
  snapshotId: string | null;
  figuresWritten: number;
}

const DAY_MS = 86_400_000;
const INT4_MAX = 2_147_483_647;

/** The length of a reporting window in whole days (a 10-day window ends at 23:59:59 of its tenth day). */
export function windowDays(window: ReportingWindow): number | null {
  if (!window.from || !window.to) return null;
  const days = Math.round((Date.parse(window.to) - Date.parse(window.from)) / DAY_MS);
  return Number.isFinite(days) ? Math.abs(days) : null;
}

const toDate = (iso: string | null) => (iso ? new Date(iso) : null);

/** Counts are int4 columns; a figure no seller can have (beyond 2^31) is treated as not reported. */
function toInt(n: number | null): number | null {
  if (n === null || !Number.isFinite(n)) return null;
  const rounded = Math.round(n);
  return Math.abs(rounded) > INT4_MAX ? null : rounded;
}

function policyFigures(health: MarketplaceHealth): Record<string, PolicyFigure> | null {
  if (health.policies.length === 0) return null;
  const figures: Record<string, PolicyFigure> = {};
  for (const p of health.policies) {
    const figure: PolicyFigure = { count: toInt(p.count), status: p.status };
    if (p.targetValue !== null) figure.targetValue = p.targetValue;
    if (p.targetCondition !== null) figure.targetCondition = p.targetCondition;
    if (p.window.from) figure.windowFrom = p.window.from;
    if (p.window.to) figure.windowTo = p.window.to;
    figures[p.category] ??= figure;
  }
  return figures;
}

/**
 * Writes one marketplace's snapshot, its figures and the newest-figure rows. Idempotent: a snapshot already
 * stored under the same identity (account, marketplace, capture time, source, granularity) is left as it is.
 */
export async function writeHealthSnapshot(
  tx: Transaction<DB>,
  input: SnapshotInput,
): Promise<SnapshotWritten> {
  const { health } = input;
  const header = await tx
    .insertInto('health_snapshots')
    .values({
      account_id: input.accountId,
      marketplace_id: health.marketplaceId,
      captured_at: input.capturedAt,
      source: input.source,
      granularity: input.granularity,
      account_status: health.accountStatus,
      ahr_status: health.ahrStatus,
      ahr_score: health.ahrScore,
      ahr_band: health.ahrBand,
      policy_violation_warnings: toInt(health.policyViolationWarnings?.count ?? null),
      policies: JSON.stringify(policyFigures(health)),
      report_document_id: input.reportDocumentId,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!header) return { snapshotId: null, figuresWritten: 0 };
  // The day's last snapshot: a later capture of the same UTC day replaces it, an earlier one arriving late does not.
  await tx
    .insertInto('daily_snapshots')
    .values({
      account_id: input.accountId,
      marketplace_id: health.marketplaceId,
      source: input.source,
      day: input.capturedAt.toISOString().slice(0, 10),
      snapshot_id: header.id,
      captured_at: input.capturedAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'marketplace_id', 'source', 'day'])
        .doUpdateSet((eb) => ({
          snapshot_id: eb.ref('excluded.snapshot_id'),
          captured_at: eb.ref('excluded.captured_at'),
        }))
        .where('daily_snapshots.captured_at', '<=', (eb) => eb.ref('excluded.captured_at')),
    )
    .execute();

  // One figure per metric, channel and window length: a report that repeats one keeps the first.
  const seen = new Set<string>();
  const figures = [];
  for (const r of health.rates) {
    const days = windowDays(r.window);
    const key = `${r.metric}|${r.channel}|${days}`;
    if (seen.has(key)) continue;
    seen.add(key);
    figures.push({
      metric: r.metric,
      channel: r.channel,
      window_days: days,
      rate: r.rate,
      numerator: toInt(r.numerator),
      denominator: toInt(r.denominator),
      status: r.status,
      target_value: r.targetValue,
      target_condition: r.targetCondition,
      window_from: toDate(r.window.from),
      window_to: toDate(r.window.to),
      parts: Object.keys(r.parts).length > 0 ? JSON.stringify(r.parts) : null,
    });
  }
  if (figures.length === 0) return { snapshotId: header.id, figuresWritten: 0 };

  await tx
    .insertInto('metric_snapshots')
    .values(figures.map((f) => ({ ...f, snapshot_id: header.id })))
    .execute();
  // Newest figure wins; an older report arriving late leaves the newer figure in place.
  await tx
    .insertInto('metric_latest')
    .values(
      figures.map((f) => ({
        ...f,
        account_id: input.accountId,
        marketplace_id: health.marketplaceId,
        captured_at: input.capturedAt,
        source: input.source,
        snapshot_id: header.id,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'marketplace_id', 'metric', 'channel', 'window_days'])
        .doUpdateSet((eb) => ({
          captured_at: eb.ref('excluded.captured_at'),
          source: eb.ref('excluded.source'),
          rate: eb.ref('excluded.rate'),
          numerator: eb.ref('excluded.numerator'),
          denominator: eb.ref('excluded.denominator'),
          status: eb.ref('excluded.status'),
          target_value: eb.ref('excluded.target_value'),
          target_condition: eb.ref('excluded.target_condition'),
          window_from: eb.ref('excluded.window_from'),
          window_to: eb.ref('excluded.window_to'),
          parts: eb.ref('excluded.parts'),
          snapshot_id: eb.ref('excluded.snapshot_id'),
        }))
        .where('metric_latest.captured_at', '<=', (eb) => eb.ref('excluded.captured_at')),
    )
    .execute();
  return { snapshotId: header.id, figuresWritten: figures.length };
}

export interface StatusChange {
  marketplaceId: string;
  from: string | null;
  to: string;
}

export async function recordStatusChange(
  tx: Transaction<DB>,
  accountId: string,
  change: StatusChange,
  changedAt: Date,
  reportDocumentId: string | null,
): Promise<void> {
  await tx
    .insertInto('account_status_history')
    .values({
      account_id: accountId,
      marketplace_id: change.marketplaceId,
      previous_status: change.from,
      status: change.to,
      changed_at: changedAt,
      report_document_id: reportDocumentId,
    })
    .execute();
}

/** Warnings seen in this report are open (or stay open); those absent from a newer report have cleared. */
export async function recordWarningStates(
  tx: Transaction<DB>,
  accountId: string,
  health: MarketplaceHealth,
  capturedAt: Date,
): Promise<void> {
  const seen = new Set<string>();
  for (const w of health.warningStates) {
    if (seen.has(w.type)) continue;
    seen.add(w.type);
    await tx
      .insertInto('warning_states')
      .values({
        account_id: accountId,
        marketplace_id: health.marketplaceId,
        warning_type: w.type,
        status: w.status,
        first_seen_at: capturedAt,
        last_seen_at: capturedAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'marketplace_id', 'warning_type'])
          .where('cleared_at', 'is', null)
          .doUpdateSet({ status: w.status, last_seen_at: capturedAt }),
      )
      .execute();
  }
  let clear = tx
    .updateTable('warning_states')
    .set({ cleared_at: capturedAt })
    .where('account_id', '=', accountId)
    .where('marketplace_id', '=', health.marketplaceId)
    .where('cleared_at', 'is', null)
    .where('last_seen_at', '<', capturedAt);
  if (seen.size > 0) clear = clear.where('warning_type', 'not in', [...seen]);
  await clear.execute();
}

// ---- reads ----

/** The newest figure of every metric of these accounts (all accounts when none are named). */
export async function latestFigures(db: Db, accountIds?: string[]) {
  if (accountIds?.length === 0) return [];
  let q = db
    .selectFrom('metric_latest')
    .select([
      'account_id',
      'marketplace_id',
      'metric',
      'channel',
      'window_days',
      'captured_at',
      'source',
      'rate',
      'numerator',
      'denominator',
      'status',
      'target_value',
      'target_condition',
      'window_from',
      'window_to',
      'parts',
    ]);
  if (accountIds) q = q.where('account_id', 'in', accountIds);
  return q.orderBy('account_id').orderBy('marketplace_id').orderBy('metric').orderBy('channel').execute();
}
export type LatestFigureRow = Awaited<ReturnType<typeof latestFigures>>[number];

/** The policy counts of the given snapshots (the overview names each marketplace's latest). */
export async function snapshotPolicies(db: Db, snapshotIds: string[]) {
  if (snapshotIds.length === 0) return new Map<string, Record<string, PolicyFigure> | null>();
  const rows = await db
    .selectFrom('health_snapshots')
    .select(['id', 'policies'])
    .where('id', 'in', snapshotIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.policies]));
}

export interface RangeQuery {
  accountId: string;
  marketplaceIds?: string[];
  from: Date;
  /** No end when absent. */
  to?: Date | null;
}

export type Resolution = 'report' | 'day';

/** The report's window (days) each Data Kiosk day's figure follows (docs/data-kiosk.md, the simulator's too). */
export const DATA_KIOSK_WINDOWS: Readonly<Record<string, number>> = {
  order_defect_rate: 60,
  late_shipment_rate: 30,
  pre_fulfillment_cancellation_rate: 7,
  valid_tracking_rate: 30,
  on_time_delivery_rate: 30,
  unit_on_time_delivery_rate: 14,
};

/**
 * A figure's window (`m.window_days`) where it names one; a Data Kiosk day names none, and continues the report's
 * figure whose window it follows (docs/data-kiosk.md), so both draw one line.
 */
function windowOfDay(source: RawBuilder<unknown>) {
  return sql<number | null>`coalesce(m.window_days, case when ${source} = 'data_kiosk' then (case m.metric
      ${sql.join(
        Object.entries(DATA_KIOSK_WINDOWS).map(([metric, days]) => sql`when ${metric} then ${days}::int`),
        sql` `,
      )} end) end)`;
}

/**
 * The series of one account in a time range as the API's JSON text (see `Series` in metrics.schemas.ts), built
 * by Postgres (instants as its JSON writes them: ISO 8601 with an offset): a year of figures is tens of thousands
 * of values, which Postgres aggregates in a few milliseconds while parsing them into rows and back into JSON would
 * cost a Node process ten times that.
 *
 * At `day` resolution each UTC day keeps its last snapshot per marketplace and source, read from `daily_snapshots`
 * (one row per day, written by ingest): Amazon moves its figures at most daily, so that point stands for the day.
 */
export async function seriesJson(
  db: Db,
  query: RangeQuery & {
    metrics?: string[];
    resolution: Resolution;
    /** The rating's score series (`scores`) too: yes unless told otherwise. */
    scores?: boolean;
  },
): Promise<string> {
  const marketplaces = query.marketplaceIds?.length
    ? sql`and s.marketplace_id in (${sql.join(query.marketplaceIds)})`
    : sql``;
  const until = query.to ? sql`and s.captured_at <= ${query.to}` : sql``;
  const metrics = query.metrics?.length ? sql`and m.metric in (${sql.join(query.metrics)})` : sql``;
  const fromDay = sql`(${query.from}::timestamptz at time zone 'UTC')::date`;
  // A day both sources cover is drawn from the report (its figures are the ones Amazon acts on): Data Kiosk's
  // day steps aside, so a chart has one point a day and each point says which source it took.
  const reportHasDay = (day: ReturnType<typeof sql>) => sql`exists (select 1 from daily_snapshots r
    where r.account_id = s.account_id and r.marketplace_id = s.marketplace_id and r.source = 'report'
      and r.day = ${day})`;
  // The snapshots of the range: every one, or the day's last from `daily_snapshots`.
  const snapshots =
    query.resolution === 'day'
      ? sql`select h.id, h.marketplace_id, h.captured_at, h.source, h.granularity
          from daily_snapshots s join health_snapshots h on h.id = s.snapshot_id
          where s.account_id = ${query.accountId} and s.captured_at >= ${query.from} ${until} ${marketplaces}
            and s.day >= ${fromDay}
            and not (s.source = 'data_kiosk' and ${reportHasDay(sql`s.day`)})`
      : sql`select s.id, s.marketplace_id, s.captured_at, s.source, s.granularity
          from health_snapshots s
          where s.account_id = ${query.accountId} and s.captured_at >= ${query.from} ${until} ${marketplaces}
            and not (s.source = 'data_kiosk'
              and ${reportHasDay(sql`(s.captured_at at time zone 'UTC')::date`)})`;
  // Lateral, so each snapshot's figures are looked up by its id rather than hashing the figure table.
  const windowDays = windowOfDay(sql.ref('s.source'));
  const figures = sql`select s.marketplace_id, s.captured_at, s.source, s.granularity, m.metric, m.channel,
      ${windowDays} as window_days, m.rate, m.numerator, m.denominator, m.status, m.target_value, m.target_condition,
      m.window_from, m.window_to, m.parts
    from (${snapshots}) s cross join lateral (
      select * from metric_snapshots m where m.snapshot_id = s.id ${metrics}
    ) m`;
  // The rating's score, one point a day at any resolution (the score moves at most daily): the day's report where
  // it carries a score, else Data Kiosk's day, which is also how an account whose reports have no score (see
  // docs/report-formats.md) still gets one. Each day is found by its `daily_snapshots` key, as the daily series
  // above.
  const scoreDays = sql`select distinct on (s.marketplace_id, s.day) s.marketplace_id, s.day, h.captured_at,
      h.ahr_score, h.ahr_band, s.source
    from daily_snapshots s join health_snapshots h on h.id = s.snapshot_id
    where s.account_id = ${query.accountId} and s.captured_at >= ${query.from} ${until} ${marketplaces}
      and s.day >= ${fromDay} and h.ahr_score is not null
    order by s.marketplace_id, s.day, s.source = 'report' desc`;
  const scoreColumn = (expression: ReturnType<typeof sql>) => sql`json_agg(${expression} order by sc.day)`;
  const scores =
    query.scores !== false
      ? sql`coalesce((select json_agg(x.scores order by x.marketplace_id) from (
        select sc.marketplace_id, json_build_object(
          'marketplaceId', sc.marketplace_id,
          'points', json_build_object(
            'day', ${scoreColumn(sql`sc.day::text`)},
            'capturedAt', ${scoreColumn(sql.ref('sc.captured_at'))},
            'score', ${scoreColumn(sql.ref('sc.ahr_score'))},
            'band', ${scoreColumn(sql.ref('sc.ahr_band'))},
            'source', ${scoreColumn(sql.ref('sc.source'))}
          )) as scores
        from (${scoreDays}) sc group by sc.marketplace_id) x), '[]'::json)`
      : sql`'[]'::json`;
  const column = (expression: ReturnType<typeof sql>) => sql`json_agg(${expression} order by f.captured_at)`;
  const result = await sql<{ body: string }>`
    with f as (${figures}),
    g as (
      select f.marketplace_id, f.metric, f.channel, f.window_days, json_build_object(
        'marketplaceId', f.marketplace_id,
        'metric', f.metric,
        'channel', f.channel,
        'windowDays', f.window_days,
        'target', (array_agg(json_build_object('value', f.target_value, 'condition', f.target_condition)
          order by f.captured_at desc)
          filter (where f.target_value is not null and f.target_condition is not null))[1],
        'points', json_build_object(
          'capturedAt', ${column(sql.ref('f.captured_at'))},
          'rate', ${column(sql.ref('f.rate'))},
          'numerator', ${column(sql.ref('f.numerator'))},
          'denominator', ${column(sql.ref('f.denominator'))},
          'status', ${column(sql.ref('f.status'))},
          'targetValue', ${column(sql.ref('f.target_value'))},
          'windowFrom', ${column(sql.ref('f.window_from'))},
          'windowTo', ${column(sql.ref('f.window_to'))},
          'source', ${column(sql.ref('f.source'))},
          'granularity', ${column(sql.ref('f.granularity'))},
          'parts', ${column(sql.ref('f.parts'))}
        )) as series
      from f group by f.marketplace_id, f.metric, f.channel, f.window_days
    )
    select json_build_object(
      'accountId', ${query.accountId}::text,
      'from', ${query.from.toISOString()}::text,
      'to', ${query.to?.toISOString() ?? null}::text,
      'resolution', ${query.resolution}::text,
      'series', coalesce(
        (select json_agg(g.series order by g.marketplace_id, g.metric, g.channel, g.window_days) from g),
        '[]'::json),
      'scores', ${scores}
    )::text as body`.execute(db);
  return result.rows[0]!.body;
}

/**
 * Each account's daily figures of the given metrics over the `days` UTC days up to its marketplace's newest
 * report (Amazon's clock, which a simulator may run ahead of ours), oldest first: the overview's sparklines.
 * A day without a report takes Data Kiosk's figure, so an account connected today has its lines at once.
 */
export async function recentDailyRates(
  db: Db,
  query: { accountIds: string[]; metrics: readonly string[]; days: number },
) {
  if (query.accountIds.length === 0) return [];
  const { rows } = await sql<{
    account_id: string;
    marketplace_id: string;
    metric: string;
    channel: string;
    window_days: number | null;
    day: string;
    rate: number | null;
  }>`select d.account_id, d.marketplace_id, m.metric, m.channel, ${windowOfDay(sql.ref('d.source'))} as window_days,
      d.day::text as day, m.rate
    from account_marketplaces am
    join daily_snapshots d on d.account_id = am.account_id and d.marketplace_id = am.marketplace_id
      and d.source in ('report', 'data_kiosk')
      and d.day > (am.last_report_at at time zone 'UTC')::date - ${query.days}::int
    join metric_snapshots m on m.snapshot_id = d.snapshot_id and m.metric in (${sql.join([...query.metrics])})
    where am.account_id in (${sql.join(query.accountIds)}) and am.last_report_at is not null
      and not (d.source = 'data_kiosk' and exists (select 1 from daily_snapshots r
        where r.account_id = d.account_id and r.marketplace_id = d.marketplace_id and r.source = 'report'
          and r.day = d.day))
    order by d.account_id, d.marketplace_id, m.metric, m.channel, window_days, d.day`.execute(db);
  return rows;
}

/**
 * Each marketplace's daily Account Health Rating score over the `days` UTC days up to its newest report, oldest
 * first: the report's where it has a score, else Data Kiosk's (as `seriesJson` picks them). The overview's score
 * sparklines, for every account in one query. Each marketplace's days are read along its own key (lateral), and
 * come back as one row of arrays: 600 marketplaces with two years of history each take about a quarter of a
 * second, where joining the whole history at once took twice that and sent 50 000 rows.
 */
export async function recentDailyScores(db: Db, query: { accountIds: string[]; days: number }) {
  if (query.accountIds.length === 0) return [];
  const { rows } = await sql<{
    account_id: string;
    marketplace_id: string;
    days: string[];
    scores: number[];
  }>`select am.account_id, am.marketplace_id, x.days, x.scores
    from account_marketplaces am
    cross join lateral (
      select json_agg(y.day::text order by y.day) as days, json_agg(y.score order by y.day) as scores
      from (
        select distinct on (d.day) d.day, h.ahr_score as score
        from daily_snapshots d join health_snapshots h on h.id = d.snapshot_id
        where d.account_id = am.account_id and d.marketplace_id = am.marketplace_id
          and d.source in ('report', 'data_kiosk')
          and d.day > (am.last_report_at at time zone 'UTC')::date - ${query.days}::int
          and h.ahr_score is not null
        order by d.day, d.source = 'report' desc
      ) y
    ) x
    where am.account_id in (${sql.join(query.accountIds)}) and am.last_report_at is not null
      and x.days is not null`.execute(db);
  return rows;
}

/** Policy counts of one account over a time range, oldest first. */
export async function policySeries(db: Db, query: RangeQuery) {
  let q = db
    .selectFrom('health_snapshots')
    .select(['marketplace_id', 'captured_at', 'source', 'policies', 'policy_violation_warnings'])
    .where('account_id', '=', query.accountId)
    .where('captured_at', '>=', query.from)
    .where('policies', 'is not', null);
  if (query.to) q = q.where('captured_at', '<=', query.to);
  if (query.marketplaceIds?.length) q = q.where('marketplace_id', 'in', query.marketplaceIds);
  return q.orderBy('captured_at').execute();
}

export async function statusHistory(db: Db, query: RangeQuery) {
  let q = db
    .selectFrom('account_status_history')
    .select(['marketplace_id', 'previous_status', 'status', 'changed_at'])
    .where('account_id', '=', query.accountId)
    .where('changed_at', '>=', query.from);
  if (query.to) q = q.where('changed_at', '<=', query.to);
  if (query.marketplaceIds?.length) q = q.where('marketplace_id', 'in', query.marketplaceIds);
  return q.orderBy('changed_at', 'desc').orderBy('id', 'desc').execute();
}

/** Warning states of one account: open ones, and those cleared since `clearedSince`. */
export async function warningStates(
  db: Db,
  query: { accountId: string; marketplaceIds?: string[]; clearedSince: Date },
) {
  let q = db
    .selectFrom('warning_states')
    .select(['marketplace_id', 'warning_type', 'status', 'first_seen_at', 'last_seen_at', 'cleared_at'])
    .where('account_id', '=', query.accountId)
    .where((eb) => eb.or([eb('cleared_at', 'is', null), eb('cleared_at', '>=', query.clearedSince)]));
  if (query.marketplaceIds?.length) q = q.where('marketplace_id', 'in', query.marketplaceIds);
  return q
    .orderBy(sql`cleared_at is null`, 'desc')
    .orderBy('last_seen_at', 'desc')
    .execute();
}

// ---- reads for the alert engine ----

/** The report's snapshots, one per marketplace it covered. */
export async function snapshotsOfReport(db: Db, reportDocumentId: string) {
  return db
    .selectFrom('health_snapshots')
    .select([
      'id',
      'account_id',
      'marketplace_id',
      'captured_at',
      'account_status',
      'ahr_status',
      'ahr_score',
      'ahr_band',
      'policies',
    ])
    .where('report_document_id', '=', reportDocumentId)
    .orderBy('marketplace_id')
    .execute();
}

export async function snapshotFigures(db: Db, snapshotId: string) {
  return db
    .selectFrom('metric_snapshots')
    .select([
      'metric',
      'channel',
      'window_days',
      'rate',
      'numerator',
      'denominator',
      'status',
      'target_value',
      'target_condition',
      'window_from',
      'window_to',
    ])
    .where('snapshot_id', '=', snapshotId)
    .execute();
}

/** One marketplace's daily figures from the report, in a time range (both ends included), oldest first. */
export async function dailyFigures(
  db: Db,
  query: { accountId: string; marketplaceId: string; from: Date; to: Date },
) {
  return db
    .selectFrom('daily_snapshots as d')
    .innerJoin('metric_snapshots as m', 'm.snapshot_id', 'd.snapshot_id')
    .select(['m.metric', 'm.channel', 'm.window_days', 'd.captured_at', 'm.rate', 'm.denominator'])
    .where('d.account_id', '=', query.accountId)
    .where('d.marketplace_id', '=', query.marketplaceId)
    .where('d.source', '=', 'report')
    .where('d.captured_at', '>=', query.from)
    .where('d.captured_at', '<=', query.to)
    .orderBy('d.captured_at')
    .execute();
}

/** The highest numeric rating of one marketplace in a time range, before `to` (excluded). */
export async function bestScore(
  db: Db,
  query: { accountId: string; marketplaceId: string; from: Date; to: Date },
): Promise<number | null> {
  const row = await db
    .selectFrom('health_snapshots')
    .select((eb) => eb.fn.max('ahr_score').as('best'))
    .where('account_id', '=', query.accountId)
    .where('marketplace_id', '=', query.marketplaceId)
    .where('captured_at', '>=', query.from)
    .where('captured_at', '<', query.to)
    .executeTakeFirst();
  return row?.best ?? null;
}

/** Warning states open at a moment: seen by then and not cleared by then. */
export async function warningStatesAt(db: Db, query: { accountId: string; marketplaceId: string; at: Date }) {
  return db
    .selectFrom('warning_states')
    .select(['warning_type', 'status'])
    .where('account_id', '=', query.accountId)
    .where('marketplace_id', '=', query.marketplaceId)
    .where('first_seen_at', '<=', query.at)
    .where((eb) => eb.or([eb('cleared_at', 'is', null), eb('cleared_at', '>', query.at)]))
    .orderBy('warning_type')
    .execute();
}

/**
 * Fills `daily_snapshots` from the snapshots stored, for history written without ingest (the benchmark's seed in
 * SQL); ingest keeps it itself. Days already present are left as they are.
 */
export async function fillDailySnapshots(db: Db): Promise<void> {
  await sql`insert into daily_snapshots (account_id, marketplace_id, source, day, snapshot_id, captured_at)
    select distinct on (account_id, marketplace_id, source, (captured_at at time zone 'UTC')::date)
      account_id, marketplace_id, source, (captured_at at time zone 'UTC')::date, id, captured_at
    from health_snapshots
    order by account_id, marketplace_id, source, (captured_at at time zone 'UTC')::date, captured_at desc,
      id desc
    on conflict do nothing`.execute(db);
}
