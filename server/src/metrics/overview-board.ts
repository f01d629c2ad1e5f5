import type { z } from 'zod';
import {
  BOARD_FIGURES,
  SCORE_TREND_DAYS,
  TREND_DAYS,
  type AlertCounts,
  type Board,
  type BoardFigure,
  type BoardQuery,
  type BoardRow,
  type LatestFigure,
  type Overview,
} from './metrics.schemas.ts';
import { figureSubject } from '../alerts/rules.ts';
import type { recentDailyRates, recentDailyScores } from './metrics.repository.ts';
import {
  allowanceUsed,
  isBreached,
  NEAR_TARGET_SHARE,
  PUBLISHED_TARGETS,
  STANDING_ORDER,
} from './standing.ts';

// The overview page's rows: one per account and marketplace, each with the key figures of the morning check
// against their targets and a 30-day trend. Rows are made once per overview build; each request only filters,
// sorts and pages them, so an agency's 400 rows cost a request well under a millisecond.

type Row = z.infer<typeof BoardRow>;
type Figure = z.infer<typeof BoardFigure>;
type Latest = z.infer<typeof LatestFigure>;
type Query = z.output<typeof BoardQuery>;
type Counts = z.infer<typeof AlertCounts>;
export type FigureKey = (typeof BOARD_FIGURES)[number];

/** An open or acknowledged alert, as the board reads it: what it is about and how bad. */
export interface BoardAlert {
  id: string;
  accountId: string;
  /** '' for an alert about the account itself. */
  marketplaceId: string;
  /** `metric:channel:windowDays` for a metric's alert (alerts/rules.ts `figureSubject`). */
  subject: string;
  severity: 'info' | 'warning' | 'critical';
  projectedBreachAt: string | null;
}

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

export function alertCounts(alerts: Iterable<Pick<BoardAlert, 'severity'>>): Counts {
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const a of alerts) counts[a.severity] += 1;
  return counts;
}

/** The earliest of the ISO instants (they sort as strings), or null. */
function earliest(alerts: readonly BoardAlert[]): string | null {
  let first: string | null = null;
  for (const { projectedBreachAt: at } of alerts) {
    if (at && (!first || at < first)) first = at;
  }
  return first;
}

/** The alert a figure shows: the most severe of those about it, with the earliest projected crossing of them all. */
function figureAlert(alerts: readonly BoardAlert[] | undefined): Figure['alert'] {
  if (!alerts?.length) return null;
  const worst = alerts.reduce((a, b) =>
    SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ||
    (b.severity === a.severity && b.projectedBreachAt !== null && a.projectedBreachAt === null)
      ? b
      : a,
  );
  return { id: worst.id, severity: worst.severity, projectedBreachAt: earliest(alerts) };
}

function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Which stored figure each column shows: metric, channel and, where Amazon reports several, the window. */
export const FIGURE_SPECS: Readonly<
  Record<FigureKey, { metric: string; channel: Latest['channel'] | null; windowDays: number | null }>
> = {
  odr_afn: { metric: 'order_defect_rate', channel: 'afn', windowDays: null },
  odr_mfn: { metric: 'order_defect_rate', channel: 'mfn', windowDays: null },
  lsr_10: { metric: 'late_shipment_rate', channel: null, windowDays: 10 },
  lsr_30: { metric: 'late_shipment_rate', channel: null, windowDays: 30 },
  cancel: { metric: 'pre_fulfillment_cancellation_rate', channel: null, windowDays: null },
  vtr: { metric: 'valid_tracking_rate', channel: null, windowDays: null },
  otdr: { metric: 'on_time_delivery_rate', channel: null, windowDays: null },
};

export const TREND_METRICS = [...new Set(Object.values(FIGURE_SPECS).map((s) => s.metric))];

/** The trend of one stored figure, by `trendKey`. */
export type Trends = ReadonlyMap<string, Array<number | null>>;

