import { describe, expect, it } from 'vitest';
import { headroom } from './headroom.ts';

const under = (value: number) => ({ value, condition: 'LESS_THAN' });
const over = (value: number) => ({ value, condition: 'GREATER_THAN' });

describe('headroom', () => {
  it('counts the defects an "under" target can still take: the third of 1,200 at < 1 % breaches', () => {
    expect(headroom({ numerator: 9, denominator: 1200, target: under(0.01) })).toBe(2);
    expect(headroom({ numerator: 11, denominator: 1200, target: under(0.01) })).toBe(0);
    // At the target itself: already past it.
    expect(headroom({ numerator: 12, denominator: 1200, target: under(0.01) })).toBeNull();
    expect(headroom({ numerator: 0, denominator: 150, target: under(0.025) })).toBe(3);
  });

  it('allows the target itself where the condition does', () => {
    expect(
      headroom({ numerator: 9, denominator: 1200, target: { value: 0.01, condition: 'LESS_THAN_OR_EQUAL' } }),
    ).toBe(3);
  });

  it('counts the new bad shipments an "over" target can take, each adding to the shipments counted', () => {
    // 980 of 1,000 tracked against > 95 %: 980 / 1,031 is still over, 980 / 1,032 is not.
    expect(headroom({ numerator: 980, denominator: 1000, target: over(0.95) })).toBe(31);
    expect(980 / 1031).toBeGreaterThan(0.95);
    expect(980 / 1032).toBeLessThan(0.95);
    expect(headroom({ numerator: 950, denominator: 1000, target: over(0.95) })).toBeNull();
  });

  it('says nothing without counts or a target it understands', () => {
    expect(headroom({ numerator: null, denominator: 1200, target: under(0.01) })).toBeNull();
    expect(headroom({ numerator: 1, denominator: 0, target: under(0.01) })).toBeNull();
    expect(headroom({ numerator: 1, denominator: 10, target: null })).toBeNull();
    expect(headroom({ numerator: 1, denominator: 10, target: { value: 0, condition: 'EQUALS' } })).toBeNull();
  });
});
