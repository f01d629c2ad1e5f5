import type { Series } from '$lib/api';

// The numeric Account Health Rating as the dashboard reads it: a score from 0 to 1,000 in Amazon's three bands,
// worked out as the server works them out (server/src/reports/ahr-band.ts, docs/report-formats.md §(b)4).

export type ScoreBand = 'healthy' | 'at_risk' | 'critical';
export type ApiScores = Series['scores'][number];

export const SCORE_MAX = 1000;

/** Amazon's bands, worst first, each from `from` up to `to` (excluded): critical below 100, healthy from 200. */
export const SCORE_BANDS: ReadonlyArray<{ band: ScoreBand; from: number; to: number }> = [
  { band: 'critical', from: 0, to: 100 },
  { band: 'at_risk', from: 100, to: 200 },
  { band: 'healthy', from: 200, to: SCORE_MAX },
];

/** The band of a score; null for no score, or a negative one, which no band places. */
export function scoreBand(score: number | null): ScoreBand | null {
  if (score === null || !Number.isFinite(score) || score < 0) return null;
  return score < 100 ? 'critical' : score < 200 ? 'at_risk' : 'healthy';
}

/** "0–99", "100–199", "200–1,000": the points a band spans, as Seller Central writes them. */
export function bandRange(band: ScoreBand): string {
  const { from, to } = SCORE_BANDS.find((b) => b.band === band)!;
  const points = new Intl.NumberFormat('en');
  return `${points.format(from)}–${points.format(to === SCORE_MAX ? to : to - 1)}`;
}

export interface ScorePoint {
  /** The UTC day the score stands for. */
  day: string;
  capturedAt: string;
  score: number;
  band: ScoreBand | null;
  /** `report` (the seller performance report) or `data_kiosk` (Amazon's daily history). */
  source: 'report' | 'data_kiosk';
}

/** The API's columns as points, oldest first; a point without a stored band takes its score's. */
export function scorePointsOf(scores: ApiScores | undefined): ScorePoint[] {
  if (!scores) return [];
  const p = scores.points;
  return p.day.map((day, i) => {
    const score = p.score[i]!;
    return {
      day,
      capturedAt: p.capturedAt[i]!,
      score,
      band: p.band[i] ?? scoreBand(score),
      source: p.source[i] ?? 'report',
    };
  });
}

export interface ScoreSummary {
  latest: ScorePoint;
  /** The lowest score, on its most recent day. */
  lowest: ScorePoint;
  highest: ScorePoint;
  /** Days in each band. */
  days: Record<ScoreBand, number>;
  /** Days taken from Data Kiosk's history. */
  kioskDays: number;
}

export function scoreSummary(points: readonly ScorePoint[]): ScoreSummary | null {
  const latest = points.at(-1);
  if (!latest) return null;
  let lowest = points[0]!;
  let highest = points[0]!;
  const days: Record<ScoreBand, number> = { healthy: 0, at_risk: 0, critical: 0 };
  let kioskDays = 0;
  for (const p of points) {
    if (p.score <= lowest.score) lowest = p;
    if (p.score > highest.score) highest = p;
    if (p.band) days[p.band] += 1;
    if (p.source === 'data_kiosk') kioskDays += 1;
  }
  return { latest, lowest, highest, days, kioskDays };
}

const STEADY_POINTS = 10;

/** "falling from 880 to 812 over 90 days, lowest 640": a sparkline of daily scores in words. */
export function scoreTrendWords(values: ReadonlyArray<number | null>): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return 'no score trend yet';
  const first = known[0]!;
  const last = known.at(-1)!;
  const lowest = Math.min(...known);
  const span = `over ${values.length} days`;
  const low = lowest < Math.min(first, last) ? `, lowest ${lowest}` : '';
  // A few points either way is the score's daily noise, not a trend.
  if (Math.abs(last - first) < STEADY_POINTS) return `steady at ${last} ${span}${low}`;
  return `${last > first ? 'rising' : 'falling'} from ${first} to ${last} ${span}${low}`;
}

/** The overview's tones (Sparkline, FigureCell) for a band: healthy is good, at risk near, critical past. */
export const BAND_TONE: Record<ScoreBand, 'good' | 'near' | 'breached'> = {
  healthy: 'good',
  at_risk: 'near',
  critical: 'breached',
};
