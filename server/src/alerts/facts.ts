import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ahrBandOf } from '../reports/ahr-band.ts';
import { PUBLISHED_TARGETS } from '../metrics/standing.ts';
import type { OpenAlert } from './alerts.repository.ts';
import {
  DEFAULT_ALERT_SETTINGS,
  figureSubject,
  REPORT_RULES,
  type AlertSettings,
  type FigureFacts,
  type MarketplaceFacts,
} from './rules.ts';
import type { TrendPoint } from './trend.ts';

// What the stored data says about each marketplace of one report, as the rules read it: the report's own figures
// and statuses, and the history before it (as of the report's capture time, so evaluating an old report again
// sees what was known then).
//
// One query, its result built by Postgres as compact JSON: every query costs this process a write and a read on
// the socket, and every row and byte a parse, which together were most of an evaluation's CPU
// (server/bench/alerts.ts). A figure's history is read only where a rule reads it: for a figure with a rate and a
// target (its own, or Amazon's published one), by column, and of each policy only its count and status.

type Db = Kysely<DB> | Transaction<DB>;
const DAY_MS = 86_400_000;

/** One figure of the snapshot, as the query builds it. */
type FigureJson = [
  metric: string,
  channel: string,
  windowDays: number | null,
  rate: number | null,
  numerator: number | null,
  denominator: number | null,
  status: string | null,
  targetValue: number | null,
  targetCondition: string | null,
  windowFrom: number | null,
  windowTo: number | null,
];

/** One figure's days, by column: capture time (ms from the snapshot's), rate, denominator. */
type HistoryJson = [
  metric: string,
  channel: string,
  windowDays: number | null,
  at: number[],
  rate: number[],
  denominator: Array<number | null>,
];

interface SnapshotJson {
  marketplaceId: string;
  capturedAt: number;
  accountStatus: string | null;
  ahrStatus: string | null;
  ahrScore: number | null;
  ahrBand: string | null;
  policies: Record<string, [count: number | null, status: string | null]> | null;
  best: number | null;
  /** The newest Data Kiosk score of the three days before the report: [score, capture time in ms]. */
  kiosk: [score: number, at: number] | null;
  figures: FigureJson[] | null;
  history: HistoryJson[] | null;
  warnings: Array<[type: string, status: string | null]> | null;
}

/** An instant as whole milliseconds since the epoch, as a JavaScript Date holds it. */
const ms = (column: string) => sql.raw(`floor(extract(epoch from ${column}) * 1000)`);

const PUBLISHED_METRICS = Object.keys(PUBLISHED_TARGETS);

