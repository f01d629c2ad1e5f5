import { setMaxListeners } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB, PollTrigger } from '../db/schema.ts';
import { findAccount, updateAccount } from '../accounts/accounts.repository.ts';
import { claimDueAccounts, msUntilNextDue, type ClaimedAccount } from './leases.repository.ts';
import { findRun, queueRun } from './poll-runs.repository.ts';
import { pollAccount, type PollSettings, type PollSummary, type StepResult } from './run-poll.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import type { SpApiClients } from '../spapi/spapi-clients.ts';

// The poller: node-cron only triggers. Every few seconds a dispatch claims due accounts in Postgres (so several
// instances share the fleet without polling anything twice) and runs one step of each with bounded concurrency.
// A step that leaves its run waiting for Amazon makes the account due again when the report is worth a look, so
// waiting holds no slot: the fleet's cycle is bounded by Amazon's usage plans, not by how long its reports take.

const PRUNE_EVERY_MS = 60 * 60_000;
/** The dispatch tick; between ticks a timer wakes the dispatch for the next step that falls due. */
const TICK_MS = 10_000;
/** How often pollNow looks at a run another instance is carrying on. */
const WATCH_MS = 500;

type NowResult = PollSummary | { accountId: string; skipped: string };

export interface PollerOptions extends PollSettings {
  concurrency: number;
  /** How often to look for due accounts (node-cron expression with seconds). */
  dispatchCron?: string;
}

export interface PollerDeps {
  db: Kysely<DB>;
  clients: SpApiClients;
  log: FastifyBaseLogger;
  /** Told when a poll ends in this process (the alert engine evaluates what it stored at once). */
  onPollEnded?: (summary: PollSummary) => void;
}

export class Poller {
  private readonly active = new Map<string, Promise<StepResult | undefined>>();
  private wake: NodeJS.Timeout | undefined;
  /** Ends pollNow's waits between steps as soon as stop() is called, polls in flight or not. */
  private pauses = new AbortController();
  private abort = new AbortController();
  private tasks: ScheduledTask[] = [];
  private dispatching: Promise<void> | undefined;
  private redispatch = false;
  private stopped = false;
  /** Only a started poller dispatches; the CLI's polls only what it is told to. */
  private started = false;

  constructor(
    private readonly deps: PollerDeps,
    private readonly options: PollerOptions,
  ) {
    // Every poll in flight waits on this one signal; many listeners at once are expected, not a leak.
    setMaxListeners(Math.max(10, options.concurrency * 4), this.abort.signal);
    setMaxListeners(0, this.pauses.signal);
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** Starts the schedule: the dispatch tick and the POLL_CRON cycle. */
  start(): void {
    this.reopen();
    this.started = true;
    const dispatch = cron.schedule(this.options.dispatchCron ?? '*/10 * * * * *', () => this.dispatch(), {
      name: 'poll-dispatch',
      noOverlap: true,
    });
    const cycle = cron.schedule(
      this.options.cron,
      () => {
        this.deps.log.info('poll cycle starts: accounts are due through their slots in this cycle');
        return this.dispatch();
      },
      { name: 'poll-cycle' },
    );
    this.tasks = [dispatch, cycle];
    void this.dispatch();
  }

  /**
   * Claims due accounts up to the free concurrency and starts them. Concurrent calls coalesce into one more
   * pass, so a finished poll can start the next one at once without waiting for the tick.
   */
  dispatch(): Promise<void> {
    if (this.stopped || !this.started) return Promise.resolve();
    if (this.dispatching) {
      this.redispatch = true;
      return this.dispatching;
    }
    this.dispatching = (async () => {
      try {
        do {
          this.redispatch = false;
          await this.claimAndStart();
        } while (this.redispatch && !this.stopped);
      } catch (err) {
        this.deps.log.error({ err }, 'poll dispatch failed; retrying on the next tick');
      } finally {
        this.dispatching = undefined;
      }
    })();
    return this.dispatching;
  }

  /** A stopped poller can be used again: by start(), or by pollNow() for a new batch. */
  private reopen(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.pauses = new AbortController();
    // One listener per account pollNow is waiting on: thousands at once are expected.
    setMaxListeners(0, this.pauses.signal);
    setMaxListeners(Math.max(10, this.options.concurrency * 4), this.abort.signal);
  }

  private lastPrune = Date.now();

  private async claimAndStart(): Promise<void> {
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      this.deps.clients.prune(PRUNE_EVERY_MS);
    }
    const free = this.options.concurrency - this.active.size;
    if (free <= 0) return;
    const claimed = await claimDueAccounts(this.deps.db, {
      instanceId: this.options.instanceId,
      limit: free,
      leaseSeconds: this.options.leaseSeconds,
      exclude: [...this.active.keys()],
    });
    for (const account of claimed) this.launch(account, 'schedule');
    if (claimed.length === free) this.redispatch = true;
    else await this.wakeForNextDue();
  }

  /** Reports fall due between ticks: the dispatch wakes when the next one does, not up to a tick later. */
  private async wakeForNextDue(): Promise<void> {
    const ms = await msUntilNextDue(this.deps.db, TICK_MS);
    if (ms === undefined || this.stopped) return;
    clearTimeout(this.wake);
    this.wake = setTimeout(() => void this.dispatch(), Math.max(50, ms)).unref();
  }

