import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import type { SessionLimits } from './sessions.repository.ts';
import { revokeSession, revokeUserSessions } from './sessions.repository.ts';
import { countUsers, findUsableInvite, updateUser, useInvite } from './users.repository.ts';
import {
  checkPasswordRules,
  createFirstAdmin,
  isTimeZone,
  signIn,
  startSession,
  toAuthUser,
  type ClientInfo,
} from './auth.service.ts';
import { clearSessionCookie, setSessionCookie } from './auth.guard.ts';
import { hashPassword, secretHash } from './secrets.ts';
import {
  AcceptInviteBody,
  InviteInfo,
  InviteParams,
  SessionInfo,
  SetupBody,
  SetupStatus,
  SignInBody,
  ProfilePatch,
  User,
} from './auth.schemas.ts';
import type { AuthUser } from './auth.types.ts';

export interface AuthRoutesOptions {
  limits: SessionLimits;
  secureCookies: boolean;
  demo: boolean;
}

/** Guessing passwords from one address: 10 tries a minute (per account, auth.service.ts counts failures). */
const PER_IP = { max: 10, timeWindow: '1 minute' };

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (
  app,
  { limits, secureCookies, demo },
) => {
  const db = app.database.db;
  await app.register(rateLimit, {
    global: false,
    // Thrown, so the error handler answers it in the API's one error shape.
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'RATE_LIMITED',
        `too many attempts from this address; try again in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
  const client = (request: {
    ip: string;
    headers: Record<string, string | string[] | undefined>;
  }): ClientInfo => ({
    ip: request.ip ?? null,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
  });
  const opened = async (reply: Parameters<typeof setSessionCookie>[0], user: AuthUser, info: ClientInfo) => {
    const session = await startSession(db, user.id, info, limits);
    setSessionCookie(reply, session.sessionId, secureCookies, limits.maxMs);
    return { user, csrfToken: session.csrfToken, demo };
  };

  app.get(
    '/setup',
    {
      config: { access: 'public' },
      schema: {
        tags: ['sign-in'],
        summary: 'Whether the first admin still has to be created',
        response: { 200: SetupStatus },
      },
    },
    async () => ({ needed: (await countUsers(db)) === 0 }),
  );

  app.post(
    '/setup',
    {
      config: { access: 'public', rateLimit: PER_IP },
      schema: {
        tags: ['sign-in'],
        summary: 'Create the first admin (only while there is no user) and sign them in',
        body: SetupBody,
        response: { 201: SessionInfo, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, password, displayName } = request.body;
      const user = await createFirstAdmin(db, { email, password, displayName: displayName ?? null });
      if (!user) throw new AppError('CONFLICT', 'the first admin exists already: sign in instead');
      return reply.status(201).send(await opened(reply, user, client(request)));
    },
  );

  app.post(
    '/auth/sign-in',
    {
      config: { access: 'public', rateLimit: PER_IP },
      schema: {
        tags: ['sign-in'],
        summary: 'Sign in with email and password; sets the session cookie',
        body: SignInBody,
        response: { 200: SessionInfo, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const info = client(request);
      const user = await signIn(db, request.body.email, request.body.password, info);
      return opened(reply, user, info);
    },
  );

  app.get(
    '/auth/session',
    {
      config: { access: 'public' },
      schema: {
        tags: ['sign-in'],
        summary: 'Who is signed in, with the CSRF token; in demo mode, signs the demo admin in',
        response: { 200: SessionInfo, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const auth = await app.identify(request);
      if (auth?.kind === 'session') return { user: auth.user, csrfToken: auth.csrfToken, demo };
      // The dashboard in demo mode: a real session, so its requests carry a CSRF token like any other.
      if (auth?.kind === 'demo') return opened(reply, auth.user, client(request));
      throw new AppError('UNAUTHENTICATED', 'not signed in');
    },
  );

  app.post(
    '/auth/sign-out',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['sign-in'], summary: 'End this session', response: { 204: z.null() } },
    },
    async (request, reply) => {
      if (request.auth?.kind === 'session') await revokeSession(db, request.auth.sessionId);
      clearSessionCookie(reply, secureCookies);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/sign-out-everywhere',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['sign-in'],
        summary: 'End every session of the signed-in user, on every device',
        response: { 200: z.object({ sessionsEnded: z.number() }) },
      },
    },
    async (request, reply) => {
      const ended = await revokeUserSessions(db, request.auth!.user.id);
      clearSessionCookie(reply, secureCookies);
      return { sessionsEnded: ended };
    },
  );

  app.patch(
    '/auth/me',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['sign-in'],
        summary:
          'Change your display name, the time zone times are shown in, or the time of your daily digest',
        body: ProfilePatch,
        response: { 200: User, 400: ErrorBody },
      },
    },
    async (request) => {
      const { timeZone, displayName, digestTime } = request.body;
      if (timeZone && !isTimeZone(timeZone)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/Berlin)`,
          [{ path: 'timeZone', message: 'unknown time zone' }],
        );
      }
      const updated = await updateUser(db, request.auth!.user.id, {
        timeZone,
        displayName,
        digestTime,
      });
      if (!updated) throw new AppError('NOT_FOUND', 'your user no longer exists');
      return toAuthUser(updated);
    },
  );

  app.get(
    '/invites/:token',
    {
      config: { access: 'public', rateLimit: PER_IP },
      schema: {
        tags: ['users'],
        summary: 'The email an invite link was sent to, while it can be used',
        params: InviteParams,
        response: { 200: InviteInfo, 404: ErrorBody },
      },
    },
    async (request) => {
      const invite = await findUsableInvite(db, secretHash(request.params.token));
      if (!invite)
        throw new AppError(
          'NOT_FOUND',
          'this invite link is unknown, used or expired: ask an admin for a new one',
        );
      return { email: invite.email };
    },
  );

  app.post(
    '/invites/:token',
    {
      config: { access: 'public', rateLimit: PER_IP },
      schema: {
        tags: ['users'],
        summary: 'Set a first password from an invite link, and sign in',
        params: InviteParams,
        body: AcceptInviteBody,
        response: { 200: SessionInfo, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const tokenHash = secretHash(request.params.token);
      const invite = await findUsableInvite(db, tokenHash);
      if (!invite)
        throw new AppError(
          'NOT_FOUND',
          'this invite link is unknown, used or expired: ask an admin for a new one',
        );
      checkPasswordRules(request.body.password);
      const passwordHash = await hashPassword(request.body.password);
      if (!(await useInvite(db, tokenHash)))
        throw new AppError('NOT_FOUND', 'this invite link was used just now');
      const user = await updateUser(db, invite.user_id, { passwordHash });
      if (!user) throw new AppError('NOT_FOUND', 'the invited user no longer exists');
      return opened(reply, toAuthUser(user), client(request));
    },
  );
};
