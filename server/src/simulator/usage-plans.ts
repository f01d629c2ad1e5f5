// Amazon's default usage plans (rate in requests per second, burst) for the operations the simulator serves,
// from the Reports API 2021-06-30 and Sellers API models. The poller and the benchmark read the same table.

export type SpApiOperation =
  | 'createReport'
  | 'getReport'
  | 'getReports'
  | 'cancelReport'
  | 'getReportDocument'
  | 'getMarketplaceParticipations';

export interface UsagePlan {
  /** Sustained requests per second (the token-bucket refill). */
  rate: number;
  /** Requests that may be made at once after a quiet period (the bucket size). */
  burst: number;
}

export const USAGE_PLANS: Readonly<Record<SpApiOperation, UsagePlan>> = Object.freeze({
  createReport: { rate: 0.0167, burst: 15 },
  getReport: { rate: 2, burst: 15 },
  getReports: { rate: 0.0222, burst: 10 },
  cancelReport: { rate: 0.0222, burst: 10 },
  getReportDocument: { rate: 0.0167, burst: 15 },
  getMarketplaceParticipations: { rate: 0.016, burst: 15 },
});

/** The plan as this simulator applies it: rate times `rateScale`, burst times `burstScale` (at least 1). */
export function scaledPlan(operation: SpApiOperation, rateScale: number, burstScale: number): UsagePlan {
  const plan = USAGE_PLANS[operation];
  return {
    rate: Number((plan.rate * rateScale).toPrecision(6)),
    burst: Math.max(1, Math.round(plan.burst * burstScale)),
  };
}

interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

/**
 * Token buckets per (operation, selling partner), refilled continuously on a monotonic wall clock. Throttling
 * has to be real time even when the virtual calendar jumps, or a benchmark could not measure the floor.
 */
export class UsageLimiter {
  private readonly buckets = new Map<string, Bucket>();

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
    const { rate, burst } = this.plan(operation);
    const key = `${operation}|${sellerId}`;
    const now = this.wallNowMs();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, refilledAtMs: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.refilledAtMs) / 1000) * rate);
      bucket.refilledAtMs = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  clear(): void {
    this.buckets.clear();
  }
}
