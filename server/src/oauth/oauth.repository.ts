import { sql, type Kysely } from 'kysely';
import type { DB, OAuthStateRow, Region } from '../db/schema.ts';

export interface NewOAuthState {
  stateHash: string;
  sessionId: string;
  userId: string;
  region: Region;
  marketplaceId: string | null;
  name: string | null;
  accountId: string | null;
  redirectUri: string;
  lifetimeSeconds: number;
}

/** Records a started flow; returns when it expires (the database's clock decides, as it does when it is used). */
export async function insertState(db: Kysely<DB>, state: NewOAuthState): Promise<Date> {
  const row = await db
    .insertInto('oauth_states')
    .values({
      state_hash: state.stateHash,
      session_id: state.sessionId,
      user_id: state.userId,
      region: state.region,
      marketplace_id: state.marketplaceId,
      name: state.name,
      account_id: state.accountId,
      redirect_uri: state.redirectUri,
      expires_at: sql<Date>`now() + make_interval(secs => ${state.lifetimeSeconds})`,
    })
    .returning('expires_at')
    .executeTakeFirstOrThrow();
  return row.expires_at;
}

export type StateClaim =
  | { ok: true; state: OAuthStateRow }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'other_session' };

/**
 * Spends the state if it is this session's, unused and unexpired, in one locked step: two redirects carrying the
 * same state cannot both get it. A state presented by another session is left as it is, so the browser that
 * started the flow can still finish it.
 */
export async function claimState(
  db: Kysely<DB>,
  stateHash: string,
  sessionId: string | undefined,
): Promise<StateClaim> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('oauth_states')
      .selectAll()
      .select(sql<boolean>`expires_at <= now()`.as('expired'))
      .where('state_hash', '=', stateHash)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.used_at !== null) return { ok: false, reason: 'used' };
    if (row.expired) return { ok: false, reason: 'expired' };
    if (row.session_id !== sessionId) return { ok: false, reason: 'other_session' };
    const used = await tx
      .updateTable('oauth_states')
      .set({ used_at: sql<Date>`now()` })
      .where('state_hash', '=', stateHash)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true, state: used };
  });
}

/** Forgets flows that ended a day ago: kept that long only to tell "expired" or "used" from "unknown". */
export async function pruneStates(db: Kysely<DB>): Promise<void> {
  await db
    .deleteFrom('oauth_states')
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
}
