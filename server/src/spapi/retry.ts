import { setTimeout as delay } from 'node:timers/promises';
import { SpApiAbortedError, ThrottledError, type SpApiError } from './errors.ts';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryPolicy {
  /** How many 429s one call may absorb before the ThrottledError is thrown. */
  maxThrottleRetries: number;
  /** How many 5xx / network failures one call may absorb before the error is thrown. */
  maxErrorRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxThrottleRetries: 6,
  maxErrorRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
};

/**
 * Seconds per request Amazon documents for each operation (the package's own table), used when a 429
 * arrives without `x-amzn-RateLimit-Limit`.
 */
const DOCUMENTED_RESTORE_SECONDS: Record<string, number> = {
  getReports: 45,
  createReport: 60,
  getReport: 0.5,
  getReportDocument: 60,
  getMarketplaceParticipations: 60,
  // 1 / 0.016 from Amazon's model: the package's 2 s is its sandbox's (docs/sellers-api.md §2).
  getAccount: 62.5,
  token: 1,
  download: 1,
};

export function fullJitter(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retrying after `err`, or null when the error must be thrown. `attempt` counts the
 * earlier retries of the same kind (0 for the first). A throttled call never waits less than one token of
 * the bucket (1 / rate) so the retry cannot be throttled again by construction; the jitter on top keeps
 * several sellers' pollers from retrying in lockstep.
 */
export function retryDelayMs(
  err: SpApiError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (err instanceof ThrottledError) {
    if (attempt >= policy.maxThrottleRetries) return null;
    const restoreSeconds =
      err.rateLimit !== undefined
        ? 1 / err.rateLimit
        : (DOCUMENTED_RESTORE_SECONDS[err.operation ?? ''] ?? 1);
    return Math.ceil(restoreSeconds * 1000) + fullJitter(attempt, policy, random);
  }
  if (!err.retryable || attempt >= policy.maxErrorRetries) return null;
  return fullJitter(attempt, policy, random);
}

export const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/** Sleeps, turning an abort into SpApiAbortedError so callers see one error family. */
export async function sleepOrAbort(
  sleep: Sleep,
  ms: number,
  operation: string,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) throw new SpApiAbortedError(operation);
  try {
    await sleep(ms, signal);
  } catch (err) {
    if (signal?.aborted) throw new SpApiAbortedError(operation);
    throw err;
  }
  if (signal?.aborted) throw new SpApiAbortedError(operation);
}
