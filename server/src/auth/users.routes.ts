import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import { newSecret, secretHash } from './secrets.ts';
import { revokeUserSessions } from './sessions.repository.ts';
import { insertApiToken, listApiTokens, revokeApiToken } from './api-tokens.repository.ts';
import {
  countActiveAdmins,
  findUser,
  insertInvite,
  insertUser,
  listUsers,
  updateUser,
} from './users.repository.ts';
import {
  ApiTokenBody,
  ApiTokenCreated,
  ApiTokenListed,
  ApiTokenParams,
  InviteBody,
  Invited,
  UserListed,
  UserParams,
  UserPatch,
} from './auth.schemas.ts';

// Admins manage who may sign in, and the API tokens scripts use.

const INVITE_VALID_DAYS = 7;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

type UserRow = Awaited<ReturnType<typeof listUsers>>[number];
const listed = (u: Omit<UserRow, 'has_password'> & { has_password?: unknown }) => ({
  id: u.id,
  email: u.email,
  displayName: u.display_name,
  role: u.role,
  timeZone: u.time_zone,
  digestTime: u.digest_time,
  createdAt: u.created_at.toISOString(),
  disabled: u.disabled_at !== null,
  hasPassword: Boolean(u.has_password),
});

export const usersRoutes: FastifyPluginAsyncZod<{ publicUrl: string | undefined }> = async (
  app,
  { publicUrl },
) => {
  const db = app.database.db;
  const admin = { config: { access: 'admin' as const } };

  app.get(
    '/users',
    {
      ...admin,
      schema: {
        tags: ['users'],
        summary: 'Everyone who may sign in',
        response: { 200: z.array(UserListed) },
      },
    },
    async () => (await listUsers(db)).map(listed),
  );

  app.post(
    '/users',
    {
      ...admin,
      schema: {
        tags: ['users'],
        summary: 'Invite a user: answers a one-time link, valid 7 days, for them to set a password',
        body: InviteBody,
        response: { 201: Invited, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, role, displayName } = request.body;
      const token = newSecret();
      const user = await db.transaction().execute(async (tx) => {
        const created = await insertUser(tx, {
          email,
          role,
          displayName: displayName ?? null,
          passwordHash: null,
          invitedBy: request.auth!.user.id,
        });
        if (!created) return undefined;
        await insertInvite(tx, created.id, secretHash(token), INVITE_VALID_DAYS);
        return created;
      });
      if (!user) throw new AppError('CONFLICT', `${email} has an account already`);
      const origin = publicUrl ?? `${request.protocol}://${request.headers.host}`;
      return reply
        .status(201)
        .send({ user: listed(user), inviteUrl: `${origin.replace(/\/$/, '')}/invite/${token}` });
    },
  );

  app.patch(
    '/users/:id',
    {
      ...admin,
      schema: {
        tags: ['users'],
        summary: "Change a user's role, or disable or enable them (disabling ends their sessions)",
        params: UserParams,
        body: UserPatch,
        response: { 200: UserListed, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const target = await findUser(db, id);
      if (!target) throw new AppError('NOT_FOUND', `user ${id} does not exist`);
      const losesAdmin =
        target.role === 'admin' &&
        target.disabled_at === null &&
        (request.body.role === 'viewer' || request.body.disabled);
      // Someone must always be able to manage users: the last admin cannot be demoted or disabled.
      if (losesAdmin && (await countActiveAdmins(db)) <= 1) {
        throw new AppError('CONFLICT', 'this is the last admin: make another user admin first');
      }
      const updated = await updateUser(db, id, request.body);
      if (!updated) throw new AppError('NOT_FOUND', `user ${id} does not exist`);
      if (request.body.disabled) await revokeUserSessions(db, id);
      const withPassword = (await listUsers(db)).find((u) => u.id === id);
      return listed(withPassword ?? updated);
    },
  );

  app.post(
    '/users/:id/revoke-sessions',
    {
      ...admin,
      schema: {
        tags: ['users'],
        summary: 'End every session of a user (they must sign in again)',
        params: UserParams,
        response: { 200: z.object({ sessionsEnded: z.number() }), 404: ErrorBody },
      },
    },
    async (request) => {
      if (!(await findUser(db, request.params.id))) throw new AppError('NOT_FOUND', 'no such user');
      return { sessionsEnded: await revokeUserSessions(db, request.params.id) };
    },
  );

  app.get(
    '/tokens',
    {
      ...admin,
      schema: {
        tags: ['api tokens'],
        summary: 'API tokens in use (never the tokens themselves)',
        response: { 200: z.array(ApiTokenListed) },
      },
    },
    async () =>
      (await listApiTokens(db)).map((t) => ({
        id: t.id,
        name: t.name,
        scope: t.scope,
        createdAt: t.created_at.toISOString(),
        lastUsedAt: iso(t.last_used_at),
        createdBy: t.created_by,
      })),
  );

  app.post(
    '/tokens',
    {
      ...admin,
      schema: {
        tags: ['api tokens'],
        summary: 'Create an API token for a script (read: GET only; full: acts as you); shown once',
        body: ApiTokenBody,
        response: { 201: ApiTokenCreated },
      },
    },
    async (request, reply) => {
      const token = newSecret('gs_');
      const row = await insertApiToken(db, {
        name: request.body.name,
        scope: request.body.scope,
        tokenHash: secretHash(token),
        userId: request.auth!.user.id,
      });
      return reply.status(201).send({
        id: row.id,
        name: row.name,
        scope: row.scope,
        createdAt: row.created_at.toISOString(),
        lastUsedAt: null,
        token,
      });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      ...admin,
      schema: {
        tags: ['api tokens'],
        summary: 'Revoke an API token at once',
        params: ApiTokenParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiToken(db, request.params.id)))
        throw new AppError('NOT_FOUND', 'no such API token');
      return reply.status(204).send(null);
    },
  );
};
