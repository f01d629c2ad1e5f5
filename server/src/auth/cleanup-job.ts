import cron, { type ScheduledTask } from 'node-cron';
import { sql, type Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB } from '../db/schema.ts';

// Once a day, sign-in records that can no longer be used are deleted: ended sessions, used or expired invites,
// failed sign-ins past the lock window. A week's grace keeps a recent one around to look at after an incident.

/** 03:41 local time, apart from the raw-document prune. */
const DAILY = '41 3 * * *';

export interface Removed {
  sessions: number;
  invites: number;
  failures: number;
}

export async function removeSpentSignInRecords(db: Kysely<DB>): Promise<Removed> {
  const sessions = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', sql<Date>`now() - interval '7 days'`),
        eb('revoked_at', '<', sql<Date>`now() - interval '7 days'`),
      ]),
    )
    .executeTakeFirst();
  const invites = await db
    .deleteFrom('user_invites')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', sql<Date>`now() - interval '7 days'`),
        eb('used_at', '<', sql<Date>`now() - interval '7 days'`),
      ]),
    )
    .executeTakeFirst();
  const failures = await db
    .deleteFrom('sign_in_failures')
    .where('at', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return {
    sessions: Number(sessions.numDeletedRows),
    invites: Number(invites.numDeletedRows),
    failures: Number(failures.numDeletedRows),
  };
}

export interface CleanupJob {
  start(): void;
  stop(): Promise<void>;
}

export function createSignInCleanupJob(db: Kysely<DB>, log: FastifyBaseLogger): CleanupJob {
  let task: ScheduledTask | undefined;
  return {
    start() {
      task ??= cron.schedule(
        DAILY,
        () =>
          removeSpentSignInRecords(db).then(
            (removed) => log.info(removed, 'removed spent sign-in records'),
            (err: unknown) =>
              log.error({ err }, 'removing spent sign-in records failed; trying again tomorrow'),
          ),
        { name: 'sign-in-cleanup', noOverlap: true },
      );
    },
    async stop() {
      await task?.destroy();
      task = undefined;
    },
  };
}
