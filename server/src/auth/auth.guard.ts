import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';
import type { Access, RequestAuth } from './auth.types.ts';
import { demoAdmin, toAuthUser } from './auth.service.ts';
import { secretHash } from './secrets.ts';
import { findLiveSession, touchSession, type SessionLimits } from './sessions.repository.ts';
import { findLiveApiToken, touchApiToken } from './api-tokens.repository.ts';

// The one gate in front of the API: who is asking (a session cookie or an API token), whether the route lets
// them, and, for a session, that a state-changing request carries the session's CSRF token.

export const SESSION_COOKIE = 'gs_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ACCESS: ReadonlySet<string> = new Set<Access>(['public', 'signed-in', 'admin']);

/** API routes the framework's plugins register (the API reference): public, and not ours to annotate. */
const isDocsRoute = (url: string) => url === '/api/docs' || url.startsWith('/api/docs/');

/** Every API route with who may call it: what the access test walks through. */
export interface ApiRoute {
  method: string;
  url: string;
  access: Access;
}

export interface AuthGuardOptions {
  db: Kysely<DB>;
  limits: SessionLimits;
  /** Cookies only over https when the public address is https. */
  secureCookies: boolean;
  /** Demo mode: a request that names nobody acts as the demo admin. */
  demo: boolean;
}

export async function registerAuthGuard(app: FastifyInstance, options: AuthGuardOptions): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('auth', null);
  app.decorate('identify', (request: FastifyRequest) => authenticate(request, options));
  const routes: ApiRoute[] = [];
  app.decorate('apiRoutes', routes);

  // A route added later without saying who may call it must not slip through: the server refuses to start.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api') || isDocsRoute(route.url)) return;
    const access = (route.config as { access?: unknown } | undefined)?.access;
    if (typeof access !== 'string' || !ACCESS.has(access)) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access)`);
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, access: access as Access });
    }
  });

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    // Dashboard pages and unknown paths: the pages ask /api/auth/session themselves, 404s say nothing.
    if (url === undefined || !url.startsWith('/api') || isDocsRoute(url)) return;
    const access = request.routeOptions.config.access ?? 'admin';
    // A public route asks who is there itself when it cares (app.identify): health checks must not depend on it.
    if (access === 'public') return;
    const auth = (request.auth = await authenticate(request, options));
    if (!auth)
      throw new AppError('UNAUTHENTICATED', 'sign in first (or send an API token: Authorization: Bearer …)');
    if (auth.kind === 'token' && auth.tokenScope === 'read' && !SAFE_METHODS.has(request.method)) {
      throw new AppError('FORBIDDEN', 'this API token is read-only');
    }
    if (access === 'admin' && auth.user.role !== 'admin') {
      throw new AppError('FORBIDDEN', 'only an admin can do this');
    }
    if (auth.kind === 'session' && !SAFE_METHODS.has(request.method)) checkCsrf(request, auth.csrfToken);
  });
}

async function authenticate(request: FastifyRequest, options: AuthGuardOptions): Promise<RequestAuth | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new AppError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <API token>"');
    const token = await findLiveApiToken(options.db, secretHash(match[1]!));
    if (!token) throw new AppError('UNAUTHENTICATED', 'this API token is unknown or was revoked');
    await touchApiToken(options.db, token.id);
    return {
      kind: 'token',
      tokenId: token.id,
      tokenScope: token.scope,
      user: toAuthUser({ ...token, id: token.user_id }),
    };
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  if (sessionId) {
    const idHash = secretHash(sessionId);
    const session = await findLiveSession(options.db, idHash, options.limits);
    if (session) {
      await touchSession(options.db, idHash);
      return {
        kind: 'session',
        sessionId: idHash,
        csrfToken: session.csrf_token,
        user: toAuthUser({ ...session, id: session.user_id }),
      };
    }
  }
  // Demo mode: a request with no credentials acts as the demo admin, so the README's curl recipe works. A foreign
  // page still gets nothing: it cannot send this API a JSON POST, or a PUT, PATCH or DELETE (no CORS is granted),
  // nor read its answers (the Host guard stops DNS rebinding).
  if (options.demo) return { kind: 'demo', user: await demoAdmin(options.db) };
  return null;
}

function checkCsrf(request: FastifyRequest, expected: string): void {
  const sent = request.headers[CSRF_HEADER];
  const value = Array.isArray(sent) ? sent[0] : sent;
  const a = Buffer.from(value ?? '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AppError(
      'FORBIDDEN',
      `missing or wrong ${CSRF_HEADER} header (GET /api/auth/session gives it)`,
    );
  }
}

export function setSessionCookie(
  reply: FastifyReply,
  sessionId: string,
  secure: boolean,
  maxMs: number,
): void {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: Math.floor(maxMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
