import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@good-standing/server/app.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { demoApp, startTestSimulator } from '../helpers/poller.ts';
import { signInAs, TEST_PASSWORD, type SignedIn } from '../helpers/auth.ts';
import { removeSpentSignInRecords } from '@good-standing/server/auth/cleanup-job.ts';

// Who may call what: every registered API route refuses an anonymous request and, where it is for admins, a
// viewer; sessions end when they should; CSRF and guessing are refused. Real Postgres, real routes.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let admin: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator();
  app = await buildApp(
    loadConfig({
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
      SPAPI_CLIENT_ID: demoApp.clientId,
      SPAPI_CLIENT_SECRET: demoApp.clientSecret,
      SPAPI_ENDPOINT: sim.url,
    }),
    { database: t, web: false, schedule: false },
  );
  admin = await signInAs(app, 'admin');
  viewer = await signInAs(app, 'viewer');
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

/** A concrete URL for a route pattern: a well-formed id that names nothing. */
function concrete(url: string): string {
  return url
    .replace(/:token/g, 'x'.repeat(43))
    .replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
}

function call(method: string, url: string, headers: Record<string, string> = {}) {
  const hasBody = !['GET', 'HEAD', 'DELETE'].includes(method);
  return app.inject({
    method: method as 'GET',
    url: concrete(url),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(hasBody ? { payload: '{}' } : {}),
  });
}

describe('every API route', () => {
  it('is listed with who may call it', () => {
    expect(app.apiRoutes.length).toBeGreaterThan(20);
    expect(
      app.apiRoutes
        .filter((r) => r.access === 'public')
        .map((r) => `${r.method} ${r.url}`)
        .sort(),
    ).toEqual(
      [
        'GET /api/auth/session',
        'GET /api/health',
        'GET /api/invites/:token',
        // Amazon's consent redirect: it checks the session the browser brings itself.
        'GET /api/oauth/callback',
        'GET /api/setup',
        'POST /api/auth/sign-in',
        'POST /api/invites/:token',
        'POST /api/setup',
      ].sort(),
    );
  });

  it('refuses an anonymous request unless it is public', async () => {
    for (const route of app.apiRoutes.filter((r) => r.access !== 'public')) {
      const res = await call(route.method, route.url);
      expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a viewer where an admin is needed, and lets them in elsewhere', async () => {
    for (const route of app.apiRoutes.filter((r) => r.access !== 'public')) {
      // Ending a session is the one thing a viewer's call here would undo for the rest of the test.
      if (route.url.startsWith('/api/auth/sign-out')) continue;
      const res = await call(route.method, route.url, viewer.headers);
      if (route.access === 'admin') {
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      } else {
        expect([401, 403], `${route.method} ${route.url}: ${res.body}`).not.toContain(res.statusCode);
      }
    }
  });

  it('lets an admin in everywhere', async () => {
    for (const route of app.apiRoutes.filter((r) => r.access === 'admin')) {
      const res = await call(route.method, route.url, admin.headers);
      expect([401, 403], `${route.method} ${route.url}: ${res.body}`).not.toContain(res.statusCode);
    }
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request from a session without the token, or with another one', async () => {
    for (const headers of [
      { cookie: admin.cookie },
      { cookie: admin.cookie, 'x-csrf-token': viewer.csrfToken },
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/tokens',
        headers,
        payload: { name: 'x', scope: 'read' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/x-csrf-token/);
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: admin.headers,
      payload: { name: 'with the token', scope: 'read' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });
});

describe('signing in', () => {
  const signIn = (email: string, password: string, ip = '198.51.100.7') =>
    app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password }, remoteAddress: ip });

  it('says the same for a wrong password and an unknown email', async () => {
    const wrong = await signIn(admin.email, 'not the password at all', '198.51.100.1');
    const unknown = await signIn('nobody@example.com', 'not the password at all', '198.51.100.1');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'INVALID_CREDENTIALS', message: 'Email or password is wrong' },
      });
    }
  });

  it('locks an email after five failures, from any address, even with the right password', async () => {
    const target = await signInAs(app, 'viewer', 'guessed@example.com');
    for (let i = 0; i < 5; i++) {
      expect((await signIn(target.email, `guess number ${i}`, `203.0.113.${i}`)).statusCode).toBe(401);
    }
    const locked = await signIn(target.email, TEST_PASSWORD, '203.0.113.99');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('RATE_LIMITED');
  });

  it('slows one address down after ten tries a minute', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 11; i++)
      codes.push((await signIn(`user${i}@example.com`, 'wrong password', '192.0.2.50')).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes[10]).toBe(429);
  });

  it('never answers a password hash', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/users', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/scrypt|password_hash|passwordHash/);
    const session = await app.inject({ method: 'GET', url: '/api/auth/session', headers: admin.headers });
    expect(session.body).not.toMatch(/scrypt/);
  });
});

