import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorBody } from '../http/errors.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import { AccountParams } from '../accounts/accounts.schemas.ts';
import { seriesJson, statusHistory, warningStates } from './metrics.repository.ts';
import {
  Board,
  BoardQuery,
  Overview,
  OverviewAccount,
  OverviewVersion,
  RangeQuery,
  SCORE_METRIC,
  Series,
  SeriesQuery,
  StatusChange,
  Violations,
  WarningStateItem,
  WarningStatesQuery,
} from './metrics.schemas.ts';
import { buildViolations } from './metrics.service.ts';
import { acceptsGzip, OverviewCache } from './overview-cache.ts';
import { boardPage } from './overview-board.ts';

const gzipAsync = promisify(gzip);
type SeriesBody = z.infer<typeof Series>;

export interface MetricsRoutesOptions {
  /** An account with no successful poll for this long is shown as stale. */
  staleAfterMs: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_SERIES_DAYS = 90;
/** Longer ranges come at one point a day unless asked otherwise: four reports a day add nothing to a chart. */
const REPORT_RESOLUTION_DAYS = 31;
/** Two years and a little: the longest history Amazon keeps, with room for a leap year. */
const MAX_RANGE_DAYS = 740;

function range(query: { from?: Date; to?: Date }, defaultDays: number | null, now = new Date()) {
  const to = query.to;
  const from =
    query.from ??
    (defaultDays === null ? new Date(0) : new Date((to ?? now).getTime() - defaultDays * DAY_MS));
  if (to && from.getTime() > to.getTime()) throw new AppError('BAD_REQUEST', '`from` is after `to`');
  if (defaultDays !== null && (to ?? now).getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new AppError('BAD_REQUEST', `a range is at most ${MAX_RANGE_DAYS} days`);
  }
  return { from, to: to ?? null };
}

/** Pages of the board kept as JSON, the oldest dropped first. */
const BOARD_PAGES_KEPT = 50;

export const metricsRoutes: FastifyPluginAsyncZod<MetricsRoutesOptions> = async (app, { staleAfterMs }) => {
  const db = app.database.db;
  const overview = new OverviewCache(db, staleAfterMs);
  const boardPages = new Map<string, string>();

  async function accountOrThrow(id: string) {
    const row = await findAccount(db, id);
    if (!row) throw new AppError('NOT_FOUND', `account ${id} does not exist`);
    return row;
  }

  app.get(
    '/overview',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary: 'Every account and marketplace with its latest figures, worst first',
        description:
          'Answers with an ETag: send it back as If-None-Match for a 304 while nothing changed. Gzip when accepted.',
        response: { 200: Overview, 304: z.null().describe('Not modified since the ETag sent') },
      },
    },
    async (request, reply) => {
      const built = await overview.current();
      reply.header('etag', built.etag).header('vary', 'accept-encoding').header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === built.etag) return reply.code(304).send(null);
      const gzip = acceptsGzip(request.headers['accept-encoding']);
      if (gzip) reply.header('content-encoding', 'gzip');
      // Bytes of the schema above, validated when the cache built them.
      return reply
        .type('application/json; charset=utf-8')
        .send((gzip ? built.gzip : built.json) as unknown as z.infer<typeof Overview>);
    },
  );

  app.get(
    '/overview/board',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary: 'The overview page: a row per account and marketplace, filtered, sorted and paged',
        description:
          'Each row has the key figures of the morning check against their targets, with 30 days of trend. ' +
          'The summary counts every account, whatever the filters.',
        querystring: BoardQuery,
        response: { 200: Board, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const built = await overview.current();
      // Most requests ask for the same few views (the default one above all): each is made once per build.
      const key = `${built.etag}|${JSON.stringify(request.query)}`;
      let body = boardPages.get(key);
      if (!body) {
        body = JSON.stringify(
          boardPage(
            { overview: built.overview, rows: built.rows, alerts: built.alerts, version: built.etag },
            request.query,
          ),
        );
        if (boardPages.size >= BOARD_PAGES_KEPT) boardPages.delete(boardPages.keys().next().value!);
        boardPages.set(key, body);
      }
      // JSON of the schema above, sent as made (the tests parse every answer with the schema).
      reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8');
      return reply.send(body as unknown as z.infer<typeof Board>);
    },
  );

  app.get(
    '/overview/version',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary: 'A token that changes whenever the overview does: cheap to ask every few seconds',
        response: { 200: OverviewVersion },
      },
    },
    async (_request, reply) => {
      const built = await overview.current();
      reply.header('cache-control', 'no-cache');
      return { version: built.etag };
    },
  );

  app.get(
    '/accounts/:id/overview',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary: "One account's entry of the overview: its standing and every latest figure per marketplace",
        params: AccountParams,
        response: { 200: OverviewAccount, 404: ErrorBody },
      },
    },
    async (request) => {
      const built = await overview.current();
      const found = built.overview.accounts.find((a) => a.id === request.params.id);
      if (found) return found;
      // Connected since the overview was built (it is rebuilt on the next change); ask again once.
      await accountOrThrow(request.params.id);
      const rebuilt = await overview.current();
      const again = rebuilt.overview.accounts.find((a) => a.id === request.params.id);
      if (!again) throw new AppError('NOT_FOUND', `account ${request.params.id} does not exist`);
      return again;
    },
  );

  app.get(
    '/accounts/:id/series',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary:
          'The time series of each metric, with its target, and of the Account Health Rating score, from every source',
        description: `Default range: the last ${DEFAULT_SERIES_DAYS} days. At most ${MAX_RANGE_DAYS} days.`,
        params: AccountParams,
        querystring: SeriesQuery,
        response: { 200: Series, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const account = await accountOrThrow(request.params.id);
      const { from, to } = range(request.query, DEFAULT_SERIES_DAYS);
      const span = (to ?? new Date()).getTime() - from.getTime();
      const metrics = request.query.metrics;
      const body = await seriesJson(db, {
        accountId: account.id,
        marketplaceIds: request.query.marketplace,
        metrics,
        from,
        to,
        resolution: request.query.resolution ?? (span > REPORT_RESOLUTION_DAYS * DAY_MS ? 'day' : 'report'),
        scores: !metrics?.length || metrics.includes(SCORE_METRIC),
      });
      // JSON text of the schema above, written by Postgres (see seriesJson); the tests check it against the schema.
      reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
      if (!acceptsGzip(request.headers['accept-encoding'])) return reply.send(body as unknown as SeriesBody);
      // A year of figures is a megabyte or two of JSON and compresses tenfold; the fastest level keeps it cheap.
      const zipped = await gzipAsync(body, { level: constants.Z_BEST_SPEED });
      return reply.header('content-encoding', 'gzip').send(zipped as unknown as SeriesBody);
    },
  );

  app.get(
    '/accounts/:id/status-history',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary: 'Account status changes per marketplace, newest first',
        description: 'Default range: all of it.',
        params: AccountParams,
        querystring: RangeQuery,
        response: { 200: z.array(StatusChange), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const account = await accountOrThrow(request.params.id);
      const { from, to } = range(request.query, null);
      const rows = await statusHistory(db, {
        accountId: account.id,
        marketplaceIds: request.query.marketplace,
        from,
        to,
      });
      return rows.map((r) => ({
        marketplaceId: r.marketplace_id,
        previousStatus: r.previous_status,
        status: r.status,
        changedAt: r.changed_at.toISOString(),
      }));
    },
  );

  app.get(
    '/accounts/:id/violations',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary: 'Policy violation counts by category over time',
        description: `Default range: the last ${DEFAULT_SERIES_DAYS} days.`,
        params: AccountParams,
        querystring: RangeQuery,
        response: { 200: Violations, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const account = await accountOrThrow(request.params.id);
      const { from, to } = range(request.query, DEFAULT_SERIES_DAYS);
      return buildViolations(db, {
        accountId: account.id,
        marketplaceIds: request.query.marketplace,
        from,
        to,
      });
    },
  );

  app.get(
    '/accounts/:id/warning-states',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['metrics'],
        summary: 'Warning states: open ones, and those cleared recently',
        params: AccountParams,
        querystring: WarningStatesQuery,
        response: { 200: z.array(WarningStateItem), 404: ErrorBody },
      },
    },
    async (request) => {
      const account = await accountOrThrow(request.params.id);
      const rows = await warningStates(db, {
        accountId: account.id,
        marketplaceIds: request.query.marketplace,
        clearedSince: request.query.clearedSince ?? new Date(Date.now() - DEFAULT_SERIES_DAYS * DAY_MS),
      });
      return rows.map((r) => ({
        marketplaceId: r.marketplace_id,
        warningType: r.warning_type,
        status: r.status,
        firstSeenAt: r.first_seen_at.toISOString(),
        lastSeenAt: r.last_seen_at.toISOString(),
        clearedAt: r.cleared_at?.toISOString() ?? null,
      }));
    },
  );
};
