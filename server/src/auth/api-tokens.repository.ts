import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export async function insertApiToken(
  db: Db,
  token: { name: string; tokenHash: string; scope: 'read' | 'full'; userId: string },
) {
  return db
    .insertInto('api_tokens')
    .values({ name: token.name, token_hash: token.tokenHash, scope: token.scope, user_id: token.userId })
    .returning(['id', 'name', 'scope', 'created_at', 'last_used_at'])
    .executeTakeFirstOrThrow();
}

export async function listApiTokens(db: Db) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.name', 't.scope', 't.created_at', 't.last_used_at', 'u.email as created_by'])
    .where('t.revoked_at', 'is', null)
    .orderBy('t.created_at')
    .execute();
}

export async function revokeApiToken(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The live token with this hash and the user it acts as (still enabled). */
export async function findLiveApiToken(db: Db, tokenHash: string) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id',
      't.scope',
      't.last_used_at',
      'u.id as user_id',
      'u.email',
      'u.display_name',
      'u.role',
      'u.time_zone',
      'u.digest_time',
    ])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiToken(db: Db, id: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
      ]),
    )
    .execute();
}
