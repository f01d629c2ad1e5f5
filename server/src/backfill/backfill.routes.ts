import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import { AccountParams } from '../accounts/accounts.schemas.ts';
import type { BackfillRunner } from './backfill-runner.ts';
import { listJobs } from './backfill.repository.ts';
import { jobRowToJob } from './backfill.mapping.ts';
import { BackfillBody, BackfillQueued, BackfillState } from './backfill.schemas.ts';
import { requestBackfill } from './backfill.service.ts';

export interface BackfillRoutesOptions {
  runner: BackfillRunner;
}

export const backfillRoutes: FastifyPluginAsyncZod<BackfillRoutesOptions> = async (app, { runner }) => {
  const db = app.database.db;

  app.get(
    '/accounts/:id/backfill',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['history'],
        summary: 'The account’s Data Kiosk history jobs, with their progress',
        params: AccountParams,
        response: { 200: BackfillState, 404: ErrorBody },
      },
    },
    async (request) => {
      const account = await findAccount(db, request.params.id);
      if (!account) throw new AppError('NOT_FOUND', `account ${request.params.id} does not exist`);
      const jobs = await listJobs(db, account.id);
      return { accountId: account.id, historyError: account.history_error, jobs: jobs.map(jobRowToJob) };
    },
  );

  app.post(
    '/accounts/:id/backfill',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['history'],
        summary: 'Fetch the account’s daily history (up to two years) and rating from Amazon’s Data Kiosk',
        description:
          'Queues a job and answers at once (202); follow it with GET /api/accounts/{id}/backfill. Days already ' +
          'stored are updated, never duplicated. One job per account at a time: while one is queued or running ' +
          'the answer is 409 with that job. Send `{}` for the whole two years.',
        params: AccountParams,
        body: BackfillBody,
        response: { 202: BackfillQueued, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const result = await requestBackfill(db, runner, request.params.id, {
        trigger: 'api',
        ...(request.body.from ? { from: request.body.from } : {}),
        ...(request.body.marketplaceId ? { marketplaceId: request.body.marketplaceId } : {}),
      });
      if ('open' in result) {
        throw new AppError('CONFLICT', 'a history backfill is already queued or running for this account', {
          job: jobRowToJob(result.open),
        });
      }
      return reply.status(202).send({ job: jobRowToJob(result.queued) });
    },
  );
};