export function trendKey(f: {
  accountId: string;
  marketplaceId: string;
  metric: string;
  channel: string;
  windowDays: number | null;
}): string {
  return `${f.accountId}|${f.marketplaceId}|${f.metric}|${f.channel}|${f.windowDays ?? ''}`;
}

/** Daily rows, oldest first per figure, into a fixed-length array ending on the newest report's day. */
export function trendsFromDailyRows(
  rows: Awaited<ReturnType<typeof recentDailyRates>>,
  lastDays: ReadonlyMap<string, string>,
): Map<string, Array<number | null>> {
  const trends = new Map<string, Array<number | null>>();
  for (const r of rows) {
    const last = lastDays.get(`${r.account_id}|${r.marketplace_id}`);
    if (!last) continue;
    const offset = Math.round((Date.parse(last) - Date.parse(r.day)) / 86_400_000);
    if (offset < 0 || offset >= TREND_DAYS) continue;
    const key = trendKey({
      accountId: r.account_id,
      marketplaceId: r.marketplace_id,
      metric: r.metric,
      channel: r.channel,
      windowDays: r.window_days,
    });
    let trend = trends.get(key);
    if (!trend) {
      trend = new Array<number | null>(TREND_DAYS).fill(null);
      trends.set(key, trend);
    }
    trend[TREND_DAYS - 1 - offset] = r.rate;
  }
  return trends;
}

const noScores = () => new Array<number | null>(SCORE_TREND_DAYS).fill(null);

/** Each marketplace's daily scores (by `account|marketplace`), as `trendsFromDailyRows` lays out its rates. */
export function scoreTrends(
  rows: Awaited<ReturnType<typeof recentDailyScores>>,
  lastDays: ReadonlyMap<string, string>,
): Map<string, Array<number | null>> {
  const trends = new Map<string, Array<number | null>>();
  for (const r of rows) {
    const key = `${r.account_id}|${r.marketplace_id}`;
    const last = lastDays.get(key);
    if (!last) continue;
    const trend = noScores();
    r.days.forEach((day, i) => {
      const offset = Math.round((Date.parse(last) - Date.parse(day)) / 86_400_000);
      if (offset >= 0 && offset < SCORE_TREND_DAYS)
        trend[SCORE_TREND_DAYS - 1 - offset] = r.scores[i] ?? null;
    });
    trends.set(key, trend);
  }
  return trends;
}

function pick(figures: readonly Latest[], key: FigureKey): Latest | undefined {
  const spec = FIGURE_SPECS[key];
  const candidates = figures.filter(
    (f) =>
      f.metric === spec.metric &&
      (spec.channel === null || f.channel === spec.channel) &&
      (spec.windowDays === null || f.windowDays === spec.windowDays),
  );
  // Where a metric comes in several windows and none is asked for, the shortest is the earliest warning.
  return candidates.sort((a, b) => (a.windowDays ?? Infinity) - (b.windowDays ?? Infinity))[0];
}

function boardFigure(
  key: FigureKey,
  f: Latest,
  trend: Array<number | null> | undefined,
  alert: Figure['alert'],
): Figure {
  const published = f.target ? null : (PUBLISHED_TARGETS[f.metric] ?? null);
  const target = f.target
    ? { ...f.target, published: false }
    : published
      ? { ...published, published: true }
      : null;
  const breached = f.target
    ? f.breached
    : isBreached(f.rate, target?.value ?? null, target?.condition ?? null);
  const used = allowanceUsed(f.rate, target?.value ?? null, target?.condition ?? null);
  const bad = breached === true || f.status?.toUpperCase() === 'BAD';
  return {
    key,
    rate: f.rate,
    target,
    allowanceUsed: used,
    tone: bad ? 'breached' : used === null ? 'unknown' : used >= NEAR_TARGET_SHARE ? 'near' : 'good',
    // Four significant digits draw the same line and keep a page of 50 rows small.
    trend: (trend ?? new Array<number | null>(TREND_DAYS).fill(null)).map((v) =>
      v === null ? null : Number(v.toPrecision(4)),
    ),
    alert,
  };
}

