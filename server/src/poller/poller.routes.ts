import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import { findAccount, listAccounts } from '../accounts/accounts.repository.ts';
import { AccountParams } from '../accounts/accounts.schemas.ts';
import type { SellerAccountRow } from '../db/schema.ts';
import type { Poller } from './poller.ts';
import { findRun, findRuns, listRuns } from './poll-runs.repository.ts';
import { pollRunRowToPollRun } from './poller.mapping.ts';
import {
  PollRun,
  RefreshAccepted,
  RefreshManyAccepted,
  RefreshManyBody,
  RunParams,
  RunsQuery,
} from './poller.schemas.ts';

export interface PollerRoutesOptions {
  poller: Poller;
}

/** Why an account cannot be polled now, or null when it can. */
function notPollable(
  account: SellerAccountRow,
): 'needs_reauthorization' | 'disconnected' | 'polling_disabled' | null {
  if (account.connection_state === 'needs_reauthorization') return 'needs_reauthorization';
  if (account.connection_state === 'disconnected') return 'disconnected';
  if (!account.poll_enabled) return 'polling_disabled';
  return null;
}

export const pollerRoutes: FastifyPluginAsyncZod<PollerRoutesOptions> = async (app, { poller }) => {
  const db = app.database.db;

  app.post(
    '/accounts/:id/refresh',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['polling'],
        summary: 'Poll the account now; answers at once with the run to follow',
        params: AccountParams,
        response: { 202: RefreshAccepted, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = await findAccount(db, request.params.id);
      if (!account) throw new AppError('NOT_FOUND', `account ${request.params.id} does not exist`);
      const why = notPollable(account);
      if (why === 'needs_reauthorization') {
        throw new AppError('CONFLICT', 'the account needs reauthorization before it can be polled');
      }
      if (why === 'disconnected') {
        throw new AppError('CONFLICT', 'the account is disconnected: reconnect it before it can be polled');
      }
      if (why === 'polling_disabled')
        throw new AppError('CONFLICT', 'polling is turned off for this account');
      const runId = await poller.requestRefresh(account.id);
      return reply.status(202).send({ runId });
    },
  );

  app.post(
    '/accounts/refresh',
    {
      // Viewers may refresh one account, so all of them too: the morning check's "Refresh all".
      config: { access: 'signed-in' },
      schema: {
        tags: ['polling'],
        summary: 'Poll every account (or the ones named) now; answers at once with each run to follow',
        description:
          'Accounts that cannot be polled (they need reauthorization, are disconnected, or polling is off) are ' +
          'listed as skipped. ' +
          'Send `{}` for every account.',
        body: RefreshManyBody,
        response: { 202: RefreshManyAccepted, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const all = await listAccounts(db);
      let accounts = all;
      if (request.body.accountIds) {
        const byId = new Map(all.map((a) => [a.id, a]));
        const unknown = request.body.accountIds.filter((id) => !byId.has(id));
        if (unknown.length > 0) {
          throw new AppError('NOT_FOUND', `no such account: ${unknown.join(', ')}`, { unknown });
        }
        accounts = [...new Set(request.body.accountIds)].map((id) => byId.get(id)!);
      }
      const runs: Array<{ accountId: string; runId: string }> = [];
      const skipped: Array<{
        accountId: string;
        reason: 'needs_reauthorization' | 'disconnected' | 'polling_disabled';
      }> = [];
      for (const account of accounts) {
        const reason = notPollable(account);
        if (reason) skipped.push({ accountId: account.id, reason });
        else runs.push({ accountId: account.id, runId: await poller.requestRefresh(account.id) });
      }
      return reply.status(202).send({ runs, skipped });
    },
  );

  app.get(
    '/accounts/:id/poll-runs',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['polling'],
        summary: "The account's latest poll runs, newest first",
        params: AccountParams,
        response: { 200: z.array(PollRun), 404: ErrorBody },
      },
    },
    async (request) => {
      const account = await findAccount(db, request.params.id);
      if (!account) throw new AppError('NOT_FOUND', `account ${request.params.id} does not exist`);
      return (await listRuns(db, account.id)).map(pollRunRowToPollRun);
    },
  );

  app.get(
    '/poll-runs',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['polling'],
        summary: 'Several poll runs at once, to follow the progress of a refresh of many accounts',
        description: 'Runs that do not exist are left out.',
        querystring: RunsQuery,
        response: { 200: z.array(PollRun), 400: ErrorBody },
      },
    },
    async (request) => (await findRuns(db, request.query.ids)).map(pollRunRowToPollRun),
  );

  app.get(
    '/poll-runs/:runId',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['polling'],
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
