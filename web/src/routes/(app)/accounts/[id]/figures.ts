import type { Alert, OverviewAccount, Series } from '$lib/api';
import { pointsOf, seriesKey, toneOf, type MetricPoint, type Target, type Tone } from '$lib/charts/series';
import { METRICS, metricName } from '$lib/labels';

// The account page's charts: one per metric, channel and window the marketplace has, from its latest figures
// (so a metric with no report in the range still has its chart) and from the series in the range.

type Marketplace = OverviewAccount['marketplaces'][number];
export type LatestFigure = Marketplace['metrics'][number];

export interface ChartEntry {
  key: string;
  metric: string;
  channel: 'afn' | 'mfn' | 'all';
  windowDays: number | null;
  points: MetricPoint[];
  target: Target | null;
  /** What the newest report's window can still take before the target (its counts; null when past it). */
  headroom: number | null;
  /** The newest figure: the range's last point, else the marketplace's latest. */
  latest: {
    capturedAt: string;
    rate: number | null;
    numerator: number | null;
    denominator: number | null;
    target: Target | null;
    parts: MetricPoint['parts'];
    tone: Tone;
  } | null;
}

export interface MetricGroup {
  metric: string;
  name: string;
  entries: ChartEntry[];
}

const METRIC_ORDER = Object.keys(METRICS);
const CHANNEL_ORDER = ['afn', 'mfn', 'all'];

function rank(metric: string): number {
  const i = METRIC_ORDER.indexOf(metric);
  return i === -1 ? METRIC_ORDER.length : i;
}

export function metricGroups(marketplace: Marketplace | null, series: Series['series']): MetricGroup[] {
  if (!marketplace) return [];
  const entries = new Map<string, ChartEntry>();
  for (const figure of marketplace.metrics) {
    const key = seriesKey(figure);
    entries.set(key, {
      key,
      metric: figure.metric,
      channel: figure.channel,
      windowDays: figure.windowDays,
      points: [],
      target: figure.target,
      headroom: figure.headroom,
      latest:
        figure.rate === null && figure.numerator === null
          ? null
          : {
              capturedAt: figure.capturedAt,
              rate: figure.rate,
              numerator: figure.numerator,
              denominator: figure.denominator,
              target: figure.target,
              parts: figure.parts,
              tone: toneOf(figure.rate, figure.target, figure.status),
            },
    });
  }
  for (const s of series) {
    if (s.marketplaceId !== marketplace.marketplaceId) continue;
    const key = seriesKey(s);
    const points = pointsOf(s);
    const last = points.at(-1);
    const known = entries.get(key);
    entries.set(key, {
      key,
      metric: s.metric,
      channel: s.channel,
      windowDays: s.windowDays,
      points,
      target: s.target ?? known?.target ?? null,
      // The marketplace's newest figure; a range ending earlier has no say over what is left now.
      headroom: known?.headroom ?? null,
      latest: last ?? known?.latest ?? null,
    });
  }

  const groups = new Map<string, MetricGroup>();
  const sorted = [...entries.values()].sort(
    (a, b) =>
      rank(a.metric) - rank(b.metric) ||
      a.metric.localeCompare(b.metric) ||
      CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel) ||
      (a.windowDays ?? 0) - (b.windowDays ?? 0),
  );
  for (const entry of sorted) {
    let group = groups.get(entry.metric);
    if (!group)
      groups.set(
        entry.metric,
        (group = { metric: entry.metric, name: metricName(entry.metric), entries: [] }),
      );
    group.entries.push(entry);
  }
  return [...groups.values()];
}

/** An alert's subject when it is about a metric: `metric:channel:windowDays`, as the server's rules write it. */
export function figureSubject(f: { metric: string; channel: string; windowDays: number | null }): string {
  return `${f.metric}:${f.channel}:${f.windowDays ?? ''}`;
}

/** The open alerts about one chart's figure in the marketplace shown. */
export function alertsOfEntry(
  alerts: readonly Alert[],
  marketplaceId: string | null,
  entry: Pick<ChartEntry, 'metric' | 'channel' | 'windowDays'>,
): Alert[] {
  const subject = figureSubject(entry);
  return alerts.filter((a) => a.marketplaceId === marketplaceId && a.subject === subject);
}
