import { setTimeout as delay } from 'node:timers/promises';
import { TokenBucket } from '../lib/token-bucket.ts';
import { USAGE_PLANS, type UsagePlan } from './usage-plans.ts';

export type { UsagePlan };

// Amazon's usage plans are token buckets per selling partner and operation. The poller keeps its own copy of
// each bucket and waits before a call rather than firing it and collecting 429s: a throttled call still costs
// a round trip and, repeated across a fleet, turns a cycle into a 429 storm.

/** Published plans, per selling partner: the poller's buckets start from the same table the simulator enforces. */
export const SPAPI_USAGE_PLANS: Readonly<Record<string, UsagePlan>> = USAGE_PLANS;

/**
 * Pace slightly under the published rate: Amazon's bucket counts a call when it arrives, ours when it leaves,
 * so network jitter between two calls would otherwise now and then land one a moment too early.
 */
const PACING = 0.98;

interface Lane {
  bucket: TokenBucket;
  /** Calls queue behind each other on the same bucket so none can jump the line. */
  tail: Promise<void>;
}

export class SellerRateLimiter {
  private readonly buckets = new Map<string, Lane>();

  constructor(
    private readonly plans: Readonly<Record<string, UsagePlan>> = SPAPI_USAGE_PLANS,
    /** Multiplies every rate; tests and the benchmark run against a simulator scaled the same way. */
    private readonly rateScale = 1,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = (ms, signal) =>
      delay(ms, undefined, signal ? { signal } : undefined),
  ) {}

  /**
   * Resolves when a call of `operation` for `sellerKey` fits its usage plan, taking one token. Rejects when
   * `signal` aborts (shutdown), so a wait for a slow bucket never holds a poll past the grace period.
   */
  async acquire(sellerKey: string, operation: string, signal?: AbortSignal): Promise<void> {
    const plan = this.plans[operation];
    if (!plan) return;
    const key = `${sellerKey}:${operation}`;
    let found = this.buckets.get(key);
    if (!found) {
      const rate = plan.rate * this.rateScale * PACING;
      found = { bucket: new TokenBucket(rate, plan.burst, this.now()), tail: Promise.resolve() };
      this.buckets.set(key, found);
    }
    const lane = found;
    const turn = lane.tail.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const now = this.now();
        if (lane.bucket.tryTake(now)) return;
        await this.sleep(lane.bucket.msUntilToken(now), signal);
      }
    });
    lane.tail = turn.catch(() => {});
    return turn;
  }

  /** Amazon said 429: empty the bucket so the next call waits a full refill. */
  drain(sellerKey: string, operation: string): void {
    this.buckets.get(`${sellerKey}:${operation}`)?.bucket.drain(this.now());
  }

  /** Forget sellers not seen for a while, so a long-running poller's memory stays flat. */
  prune(olderThanMs: number): void {
    const cutoff = this.now() - olderThanMs;
    for (const [key, { bucket }] of this.buckets) if (bucket.lastSeenMs < cutoff) this.buckets.delete(key);
  }
}
