import cron, { type ScheduledTask } from 'node-cron';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB } from '../db/schema.ts';
import { pruneRawBodies } from './documents.repository.ts';

// Once a day, raw report bodies past RAW_DOCUMENT_RETENTION_DAYS are dropped; every figure parsed from them stays.
// Any instance that polls runs it: the statement skips rows another instance is pruning, so running it on several
// at once costs nothing.

const DAY_MS = 86_400_000;
/** 03:17 local time: off the hour, when nobody is looking at the dashboard. */
const DAILY = '17 3 * * *';

export function retentionCutoff(retentionDays: number, now = new Date()): Date | null {
  return retentionDays > 0 ? new Date(now.getTime() - retentionDays * DAY_MS) : null;
}

export interface PruneJob {
  start(): void;
  /** Prunes now; resolves to how many bodies were dropped (0 when retention is off). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function createPruneJob(db: Kysely<DB>, retentionDays: number, log: FastifyBaseLogger): PruneJob {
  let task: ScheduledTask | undefined;
  let running: Promise<number> | undefined;
  const abort = new AbortController();

  const runOnce = () => {
    const capturedBefore = retentionCutoff(retentionDays);
    if (!capturedBefore) return Promise.resolve(0);
    running ??= pruneRawBodies(db, { capturedBefore, signal: abort.signal })
      .then((pruned) => {
        if (pruned > 0) log.info({ pruned, capturedBefore }, 'pruned raw report bodies past their retention');
        return pruned;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    start() {
      if (retentionDays === 0 || task) return;
      task = cron.schedule(
        DAILY,
        () =>
          runOnce().then(
            () => undefined,
            (err: unknown) => log.error({ err }, 'pruning raw report bodies failed; trying again tomorrow'),
          ),
        { name: 'prune-raw-documents', noOverlap: true },
      );
    },
    runOnce,
    async stop() {
      abort.abort();
      await task?.destroy();
      task = undefined;
      await running?.catch(() => {});
    },
  };
}
