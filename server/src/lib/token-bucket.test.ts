import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('starts full, serves the burst, then refills at the rate up to the burst', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([0, 0, 0, 0].map(() => bucket.tryTake(0))).toEqual([true, true, true, false]);
    expect(bucket.msUntilToken(0)).toBe(500);
    expect(bucket.tryTake(499)).toBe(false);
    expect(bucket.tryTake(500)).toBe(true);
    expect([0, 0, 0, 0].map(() => bucket.tryTake(60_000))).toEqual([true, true, true, false]);
  });

  it('drains to empty and remembers when it was last seen', () => {
    const bucket = new TokenBucket(1, 5, 1_000);
    bucket.drain(2_000);
    expect(bucket.lastSeenMs).toBe(2_000);
    expect(bucket.msUntilToken(2_250)).toBe(750);
    expect(bucket.lastSeenMs).toBe(2_250);
  });
});
