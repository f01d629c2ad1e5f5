import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import { createPrometheusRegistry } from './prometheus.ts';

// GET /metrics, at the root where Prometheus looks, in its text format. Not under /api, so the sign-in guard does
// not see it: it checks the caller itself, and takes only an API token (any user's, read or full). A scraper is a
// script and holds a token, never a session; and demo mode's "no credentials is the demo admin" would open the
// figures to anyone who can reach the port.

export const monitoringRoutes: FastifyPluginAsyncZod = async (app) => {
  const registry = createPrometheusRegistry(app.database.db);

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Prometheus metrics: every account’s latest figures, alerts, the poller and the outbox',
        description:
          'Prometheus text format, read from the database at each scrape. Needs an API token: ' +
          '`Authorization: Bearer gs_…`. Series and labels: docs/prometheus.md.',
        response: { 200: z.string().describe('Prometheus text format 0.0.4'), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      // RFC 6750: a refusal names the scheme to use.
      reply.header('www-authenticate', 'Bearer realm="Good Standing"');
      const auth = request.headers.authorization === undefined ? null : await app.identify(request);
      if (auth?.kind !== 'token') {
        throw new AppError('UNAUTHENTICATED', 'send an API token: Authorization: Bearer gs_…');
      }
      reply.removeHeader('www-authenticate');
      const text = await registry.metrics();
      return reply.header('cache-control', 'no-store').type(registry.contentType).send(text);
    },
  );
};
