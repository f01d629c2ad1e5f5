import { createHash } from 'node:crypto';
import cron from 'node-cron';

// When each account is due. POLL_CRON sets the cycle (default every 4 hours, see README); inside a cycle each
// account gets a stable slot derived from its id, so a fleet of thousands is spread over the cycle instead of
// hitting Amazon (and the database) at the same second.

/** Share of the cycle over which accounts are spread; the rest is slack for retries before the next cycle. */
const SPREAD_FRACTION = 0.8;

export interface Cycle {
  start: Date;
  lengthMs: number;
}

/** The next cycle that starts after `after`, and its length (the gap to the one after it). */
export function nextCycle(cronExpression: string, after: Date): Cycle {
  const task = cron.createTask(cronExpression, () => {}, { name: 'poll-cycle-preview' });
  try {
    // getNextRuns counts from the real clock; shift the answer so tests and virtual time can ask about any instant.
    const [first, second] = task.getNextRuns(2);
    if (!first || !second) throw new Error(`POLL_CRON "${cronExpression}" has no upcoming runs`);
    const lengthMs = second.getTime() - first.getTime();
    let start = first.getTime();
    const target = after.getTime();
    if (start <= target) start += Math.ceil((target - start + 1) / lengthMs) * lengthMs;
    else if (start - lengthMs > target) start -= Math.floor((start - target - 1) / lengthMs) * lengthMs;
    return { start: new Date(start), lengthMs };
  } finally {
    void task.destroy();
  }
}

/** A stable fraction in [0, 1) for an account, the same on every instance. */
export function accountFraction(accountId: string): number {
  const digest = createHash('sha256').update(accountId).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** When the account is next due after a successful poll: its slot in the next cycle. */
export function nextSlot(cronExpression: string, accountId: string, after: Date): Date {
  const cycle = nextCycle(cronExpression, after);
  return new Date(
    cycle.start.getTime() + Math.floor(accountFraction(accountId) * SPREAD_FRACTION * cycle.lengthMs),
  );
}

/**
 * When to try again after a failure: exponential from one minute, full jitter, never later than the next
 * regular slot (a failing account still gets its normal chance next cycle).
 */
export function retryAt(
  failures: number,
  now: Date,
  regularSlot: Date,
  random: () => number = Math.random,
): Date {
  const base = 60_000 * 2 ** Math.min(Math.max(failures - 1, 0), 8);
  const delay = base / 2 + random() * (base / 2);
  return new Date(Math.min(now.getTime() + delay, regularSlot.getTime()));
}
