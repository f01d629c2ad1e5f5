import { describe, expect, it } from 'vitest';
import { clockTime, timeFrom } from './format.ts';

describe('clockTime', () => {
  it('gives the clock time in the zone asked for, naming the zone', () => {
    const iso = '2026-12-01T08:30:00.000Z';
    expect(clockTime(iso, 'Europe/Berlin')).toMatch(/1 Dec 2026, 09:30 (CET|GMT\+1)/);
    expect(clockTime(iso, 'America/New_York')).toMatch(/1 Dec 2026, 03:30 (EST|GMT-5)/);
    expect(clockTime(iso, 'UTC')).toMatch(/1 Dec 2026, 08:30 UTC/);
  });
});

describe('timeFrom', () => {
  it('says how long ago, or how far ahead (a simulator clock run ahead), in words', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(timeFrom('2026-12-01T09:00:00Z', now)).toBe('3 hours ago');
    expect(timeFrom('2026-12-04T12:00:00Z', now)).toBe('in 3 days');
    expect(timeFrom(null, now)).toBe('never');
  });
});
