import { randomInt } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { hashPassword, newSecret, secretHash } from '@good-standing/server/auth/secrets.ts';
import { insertUser, findUserByEmail } from '@good-standing/server/auth/users.repository.ts';
import { insertApiToken } from '@good-standing/server/auth/api-tokens.repository.ts';

// Signing in, for tests: a real user and a real session through the sign-in route, or an API token.

export const TEST_PASSWORD = 'correct horse battery staple';

export interface SignedIn {
  userId: string;
  email: string;
  cookie: string;
  csrfToken: string;
  /** For app.inject: the session cookie and the CSRF header. */
  headers: Record<string, string>;
}

/** Creates the user if needed (password TEST_PASSWORD) and signs in through POST /api/auth/sign-in. */
export async function signInAs(
  app: FastifyInstance,
  role: 'admin' | 'viewer',
  email = `${role}@example.com`,
): Promise<SignedIn> {
  const db = app.database.db;
  const existing = await findUserByEmail(db, email);
  const user =
    existing ??
    (await insertUser(db, {
      email,
      role,
      displayName: null,
      passwordHash: await hashPassword(TEST_PASSWORD),
    }))!;
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { email, password: TEST_PASSWORD },
    // An address of its own each time: the sign-in route allows ten tries a minute per address.
    remoteAddress: `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
  });
  if (res.statusCode !== 200) throw new Error(`sign-in as ${email} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'gs_session');
  if (!cookie) throw new Error('sign-in set no session cookie');
  const { csrfToken } = res.json() as { csrfToken: string };
  return {
    userId: user.id,
    email,
    cookie: `gs_session=${cookie.value}`,
    csrfToken,
    headers: { cookie: `gs_session=${cookie.value}`, 'x-csrf-token': csrfToken },
  };
}

/** A full-scope API token of a new admin, as a script would hold it. */
export async function adminToken(app: FastifyInstance): Promise<string> {
  const db = app.database.db;
  const email = `script-${newSecret().slice(0, 8).toLowerCase()}@example.com`;
  const user = (await insertUser(db, {
    email,
    role: 'admin',
    displayName: 'Test script',
    passwordHash: null,
  }))!;
  const token = newSecret('gs_');
  await insertApiToken(db, { name: 'tests', scope: 'full', tokenHash: secretHash(token), userId: user.id });
  return token;
}

/**
 * Makes `app.inject` send an admin's API token unless the call names its own credentials: for tests about
 * something else than access (polling, reading metrics), which talk to the API as a script would. The access
 * rules themselves are tested anonymously and per role in auth.test.ts.
 */
export async function injectAsAdmin(app: FastifyInstance): Promise<void> {
  const token = await adminToken(app);
  const inject = app.inject.bind(app) as (opts: InjectOptions) => ReturnType<FastifyInstance['inject']>;
  (app as { inject: unknown }).inject = (opts: InjectOptions) => {
    const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
    if (!('authorization' in headers) && !('cookie' in headers) && !opts.cookies) {
      headers.authorization = `Bearer ${token}`;
    }
    return inject({ ...opts, headers });
  };
}
