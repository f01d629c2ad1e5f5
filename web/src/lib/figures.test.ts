import { describe, expect, it } from 'vitest';
import { humanize, percent, targetText, targetWords } from './figures';

describe('percent', () => {
  it('shows two decimals under 10 %, one above, without trailing zeros', () => {
    expect(percent(0.0082)).toBe('0.82 %');
    expect(percent(0.01)).toBe('1 %');
    expect(percent(0.005)).toBe('0.5 %');
    expect(percent(0.987)).toBe('98.7 %');
    expect(percent(1)).toBe('100 %');
    expect(percent(0)).toBe('0 %');
    expect(percent(null)).toBe('–');
  });
});

describe('targets', () => {
  it('writes the condition as a sign, and in words for screen readers', () => {
    expect(targetText({ value: 0.01, condition: 'LESS_THAN' })).toBe('< 1 %');
    expect(targetText({ value: 0.95, condition: 'GREATER_THAN' })).toBe('> 95 %');
    expect(targetWords({ value: 0.025, condition: 'LESS_THAN' })).toBe('target under 2.5 %');
    expect(targetText(null)).toBe('no target');
  });
});

describe('humanize', () => {
  it("turns Amazon's codes into words", () => {
    expect(humanize('AT_RISK')).toBe('At risk');
    expect(humanize('DEACTIVATED')).toBe('Deactivated');
    expect(humanize(null)).toBe('–');
  });
});
