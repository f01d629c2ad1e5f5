// Where a metric is heading: a Theil–Sen line through its recent daily figures, and the day it would cross its
// target. Theil–Sen takes the median of the slopes between every pair of points, so up to 29 % of the points can
// be wild (a day of returns, a report with a glitch) without moving the line, where a least-squares fit would
// follow them. A line is only trusted when the figures really move one way: the Mann–Kendall test must find the
// trend at 95 % confidence, and a marketplace so small that one order moves the rate by a quarter of its
// allowance or more gets no projection at all (its noise would look like a trend).

import { lowerIsBetter } from '../metrics/standing.ts';

const DAY_MS = 86_400_000;

export interface TrendPoint {
  at: Date;
  rate: number;
  /** Orders or shipments behind the rate; unknown counts are treated as enough. */
  denominator: number | null;
}

export interface TrendOptions {
  /** Fewest days with a figure. */
  minPoints: number;
  /** Shortest span, first to last point, in days. */
  minSpanDays: number;
  /** One event may move the rate by at most this share of the allowance. */
  maxStepShare: number;
}

export const TREND_DEFAULTS: TrendOptions = { minPoints: 7, minSpanDays: 7, maxStepShare: 0.25 };

export type Trend =
  | {
      kind: 'none';
      why: 'too_few_points' | 'too_few_orders' | 'no_clear_trend' | 'moving_away' | 'no_target';
    }
  | { kind: 'crossing'; slopePerDay: number; projectedAt: Date; confidence: number }
  | { kind: 'crossed'; slopePerDay: number };

/** The k-th smallest of the first `n` values (k from 0), reordering them so that none before it is larger. */
function select(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

/** The median of the first `n` values, reordering them: Hoare's selection, where a sort would cost n log n. */
function medianOf(values: Float64Array, n = values.length): number {
  const mid = n >> 1;
  const upper = select(values, n, mid);
  if (n % 2) return upper;
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** The median of the slopes between every pair of points; null when no two points differ in x. */
function theilSenSlope(xs: readonly number[], ys: readonly number[]): number | null {
  const slopes = new Float64Array((xs.length * (xs.length - 1)) / 2);
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      if (xs[j] !== xs[i]) slopes[n++] = (ys[j]! - ys[i]!) / (xs[j]! - xs[i]!);
    }
  }
  return n === 0 ? null : medianOf(slopes, n);
}

function theilSenIntercept(xs: readonly number[], ys: readonly number[], slope: number): number {
  const residuals = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) residuals[i] = ys[i]! - slope * xs[i]!;
  return medianOf(residuals);
}

/** Slope and intercept (rate at day 0) of the Theil–Sen line through (day, rate). */
export function theilSen(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  const slope = theilSenSlope(xs, ys);
  if (slope === null) return { slope: 0, intercept: medianOf(Float64Array.from(ys)) };
  return { slope, intercept: theilSenIntercept(xs, ys, slope) };
}

/**
 * The Mann–Kendall statistic's one-sided confidence that the series rises (positive) or falls (negative): the
 * normal approximation with the variance corrected for ties, good from about 8 points.
 */
export function mannKendall(ys: readonly number[]): { s: number; confidence: number } {
  let s = 0;
  for (let i = 0; i < ys.length; i++) {
    for (let j = i + 1; j < ys.length; j++) s += Math.sign(ys[j]! - ys[i]!);
  }
  const n = ys.length;
  const ties = new Map<number, number>();
  for (const y of ys) ties.set(y, (ties.get(y) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  if (variance <= 0) return { s, confidence: 0 };
  const z = (s - Math.sign(s)) / Math.sqrt(variance);
  return { s, confidence: normalCdf(Math.abs(z)) };
}

/** Φ(z), by Abramowitz and Stegun 26.2.17 (error under 7.5e-8). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p =
    d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - p : p;
}

/** The trend of `points` (any order) towards `target`, seen from `now`. */
export function projectCrossing(
  points: readonly TrendPoint[],
  target: { value: number; condition: string } | null,
  options: TrendOptions = TREND_DEFAULTS,
  confidenceNeeded = 0.95,
): Trend {
  const lower = target ? lowerIsBetter(target.condition) : null;
  if (!target || lower === null) return { kind: 'none', why: 'no_target' };
  const sorted = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
  const days = new Set(sorted.map((p) => Math.floor(p.at.getTime() / DAY_MS)));
  const first = sorted[0];
  const last = sorted.at(-1);
  if (
    !first ||
    !last ||
    days.size < options.minPoints ||
    (last.at.getTime() - first.at.getTime()) / DAY_MS < options.minSpanDays
  ) {
    return { kind: 'none', why: 'too_few_points' };
  }
  const allowance = lower ? target.value : 1 - target.value;
  const denominator = last.denominator;
  if (denominator !== null && (denominator <= 0 || 1 / denominator > options.maxStepShare * allowance)) {
    return { kind: 'none', why: 'too_few_orders' };
  }

  const origin = first.at.getTime();
  const xs = sorted.map((p) => (p.at.getTime() - origin) / DAY_MS);
  const ys = sorted.map((p) => p.rate);
  // Mann–Kendall first: a series it finds moving away needs no line at all.
  const { s, confidence } = mannKendall(ys);
  if (lower ? s <= 0 : s >= 0) return { kind: 'none', why: 'moving_away' };
  const slope = theilSenSlope(xs, ys) ?? 0;
  const worsening = lower ? slope > 0 : slope < 0;
  if (!worsening) return { kind: 'none', why: 'moving_away' };
  if (confidence < confidenceNeeded) return { kind: 'none', why: 'no_clear_trend' };

  const crossingDay = (target.value - theilSenIntercept(xs, ys, slope)) / slope;
  const lastDay = xs.at(-1)!;
  if (crossingDay <= lastDay) return { kind: 'crossed', slopePerDay: slope };
  return {
    kind: 'crossing',
    slopePerDay: slope,
    projectedAt: new Date(origin + crossingDay * DAY_MS),
    confidence,
  };
}