describe('sessions', () => {
  const me = (s: SignedIn) => app.inject({ method: 'GET', url: '/api/accounts', headers: s.headers });
  const hashOf = async (userId: string) =>
    (
      await t.db
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow()
    ).id;

  it('are stored as a hash of the cookie only', async () => {
    const s = await signInAs(app, 'viewer', 'hashed@example.com');
    const rows = await t.db.selectFrom('sessions').select('id').where('user_id', '=', s.userId).execute();
    const cookieValue = s.cookie.split('=')[1]!;
    expect(rows.map((r) => r.id)).not.toContain(cookieValue);
    expect(rows[0]!.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('end after being idle too long, and at their absolute end', async () => {
    const idle = await signInAs(app, 'viewer', 'idle@example.com');
    expect((await me(idle)).statusCode).toBe(200);
    await sql`update sessions set last_seen_at = now() - interval '8 days' where id = ${await hashOf(idle.userId)}`.execute(
      t.db,
    );
    expect((await me(idle)).statusCode).toBe(401);

    const old = await signInAs(app, 'viewer', 'old@example.com');
    await sql`update sessions set expires_at = now() - interval '1 second' where id = ${await hashOf(old.userId)}`.execute(
      t.db,
    );
    expect((await me(old)).statusCode).toBe(401);
  });

  it('end on sign-out, and all of them on sign-out everywhere', async () => {
    const one = await signInAs(app, 'viewer', 'leaving@example.com');
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: one.headers,
      payload: {},
    });
    expect(res.statusCode).toBe(204);
    expect((await me(one)).statusCode).toBe(401);

    const laptop = await signInAs(app, 'viewer', 'everywhere@example.com');
    const phone = await signInAs(app, 'viewer', 'everywhere@example.com');
    const all = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out-everywhere',
      headers: phone.headers,
      payload: {},
    });
    expect(all.json()).toEqual({ sessionsEnded: 2 });
    expect((await me(laptop)).statusCode).toBe(401);
  });

  it('end when an admin revokes them or disables the user', async () => {
    const a = await signInAs(app, 'viewer', 'revoked@example.com');
    const res = await app.inject({
      method: 'POST',
      url: `/api/users/${a.userId}/revoke-sessions`,
      headers: admin.headers,
      payload: {},
    });
    expect(res.json()).toEqual({ sessionsEnded: 1 });
    expect((await me(a)).statusCode).toBe(401);

    const b = await signInAs(app, 'viewer', 'disabled@example.com');
    const off = await app.inject({
      method: 'PATCH',
      url: `/api/users/${b.userId}`,
      headers: admin.headers,
      payload: { disabled: true },
    });
    expect(off.json()).toMatchObject({ disabled: true });
    expect((await me(b)).statusCode).toBe(401);
    const again = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: b.email, password: TEST_PASSWORD },
    });
    expect(again.statusCode).toBe(401);
  });

  it('keep the last admin an admin', async () => {
    const users = (
      await app.inject({ method: 'GET', url: '/api/users', headers: admin.headers })
    ).json() as Array<{ id: string; role: string }>;
    const admins = users.filter((u) => u.role === 'admin');
    expect(admins).toHaveLength(1);
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/users/${admin.userId}`,
      headers: admin.headers,
      payload: { role: 'viewer' },
    });
    expect(res.statusCode).toBe(409);
  });
});

describe('your profile', () => {
  it('keeps the time zone times are shown in, and refuses one that does not exist', async () => {
    const me = await signInAs(app, 'viewer', 'traveller@example.com');
    const set = await app.inject({
      method: 'PATCH',
      url: '/api/auth/me',
      headers: me.headers,
      payload: { timeZone: 'Europe/Berlin', displayName: 'Traveller' },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ timeZone: 'Europe/Berlin', displayName: 'Traveller' });
    const session = await app.inject({ method: 'GET', url: '/api/auth/session', headers: me.headers });
    expect(session.json().user.timeZone).toBe('Europe/Berlin');
    const bad = await app.inject({
      method: 'PATCH',
      url: '/api/auth/me',
      headers: me.headers,
      payload: { timeZone: 'Mars/Olympus' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/unknown time zone/);
    const reset = await app.inject({
      method: 'PATCH',
      url: '/api/auth/me',
      headers: me.headers,
      payload: { timeZone: null },
    });
    expect(reset.json().timeZone).toBeNull();
  });
});

describe('invites', () => {
  it('let the invited user set a first password once, and sign in with it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin.headers,
      payload: { email: 'New.Colleague@example.com', role: 'viewer' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { inviteUrl, user } = res.json() as { inviteUrl: string; user: { hasPassword: boolean } };
    expect(user.hasPassword).toBe(false);
    const token = inviteUrl.split('/invite/')[1]!;
    expect((await app.inject({ method: 'GET', url: `/api/invites/${token}` })).json()).toEqual({
      email: 'New.Colleague@example.com',
    });
    const short = await app.inject({
      method: 'POST',
      url: `/api/invites/${token}`,
      payload: { password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    const set = await app.inject({
      method: 'POST',
      url: `/api/invites/${token}`,
      payload: { password: 'a long enough password' },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().user).toMatchObject({ email: 'New.Colleague@example.com', role: 'viewer' });
    const reused = await app.inject({
      method: 'POST',
      url: `/api/invites/${token}`,
      payload: { password: 'another long password' },
    });
    expect(reused.statusCode).toBe(404);
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: 'new.colleague@example.com', password: 'a long enough password' },
    });
    expect(signIn.statusCode).toBe(200);
  });
});

describe('API tokens', () => {
  const create = async (scope: 'read' | 'full') => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: admin.headers,
      payload: { name: `${scope} script`, scope },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; token: string };
  };

  it('read-only: reads, and may not change anything', async () => {
    const { token } = await create('read');
    const bearer = { authorization: `Bearer ${token}` };
    expect((await app.inject({ method: 'GET', url: '/api/overview', headers: bearer })).statusCode).toBe(200);
    const write = await app.inject({
      method: 'POST',
      url: '/api/accounts/refresh',
      headers: bearer,
      payload: {},
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.message).toMatch(/read-only/);
  });

  it('full: acts as its admin without a CSRF token; stored hashed; revoked at once', async () => {
    const { id, token } = await create('full');
    const bearer = { authorization: `Bearer ${token}` };
    expect(
      (await app.inject({ method: 'POST', url: '/api/accounts/refresh', headers: bearer, payload: {} }))
        .statusCode,
    ).toBe(202);
    const stored = await t.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    const listed = await app.inject({ method: 'GET', url: '/api/tokens', headers: admin.headers });
    expect(listed.body).not.toContain(token);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: admin.headers })).statusCode,
    ).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/overview', headers: bearer });
    expect(after.statusCode).toBe(401);
  });
});

describe('spent sign-in records', () => {
  it('are removed after a week’s grace; live sessions and recent failures stay', async () => {
    const live = await signInAs(app, 'viewer', 'still-here@example.com');
    const gone = await signInAs(app, 'viewer', 'long-gone@example.com');
    await sql`update sessions set expires_at = now() - interval '8 days' where user_id = ${gone.userId}`.execute(
      t.db,
    );
    await sql`insert into sign_in_failures (email, at) values ('old@example.com', now() - interval '2 days'),
      ('recent@example.com', now())`.execute(t.db);
    const removed = await removeSpentSignInRecords(t.db);
    expect(removed.sessions).toBeGreaterThanOrEqual(1);
    expect(removed.failures).toBeGreaterThanOrEqual(1);
    const left = await t.db.selectFrom('sessions').select('user_id').execute();
    expect(left.map((r) => r.user_id)).toContain(live.userId);
    expect(left.map((r) => r.user_id)).not.toContain(gone.userId);
    const failures = await t.db.selectFrom('sign_in_failures').select('email').execute();
    expect(failures.map((f) => f.email)).toContain('recent@example.com');
    expect(failures.map((f) => f.email)).not.toContain('old@example.com');
  });
});

describe('first run', () => {
  let fresh: TestDatabase;
  let firstRun: FastifyInstance;
  beforeAll(async () => {
    fresh = await createTestDatabase('postgres');
    firstRun = await buildApp(
      loadConfig({
        DATA_DIR: fresh.dataDir,
        LOG_LEVEL: 'silent',
        APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
        SPAPI_CLIENT_ID: demoApp.clientId,
        SPAPI_CLIENT_SECRET: demoApp.clientSecret,
        SPAPI_ENDPOINT: sim.url,
      }),
      { database: fresh, web: false, schedule: false },
    );
  });
  afterAll(async () => {
    await firstRun?.close();
    await fresh?.destroy();
  });

  it('creates the first admin once, signed in, and never a second time', async () => {
    expect((await firstRun.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needed: true });
    const [a, b] = await Promise.all(
      ['first@example.com', 'second@example.com'].map((email) =>
        firstRun.inject({
          method: 'POST',
          url: '/api/setup',
          payload: { email, password: 'the first admin password' },
        }),
      ),
    );
    expect([a!.statusCode, b!.statusCode].sort()).toEqual([201, 409]);
    const created = a!.statusCode === 201 ? a! : b!;
    expect(created.cookies.find((c) => c.name === 'gs_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
    });
    expect((await firstRun.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needed: false });
  });
});
