import { describe, expect, it } from 'vitest';
import { ServerError, SpApiAbortedError, SpApiError, ThrottledError } from './errors.ts';
import { DEFAULT_RETRY_POLICY, fullJitter, retryDelayMs, sleepOrAbort } from './retry.ts';

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000, maxThrottleRetries: 3 };

describe('retryDelayMs', () => {
  it('waits at least one token of the advertised rate before retrying a throttled call', () => {
    const err = new ThrottledError('throttled', { operation: 'createReport', rateLimit: 0.0167 });
    expect(retryDelayMs(err, 0, policy, () => 0)).toBe(Math.ceil(1000 / 0.0167));
    expect(retryDelayMs(err, 0, policy, () => 0.999)).toBe(Math.ceil(1000 / 0.0167) + 99);
  });

  it("falls back on the operation's documented restore rate without the header", () => {
    const err = new ThrottledError('throttled', { operation: 'getReport' });
    expect(retryDelayMs(err, 0, policy, () => 0)).toBe(500);
  });

  it('stops after the configured number of throttles', () => {
    const err = new ThrottledError('throttled', { operation: 'getReport', rateLimit: 2 });
    expect(retryDelayMs(err, 2, policy, () => 0)).toBe(500);
    expect(retryDelayMs(err, 3, policy, () => 0)).toBeNull();
  });

  it('retries retryable errors with capped exponential full jitter, and never the others', () => {
    const err = new ServerError('503', { operation: 'getReports' });
    expect(retryDelayMs(err, 0, policy, () => 0.5)).toBe(50);
    expect(retryDelayMs(err, 2, policy, () => 0.5)).toBe(200);
    expect(retryDelayMs(err, policy.maxErrorRetries, policy, () => 0.5)).toBeNull();
    const fatal = new SpApiError('bad input', { code: 'InvalidInput', retryable: false });
    expect(retryDelayMs(fatal, 0, policy)).toBeNull();
  });

  it('full jitter stays within [0, min(cap, base * 2^attempt))', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const d = fullJitter(attempt, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
    }
  });
});

describe('sleepOrAbort', () => {
  it('turns an abort into SpApiAbortedError', async () => {
    const controller = new AbortController();
    const sleeping = sleepOrAbort(
      (ms, signal) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        }),
      10_000,
      'getReport',
      controller.signal,
    );
    controller.abort();
    await expect(sleeping).rejects.toBeInstanceOf(SpApiAbortedError);
  });

  it('does not sleep at all when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let slept = false;
    const sleep = async () => {
      slept = true;
    };
    await expect(sleepOrAbort(sleep, 10, 'getReport', controller.signal)).rejects.toBeInstanceOf(
      SpApiAbortedError,
    );
    expect(slept).toBe(false);
  });
});
