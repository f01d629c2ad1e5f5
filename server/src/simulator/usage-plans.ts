// The simulator enforces Amazon's usage plans (server/src/spapi/usage-plans.ts, the same table the poller paces
// itself by, plus the Data Kiosk API's) as token buckets per operation and selling partner.

import { TokenBucket } from '../lib/token-bucket.ts';
import { USAGE_PLANS as CLIENT_USAGE_PLANS, type UsagePlan } from '../spapi/usage-plans.ts';
import type { SpApiOperation as ClientOperation } from '../spapi/usage-plans.ts';

export type DataKioskOperation = 'createQuery' | 'getQuery' | 'getQueries' | 'cancelQuery' | 'getDocument';

/** Every operation the simulator serves. */
export type SpApiOperation = ClientOperation | DataKioskOperation;

/** The Data Kiosk API 2023-11-15 model's default plans (requests per second, burst). */
export const DATA_KIOSK_USAGE_PLANS: Readonly<Record<DataKioskOperation, UsagePlan>> = Object.freeze({
  createQuery: { rate: 0.0167, burst: 15 },
  getQuery: { rate: 2, burst: 15 },
  getQueries: { rate: 0.0222, burst: 10 },
  cancelQuery: { rate: 0.0222, burst: 10 },
  getDocument: { rate: 0.0167, burst: 15 },
});

export const USAGE_PLANS: Readonly<Record<SpApiOperation, UsagePlan>> = Object.freeze({
  ...DATA_KIOSK_USAGE_PLANS,
  ...CLIENT_USAGE_PLANS,
});

/** The plan as this simulator applies it: rate times `rateScale`, burst times `burstScale` (at least 1). */
function scaledPlan(operation: SpApiOperation, rateScale: number, burstScale: number): UsagePlan {
  const plan = USAGE_PLANS[operation];
  return {
    rate: Number((plan.rate * rateScale).toPrecision(6)),
    burst: Math.max(1, Math.round(plan.burst * burstScale)),
  };
}

/**
 * Token buckets per (operation, selling partner), refilled continuously on a monotonic wall clock. Throttling
 * has to be real time even when the virtual calendar jumps, or a benchmark could not measure the floor.
 */
export class UsageLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rateScale: number,
    private readonly burstScale: number,
    private readonly wallNowMs: () => number = () => performance.now(),
  ) {}

  plan(operation: SpApiOperation): UsagePlan {
    return scaledPlan(operation, this.rateScale, this.burstScale);
  }

  /** Takes one token; returns false when the caller must be throttled. */
  tryTake(operation: SpApiOperation, sellerId: string): boolean {
    const key = `${operation}|${sellerId}`;
    const now = this.wallNowMs();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { rate, burst } = this.plan(operation);
      bucket = new TokenBucket(rate, burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake(now);
  }

  clear(): void {
    this.buckets.clear();
  }
}