/** The report's snapshots as JSON (one per marketplace it covered), with their figures and history. */
function snapshotsJson(reportDocumentId: string, trendWindowDays: number): RawBuilder<SnapshotJson[]> {
  // The capture time less the window, in whole milliseconds as a Date holds them.
  const from = sql`(s.captured_at - ${trendWindowDays * DAY_MS}::float8 * interval '1 millisecond')`;
  return sql<SnapshotJson[]>`(select coalesce(json_agg(json_build_object(
      'marketplaceId', s.marketplace_id,
      'capturedAt', ${ms('s.captured_at')},
      'accountStatus', s.account_status,
      'ahrStatus', s.ahr_status,
      'ahrScore', s.ahr_score,
      'ahrBand', s.ahr_band,
      'policies', (select json_object_agg(p.key, json_build_array(p.value -> 'count', p.value -> 'status')
          order by p.n)
        from jsonb_each(s.policies) with ordinality p(key, value, n)),
      'best', (select max(h.ahr_score) from health_snapshots h
        where h.account_id = s.account_id and h.marketplace_id = s.marketplace_id
          and h.captured_at >= ${from} and h.captured_at < s.captured_at),
      'kiosk', (select json_build_array(h.ahr_score, ${ms('h.captured_at')}) from health_snapshots h
        where s.ahr_score is null and h.account_id = s.account_id and h.marketplace_id = s.marketplace_id
          and h.source = 'data_kiosk' and h.ahr_score is not null
          and h.captured_at <= s.captured_at and h.captured_at > s.captured_at - interval '3 days'
        order by h.captured_at desc limit 1),
      'warnings', (select json_agg(json_build_array(w.warning_type, w.status) order by w.warning_type)
        from warning_states w
        where w.account_id = s.account_id and w.marketplace_id = s.marketplace_id
          and w.first_seen_at <= s.captured_at and (w.cleared_at is null or w.cleared_at > s.captured_at)),
      'figures', (select json_agg(json_build_array(f.metric, f.channel, f.window_days, f.rate, f.numerator,
          f.denominator, f.status, f.target_value, f.target_condition, ${ms('f.window_from')},
          ${ms('f.window_to')}))
        from metric_snapshots f where f.snapshot_id = s.id),
      'history', (select json_agg(json_build_array(days.metric, days.channel, days.window_days, days.at,
          days.rate, days.denominator))
        from (select m.metric, m.channel, m.window_days,
            array_to_json(array_agg(${ms('d.captured_at')} - ${ms('s.captured_at')} order by d.captured_at)) as at,
            array_to_json(array_agg(m.rate order by d.captured_at)) as rate,
            array_to_json(array_agg(m.denominator order by d.captured_at)) as denominator
          from daily_snapshots d
          join metric_snapshots m on m.snapshot_id = d.snapshot_id
          where d.account_id = s.account_id and d.marketplace_id = s.marketplace_id and d.source = 'report'
            and d.day between (${from} at time zone 'UTC')::date and (s.captured_at at time zone 'UTC')::date
            and d.captured_at >= ${from} and d.captured_at <= s.captured_at
            and m.rate is not null
          group by m.metric, m.channel, m.window_days) days
        join metric_snapshots f on f.snapshot_id = s.id and f.metric = days.metric and f.channel = days.channel
          and f.window_days is not distinct from days.window_days
        where f.rate is not null and ((f.target_value is not null and f.target_condition is not null)
          or f.metric in (${sql.join(PUBLISHED_METRICS)})))
    ) order by s.marketplace_id), '[]'::json)
    from health_snapshots s where s.report_document_id = ${reportDocumentId})`;
}

/**
 * The report's rating; when it gives no score (some reports carry only the label), the score Amazon's Data Kiosk
 * gave for the last days, so the rating rules still see a number and its band.
 */
function ratingOf(s: SnapshotJson): MarketplaceFacts['ahr'] {
  if (s.ahrScore !== null || !s.kiosk) {
    return {
      status: s.ahrStatus,
      score: s.ahrScore,
      band: s.ahrBand,
      scoreSource: s.ahrScore === null ? null : 'report',
    };
  }
  const [score, at] = s.kiosk;
  return {
    status: s.ahrStatus,
    score,
    band: ahrBandOf(s.ahrStatus, score) ?? s.ahrBand,
    scoreSource: 'data_kiosk',
    scoreAt: new Date(at),
  };
}

function toFacts(s: SnapshotJson): MarketplaceFacts {
  const capturedAt = s.capturedAt;
  const history = new Map<string, TrendPoint[]>();
  const figures = (s.figures ?? []).map(
    ([
      metric,
      channel,
      windowDays,
      rate,
      numerator,
      denominator,
      status,
      value,
      condition,
      from,
      to,
    ]): FigureFacts => ({
      metric,
      channel,
      windowDays,
      rate,
      numerator,
      denominator,
      status,
      target: value !== null && condition !== null ? { value, condition } : null,
      window: {
        from: from === null ? null : new Date(from).toISOString(),
        to: to === null ? null : new Date(to).toISOString(),
      },
    }),
  );
  for (const [metric, channel, windowDays, at, rates, denominators] of s.history ?? []) {
    const days: TrendPoint[] = new Array(at.length);
    for (let i = 0; i < at.length; i++) {
      days[i] = { at: new Date(capturedAt + at[i]!), rate: rates[i]!, denominator: denominators[i] ?? null };
    }
    history.set(figureSubject({ metric, channel, windowDays }), days);
  }
  const policies: MarketplaceFacts['policies'] = {};
  for (const [category, [count, status]] of Object.entries(s.policies ?? {})) {
    policies[category] = { count, status };
  }
  return {
    marketplaceId: s.marketplaceId,
    capturedAt: new Date(capturedAt),
    accountStatus: s.accountStatus,
    ahr: ratingOf(s),
    recentBestScore: s.best,
    figures,
    history,
    policies,
    warningStates: (s.warnings ?? []).map(([type, status]) => ({ type, status })),
  };
}

