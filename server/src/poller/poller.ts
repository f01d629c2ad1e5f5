import { setMaxListeners } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB, PollTrigger } from '../db/schema.ts';
import { findAccount, updateAccount } from '../accounts/accounts.repository.ts';
import { claimDueAccounts, type ClaimedAccount } from './leases.repository.ts';
import { queueRun } from './poll-runs.repository.ts';
import { pollAccount, type PollSettings, type PollSummary } from './run-poll.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';

// The poller: node-cron only triggers. Every few seconds a dispatch claims due accounts in Postgres (so several
// instances share the fleet without polling anything twice) and runs them with bounded concurrency.

const PRUNE_EVERY_MS = 60 * 60_000;

export interface PollerOptions extends PollSettings {
  concurrency: number;
  /** How often to look for due accounts (node-cron expression with seconds). */
  dispatchCron?: string;
}

export interface PollerDeps {
  db: Kysely<DB>;
  clients: SpApiClients;
  log: FastifyBaseLogger;
}

export class Poller {
  private readonly active = new Map<string, Promise<PollSummary | undefined>>();
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
  }

  private launch(account: ClaimedAccount, trigger: PollTrigger): Promise<PollSummary | undefined> {
    const run = pollAccount({ ...this.deps, settings: this.options }, account, trigger, this.abort.signal)
      .catch((err: unknown) => {
        // The database itself failed mid-poll: the lease expires and the account is polled again then.
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
   * account is made due now; whichever instance claims it first adopts the queued run.
   */
  async requestRefresh(accountId: string, trigger: PollTrigger = 'manual'): Promise<string> {
    const runId = await this.deps.db.transaction().execute(async (tx) => {
      const run = await queueRun(tx, accountId, trigger);
      await updateAccount(tx, accountId, { next_poll_at: new Date() });
      return run.id;
    });
    void this.dispatch();
    return runId;
  }

  /**
   * Polls the given accounts now in this process (the CLI), bounded by the concurrency, and returns each
   * summary in the order asked. Accounts another instance is polling right now are reported as skipped.
   */
  async pollNow(
    accountIds: string[],
    onDone?: (s: PollSummary | { accountId: string; skipped: string }) => void,
    trigger: PollTrigger = 'cli',
  ): Promise<Array<PollSummary | { accountId: string; skipped: string }>> {
    this.reopen();
    const results: Array<PollSummary | { accountId: string; skipped: string }> = new Array(accountIds.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < accountIds.length && !this.stopped; i = next++) {
        const id = accountIds[i]!;
        const [account] = await claimDueAccounts(this.deps.db, {
          instanceId: this.options.instanceId,
          limit: 1,
          leaseSeconds: this.options.leaseSeconds,
          accountId: id,
          exclude: [...this.active.keys()],
        });
        let result: PollSummary | { accountId: string; skipped: string };
        if (!account) {
          const existing = await findAccount(this.deps.db, id);
          result = {
            accountId: id,
            skipped: !existing
              ? 'no such account'
              : existing.connection_state === 'needs_reauthorization'
                ? 'needs reauthorization'
                : existing.poll_enabled
                  ? 'being polled by another instance'
                  : 'polling disabled',
          };
        } else {
          result = (await this.launch(account, trigger)) ?? { accountId: id, skipped: 'database error' };
        }
        results[i] = result;
        onDone?.(result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, accountIds.length) }, worker));
    // Stopped part-way (Ctrl-C in the CLI): the accounts never started have no result.
    return results.filter((r) => r !== undefined);
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
    for (const task of this.tasks) await task.destroy();
    this.tasks = [];
    await this.dispatching;
    const inFlight = [...this.active.values()];
    if (inFlight.length === 0) return;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled(inFlight), timer]);
    this.abort.abort();
    await Promise.allSettled(inFlight);
  }
}
