import { Readable, pipeline } from 'node:stream';
import { constants, createGzip } from 'node:zlib';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import { AccountParams } from '../accounts/accounts.schemas.ts';
import { acceptsGzip } from './overview-cache.ts';
import { historyFileName, historyQuery, openHistoryExport, type HistoryFormat } from './history-export.ts';
import { HISTORY_EXPORT_DESCRIPTION, HistoryExportQuery } from './history-export.schemas.ts';

// GET /api/accounts/:id/history.csv and .json: an account's whole history as a download (history-export.ts).

const CONTENT_TYPES: Record<HistoryFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json; charset=utf-8',
};

export const historyExportRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = app.database.db;

  for (const format of ['csv', 'json'] as const) {
    app.get(
      `/accounts/:id/history.${format}`,
      {
        config: { access: 'signed-in' },
        schema: {
          tags: ['metrics'],
          summary: `An account's history as a ${format === 'csv' ? 'CSV' : 'JSON'} file`,
          description: HISTORY_EXPORT_DESCRIPTION,
          params: AccountParams,
          querystring: HistoryExportQuery,
          response: {
            200: z.string().describe(format === 'csv' ? 'text/csv' : 'A JSON array of rows'),
            400: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const account = await findAccount(db, request.params.id);
        if (!account) throw new AppError('NOT_FOUND', `account ${request.params.id} does not exist`);
        const { from, to, metrics, marketplace } = request.query;
        const query = await historyQuery(db, {
          accountId: account.id,
          from,
          to,
          metrics,
          marketplaceIds: marketplace,
        });
        const text = await openHistoryExport(db, query, format);
        let body: NodeJS.ReadableStream = Readable.from(text, { objectMode: false });
        reply
          .type(CONTENT_TYPES[format])
          .header(
            'content-disposition',
            `attachment; filename="${historyFileName(account.seller_id, { from, to }, format)}"`,
          )
          .header('cache-control', 'private, no-store')
          .header('vary', 'accept-encoding');
        if (acceptsGzip(request.headers['accept-encoding'])) {
          // Rows repeat their names and ids: the text shrinks tenfold, at the fastest level.
          const gzip = createGzip({ level: constants.Z_BEST_SPEED });
          body = pipeline(body, gzip, (err) => {
            if (err) request.log.warn({ err }, 'the history export stopped');
          });
          reply.header('content-encoding', 'gzip');
        }
        // A stream is sent as it is, not through the 200 schema above (which documents it).
        return reply.send(body as unknown as string);
      },
    );
  }
};
