import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody } from '../http/errors.ts';
import { HealthBody } from './health.schemas.ts';
import { VERSION } from '../version.ts';
import type { Database } from '../db/database.ts';

interface HealthOptions {
  database: Database;
  demo: boolean;
}

export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, { database, demo }) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: { 200: HealthBody, 503: ErrorBody },
      },
    },
    async (_request, reply) => {
      if (!(await database.ping())) {
        return reply
          .status(503)
          .send({ error: { code: 'SERVICE_UNAVAILABLE', message: 'database is unreachable' } });
      }
      return {
        status: 'ok' as const,
        database: database.engine,
        version: VERSION,
        mode: demo ? ('demo' as const) : ('live' as const),
      };
    },
  );
};
