import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, earliestServedDay, isDay, monthsBefore, planChunks } from './days.ts';

describe('calendar days', () => {
  it('adds days across months and leap years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-12-03', -729)).toBe('2024-12-04');
    expect(daysBetween('2024-12-04', '2026-12-03')).toBe(730);
    expect(daysBetween('2026-01-02', '2026-01-01')).toBe(0);
  });

  it('takes only real days', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-3')).toBe(false);
  });
});

describe('the chunks of a job', () => {
  it('cuts each marketplace newest first, covering every day once', () => {
    const chunks = planChunks({
      marketplaceIds: ['A', 'B'],
      fromDay: '2024-12-04',
      toDay: '2026-12-03',
      chunkDays: 90,
    });
    expect(chunks).toHaveLength(18);
    expect(chunks[0]).toEqual({ marketplaceId: 'A', startDay: '2026-09-05', endDay: '2026-12-03', days: 90 });
    expect(chunks[8]).toEqual({ marketplaceId: 'A', startDay: '2024-12-04', endDay: '2024-12-13', days: 10 });
    expect(chunks[9]!.marketplaceId).toBe('B');
    const a = chunks.filter((c) => c.marketplaceId === 'A');
    expect(a.reduce((n, c) => n + c.days, 0)).toBe(730);
    for (let i = 1; i < a.length; i++) expect(addDays(a[i]!.endDay, 1)).toBe(a[i - 1]!.startDay);
  });

  it('makes one chunk of a short range, and none of an empty one', () => {
    expect(
      planChunks({ marketplaceIds: ['A'], fromDay: '2026-11-27', toDay: '2026-12-03', chunkDays: 90 }),
    ).toEqual([{ marketplaceId: 'A', startDay: '2026-11-27', endDay: '2026-12-03', days: 7 }]);
    expect(
      planChunks({ marketplaceIds: ['A'], fromDay: '2026-12-04', toDay: '2026-12-03', chunkDays: 90 }),
    ).toEqual([]);
  });
});

describe('how far back Amazon serves', () => {
  it('is the same calendar day two years earlier, clamped to the month', () => {
    expect(earliestServedDay('2026-12-04')).toBe('2024-12-04');
    expect(earliestServedDay('2026-02-28')).toBe('2024-02-28');
    expect(earliestServedDay('2028-02-29')).toBe('2026-02-28');
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
  });
});
