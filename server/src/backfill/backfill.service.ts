import type { Kysely, Transaction } from 'kysely';
import type { BackfillTrigger, DB } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import { findAccount, listMarketplaces } from '../accounts/accounts.repository.ts';
import { addDays, dayOf } from './days.ts';
import { queueJob, type BackfillJob } from './backfill.repository.ts';
import { DEFAULT_BACKFILL_OPTIONS, type BackfillRunner } from './backfill-runner.ts';

// What the API, the CLI and the connect path ask of the backfill: a job queued, never waited for.

/**
 * Queues the two-year history of an account just connected, in the transaction that stores it: the job is
 * there as soon as the account is, and the runner (this process's or another instance's) picks it up. Nothing
 * is asked of Amazon here. The demo's own sellers queue theirs as `demo`, which goes after anyone's connect.
 */
export async function queueBackfillOnConnect(
  tx: Transaction<DB>,
  accountId: string,
  trigger: Extract<BackfillTrigger, 'connect' | 'demo'> = 'connect',
): Promise<void> {
  const toDay = addDays(dayOf(new Date()), -1);
  await queueJob(tx, {
    accountId,
    trigger,
    fromDay: addDays(toDay, -(DEFAULT_BACKFILL_OPTIONS.historyDays - 1)),
    toDay,
    chunkDays: DEFAULT_BACKFILL_OPTIONS.chunkDays,
  });
}

export interface BackfillAsk {
  trigger: BackfillTrigger;
  from?: string;
  marketplaceId?: string;
}

/**
 * Checks a request and queues the job: the account must exist and be connected, `from` within the two years
 * Amazon keeps and not after yesterday, the marketplace one of the account's. An account with a job open
 * already gets `{ open: job }` (one at a time per account).
 */
export async function requestBackfill(
  db: Kysely<DB>,
  runner: BackfillRunner,
  accountId: string,
  ask: BackfillAsk,
): Promise<{ queued: BackfillJob } | { open: BackfillJob }> {
  const account = await findAccount(db, accountId);
  if (!account) throw new AppError('NOT_FOUND', `account ${accountId} does not exist`);
  if (!account.refresh_token_encrypted || account.connection_state === 'disconnected') {
    throw new AppError('CONFLICT', 'the account is disconnected: reconnect it before fetching its history');
  }
  const range = runner.defaultRange();
  if (ask.from !== undefined) {
    if (ask.from > range.toDay) {
      throw new AppError('BAD_REQUEST', `from must be a past day, on or before ${range.toDay} (yesterday)`);
    }
    if (ask.from < range.fromDay) {
      throw new AppError(
        'BAD_REQUEST',
        `from must be on or after ${range.fromDay}: Amazon keeps ${runner.options.historyDays} days of history`,
      );
    }
  }
  if (ask.marketplaceId !== undefined) {
    const marketplaces = await listMarketplaces(db, [account.id]);
    if (!marketplaces.some((m) => m.marketplace_id === ask.marketplaceId)) {
      throw new AppError('BAD_REQUEST', `marketplace ${ask.marketplaceId} is not one of this account's`);
    }
  }
  const result = await runner.queue(account.id, {
    trigger: ask.trigger,
    ...(ask.from ? { fromDay: ask.from } : {}),
    ...(ask.marketplaceId ? { marketplaceId: ask.marketplaceId } : {}),
  });
  if (result.kind === 'no_marketplaces') {
    throw new AppError(
      'CONFLICT',
      'the account has no enabled marketplace the seller takes part in: nothing to fetch the history of',
    );
  }
  return result.kind === 'queued' ? { queued: result.job } : { open: result.job };
}
