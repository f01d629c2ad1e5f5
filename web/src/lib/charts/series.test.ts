import { describe, expect, it } from 'vitest';
import { pointsOf, toneOf, warningBand, type ApiSeries } from './series.ts';

describe('warningBand', () => {
  it('runs from 75 % of the allowance to the target: from 0 up for "less than", from 100 % down for "greater than"', () => {
    const odr = warningBand({ value: 0.01, condition: 'LESS_THAN' })!;
    expect(odr.from).toBeCloseTo(0.0075, 10);
    expect(odr.to).toBe(0.01);
    const tracking = warningBand({ value: 0.95, condition: 'GREATER_THAN' })!;
    expect(tracking.from).toBeCloseTo(0.9625, 10);
    expect(tracking.to).toBe(0.95);
    expect(warningBand({ value: 0.5, condition: 'SOMETHING_ELSE' })).toBeNull();
    expect(warningBand(null)).toBeNull();
  });
});

describe('toneOf', () => {
  const odr = { value: 0.01, condition: 'LESS_THAN' };
  const tracking = { value: 0.95, condition: 'GREATER_THAN' };

  it('judges a rate against its target as the server does: exactly the target is past it', () => {
    expect(toneOf(0.004, odr)).toBe('good');
    expect(toneOf(0.008, odr)).toBe('near');
    expect(toneOf(0.01, odr)).toBe('breached');
    expect(toneOf(0.99, tracking)).toBe('good');
    expect(toneOf(0.96, tracking)).toBe('near');
    expect(toneOf(0.95, tracking)).toBe('breached');
  });

  it("takes Amazon's BAD for a breach, and says nothing without a rate or a target", () => {
    expect(toneOf(0.004, odr, 'BAD')).toBe('breached');
    expect(toneOf(null, odr)).toBe('unknown');
    expect(toneOf(0.004, null)).toBe('unknown');
  });
});

describe('pointsOf', () => {
  it("turns the API's columns into points, each with its own target or else the series'", () => {
    const series: ApiSeries = {
      marketplaceId: 'ATVPDKIKX0DER',
      metric: 'order_defect_rate',
      channel: 'mfn',
      windowDays: 60,
      target: { value: 0.01, condition: 'LESS_THAN' },
      points: {
        capturedAt: ['2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z'],
        rate: [0.008, 0.012],
        numerator: [8, 12],
        denominator: [1000, 1000],
        status: ['GOOD', 'BAD'],
        targetValue: [null, 0.01],
        windowFrom: ['2026-10-01T00:00:00Z', '2026-10-02T00:00:00Z'],
        windowTo: ['2026-11-29T23:59:59Z', '2026-11-30T23:59:59Z'],
        source: ['report', 'report'],
        granularity: ['snapshot', 'snapshot'],
        parts: [null, { claims: { count: 3, status: null } }],
      },
    };
    const points = pointsOf(series);
    expect(points.map((p) => [p.rate, p.target?.value, p.tone])).toEqual([
      [0.008, 0.01, 'near'],
      [0.012, 0.01, 'breached'],
    ]);
    expect(points[1]?.parts?.claims?.count).toBe(3);
  });
});
