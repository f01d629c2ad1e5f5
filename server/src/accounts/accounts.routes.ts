import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import type { Poller } from '../poller/poller.ts';
import type { SpApiClients } from '../spapi/spapi-clients.ts';
import { findRun, listRuns } from '../poller/poll-runs.repository.ts';
import { findAccount, listAccounts, listMarketplaces } from './accounts.repository.ts';
import { accountRowToAccount, pollRunRowToPollRun } from './accounts.mapping.ts';
import {
  Account,
  AccountParams,
  ConnectAccountBody,
  PollRun,
  RefreshAccepted,
  RunParams,
} from './accounts.schemas.ts';
import { connectAccount } from './accounts.service.ts';

export interface AccountsRoutesOptions {
  clients: SpApiClients;
  poller: Poller;
}

export const accountsRoutes: FastifyPluginAsyncZod<AccountsRoutesOptions> = async (
  app,
  { clients, poller },
) => {
  const db = app.database.db;

  async function accountOrThrow(id: string) {
    const row = await findAccount(db, id);
    if (!row) throw new AppError('NOT_FOUND', `account ${id} does not exist`);
    return row;
  }

  app.get(
    '/api/accounts',
    {
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
    '/api/accounts/:id',
    {
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
    '/api/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Connect a seller account with an LWA refresh token (checked with Amazon first)',
        body: ConnectAccountBody,
        response: { 201: Account, 400: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = await connectAccount(db, clients, app.secrets, request.body);
      void poller.dispatch();
      return reply.status(201).send(accountRowToAccount(account, await listMarketplaces(db, [account.id])));
    },
  );

  app.post(
    '/api/accounts/:id/refresh',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Poll the account now; answers at once with the run to follow',
        params: AccountParams,
        response: { 202: RefreshAccepted, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = await accountOrThrow(request.params.id);
      if (account.connection_state === 'needs_reauthorization') {
        throw new AppError('CONFLICT', 'the account needs reauthorization before it can be polled');
      }
      if (!account.poll_enabled) throw new AppError('CONFLICT', 'polling is turned off for this account');
      const runId = await poller.requestRefresh(account.id);
      return reply.status(202).send({ runId, status: 'queued' as const });
    },
  );

  app.get(
    '/api/accounts/:id/poll-runs',
    {
      schema: {
        tags: ['accounts'],
        params: AccountParams,
        response: { 200: z.array(PollRun), 404: ErrorBody },
      },
    },
    async (request) => {
      const account = await accountOrThrow(request.params.id);
      return (await listRuns(db, account.id)).map(pollRunRowToPollRun);
    },
  );

  app.get(
    '/api/poll-runs/:runId',
    {
      schema: {
        tags: ['accounts'],
        summary: 'One poll run, with its live phase and counters while it runs',
        params: RunParams,
        response: { 200: PollRun, 404: ErrorBody },
      },
    },
    async (request) => {
      const run = await findRun(db, request.params.runId);
      if (!run) throw new AppError('NOT_FOUND', `poll run ${request.params.runId} does not exist`);
      return pollRunRowToPollRun(run);
    },
  );
};
