import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../http/errors.ts';
import { VERSION } from '../version.ts';
import type { Database } from '../db/database.ts';

const HealthBody = z
  .object({
    status: z.literal('ok'),
    database: z.enum(['postgres', 'pglite']),
    version: z.string(),
    mode: z.enum(['demo', 'live']),
  })
  .describe('Health');

interface HealthOptions {
  database: Database;
  demo: boolean;
}

export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, { database, demo }) => {
  app.get(
    '/health',
    {
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
