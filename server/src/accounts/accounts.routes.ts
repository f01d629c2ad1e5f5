import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';
import { findAccount, listAccounts, listMarketplaces } from './accounts.repository.ts';
import { accountRowToAccount } from './accounts.mapping.ts';
import {
  Account,
  AccountParams,
  ConnectAccountBody,
  DeleteAccountBody,
  EmptyBody,
  ReconnectAccountBody,
} from './accounts.schemas.ts';
import { connectAccount, deleteAccount, disconnectAccount, reconnectAccount } from './accounts.service.ts';

export interface AccountsRoutesOptions {
  clients: SpApiClients;
  /** Told when an account was connected (the poller polls it at once). */
  onConnected(accountId: string): void;
  /** How long checking a token with Amazon may take (default 30 s). */
  checkDeadlineMs?: number;
}

/** Aborts when the client goes away before its answer is sent: Amazon is not kept busy for nobody. */
function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) gone.abort();
  });
  return gone.signal;
}

export const accountsRoutes: FastifyPluginAsyncZod<AccountsRoutesOptions> = async (
  app,
  { clients, onConnected, checkDeadlineMs },
) => {
  const db = app.database.db;

  async function accountOrThrow(id: string) {
    const row = await findAccount(db, id);
    if (!row) throw new AppError('NOT_FOUND', `account ${id} does not exist`);
    return row;
  }

  app.get(
    '/accounts',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['accounts'],
        summary: 'Connected seller accounts',
        response: { 200: z.array(Account) },
      },
    },
    async () => {
      const rows = await listAccounts(db);
      const marketplaces = await listMarketplaces(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((row) =>
        accountRowToAccount(
          row,
          marketplaces.filter((m) => m.account_id === row.id),
        ),
      );
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['accounts'],
        params: AccountParams,
        response: { 200: Account, 404: ErrorBody },
      },
    },
    async (request) => {
      const row = await accountOrThrow(request.params.id);
      return accountRowToAccount(row, await listMarketplaces(db, [row.id]));
    },
  );

  app.post(
    '/accounts',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Connect a seller account with an LWA refresh token (checked with Amazon first)',
        body: ConnectAccountBody,
        description:
          'A seller already connected is refused with 409 and the way to reconnect it; its token is never replaced here.',
        response: { 201: Account, 400: ErrorBody, 409: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = await connectAccount(db, clients, app.secrets, request.body, {
        signal: clientGone(reply),
        deadlineMs: checkDeadlineMs,
      });
      onConnected(account.id);
      return reply.status(201).send(accountRowToAccount(account, await listMarketplaces(db, [account.id])));
    },
  );

  app.post(
    '/accounts/:id/reconnect',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Give an account a new LWA refresh token, keeping its history',
        description:
          'The token is checked with Amazon first and must be the same seller’s: it must sell in every marketplace ' +
          'the account does, and Amazon must give the business name recorded when the account was connected, ' +
          'or the reconnect is refused (409) and nothing changes.',
        params: AccountParams,
        body: ReconnectAccountBody,
        response: { 200: Account, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = await reconnectAccount(
        db,
        clients,
        app.secrets,
        request.params.id,
        request.body.refreshToken,
        { signal: clientGone(reply), deadlineMs: checkDeadlineMs },
      );
      onConnected(account.id);
      return accountRowToAccount(account, await listMarketplaces(db, [account.id]));
    },
  );

  app.post(
    '/accounts/:id/disconnect',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Stop using the account’s authorization: its token is deleted at once, polling stops',
        description:
          'The account and its history stay (connection state `disconnected`); runs not finished yet are ended. ' +
          'Reconnecting it (through Amazon, or with a refresh token) polls it again. Send `{}`.',
        params: AccountParams,
        body: EmptyBody,
        response: { 200: Account, 404: ErrorBody },
      },
    },
    async (request) => {
      const account = await disconnectAccount(db, clients, request.params.id);
      return accountRowToAccount(account, await listMarketplaces(db, [account.id]));
    },
  );

  app.delete(
    '/accounts/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['accounts'],
        summary: 'Delete the account with all of its history',
        description:
          'Reports, figures, poll runs, alerts and cases go with it. Refused (400) unless `confirmName` is the ' +
          'account’s name, exactly.',
        params: AccountParams,
        body: DeleteAccountBody,
        response: { 204: z.null(), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await deleteAccount(db, clients, request.params.id, request.body.confirmName);
      return reply.status(204).send(null);
    },
  );
};