/**
 * Every row of the overview, in its default order (worst first), with the open and acknowledged alerts of its
 * marketplace and of its account.
 */
export function boardRows(
  overview: z.infer<typeof Overview>,
  trends: Trends,
  alerts: readonly BoardAlert[] = [],
  scores: Trends = new Map(),
): Row[] {
  const byAccount = group(alerts, (a) => a.accountId);
  const byMarketplace = group(alerts, (a) => `${a.accountId}|${a.marketplaceId}`);
  const bySubject = group(alerts, (a) => `${a.accountId}|${a.marketplaceId}|${a.subject}`);
  const rows: Row[] = [];
  for (const account of overview.accounts) {
    const own = byMarketplace.get(`${account.id}|`) ?? [];
    const base = {
      accountId: account.id,
      accountName: account.name,
      sellerId: account.sellerId,
      region: account.region,
      connectionState: account.connectionState,
      connectionError: account.connectionError,
      freshness: account.freshness,
    };
    if (account.marketplaces.length === 0) {
      rows.push({
        ...base,
        marketplace: null,
        standing: account.standing,
        accountStatus: null,
        statusSince: null,
        ahr: { status: null, score: null, band: null, trend: noScores() },
        figures: BOARD_FIGURES.map(() => null),
        violations: null,
        closestToTarget: null,
        // No marketplace to tell them apart: every alert of the account is this row's.
        alerts: alertCounts(byAccount.get(account.id) ?? []),
        projectedBreachAt: earliest(byAccount.get(account.id) ?? []),
      });
      continue;
    }
    for (const m of account.marketplaces) {
      const figures = BOARD_FIGURES.map((key) => {
        const f = pick(m.metrics, key);
        if (!f) return null;
        const trend = trends.get(trendKey({ accountId: account.id, marketplaceId: m.marketplaceId, ...f }));
        const about = bySubject.get(`${account.id}|${m.marketplaceId}|${figureSubject(f)}`);
        return boardFigure(key, f, trend, figureAlert(about));
      });
      const mine = [...(byMarketplace.get(`${account.id}|${m.marketplaceId}`) ?? []), ...own];
      const used = figures.flatMap((f) => (f?.allowanceUsed == null ? [] : [f.allowanceUsed]));
      rows.push({
        ...base,
        marketplace: { id: m.marketplaceId, countryCode: m.countryCode, name: m.name },
        standing: m.standing,
        accountStatus: m.accountStatus,
        statusSince: m.statusSince,
        ahr: { ...m.ahr, trend: scores.get(`${account.id}|${m.marketplaceId}`) ?? noScores() },
        figures,
        // The categories with a violation: the page names the worst, the account page has them all.
        violations: m.policyViolations && {
          total: m.policyViolations.total,
          categories: m.policyViolations.categories.filter((c) => (c.count ?? 0) > 0),
        },
        closestToTarget: used.length > 0 ? Math.max(...used) : null,
        alerts: alertCounts(mine),
        projectedBreachAt: earliest(mine),
      });
    }
  }
  return rows.sort(compare.worst);
}

const byName = (a: Row, b: Row) =>
  a.accountName.localeCompare(b.accountName) ||
  a.accountId.localeCompare(b.accountId) ||
  (a.marketplace?.countryCode ?? '').localeCompare(b.marketplace?.countryCode ?? '');

/** Nulls last whichever the direction: a figure nobody has is never the worst nor the best. */
function byNumber(value: (r: Row) => number | null | undefined) {
  return (a: Row, b: Row, dir: 1 | -1) => {
    const x = value(a);
    const y = value(b);
    if (x == null || y == null) return x == null && y == null ? byName(a, b) : x == null ? 1 : -1;
    return (x - y) * dir || byName(a, b);
  };
}

