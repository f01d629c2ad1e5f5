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

/** How many upcoming runs `nextCycle` will look through to get past `after`. */
const MAX_RUNS_AHEAD = 1024;

/**
 * The next cycle that starts after `after` (default: now): from one cron run to the next. The length is
 * taken from that pair of runs, not assumed to repeat, because schedules such as `0 9,17 * * *` have uneven
 * gaps. node-cron's getNextRuns only counts from the real clock, so an `after` in the past yields the cycle
 * after now (a slot that has already gone by is of no use), and one in the future is reached by asking for
 * more runs.
 */
export function nextCycle(cronExpression: string, after: Date = new Date()): Cycle {
  // Every poll asks, and building a cron task costs about a millisecond: the answer holds for every `after` from
  // the one it was worked out for up to the cycle's start.
  const cached = lastCycles.get(cronExpression);
  if (cached && cached.after <= after.getTime() && after.getTime() < cached.cycle.start.getTime()) {
    return cached.cycle;
  }
  const cycle = computeNextCycle(cronExpression, after);
  // node-cron counts from the real clock: only an `after` of now or later is a valid starting point to cache.
  lastCycles.set(cronExpression, { after: Math.max(after.getTime(), Date.now()), cycle });
  return cycle;
}

const lastCycles = new Map<string, { after: number; cycle: Cycle }>();

function computeNextCycle(cronExpression: string, after: Date): Cycle {
  const task = cron.createTask(cronExpression, () => {}, { name: 'poll-cycle-preview' });
  try {
    for (let count = 2; count <= MAX_RUNS_AHEAD; count *= 2) {
      const runs = task.getNextRuns(count);
      const i = runs.findIndex((run) => run.getTime() > after.getTime());
      const start = runs[i];
      const end = runs[i + 1];
      if (start && end) return { start, lengthMs: end.getTime() - start.getTime() };
    }
    throw new Error(`POLL_CRON "${cronExpression}" has no two runs after ${after.toISOString()}`);
  } finally {
    void Promise.resolve(task.destroy()).catch(() => {});
  }
}

/** A stable fraction in [0, 1) for an account, the same on every instance. */
export function accountFraction(accountId: string): number {
  const digest = createHash('sha256').update(accountId).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** When the account is next due after a successful poll: its slot in the next cycle. */
export function nextSlot(cronExpression: string, accountId: string, after: Date = new Date()): Date {
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
