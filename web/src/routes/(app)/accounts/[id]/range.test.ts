import { describe, expect, it } from 'vitest';
import { pageQuery, parseDays, resolutionFor } from './range.ts';

describe('the ranges of the account page', () => {
  it('takes 7, 30, 90, 365 or 730 days from the address, and 30 for anything else', () => {
    expect([7, 30, 90, 365, 730].map((d) => parseDays(String(d)))).toEqual([7, 30, 90, 365, 730]);
    expect([null, '', '14', 'abc', '-7'].map(parseDays)).toEqual([30, 30, 30, 30, 30]);
  });

  it('asks for every report up to a month, and a point a day beyond', () => {
    expect([7, 30, 90, 365].map((d) => resolutionFor(d as 7 | 30 | 90 | 365))).toEqual([
      'report',
      'report',
      'day',
      'day',
    ]);
  });

  it('keeps the range and the marketplace in the address', () => {
    expect(pageQuery(90, 'ATVPDKIKX0DER')).toBe('?days=90&marketplace=ATVPDKIKX0DER');
    expect(pageQuery(7, null)).toBe('?days=7');
  });
});
