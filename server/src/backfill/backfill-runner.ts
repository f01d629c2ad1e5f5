import readline from 'node:readline';
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB, BackfillTrigger, SellerAccountRow } from '../db/schema.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { SpApiSettings } from '../spapi/spapi-clients.ts';
import type { RetryPolicy } from '../spapi/retry.ts';
import { SellerRateLimiter } from '../spapi/rate-limiter.ts';
import { AuthError, AuthRevokedError, SpApiAbortedError, SpApiError, safeDetail } from '../spapi/errors.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import {
  createDataKioskClient,
  DATA_KIOSK_USAGE_PLANS,
  type DataKioskClient,
  type DataKioskQuery,
} from './data-kiosk-client.ts';
import {
  accountsDueDaily,
  claimJobs,
  findJob,
  finishJob,
  LeaseLostError,
  msUntilNextJob,
  queueJob,
  releaseAllLeases,
  releaseJob,
  renewJobLease,
  saveJob,
  storeBatch,
  type BackfillJob,
  type ClaimedJob,
  type JobPatch,
  type QueueResult,
} from './backfill.repository.ts';
import { addDays, dayOf, earliestServedDay, planChunks, type Chunk } from './days.ts';
import {
  AnalyticsLineError,
  parseAnalyticsLine,
  sellerAnalyticsQuery,
  type AnalyticsDay,
} from './seller-analytics.ts';

// The backfill runner: claims open jobs in Postgres (a lease, as the poller claims accounts, so several instances
// share them and a dead one's jobs are carried on), and works each through its chunks: createQuery -> getQuery
// until DONE -> getDocument -> the JSON Lines document streamed line by line into Postgres in batches, recording
// the progress with every batch. docs/data-kiosk.md tells the whole flow.

export interface BackfillOptions {
  instanceId: string;
  /** Jobs worked at once by this process (each mostly waits on Amazon). */
  concurrency: number;
  leaseSeconds: number;
  /** Days per Data Kiosk query (see docs/data-kiosk.md "Chunking"). */
  chunkDays: number;
  /** Document lines per insert (and per progress record). */
  batchLines: number;
  /** How far back a full backfill reaches, in days (Amazon keeps two years). */
  historyDays: number;
  /** The days the daily query asks for again, up to yesterday. */
  dailyDays: number;
  /** How often to look for jobs to claim (a queued job also wakes the runner at once in this process). */
  tickMs: number;
  /** How often to look for accounts due their daily query; 0: never. */
  dailyCheckMs: number;
  /** First wait before getQuery; each next wait x1.5 up to maxQueryPollMs. */
  queryPollMs: number;
  maxQueryPollMs: number;
  /** Give up waiting on one query after this long (the job is retried later, on the same query). */
  queryDeadlineMs: number;
  /** The wait before a failed attempt is retried, doubled each time up to an hour. */
  retryBaseMs: number;
  /** Failed attempts in a row after which the job ends failed. */
  maxAttempts: number;
  /** Rates of the usage plans (tests run against a simulator scaled the same way). */
  rateScale: number;
  /** PGlite: no other process can hold a lease, so those left over are released at start. */
  releaseLeasesAtStart: boolean;
  /** SP-API request timeout. */
  timeoutMs?: number;
  /** Back-off of one call (tests shorten it). */
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_BACKFILL_OPTIONS: Omit<BackfillOptions, 'instanceId'> = {
  // A job spends nearly all its time waiting on Amazon (a query takes minutes, and a seller's plans allow one new
  // query a minute past the burst), and each seller has plans of its own: jobs of different sellers do not slow
  // each other, so many run at once. Storing a document is the only work, a few hundred lines per query.
  // BACKFILL_CONCURRENCY sets it for the server.
  concurrency: 16,
  leaseSeconds: 120,
  chunkDays: 90,
  batchLines: 500,
  historyDays: 730,
  dailyDays: 7,
  tickMs: 15_000,
  dailyCheckMs: 10 * 60_000,
  queryPollMs: 15_000,
  maxQueryPollMs: 60_000,
  queryDeadlineMs: 2 * 60 * 60_000,
  retryBaseMs: 60_000,
  maxAttempts: 8,
  rateScale: 1,
  releaseLeasesAtStart: false,
};

export interface BackfillDeps {
  db: Kysely<DB>;
  spapi: SpApiSettings;
  secrets: SecretBox;
  log: FastifyBaseLogger;
}

export interface BackfillRequest {
  trigger: BackfillTrigger;
  /** First day, `YYYY-MM-DD`; default `historyDays` before yesterday. */
  fromDay?: string;
  /** Last day; default yesterday (UTC). */
  toDay?: string;
  marketplaceId?: string;
}

/** What the dashboard and the CLI say when Amazon refuses the history query (docs/data-kiosk.md "No access"). */
export function noAccessMessage(detail?: string): string {
  return (
    'Amazon refused the history query: the seller has not granted this app the analytics role Data Kiosk ' +
    'needs (Selling Partner Insights / Brand Analytics, analytics_sales_and_traffic_view_pa). Grant it in ' +
    'Seller Central → Apps and Services → Manage Your Apps (authorize the app again with that role), then run ' +
    'the backfill again. Report polling is not affected.' +
    (detail ? ` Amazon said: ${detail}` : '')
  );
}

class JobFailed extends Error {}
class NoAccess extends Error {}

export type JobEnd = 'done' | 'failed' | 'no_access' | 'released' | 'lost';

export class BackfillRunner {
  private readonly limiter: SellerRateLimiter;
  private readonly clients = new Map<string, { envelope: string; client: DataKioskClient }>();
  private readonly active = new Map<string, Promise<JobEnd>>();
  private abort = new AbortController();
  private timers: NodeJS.Timeout[] = [];
  private wake: NodeJS.Timeout | undefined;
  private dispatching: Promise<void> | undefined;
  private redispatch = false;
  private started = false;
  private stopped = false;
  private listeners = new Set<(job: BackfillJob) => void>();

