import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, UserRole } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

const USER_COLUMNS = [
  'id',
  'email',
  'display_name',
  'role',
  'time_zone',
  'digest_time',
  'created_at',
  'disabled_at',
  'invited_by',
] as const;

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .select([...USER_COLUMNS, 'password_hash'])
    .where(sql`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
}

export async function findUser(db: Db, id: string) {
  return db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: Db) {
  return db
    .selectFrom('users')
    .select([...USER_COLUMNS, (eb) => eb('password_hash', 'is not', null).as('has_password')])
    .orderBy('created_at')
    .execute();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  db: Db,
  user: {
    email: string;
    displayName: string | null;
    role: UserRole;
    passwordHash: string | null;
    invitedBy?: string;
  },
) {
  return db
    .insertInto('users')
    .values({
      email: user.email.trim(),
      display_name: user.displayName,
      role: user.role,
      password_hash: user.passwordHash,
      invited_by: user.invitedBy ?? null,
    })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning(USER_COLUMNS)
    .executeTakeFirst();
}

export async function updateUser(
  db: Db,
  id: string,
  patch: {
    role?: UserRole;
    disabled?: boolean;
    passwordHash?: string;
    displayName?: string | null;
    timeZone?: string | null;
    digestTime?: string | null;
  },
) {
  return db
    .updateTable('users')
    .set({
      ...(patch.role ? { role: patch.role } : {}),
      ...(patch.disabled === undefined ? {} : { disabled_at: patch.disabled ? sql<Date>`now()` : null }),
      ...(patch.passwordHash ? { password_hash: patch.passwordHash } : {}),
      ...(patch.displayName === undefined ? {} : { display_name: patch.displayName }),
      ...(patch.timeZone === undefined ? {} : { time_zone: patch.timeZone }),
      ...(patch.digestTime === undefined ? {} : { digest_time: patch.digestTime }),
    })
    .where('id', '=', id)
    .returning(USER_COLUMNS)
    .executeTakeFirst();
}

export async function insertInvite(db: Db, userId: string, tokenHash: string, validDays: number) {
  await db
    .insertInto('user_invites')
    .values({
      token_hash: tokenHash,
      user_id: userId,
      expires_at: sql<Date>`now() + make_interval(days => ${validDays})`,
    })
    .execute();
}

/** The invite if it can still be used, with the email it was sent to. */
export async function findUsableInvite(db: Db, tokenHash: string) {
  return db
    .selectFrom('user_invites as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['i.token_hash', 'u.id as user_id', 'u.email', 'u.disabled_at'])
    .where('i.token_hash', '=', tokenHash)
    .where('i.used_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

/** Marks the invite used; false when another request used it first. */
export async function useInvite(db: Db, tokenHash: string): Promise<boolean> {
  const result = await db
    .updateTable('user_invites')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordSignInFailure(db: Db, email: string, ip: string | null): Promise<void> {
  await db.insertInto('sign_in_failures').values({ email: email.trim().toLowerCase(), ip }).execute();
}

export async function recentSignInFailures(db: Db, email: string, windowMinutes: number): Promise<number> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('email', '=', email.trim().toLowerCase())
    .where('at', '>', sql<Date>`now() - make_interval(mins => ${windowMinutes})`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function clearSignInFailures(db: Db, email: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('email', '=', email.trim().toLowerCase()).execute();
}