export async function reportFacts(
  db: Db,
  reportDocumentId: string,
  settings: AlertSettings,
): Promise<MarketplaceFacts[]> {
  const { rows } = await sql<{
    snapshots: SnapshotJson[];
  }>`select ${snapshotsJson(reportDocumentId, settings.trendWindowDays)} as snapshots`.execute(db);
  return rows[0]!.snapshots.map(toFacts);
}

export interface ClaimedReport {
  accountId: string;
  capturedAt: Date;
  settings: AlertSettings;
  facts: MarketplaceFacts[];
  /** The account's open report alerts in the report's marketplaces, locked for this transaction. */
  open: OpenAlert[];
  /** The rules muted for the account at the time of the claim. */
  muted: Set<string>;
}

/** The settings to evaluate with: given, or made from the stored ones (the global and the account's own). */
export type SettingsSource = AlertSettings | ((global: unknown, account: unknown) => AlertSettings);

/**
 * The trend window the history is read with before the settings are known: the last evaluation's. A report whose
 * settings say otherwise reads its facts again (one more query).
 */
let trendWindowGuess = DEFAULT_ALERT_SETTINGS.trendWindowDays;

/**
 * Claims a report for evaluation in one round trip: locks it (skipping one another instance holds), marks it
 * evaluated in this transaction, and reads the alert settings, its facts, the alerts it may change (locked, as
 * `applyConditions` updates them) and the account's mutes. Null when another instance holds it, or it was
 * evaluated meanwhile.
 */
export async function claimReportFacts(
  tx: Transaction<DB>,
  reportDocumentId: string,
  source: SettingsSource,
  now: Date,
): Promise<ClaimedReport | null> {
  const stored = typeof source === 'function';
  const windowDays = stored ? trendWindowGuess : source.trendWindowDays;
  const { rows } = await sql<{
    account_id: string;
    captured_at: Date;
    global_settings: unknown;
    account_settings: unknown;
    snapshots: SnapshotJson[];
    open: OpenAlertJson[] | null;
    muted: string[] | null;
  }>`with report as (
      update report_documents set evaluation_pending = false, evaluated_at = now()
      where id = (select id from report_documents where id = ${reportDocumentId} and evaluation_pending
        for update skip locked)
      returning account_id, captured_at),
    open as (
      select a.id, a.marketplace_id, a.rule, a.subject, a.severity, a.details
      from alerts a join report r on a.account_id = r.account_id
      where a.state <> 'resolved' and a.rule in (${sql.join(REPORT_RULES)})
        and a.marketplace_id in (select marketplace_id from health_snapshots
          where report_document_id = ${reportDocumentId})
      for update of a)
    select r.account_id, r.captured_at,
      (select json_agg(json_build_array(o.id, o.marketplace_id, o.rule, o.subject, o.severity, o.details))
        from open o) as open,
      (select array_agg(m.rule) from alert_mutes m where m.account_id = r.account_id
        and (m.muted_until is null or m.muted_until > ${now})) as muted,
      ${stored ? sql`(select value from settings where key = 'alerts')` : sql`null`} as global_settings,
      ${stored ? sql`(select a.settings -> 'alerts' from seller_accounts a where a.id = r.account_id)` : sql`null`}
        as account_settings,
      ${snapshotsJson(reportDocumentId, windowDays)} as snapshots
    from report r`.execute(tx);
  const row = rows[0];
  if (!row) return null;
  const settings = stored ? source(row.global_settings, row.account_settings) : source;
  if (stored) trendWindowGuess = settings.trendWindowDays;
  return {
    accountId: row.account_id,
    capturedAt: row.captured_at,
    settings,
    facts:
      settings.trendWindowDays === windowDays
        ? row.snapshots.map(toFacts)
        : await reportFacts(tx, reportDocumentId, settings),
    open: (row.open ?? []).map(([id, marketplaceId, rule, subject, severity, details]) => ({
      id,
      marketplace_id: marketplaceId,
      rule,
      subject,
      severity,
      details,
    })),
    muted: new Set(row.muted ?? []),
  };
}

type OpenAlertJson = [
  id: string,
  marketplaceId: string,
  rule: string,
  subject: string,
  severity: OpenAlert['severity'],
  details: Record<string, unknown>,
];
