import cron from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accountFraction, nextCycle, nextSlot, retryAt } from './schedule.ts';

const HOUR = 3_600_000;
const UNEVEN = '0 9,17 * * *';

/** Local wall-clock time, since cron expressions without a timezone run on local time. January has no DST change. */
function local(day: number, hour: number, minute = 0): Date {
  return new Date(2026, 0, day, hour, minute);
}

/** Sequential ids are a harder test of the spread than random ones: they differ in a character or two. */
const ids = Array.from({ length: 1000 }, (_, i) => `seller-${i}`);

afterEach(() => {
  vi.useRealTimers();
});

describe('nextCycle', () => {
  it('follows node-cron itself, which counts from the (faked) clock', () => {
    vi.useFakeTimers({ now: local(15, 10) });
    const task = cron.createTask(UNEVEN, () => {});
    try {
      // If getNextRuns ignored the faked Date, every test below that fixes "now" would be meaningless.
      expect(task.getNextRuns(2)).toEqual([local(15, 17), local(16, 9)]);
    } finally {
      void task.destroy();
    }
  });

  it('takes each cycle of an uneven schedule from its own pair of runs', () => {
    vi.useFakeTimers({ now: local(15, 10) });
    expect(nextCycle(UNEVEN, new Date())).toEqual({ start: local(15, 17), lengthMs: 16 * HOUR });
    vi.setSystemTime(local(15, 18));
    expect(nextCycle(UNEVEN, new Date())).toEqual({ start: local(16, 9), lengthMs: 8 * HOUR });
  });

  it('reaches a cycle after a future `after` without assuming the first gap repeats', () => {
    vi.useFakeTimers({ now: local(15, 10) });
    // The first gap from now is 16 h; the cycle that starts after 18:00 is the 8 h one.
    expect(nextCycle(UNEVEN, local(15, 18))).toEqual({ start: local(16, 9), lengthMs: 8 * HOUR });
    expect(nextCycle(UNEVEN, local(16, 10))).toEqual({ start: local(16, 17), lengthMs: 16 * HOUR });
    expect(nextCycle('0 */4 * * *', local(20, 3))).toEqual({ start: local(20, 4), lengthMs: 4 * HOUR });
  });

  it('starts strictly after `after`, even when `after` is itself a run', () => {
    vi.useFakeTimers({ now: local(15, 10) });
    expect(nextCycle(UNEVEN, local(15, 17)).start).toEqual(local(16, 9));
  });

  it('never returns a cycle that has already begun when `after` is in the past', () => {
    vi.useFakeTimers({ now: local(15, 10) });
    expect(nextCycle(UNEVEN, local(1, 0))).toEqual({ start: local(15, 17), lengthMs: 16 * HOUR });
  });

  it('rejects an invalid expression', () => {
    expect(() => nextCycle('not a cron', new Date())).toThrow();
  });
});

describe('nextSlot', () => {
  it('puts every account inside the next cycle, in its first 80 %', () => {
    vi.useFakeTimers({ now: local(15, 18) });
    // Next run 09:00, the one after 17:00: an 8 h cycle following a 16 h one.
    const start = local(16, 9).getTime();
    for (const id of ids) {
      const slot = nextSlot(UNEVEN, id, new Date()).getTime();
      expect(slot).toBeGreaterThanOrEqual(start);
      expect(slot).toBeLessThan(start + 0.8 * 8 * HOUR);
    }
  });

  it('lies between the next run and the one after it for an uneven schedule, against the real clock', () => {
    const task = cron.createTask(UNEVEN, () => {});
    try {
      const [first, second] = task.getNextRuns(2);
      const slot = nextSlot(UNEVEN, 'seller-42', new Date());
      expect(slot.getTime()).toBeGreaterThanOrEqual(first!.getTime());
      expect(slot.getTime()).toBeLessThan(second!.getTime());
    } finally {
      void task.destroy();
    }
  });

  it('is stable per account and differs between accounts', () => {
    vi.useFakeTimers({ now: local(15, 10) });
    expect(nextSlot(UNEVEN, 'seller-1', new Date())).toEqual(nextSlot(UNEVEN, 'seller-1', new Date()));
    expect(nextSlot(UNEVEN, 'seller-1', new Date())).not.toEqual(nextSlot(UNEVEN, 'seller-2', new Date()));
    // Every instance must agree on an account's slot, so the hash may not change between releases.
    expect(accountFraction('seller-1')).toBeCloseTo(0.96968, 4);
  });

  it('spreads a fleet roughly evenly over the first 80 % of the cycle', () => {
    vi.useFakeTimers({ now: local(15, 10) });
    const { start, lengthMs } = nextCycle(UNEVEN, new Date());
    const deciles = Array.from({ length: 10 }, () => 0);
    for (const id of ids) {
      const position = (nextSlot(UNEVEN, id, new Date()).getTime() - start.getTime()) / lengthMs;
      deciles[Math.floor((position / 0.8) * 10)]!++;
    }
    // 100 expected per decile; 50 and 150 are about five standard deviations out.
    for (const count of deciles) {
      expect(count).toBeGreaterThan(50);
      expect(count).toBeLessThan(150);
    }
  });
});

describe('retryAt', () => {
  const now = local(15, 10);
  const farSlot = local(20, 10);
  const delay = (failures: number, random: () => number, slot = farSlot) =>
    retryAt(failures, now, slot, random).getTime() - now.getTime();

  it('doubles the wait with each failure from one minute, up to a cap', () => {
    const longest = () => 1;
    expect([1, 2, 3, 4, 5].map((f) => delay(f, longest))).toEqual([1, 2, 4, 8, 16].map((m) => m * 60_000));
    expect(delay(0, longest)).toBe(60_000);
    expect(delay(9, longest)).toBe(256 * 60_000);
    expect(delay(50, longest)).toBe(256 * 60_000);
  });

  it('jitters within [base / 2, base]', () => {
    const base = 4 * 60_000;
    expect(delay(3, () => 0)).toBe(base / 2);
    expect(delay(3, () => 0.5)).toBe(0.75 * base);
    const seen = Array.from({ length: 200 }, () => delay(3, Math.random));
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(base / 2);
      expect(d).toBeLessThanOrEqual(base);
    }
    expect(new Set(seen).size).toBeGreaterThan(1);
  });

  it('never comes later than the regular slot', () => {
    const soon = new Date(now.getTime() + 90_000);
    expect(retryAt(5, now, soon, () => 1)).toEqual(soon);
    expect(retryAt(1, now, soon, () => 1)).toEqual(new Date(now.getTime() + 60_000));
  });
});

describe('nextCycle, asked again and again', () => {
  it('answers each instant with the cycle that follows it, across cycle boundaries', () => {
    const FOUR_HOURS = 4 * 3600_000;
    const now = Date.now();
    for (let k = 0; k < 40; k++) {
      const after = new Date(now + k * 37 * 60_000);
      const cycle = nextCycle('0 */4 * * *', after);
      // The next local hour divisible by four (node-cron runs on local time).
      const expected = new Date(after);
      expected.setMinutes(0, 0, 0);
      do expected.setHours(expected.getHours() + 1);
      while (expected.getHours() % 4 !== 0 || expected <= after);
      expect(cycle.start.getTime(), after.toISOString()).toBe(expected.getTime());
      expect(cycle.lengthMs).toBeGreaterThanOrEqual(FOUR_HOURS - HOUR);
    }
  });
});
