import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

export async function insertSession(
  db: Db,
  session: { idHash: string; userId: string; csrfToken: string; ip: string | null; userAgent: string | null },
  limits: SessionLimits,
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.idHash,
      user_id: session.userId,
      csrf_token: session.csrfToken,
      // The absolute end; the idle end is last_seen_at + idle, checked on each request.
      expires_at: sql<Date>`now() + make_interval(secs => ${limits.maxMs / 1000})`,
      ip: session.ip,
      user_agent: session.userAgent?.slice(0, 400) ?? null,
    })
    .execute();
}

/**
 * The live session with this id hash and its user, or undefined when it is unknown, revoked, past its absolute
 * end, idle too long, or its user is disabled.
 */
export async function findLiveSession(db: Db, idHash: string, limits: SessionLimits) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.csrf_token',
      's.last_seen_at',
      'u.id as user_id',
      'u.email',
      'u.display_name',
      'u.role',
      'u.time_zone',
      'u.digest_time',
    ])
    .where('s.id', '=', idHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('s.last_seen_at', '>', sql<Date>`now() - make_interval(secs => ${limits.idleMs / 1000})`)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

/** Keeps an active session alive; written at most once a minute per session. */
export async function touchSession(db: Db, idHash: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: sql<Date>`now()` })
    .where('id', '=', idHash)
    .where('last_seen_at', '<', sql<Date>`now() - interval '1 minute'`)
    .execute();
}

export async function revokeSession(db: Db, idHash: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', idHash)
    .execute();
}

export async function revokeUserSessions(db: Db, userId: string): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