  private launch(account: ClaimedAccount, trigger: PollTrigger): Promise<StepResult | undefined> {
    const run = pollAccount({ ...this.deps, settings: this.options }, account, trigger, this.abort.signal)
      .then((step) => {
        if (step.kind === 'ended') this.deps.onPollEnded?.(step.summary);
        return step;
      })
      .catch((err: unknown) => {
        // The database itself failed mid-step: the lease expires and the run is carried on then.
        this.deps.log.error({ err, accountId: account.id }, 'poll could not be recorded');
        return undefined;
      })
      .finally(() => {
        // A refresh asked during this poll makes the account due at once, so a dispatch may already have
        // started the next poll of it: only remove this one's entry.
        if (this.active.get(account.id) === run) this.active.delete(account.id);
        if (!this.stopped) void this.dispatch();
      });
    this.active.set(account.id, run);
    return run;
  }

  /**
   * A user asked for fresh data: a queued run is recorded at once (its id is what the API returns) and the
   * account is made due now; whichever instance claims it first adopts the queued run. A run already waiting
   * for a report from Amazon is fresh data on its way, so its id is returned instead.
   */
  async requestRefresh(accountId: string, trigger: PollTrigger = 'manual'): Promise<string> {
    const runId = await this.deps.db.transaction().execute(async (tx) => {
      const run = await queueRun(tx, accountId, trigger);
      // A run already waiting for Amazon's report is due when that report is worth a look, not sooner.
      if (run.status === 'queued') await updateAccount(tx, accountId, { next_poll_at: new Date() });
      return run.id;
    });
    void this.dispatch();
    return runId;
  }

  /**
   * Polls the given accounts now in this process (the CLI), and returns each summary in the order asked once its
   * run has ended. Steps share the concurrency; a run waiting for Amazon holds none of it, so every account's
   * report is asked for while the first ones are still being made. Accounts another instance is polling right
   * now are reported as skipped; a run another instance takes over midway is followed to its end.
   */
  async pollNow(
    accountIds: string[],
    onDone?: (s: NowResult) => void,
    trigger: PollTrigger = 'cli',
  ): Promise<NowResult[]> {
    this.reopen();
    const slots = pLimit(this.options.concurrency);
    const results = await Promise.all(
      accountIds.map(async (id) => {
        const result = await this.pollUntilEnded(id, trigger, slots);
        if (result) onDone?.(result);
        return result;
      }),
    );
    // Stopped part-way (Ctrl-C in the CLI): the accounts never finished have no result.
    return results.filter((r) => r !== undefined);
  }

  /** Steps one account's run until it ends; undefined when the poller stopped first. */
  private async pollUntilEnded(
    id: string,
    trigger: PollTrigger,
    slots: LimitFunction,
  ): Promise<NowResult | undefined> {
    let runId: string | undefined;
    while (!this.stopped) {
      const step = await slots(async (): Promise<StepResult | NowResult | undefined> => {
        if (this.stopped) return undefined;
        const [account] = await claimDueAccounts(this.deps.db, {
          instanceId: this.options.instanceId,
          limit: 1,
          leaseSeconds: this.options.leaseSeconds,
          accountId: id,
          exclude: [...this.active.keys()],
        });
        if (account)
          return (await this.launch(account, trigger)) ?? { accountId: id, skipped: 'database error' };
        if (runId) return { kind: 'lost', runId, accountId: id };
        return { accountId: id, skipped: await this.whyNotClaimed(id) };
      });
      if (!step) return undefined;
      if (!('kind' in step)) return step;
      if (step.kind === 'ended') return step.summary;
      runId = step.runId;
      if (step.kind === 'lost') return this.followRun(runId);
      if (!(await this.pause(step.nextStepAt.getTime() - Date.now()))) return undefined;
    }
    return undefined;
  }

  /** False when the poller stopped during the pause. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(Math.max(0, ms), undefined, { signal: this.pauses.signal });
      return true;
    } catch {
      return false;
    }
  }

  private async whyNotClaimed(id: string): Promise<string> {
    const existing = await findAccount(this.deps.db, id);
    if (!existing) return 'no such account';
    if (existing.connection_state === 'needs_reauthorization') return 'needs reauthorization';
    if (existing.connection_state === 'disconnected') return 'disconnected';
    return existing.poll_enabled ? 'being polled by another instance' : 'polling disabled';
  }

  /** Another step carries the run on (another instance, or this one's schedule): waits for its verdict. */
  private async followRun(runId: string): Promise<NowResult | undefined> {
    while (!this.stopped) {
      const run = await findRun(this.deps.db, runId);
      if (!run) return undefined;
      if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'abandoned') {
        return {
          runId: run.id,
          accountId: run.account_id,
          status: run.status,
          outcome: run.outcome ?? run.status,
          errorCode: run.error_code,
          errorMessage: run.error_message,
          counters: { calls: run.spapi_calls, throttles: run.throttles, bytes: run.bytes },
          durationMs: run.duration_ms ?? 0,
          busyMs: run.timings.busy ?? 0,
          snapshotsWritten: run.snapshots_written,
          reportReused: run.report_reused,
          isNewReport: run.outcome === 'ingested',
        };
      }
      if (!(await this.pause(WATCH_MS))) return undefined;
    }
    return undefined;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /**
   * Stops claiming, lets polls in flight finish for up to `graceMs`, then interrupts the rest, which record
   * themselves as abandoned and hand their accounts back for the next instance.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.started = false;
    this.pauses.abort();
    for (const task of this.tasks) await task.destroy();
    this.tasks = [];
    clearTimeout(this.wake);
    await this.dispatching;
    const inFlight = [...this.active.values()];
    if (inFlight.length === 0) return;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled(inFlight), timer]);
    this.abort.abort();
    await Promise.allSettled(inFlight);
  }
}
