import { describe, expect, it } from 'vitest';
import { targetText, targetWords } from './figures';

describe('targets', () => {
  it('writes the condition as a sign, and in words for screen readers', () => {
    expect(targetText({ value: 0.01, condition: 'LESS_THAN' })).toBe('< 1\u00a0%');
    expect(targetText({ value: 0.95, condition: 'GREATER_THAN' })).toBe('> 95\u00a0%');
    expect(targetWords({ value: 0.025, condition: 'LESS_THAN' })).toBe('target under 2.5\u00a0%');
    expect(targetText(null)).toBe('no target');
    expect(targetWords(null)).toBe('no target known');
  });
});
