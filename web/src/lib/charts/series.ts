import type { Series } from '$lib/api';

// A metric's series as the page reads it: the API's columns turned into points, each judged against its target
// the way the server judges the latest figure (server/src/metrics/standing.ts: isBreached, allowanceUsed).

export type ApiSeries = Series['series'][number];
export type Target = { value: number; condition: string };
export type Parts = Record<string, { count: number | null; status: string | null }>;
export type Tone = 'good' | 'near' | 'breached' | 'unknown';

export interface MetricPoint {
  capturedAt: string;
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string | null;
  target: Target | null;
  windowFrom: string | null;
  windowTo: string | null;
  parts: Parts | null;
  /** `report` (the seller performance report) or `data_kiosk` (Amazon's daily history): one line, either source. */
  source: string;
  tone: Tone;
}

/** From this share of its allowance on, a figure is close to its target (the server's NEAR_TARGET_SHARE). */
export const NEAR_TARGET_SHARE = 0.75;

const LESS = new Set(['LESS_THAN', 'LESS_THAN_OR_EQUAL']);
const GREATER = new Set(['GREATER_THAN', 'GREATER_THAN_OR_EQUAL']);

/** Whether a rate is on the wrong side of its target (exactly 1 % breaks "under 1 %"); null when unknown. */
export function isBreached(rate: number | null, target: Target | null): boolean | null {
  if (rate === null || !target) return null;
  switch (target.condition.toUpperCase()) {
    case 'LESS_THAN':
      return !(rate < target.value);
    case 'LESS_THAN_OR_EQUAL':
      return !(rate <= target.value);
    case 'GREATER_THAN':
      return !(rate > target.value);
    case 'GREATER_THAN_OR_EQUAL':
      return !(rate >= target.value);
    default:
      return null;
  }
}

/**
 * The warning band: from 75 % of the allowance to the target. The allowance runs from 0 up to a "less than"
 * target (ODR under 1 %: 0.75 % to 1 %) and from 100 % down to a "greater than" one (valid tracking over 95 %:
 * 96.25 % to 95 %). `from` is where the band starts, `to` the target itself; null for a condition not understood.
 */
export function warningBand(target: Target | null): { from: number; to: number } | null {
  if (!target) return null;
  const condition = target.condition.toUpperCase();
  if (LESS.has(condition)) return { from: target.value * NEAR_TARGET_SHARE, to: target.value };
  if (GREATER.has(condition)) {
    return { from: 1 - (1 - target.value) * NEAR_TARGET_SHARE, to: target.value };
  }
  return null;
}

/** Whether higher rates are better for this target (valid tracking), or lower ones (order defects). */
export function higherIsBetter(target: Target | null): boolean {
  return !!target && GREATER.has(target.condition.toUpperCase());
}

export function toneOf(rate: number | null, target: Target | null, status: string | null = null): Tone {
  if (isBreached(rate, target) === true || status?.toUpperCase() === 'BAD') return 'breached';
  const band = warningBand(target);
  if (rate === null || !band) return 'unknown';
  const near = band.from <= band.to ? rate >= band.from : rate <= band.from;
  return near ? 'near' : 'good';
}

/** The API's columns as points, oldest first. A point without a target of its own takes the series'. */
export function pointsOf(series: ApiSeries): MetricPoint[] {
  const p = series.points;
  return p.capturedAt.map((capturedAt, i) => {
    const targetValue = p.targetValue[i] ?? null;
    const target =
      targetValue !== null && series.target
        ? { value: targetValue, condition: series.target.condition }
        : series.target;
    const rate = p.rate[i] ?? null;
    const status = p.status[i] ?? null;
    return {
      capturedAt,
      rate,
      numerator: p.numerator[i] ?? null,
      denominator: p.denominator[i] ?? null,
      status,
      target,
      windowFrom: p.windowFrom[i] ?? null,
      windowTo: p.windowTo[i] ?? null,
      parts: (p.parts[i] as Parts | null | undefined) ?? null,
      source: p.source[i] ?? 'report',
      tone: toneOf(rate, target, status),
    };
  });
}

/** The key of one chart: a metric over one channel and window. */
export function seriesKey(s: { metric: string; channel: string; windowDays: number | null }): string {
  return `${s.metric}/${s.channel}/${s.windowDays ?? ''}`;
}