/** Ascending order of each sort; `dir` of `desc` reverses it (nulls stay last). */
const compare = {
  worst: (a: Row, b: Row) =>
    STANDING_ORDER.indexOf(a.standing) - STANDING_ORDER.indexOf(b.standing) ||
    (b.closestToTarget ?? -1) - (a.closestToTarget ?? -1) ||
    byName(a, b),
};

const DEFAULT_DIR: Record<Query['sort'], 'asc' | 'desc'> = {
  worst: 'asc',
  name: 'asc',
  marketplace: 'asc',
  // The lowest score is the worst.
  ahr: 'asc',
  violations: 'desc',
  // The oldest poll first.
  freshness: 'asc',
  ...(Object.fromEntries(BOARD_FIGURES.map((k) => [k, 'desc'])) as Record<FigureKey, 'desc'>),
};

function sorter(sort: Query['sort'], dir: 1 | -1): (a: Row, b: Row) => number {
  switch (sort) {
    case 'worst':
      return (a, b) => compare.worst(a, b) * dir;
    case 'name':
      return (a, b) => byName(a, b) * dir;
    case 'marketplace':
      return (a, b) =>
        (a.marketplace?.countryCode ?? '~').localeCompare(b.marketplace?.countryCode ?? '~') * dir ||
        byName(a, b);
    case 'ahr':
      return (a, b) => byNumber((r) => r.ahr.score)(a, b, dir);
    case 'violations':
      return (a, b) => byNumber((r) => r.violations?.total)(a, b, dir);
    case 'freshness':
      return (a, b) =>
        byNumber((r) => (r.freshness.lastGoodPollAt ? Date.parse(r.freshness.lastGoodPollAt) : -Infinity))(
          a,
          b,
          dir,
        );
    default: {
      const index = BOARD_FIGURES.indexOf(sort);
      return (a, b) => byNumber((r) => r.figures[index]?.allowanceUsed)(a, b, dir);
    }
  }
}

function matches(row: Row, query: Query): boolean {
  if (query.standing?.length && !query.standing.includes(row.standing)) return false;
  if (query.marketplace && row.marketplace?.id !== query.marketplace) return false;
  const text = query.q?.trim().toLowerCase();
  if (!text) return true;
  return [
    row.accountName,
    row.sellerId,
    row.marketplace?.id,
    row.marketplace?.countryCode,
    row.marketplace?.name,
  ].some((s) => s?.toLowerCase().includes(text));
}

export function boardPage(
  built: { overview: z.infer<typeof Overview>; rows: readonly Row[]; alerts: Counts; version: string },
  query: Query,
): z.infer<typeof Board> {
  const dir = query.dir ?? DEFAULT_DIR[query.sort];
  const matching = built.rows.filter((r) => matches(r, query));
  const sorted =
    query.sort === 'worst' && dir === 'asc'
      ? matching
      : matching.sort(sorter(query.sort, dir === 'asc' ? 1 : -1));
  const pages = Math.max(1, Math.ceil(sorted.length / query.pageSize));
  const page = Math.min(query.page, pages);
  const marketplaces = new Map<
    string,
    { id: string; countryCode: string | null; name: string | null; rows: number }
  >();
  for (const r of built.rows) {
    if (!r.marketplace) continue;
    const m = marketplaces.get(r.marketplace.id);
    if (m) m.rows += 1;
    else marketplaces.set(r.marketplace.id, { ...r.marketplace, rows: 1 });
  }
  return {
    generatedAt: built.overview.generatedAt,
    version: built.version,
    summary: built.overview.summary,
    alerts: built.alerts,
    marketplaces: [...marketplaces.values()].sort((a, b) =>
      (a.countryCode ?? a.id).localeCompare(b.countryCode ?? b.id),
    ),
    query: {
      q: query.q ?? '',
      standing: query.standing ?? [],
      marketplace: query.marketplace ?? null,
      sort: query.sort,
      dir,
    },
    total: sorted.length,
    page,
    pageSize: query.pageSize,
    pages,
    rows: sorted.slice((page - 1) * query.pageSize, page * query.pageSize),
  };
}
