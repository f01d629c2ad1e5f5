/**
 * One token bucket, refilled continuously: the shape of Amazon's usage plans. The clock is passed in on every
 * call rather than read here, because the poller paces on Date.now (and tests on a fake clock) while the
 * simulator must throttle on a monotonic clock that ignores its virtual calendar.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    /** Tokens added per second. */
    readonly rate: number,
    /** The bucket size; a new bucket starts full. */
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.refilledAt = nowMs;
  }

  /** When the bucket was last refilled or drained; an idle bucket is safe to forget (it would be full). */
  get lastSeenMs(): number {
    return this.refilledAt;
  }

  /** Takes one token; false when there is none yet. */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until a token is there, rounded up to whole milliseconds; 0 when one is there now. */
  msUntilToken(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /** Empties the bucket, so the next token comes a full 1/rate from now. */
  drain(nowMs: number): void {
    this.tokens = 0;
    this.refilledAt = nowMs;
  }

  private refill(nowMs: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = nowMs;
  }
}
