import { describe, expect, it } from 'vitest';
import { SellerRateLimiter, type UsagePlan } from './rate-limiter.ts';

/** The limiter paces at 98 % of the published rate (PACING in rate-limiter.ts). */
const PACING = 0.98;

/** A clock that only moves when the limiter sleeps, so every wait is exact and instant. */
function instantClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A clock whose sleeps stay pending until the test advances it, and that honours abort like the real one. */
function manualClock() {
  let t = 0;
  let waiting: { at: number; resolve: () => void }[] = [];
  return {
    now: () => t,
    pending: () => waiting.length,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ at: t + ms, resolve });
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      }),
    async advance(ms: number) {
      t += ms;
      const due = waiting.filter((w) => w.at <= t);
      waiting = waiting.filter((w) => w.at > t);
      for (const w of due) w.resolve();
      await settle();
    },
  };
}

/** Lets every queued promise continuation run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const plans: Record<string, UsagePlan> = {
  getReport: { rate: 2, burst: 3 },
  createReport: { rate: 1, burst: 1 },
  slow: { rate: 0.001, burst: 2 },
};

describe('SellerRateLimiter', () => {
  it('lets a burst through at once, then paces at 98 % of the scaled rate', async () => {
    const clock = instantClock();
    const limiter = new SellerRateLimiter(plans, 5, clock.now, clock.sleep);
    for (let i = 0; i < 3; i++) await limiter.acquire('A1', 'getReport');
    expect(clock.sleeps).toEqual([]);

    await limiter.acquire('A1', 'getReport');
    const expectedMs = 1000 / (2 * 5 * PACING);
    expect(clock.now()).toBeGreaterThanOrEqual(expectedMs);
    expect(clock.now()).toBeLessThanOrEqual(expectedMs + 1);
  });

  it('keeps a bucket per seller and per operation', async () => {
    const clock = instantClock();
    const limiter = new SellerRateLimiter(plans, 1, clock.now, clock.sleep);
    for (let i = 0; i < 3; i++) await limiter.acquire('A1', 'getReport');
    await limiter.acquire('A2', 'getReport');
    await limiter.acquire('A1', 'createReport');
    expect(clock.sleeps).toEqual([]);

    // The exhausted bucket itself still waits, so the calls above were not waved through by accident.
    await limiter.acquire('A1', 'getReport');
    expect(clock.sleeps).toHaveLength(1);
  });

  it('serves calls on one bucket in the order they came, one refill apart', async () => {
    const clock = manualClock();
    const limiter = new SellerRateLimiter(plans, 1, clock.now, clock.sleep);
    const served: number[] = [];
    const calls = [0, 1, 2, 3].map((call) =>
      limiter.acquire('A1', 'createReport').then(() => served.push(call)),
    );
    await settle();
    expect(served).toEqual([0]);

    // Each waiting call gets its token exactly one refill after the one before it, not a millisecond sooner.
    const refillMs = Math.ceil(1000 / PACING);
    for (const call of [1, 2, 3]) {
      await clock.advance(refillMs - 1);
      expect(served).toHaveLength(call);
      await clock.advance(1);
      expect(served).toEqual([0, 1, 2, 3].slice(0, call + 1));
    }
    await Promise.all(calls);
  });

  it('makes the next call wait a full refill after drain (Amazon said 429)', async () => {
    const clock = instantClock();
    const limiter = new SellerRateLimiter(plans, 1, clock.now, clock.sleep);
    await limiter.acquire('A1', 'getReport');
    limiter.drain('A1', 'getReport');
    await limiter.acquire('A1', 'getReport');
    // Two tokens were left before the drain; now one has to be earned from empty.
    expect(clock.sleeps).toEqual([Math.ceil(1000 / (2 * PACING))]);
  });

  it('lets unknown operations through without a bucket', async () => {
    const clock = instantClock();
    const limiter = new SellerRateLimiter(plans, 1, clock.now, clock.sleep);
    for (let i = 0; i < 100; i++) await limiter.acquire('A1', 'listCatalogItems');
    expect(clock.sleeps).toEqual([]);
  });

  it('forgets buckets idle longer than the prune age, which then start full again', async () => {
    const clock = instantClock();
    const limiter = new SellerRateLimiter(plans, 1, clock.now, clock.sleep);
    await limiter.acquire('A1', 'slow');
    await limiter.acquire('A1', 'slow');
    clock.advance(10_000);

    // Too young to prune: still empty (a token takes about 17 minutes to come back).
    limiter.prune(60_000);
    await limiter.acquire('A1', 'slow');
    expect(clock.sleeps).toHaveLength(1);

    clock.advance(10_000);
    limiter.prune(5_000);
    await limiter.acquire('A1', 'slow');
    await limiter.acquire('A1', 'slow');
    expect(clock.sleeps).toHaveLength(1);
  });

  it('rejects a waiting call when its signal aborts, and the queue behind it moves on', async () => {
    const clock = manualClock();
    const limiter = new SellerRateLimiter(plans, 1, clock.now, clock.sleep);
    await limiter.acquire('A1', 'createReport');
    const controller = new AbortController();
    const aborted = limiter.acquire('A1', 'createReport', controller.signal);
    const rejection = expect(aborted).rejects.toThrow();
    let nextServed = false;
    const next = limiter.acquire('A1', 'createReport').then(() => {
      nextServed = true;
    });
    await settle();
    expect(clock.pending()).toBe(1);

    controller.abort(new Error('shutting down'));
    await rejection;
    await clock.advance(Math.ceil(1000 / PACING));
    await next;
    expect(nextServed).toBe(true);
  });

  it('stops a real wait promptly on abort', async () => {
    // Real sleep: a token takes about two seconds at 0.5/s, the abort comes after 50 ms.
    const limiter = new SellerRateLimiter({ op: { rate: 0.5, burst: 1 } });
    await limiter.acquire('A1', 'op');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await expect(limiter.acquire('A1', 'op', controller.signal)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