  constructor(
    private readonly deps: BackfillDeps,
    readonly options: BackfillOptions,
  ) {
    // The Data Kiosk operations' own usage plans, per seller and operation, paced as the poller paces reports.
    this.limiter = new SellerRateLimiter(DATA_KIOSK_USAGE_PLANS, options.rateScale);
    setMaxListeners(0, this.abort.signal);
  }

  /** Starts claiming jobs (and the daily schedule). Jobs left running by a stopped process are carried on. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    if (this.abort.signal.aborted) {
      this.abort = new AbortController();
      setMaxListeners(0, this.abort.signal);
    }
    const recover = this.options.releaseLeasesAtStart
      ? releaseAllLeases(this.deps.db).catch(() => 0)
      : Promise.resolve(0);
    void recover.then(() => this.dispatch());
    this.timers.push(setInterval(() => void this.dispatch(), this.options.tickMs).unref());
    if (this.options.dailyCheckMs > 0) {
      this.timers.push(setInterval(() => void this.queueDaily(), this.options.dailyCheckMs).unref());
    }
  }

  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    this.started = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    clearTimeout(this.wake);
    await this.dispatching;
    const inFlight = [...this.active.values()];
    if (inFlight.length === 0) return;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    // Jobs record their progress batch by batch, so stopping them at once loses nothing: they are released.
    this.abort.abort();
    await Promise.race([Promise.allSettled(inFlight), timer]);
  }

  /** Told of every change of a job's progress made in this process (the CLI's progress bar). */
  onProgress(listener: (job: BackfillJob) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** The default range: `historyDays` up to yesterday (UTC). */
  defaultRange(now = new Date()): { fromDay: string; toDay: string } {
    const toDay = addDays(dayOf(now), -1);
    return { fromDay: addDays(toDay, -(this.options.historyDays - 1)), toDay };
  }

  /** Queues a job for the account (one open job per account) and wakes the runner; never waits for Amazon. */
  async queue(accountId: string, request: BackfillRequest): Promise<QueueResult> {
    const range = this.defaultRange();
    const result = await queueJob(this.deps.db, {
      accountId,
      trigger: request.trigger,
      fromDay: request.fromDay ?? range.fromDay,
      toDay: request.toDay ?? range.toDay,
      chunkDays: this.options.chunkDays,
      ...(request.marketplaceId ? { marketplaceId: request.marketplaceId } : {}),
    });
    if (result.kind === 'queued') void this.dispatch();
    return result;
  }

  /** Wakes the dispatch (another part of this process queued a job). */
  kick(): void {
    void this.dispatch();
  }

  /** Queues the daily query of every account due one (a full backfill for one that never had one). */
  async queueDaily(): Promise<number> {
    if (this.stopped) return 0;
    try {
      const due = await accountsDueDaily(this.deps.db, 23);
      const range = this.defaultRange();
      let queued = 0;
      for (const account of due) {
        const result = await queueJob(this.deps.db, {
          accountId: account.id,
          trigger: 'daily',
          fromDay: account.full ? range.fromDay : addDays(range.toDay, -(this.options.dailyDays - 1)),
          toDay: range.toDay,
          chunkDays: this.options.chunkDays,
        });
        if (result.kind === 'queued') queued += 1;
      }
      if (queued > 0) void this.dispatch();
      return queued;
    } catch (err) {
      this.deps.log.error({ err }, 'could not queue the daily history queries; trying again later');
      return 0;
    }
  }

  /** Claims open jobs up to the free concurrency and starts them. Only a started runner dispatches. */
  dispatch(): Promise<void> {
    if (!this.started || this.stopped) return Promise.resolve();
    if (this.dispatching) {
      this.redispatch = true;
      return this.dispatching;
    }
    // Cleared by a callback, which always runs after this assignment: a pass that ends without waiting on
    // anything (no free slot) must not leave its finished promise here, or every later dispatch would wait on it.
    // A dispatch asked for between the last pass and this callback is not lost: it runs now.
    this.dispatching = this.dispatchPasses().finally(() => {
      this.dispatching = undefined;
      if (this.redispatch) void this.dispatch();
    });
    return this.dispatching;
  }

  private async dispatchPasses(): Promise<void> {
    try {
      do {
        this.redispatch = false;
        const free = this.options.concurrency - this.active.size;
        if (free <= 0) break;
        const claimed = await claimJobs(this.deps.db, {
          instanceId: this.options.instanceId,
          limit: free,
          leaseSeconds: this.options.leaseSeconds,
          exclude: [...this.active.keys()],
        });
        for (const job of claimed) this.launch(job);
        if (claimed.length < free) await this.wakeForNextJob();
      } while (this.redispatch && !this.stopped);
    } catch (err) {
      this.deps.log.error({ err }, 'backfill dispatch failed; retrying on the next tick');
    }
  }

  private async wakeForNextJob(): Promise<void> {
    const ms = await msUntilNextJob(this.deps.db, this.options.tickMs);
    if (ms === undefined || this.stopped) return;
    clearTimeout(this.wake);
    this.wake = setTimeout(() => void this.dispatch(), Math.max(50, ms)).unref();
  }

  private launch(job: ClaimedJob): Promise<JobEnd> {
    const run = this.work(job, this.abort.signal)
      .catch((err: unknown) => {
        this.deps.log.error({ err, jobId: job.id }, 'backfill job could not be recorded');
        return 'lost' as const;
      })
      .finally(() => {
        if (this.active.get(job.id) === run) this.active.delete(job.id);
        // One job per account at a time: its client (and access token) is not kept for the next day's.
        this.clients.delete(job.account_id);
        if (!this.stopped) void this.dispatch();
      });
    this.active.set(job.id, run);
    return run;
  }

  /**
   * Runs one job in this process until it ends (the CLI), whether the runner is started or not. A job another
   * instance holds is followed until it ends. Resolves with the job as it ended, or undefined when stopped first.
   */
  async runNow(jobId: string): Promise<BackfillJob | undefined> {
    if (this.abort.signal.aborted) {
      this.abort = new AbortController();
      setMaxListeners(0, this.abort.signal);
    }
    this.stopped = false;
    const signal = this.abort.signal;
    for (;;) {
      if (signal.aborted) return undefined;
      const running = this.active.get(jobId);
      if (running) await running;
      else {
        const [job] = await claimJobs(this.deps.db, {
          instanceId: this.options.instanceId,
          limit: 1,
          leaseSeconds: this.options.leaseSeconds,
          jobId,
        });
        if (job) {
          const end = await this.launch(job);
          if (end === 'released') {
            // A failure that may pass: wait for the back-off, then carry on.
            const current = await findJob(this.deps.db, jobId);
            const wait = current?.not_before ? current.not_before.getTime() - Date.now() : 0;
            if (!(await this.pause(wait, signal))) return undefined;
            continue;
          }
        }
      }
      const current = await findJob(this.deps.db, jobId);
      if (!current) return undefined;
      if (current.status !== 'queued' && current.status !== 'running') return current;
      this.emit(current);
      if (!(await this.pause(500, signal))) return undefined;
    }
  }

  private async pause(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await sleep(Math.max(0, ms), undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }

  private emit(job: BackfillJob): void {
    for (const listener of this.listeners) listener(job);
  }

  private clientFor(account: SellerAccountRow): DataKioskClient {
    const envelope = account.refresh_token_encrypted!;
    const cached = this.clients.get(account.id);
    if (cached && cached.envelope === envelope) return cached.client;
    const client = createDataKioskClient({
      region: account.region,
      sellerId: account.seller_id,
      refreshToken: this.deps.secrets.open(envelope),
      app: this.deps.spapi.app,
      endpoint: this.deps.spapi.endpoint,
      limiter: this.limiter,
      ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
    });
    this.clients.set(account.id, { envelope, client });
    return client;
  }

  /** One claim of one job: works it until it ends, is given back (shutdown, a failure that may pass) or lost. */
  private async work(claimed: ClaimedJob, stop: AbortSignal): Promise<JobEnd> {
    const lost = new AbortController();
    const signal = AbortSignal.any([stop, lost.signal]);
    const heartbeat = setInterval(
      () => {
        renewJobLease(this.deps.db, claimed, this.options.leaseSeconds)
          .then((held) => {
            if (!held) lost.abort();
          })
          .catch(() => undefined);
      },
      Math.max(1_000, (this.options.leaseSeconds * 1000) / 3),
    ).unref();
    const job: ClaimedJob = { ...claimed };
    const log = this.deps.log.child({ jobId: job.id, accountId: job.account_id });
    const save = async (patch: JobPatch) => {
      if (!(await saveJob(this.deps.db, job, patch, this.options.leaseSeconds)))
        throw new LeaseLostError(job.id);
      Object.assign(job, patch);
      this.emit({ ...job });
    };
    try {
      await this.carryOut(job, save, signal, log);
      const ended = await finishJob(this.deps.db, job, { status: 'done' }, { days_done: job.days_total });
      if (ended) {
        log.info({ lines: job.lines_stored, days: job.days_total }, 'history backfill done');
        this.emit({ ...job, status: 'done', days_done: job.days_total });
      }
      return ended ? 'done' : 'lost';
    } catch (err) {
      if (err instanceof LeaseLostError || lost.signal.aborted) {
        log.warn('backfill job was taken over by another claim; leaving it to that one');
        return 'lost';
      }
      if (stop.aborted || err instanceof SpApiAbortedError) {
        // Shutdown: given back as it is; the next claim (this process's next start, or another instance) goes on.
        await releaseJob(this.deps.db, job).catch(() => false);
        return 'released';
      }
      if (err instanceof NoAccess) {
        await finishJob(this.deps.db, job, { status: 'no_access', error: err.message });
        log.warn('Amazon refused the history query: the seller has not granted the analytics role');
        this.emit({ ...job, status: 'no_access', error: err.message });
        return 'no_access';
      }
      const retryable = err instanceof SpApiError ? err.retryable : !(err instanceof JobFailed);
      const message = describe(err);
      const attempts = job.attempts + 1;
      if (retryable && attempts < this.options.maxAttempts) {
        const waitMs = Math.min(60 * 60_000, this.options.retryBaseMs * 2 ** (attempts - 1));
        log.warn(
          { err, attempts, waitMs },
          'backfill attempt failed; trying again later from where it stopped',
        );
        await releaseJob(this.deps.db, job, {
          attempts,
          error: message,
          not_before: new Date(Date.now() + waitMs),
        }).catch(() => false);
        this.emit({ ...job, attempts, error: message });
        return 'released';
      }
      log.error({ err }, 'history backfill failed');
      await finishJob(this.deps.db, job, { status: 'failed', error: message });
      this.emit({ ...job, status: 'failed', error: message });
      return 'failed';
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async carryOut(
    job: ClaimedJob,
    save: (patch: JobPatch) => Promise<void>,
    signal: AbortSignal,
    log: FastifyBaseLogger,
  ): Promise<void> {
    const account = await findAccount(this.deps.db, job.account_id);
    if (!account?.refresh_token_encrypted) {
      throw new JobFailed('the account is disconnected: reconnect it, then run the backfill again');
    }
    const client = this.clientFor(account);
    const chunks = planChunks({
      marketplaceIds: job.marketplace_ids,
      fromDay: job.from_day,
      toDay: job.to_day,
      chunkDays: job.chunk_days,
    });
    const daysBefore = (index: number) => chunks.slice(0, index).reduce((n, c) => n + c.days, 0);

    while (job.chunk_index < chunks.length) {
      const chunk = chunks[job.chunk_index]!;
      let justCreated = false;
      if (!job.query_id) {
        // Amazon serves two years back on its own clock: days before that are not asked for (they would fail
        // the whole query). Only a clock ahead of ours (a simulator's) ever cuts into the default range.
        const earliest = earliestServedDay(dayOf(client.amazonNow()));
        if (chunk.endDay < earliest) {
          await save({
            chunk_index: job.chunk_index + 1,
            pagination_token: null,
            days_done: daysBefore(job.chunk_index + 1),
          });
          continue;
        }
        const asked = chunk.startDay < earliest ? { ...chunk, startDay: earliest } : chunk;
        const queryId = await this.createQuery(client, asked, job.pagination_token, signal);
        await save({ query_id: queryId, document_id: null, document_lines_done: 0 });
        justCreated = true;
      }
      const query = await this.awaitQuery(client, job.query_id!, justCreated, signal);
      if (query === 'gone') {
        // Amazon no longer knows the query (past its retention): ask again for the same page.
        log.warn({ queryId: job.query_id }, 'Data Kiosk query not found any more; asking again');
        await save({ query_id: null, document_id: null, document_lines_done: 0 });
        continue;
      }
      if (query.processingStatus === 'FATAL') {
        const reason = query.errorDocumentId
          ? await this.errorReason(client, query.errorDocumentId, signal)
          : undefined;
        throw new JobFailed(
          `Amazon could not run the history query for ${chunk.marketplaceId}, ${chunk.startDay} to ` +
            `${chunk.endDay} (FATAL${reason ? `: ${reason}` : ''}); run the backfill again later`,
        );
      }
      if (query.processingStatus === 'CANCELLED') {
        throw new JobFailed(
          `the history query for ${chunk.marketplaceId}, ${chunk.startDay} to ${chunk.endDay} was cancelled ` +
            '(in Amazon, before it ran); run the backfill again',
        );
      }
      // DONE: without a document Amazon has no data for these days.
      if (query.dataDocumentId) {
        if (job.document_id !== query.dataDocumentId) {
          await save({ document_id: query.dataDocumentId, document_lines_done: 0 });
        }
        await this.storeDocument(job, chunk, daysBefore(job.chunk_index), client, signal, log);
      }
      if (query.nextToken) {
        await save({
          query_id: null,
          document_id: null,
          document_lines_done: 0,
          pagination_token: query.nextToken,
        });
      } else {
        await save({
          chunk_index: job.chunk_index + 1,
          query_id: null,
          document_id: null,
          document_lines_done: 0,
          pagination_token: null,
          days_done: daysBefore(job.chunk_index + 1),
          attempts: 0,
        });
      }
    }
  }

  private async createQuery(
    client: DataKioskClient,
    chunk: Chunk,
    paginationToken: string | null,
    signal: AbortSignal,
  ): Promise<string> {
    try {
      return await client.createQuery(sellerAnalyticsQuery(chunk), paginationToken, signal);
    } catch (err) {
      // A 403 that a fresh access token did not cure: the seller has not granted the analytics role.
      if (err instanceof AuthError && (err.status === 403 || err.status === 401)) {
        throw new NoAccess(noAccessMessage(amazonSaid(err)));
      }
      throw err;
    }
  }

  /** getQuery until the query ends, waiting longer each time; 'gone' when Amazon no longer knows it. */
  private async awaitQuery(
    client: DataKioskClient,
    queryId: string,
    justCreated: boolean,
    signal: AbortSignal,
  ): Promise<DataKioskQuery | 'gone'> {
    const startedAt = Date.now();
    let interval = this.options.queryPollMs;
    // A query just created is not done yet: the first look waits. A resumed job looks at once (the query may
    // have finished meanwhile).
    if (justCreated) await sleepOrAborted(interval, signal);
    for (;;) {
      let query: DataKioskQuery;
      try {
        query = await client.getQuery(queryId, signal);
      } catch (err) {
        if (err instanceof SpApiError && err.status === 404) return 'gone';
        throw err;
      }
      if (query.processingStatus === 'DONE' || query.processingStatus === 'FATAL') return query;
      if (query.processingStatus === 'CANCELLED') return query;
      if (Date.now() - startedAt >= this.options.queryDeadlineMs) {
        throw new SpApiError(
          `Data Kiosk query ${queryId} still ${query.processingStatus} after ` +
            `${Math.round((Date.now() - startedAt) / 60_000)} min; waiting on it again later`,
          { code: 'QUERY_TIMEOUT', operation: 'getQuery', retryable: true },
        );
      }
      await sleepOrAborted(interval, signal);
      interval = Math.min(interval * 1.5, this.options.maxQueryPollMs);
    }
  }

  private async errorReason(
    client: DataKioskClient,
    documentId: string,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    try {
      const stream = await client.openDocument(documentId, signal);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (size > 16 * 1024) break;
      }
      stream.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const errors = parsed.errors;
        const first = Array.isArray(errors) ? (errors[0] as Record<string, unknown> | undefined) : undefined;
        const message = parsed.errorMessage ?? parsed.message ?? first?.message;
        if (typeof message === 'string') return safeDetail(message);
      } catch {
        // not JSON: the text as it is
      }
      return safeDetail(text);
    } catch (err) {
      if (err instanceof SpApiAbortedError) throw err;
      return undefined;
    }
  }

  /**
   * Streams the document line by line into Postgres, `batchLines` at a time, each batch with the job's progress.
   * Lines a previous claim stored are skipped without being read into anything.
   */
  private async storeDocument(
    job: ClaimedJob,
    chunk: Chunk,
    daysBeforeChunk: number,
    client: DataKioskClient,
    signal: AbortSignal,
    log: FastifyBaseLogger,
  ): Promise<void> {
    const stream: Readable = await client.openDocument(job.document_id!, signal);
    const onAbort = () => stream.destroy(new SpApiAbortedError('downloadDocument'));
    signal.addEventListener('abort', onAbort, { once: true });
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    let index = 0;
    let batch: Array<AnalyticsDay & { marketplaceId: string }> = [];
    let batchLines = 0;
    let batchSkipped = 0;
    let skipped = 0;
    const flush = async () => {
      if (batchLines === 0) return;
      const patch: JobPatch = {
        document_lines_done: index,
        days_done: Math.max(job.days_done, daysBeforeChunk + Math.min(chunk.days, index)),
      };
      await storeBatch(this.deps.db, job, batch, {
        patch,
        linesStored: batch.length,
        linesSkipped: batchSkipped,
        leaseSeconds: this.options.leaseSeconds,
      });
      Object.assign(job, patch, {
        lines_stored: job.lines_stored + batch.length,
        lines_skipped: job.lines_skipped + batchSkipped,
      });
      this.emit({ ...job });
      batch = [];
      batchLines = 0;
      batchSkipped = 0;
    };
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        index += 1;
        if (index <= job.document_lines_done) continue;
        batchLines += 1;
        try {
          const day = parseAnalyticsLine(line);
          batch.push({ ...day, marketplaceId: day.marketplaceId ?? chunk.marketplaceId });
        } catch (err) {
          if (!(err instanceof AnalyticsLineError)) throw err;
          batchSkipped += 1;
          skipped += 1;
        }
        if (batchLines >= this.options.batchLines) await flush();
      }
      await flush();
    } finally {
      signal.removeEventListener('abort', onAbort);
      lines.close();
      stream.destroy();
    }
    if (signal.aborted) throw new SpApiAbortedError('downloadDocument');
    if (skipped > 0) {
      log.warn(
        { skipped, documentId: job.document_id },
        'Data Kiosk lines that could not be read were skipped',
      );
    }
  }
}

async function sleepOrAborted(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
  } catch {
    throw new SpApiAbortedError('getQuery');
  }
}

/** Amazon's own words from an error message (`createQuery: HTTP 403 Unauthorized (…)`), if any. */
function amazonSaid(err: SpApiError): string | undefined {
  const match = /\((.*)\)\s*$/.exec(err.message);
  return match?.[1];
}

function describe(err: unknown): string {
  if (err instanceof AuthRevokedError) {
    return 'Amazon refused the seller’s authorization (the refresh token was revoked or expired): reconnect the account, then run the backfill again';
  }
  if (err instanceof Error) return safeDetail(err.message, 400) ?? err.name;
  return String(err);
}
