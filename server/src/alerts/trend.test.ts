import { describe, expect, it } from 'vitest';
import { mannKendall, projectCrossing, theilSen, type TrendPoint } from './trend.ts';

const DAY = 86_400_000;
const start = Date.UTC(2026, 0, 1);
const series = (rates: number[], denominator: number | null = 2000): TrendPoint[] =>
  rates.map((rate, i) => ({ at: new Date(start + i * DAY), rate, denominator }));
const odrTarget = { value: 0.01, condition: 'LESS_THAN' };

describe('theilSen', () => {
  it('follows the line and ignores a wild point that moves least squares', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const ys = xs.map((x) => 0.004 + 0.0002 * x);
    ys[5] = 0.05;
    const { slope, intercept } = theilSen(xs, ys);
    expect(slope).toBeCloseTo(0.0002, 8);
    expect(intercept).toBeCloseTo(0.004, 8);
  });
});

describe('mannKendall', () => {
  it('is confident about a steady rise and not about noise', () => {
    expect(mannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).confidence).toBeGreaterThan(0.99);
    expect(mannKendall([5, 3, 6, 2, 5, 4, 6, 3, 5, 4]).confidence).toBeLessThan(0.9);
  });
});

describe('projectCrossing', () => {
  it('projects the day a rising ODR reaches its target', () => {
    // 0.40 % rising 0.02 points a day: 1 % is 30 days after the first point.
    const trend = projectCrossing(
      series(Array.from({ length: 14 }, (_, i) => 0.004 + 0.0002 * i)),
      odrTarget,
    );
    expect(trend.kind).toBe('crossing');
    if (trend.kind !== 'crossing') return;
    expect(trend.projectedAt.getTime()).toBeCloseTo(start + 30 * DAY, -5);
  });

  it('projects a falling valid tracking rate down to an "over" target', () => {
    const trend = projectCrossing(series(Array.from({ length: 10 }, (_, i) => 0.99 - 0.002 * i)), {
      value: 0.95,
      condition: 'GREATER_THAN',
    });
    expect(trend.kind).toBe('crossing');
    if (trend.kind === 'crossing') expect(trend.projectedAt.getTime()).toBeCloseTo(start + 20 * DAY, -5);
  });

  it('raises nothing from noise, from a figure moving away, or from too little history', () => {
    // Up a little overall, down and up from day to day.
    const noisy = [0.004, 0.0062, 0.0035, 0.0058, 0.0042, 0.0064, 0.0039, 0.0061, 0.0044, 0.0063];
    expect(projectCrossing(series(noisy), odrTarget)).toMatchObject({ kind: 'none', why: 'no_clear_trend' });
    const falling = Array.from({ length: 10 }, (_, i) => 0.008 - 0.0002 * i);
    expect(projectCrossing(series(falling), odrTarget)).toMatchObject({ kind: 'none', why: 'moving_away' });
    expect(projectCrossing(series([0.004, 0.005, 0.006]), odrTarget)).toMatchObject({
      why: 'too_few_points',
    });
  });

  it('raises nothing where one order moves the rate by a quarter of the allowance', () => {
    // 300 orders: one defect is 0.33 points of a 1-point allowance.
    const rising = Array.from({ length: 14 }, (_, i) => 0.004 + 0.0002 * i);
    expect(projectCrossing(series(rising, 300), odrTarget)).toMatchObject({
      kind: 'none',
      why: 'too_few_orders',
    });
    expect(projectCrossing(series(rising, 400), odrTarget).kind).toBe('crossing');
  });

  it('says the line has crossed already when it has', () => {
    const over = Array.from({ length: 10 }, (_, i) => 0.009 + 0.0003 * i);
    expect(projectCrossing(series(over), odrTarget).kind).toBe('crossed');
  });
});
