import { sql, type Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { DB, UserRole } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import type { AuthUser } from './auth.types.ts';
import {
  decoyHash,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  newSecret,
  secretHash,
  verifyPassword,
} from './secrets.ts';
import { insertSession, type SessionLimits } from './sessions.repository.ts';
import {
  clearSignInFailures,
  countUsers,
  findUserByEmail,
  insertUser,
  recentSignInFailures,
  recordSignInFailure,
} from './users.repository.ts';

// Signing in and out, the first admin, and the demo admin.

/** Failed sign-ins for one email, from any address, after which it is locked for the window. */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const FAILURE_WINDOW_MINUTES = 15;
export const DEMO_ADMIN_EMAIL = 'demo-admin@good-standing.invalid';

export interface NewSession {
  /** The cookie value; only its hash is stored. */
  sessionId: string;
  csrfToken: string;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export function toAuthUser(row: {
  id: string;
  email: string;
  display_name: string | null;
  role: UserRole;
  time_zone?: string | null;
  digest_time?: string | null;
}): AuthUser {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    timeZone: row.time_zone ?? null,
    digestTime: row.digest_time ?? null,
  };
}

/** An IANA time zone name this runtime knows (`Europe/Berlin`), as Intl will format with it. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function checkPasswordRules(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(
      'VALIDATION_FAILED',
      `the password must be at least ${MIN_PASSWORD_LENGTH} characters`,
      [{ path: 'password', message: `at least ${MIN_PASSWORD_LENGTH} characters` }],
    );
  }
  if (password.length > 1024) {
    throw new AppError('VALIDATION_FAILED', 'the password must be at most 1024 characters', [
      { path: 'password', message: 'at most 1024 characters' },
    ]);
  }
}

export async function startSession(
  db: Kysely<DB>,
  userId: string,
  client: ClientInfo,
  limits: SessionLimits,
): Promise<NewSession> {
  const sessionId = newSecret();
  const csrfToken = newSecret();
  await insertSession(db, { idHash: secretHash(sessionId), userId, csrfToken, ...client }, limits);
  return { sessionId, csrfToken };
}

/**
 * Checks an email and password. Every failure reads the same, takes as long, and counts against the email, so
 * the answer tells nobody which accounts exist; after MAX_FAILURES_PER_ACCOUNT in the window the email is locked
 * whatever the password.
 */
export async function signIn(
  db: Kysely<DB>,
  email: string,
  password: string,
  client: ClientInfo,
): Promise<AuthUser> {
  const failures = await recentSignInFailures(db, email, FAILURE_WINDOW_MINUTES);
  if (failures >= MAX_FAILURES_PER_ACCOUNT) {
    throw new AppError(
      'RATE_LIMITED',
      `too many failed sign-ins for this email; try again in ${FAILURE_WINDOW_MINUTES} minutes`,
    );
  }
  const user = await findUserByEmail(db, email);
  const usable = user && user.password_hash && user.disabled_at === null;
  const ok = await verifyPassword(password, usable ? user.password_hash! : await decoyHash());
  if (!usable || !ok) {
    await recordSignInFailure(db, email, client.ip);
    throw new AppError('INVALID_CREDENTIALS', 'Email or password is wrong');
  }
  await clearSignInFailures(db, email);
  return toAuthUser(user);
}

/**
 * Creates the first admin, only while there is no user at all: the check and the insert hold one lock, so two
 * setup requests at once cannot both succeed.
 */
export async function createFirstAdmin(
  db: Kysely<DB>,
  input: { email: string; password: string; displayName: string | null },
): Promise<AuthUser | undefined> {
  checkPasswordRules(input.password);
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    await sql`lock table users in share row exclusive mode`.execute(tx);
    if ((await countUsers(tx)) > 0) return undefined;
    const user = await insertUser(tx, { ...input, role: 'admin', passwordHash });
    return user ? toAuthUser(user) : undefined;
  });
}

/** ADMIN_EMAIL and ADMIN_PASSWORD: the first admin, when the server starts with no user. */
export async function ensureFirstAdmin(
  db: Kysely<DB>,
  firstAdmin: { email: string; password: string } | undefined,
  log: FastifyBaseLogger,
): Promise<void> {
  if (!firstAdmin) return;
  const created = await createFirstAdmin(db, { ...firstAdmin, displayName: null });
  // The email is the admin's own choice of identifier, fine to log; the password never is.
  if (created) log.info({ email: created.email }, 'created the first admin from ADMIN_EMAIL');
}

/** The demo's admin: it has no password, so nobody can sign in as it outside demo mode. */
export async function demoAdmin(db: Kysely<DB>): Promise<AuthUser> {
  const existing = await findUserByEmail(db, DEMO_ADMIN_EMAIL);
  if (existing) return toAuthUser(existing);
  const created = await insertUser(db, {
    email: DEMO_ADMIN_EMAIL,
    displayName: 'Demo admin',
    role: 'admin',
    passwordHash: null,
  });
  if (created) return toAuthUser(created);
  return toAuthUser((await findUserByEmail(db, DEMO_ADMIN_EMAIL))!);
}
