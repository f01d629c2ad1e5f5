// The /_sim control API: the same powers as SimulatorState, over HTTP, for the demo and for tests in other
// processes. Bodies are validated with zod; errors come back as {"error": "..."}.

import { z } from 'zod';
import type { Reply, SimRequest } from './http-kit.ts';
import { json, parseJson } from './http-kit.ts';
import type { FaultSpec } from './faults.ts';
import type { AddAccountInput, SimulatorState } from './state.ts';
import { SimulatorError } from './state.ts';
import { GRANULARITIES, MAX_DOCUMENT_LINES } from './seller-analytics.ts';

interface ControlLogger {
  info(...args: unknown[]): void;
}

const advanceSchema = z
  .object({
    days: z.number().nonnegative().optional(),
    hours: z.number().nonnegative().optional(),
    minutes: z.number().nonnegative().optional(),
  })
  .strict();
const scenarioSchema = z.object({
  scenario: z.string().min(1),
  startDay: z.number().int().min(0).optional(),
});
const oauthCodeSchema = z.object({ sellerId: z.string().min(1), redirectUri: z.url().optional() });
const analyticsSchema = z.object({ access: z.boolean() }).strict();
const documentLinesSchema = z
  .object({ documentLines: z.number().int().min(1).max(MAX_DOCUMENT_LINES).nullable() })
  .strict();
const dataKioskSchema = z.union([
  z.object({ query: z.string().min(1) }).strict(),
  z
    .object({
      startDate: z.string().min(1),
      endDate: z.string().min(1),
      marketplaceIds: z.array(z.string().min(1)).min(1).optional(),
      aggregateBy: z.enum(GRANULARITIES).optional(),
      groupBy: z.enum(['marketplace', 'fulfilmentChannel']).optional(),
    })
    .strict(),
]);

function body<T>(schema: z.ZodType<T>, req: SimRequest): T {
  const parsed = schema.safeParse(parseJson(req.body) ?? {});
  if (!parsed.success) throw new SimulatorError(400, z.prettifyError(parsed.error));
  return parsed.data;
}

export function handleControl(state: SimulatorState, req: SimRequest, logger: ControlLogger): Reply {
  try {
    return route(state, req, logger);
  } catch (error) {
    if (error instanceof SimulatorError) return json(error.status, { error: error.message });
    throw error;
  }
}

function route(state: SimulatorState, req: SimRequest, logger: ControlLogger): Reply {
  const path = req.url.pathname.replace(/\/+$/, '');
  const method = req.method;
  const account = /^\/_sim\/accounts\/([^/]+)(?:\/(scenario|revoke|document|analytics|data-kiosk))?$/.exec(
    path,
  );

  if (path === '/_sim/state' && method === 'GET') return json(200, state.snapshot());
  if (path === '/_sim/counters' && method === 'GET') return json(200, state.counters());
  if (path === '/_sim/counters' && method === 'DELETE') {
    state.resetCounters();
    return json(200, state.counters());
  }
  if (path === '/_sim/clock/advance' && method === 'POST') {
    const now = state.advanceClock(body(advanceSchema, req));
    logger.info({ now: now.toISOString() }, 'simulator clock advanced');
    return json(200, { now: now.toISOString() });
  }
  if (path === '/_sim/accounts' && method === 'GET') return json(200, { accounts: state.listAccounts() });
  if (path === '/_sim/accounts' && method === 'POST') {
    const added = state.addAccount((parseJson(req.body) ?? {}) as AddAccountInput);
    return json(201, added);
  }
  if (account?.[1] && method === 'POST' && account[2] === 'scenario') {
    const sellerId = decodeURIComponent(account[1]);
    const { scenario, startDay } = body(scenarioSchema, req);
    return json(200, state.setScenario(sellerId, scenario, startDay));
  }
  if (account?.[1] && method === 'POST' && account[2] === 'revoke') {
    const sellerId = decodeURIComponent(account[1]);
    state.revoke(sellerId);
    logger.info({ sellerId }, 'simulator revoked a seller authorization');
    return json(200, { sellerId, revoked: true });
  }
  if (account?.[1] && method === 'GET' && account[2] === 'document') {
    const sellerId = decodeURIComponent(account[1]);
    const marketplaceIds = req.url.searchParams.getAll('marketplaceIds').flatMap((v) => v.split(','));
    return json(200, state.currentDocument(sellerId, marketplaceIds.length > 0 ? marketplaceIds : undefined));
  }
  if (account?.[1] && method === 'POST' && account[2] === 'analytics') {
    const sellerId = decodeURIComponent(account[1]);
    const { access } = body(analyticsSchema, req);
    state.setAnalyticsAccess(sellerId, access);
    logger.info({ sellerId, analyticsAccess: access }, 'simulator changed a seller analytics access');
    return json(200, { sellerId, analyticsAccess: access });
  }
  if (account?.[1] && method === 'GET' && account[2] === 'data-kiosk') {
    // The rows a Data Kiosk query created now would serve: `?query=<GraphQL>`, or the full account-health query
    // for `?startDate&endDate[&marketplaceIds][&aggregateBy][&groupBy=fulfilmentChannel]`.
    const sellerId = decodeURIComponent(account[1]);
    const params = req.url.searchParams;
    const ids = params
      .getAll('marketplaceIds')
      .flatMap((v) => v.split(','))
      .filter((v) => v !== '');
    const raw = Object.fromEntries(
      [...params.keys()].filter((k) => k !== 'marketplaceIds').map((k) => [k, params.get(k) ?? '']),
    );
    const parsed = dataKioskSchema.safeParse(ids.length > 0 ? { ...raw, marketplaceIds: ids } : raw);
    if (!parsed.success) throw new SimulatorError(400, z.prettifyError(parsed.error));
    const request = parsed.data;
    const result = state.dataKioskRows(
      sellerId,
      'query' in request
        ? request.query
        : {
            startDate: request.startDate,
            endDate: request.endDate,
            marketplaceIds: request.marketplaceIds,
            aggregateBy: request.aggregateBy,
            byChannel: request.groupBy === 'fulfilmentChannel',
          },
    );
    return 'error' in result ? json(400, { error: result.error }) : json(200, { rows: result.rows });
  }
  if (account?.[1] && method === 'POST' && account[2] === 'data-kiosk') {
    // Benchmarks: the seller's next Seller Analytics queries answer documentLines periods each (null: as asked).
    const sellerId = decodeURIComponent(account[1]);
    const { documentLines } = body(documentLinesSchema, req);
    state.setDocumentLines(sellerId, documentLines);
    logger.info({ sellerId, documentLines }, 'simulator changed a seller Data Kiosk document size');
    return json(200, { sellerId, documentLines });
  }
  if (account?.[1] && method === 'GET' && account[2] === undefined) {
    const found = state.listAccounts().find((a) => a.sellerId === decodeURIComponent(account[1] ?? ''));
    return found ? json(200, found) : json(404, { error: 'Unknown seller' });
  }
  if (path === '/_sim/faults' && method === 'GET') return json(200, { faults: state.faults.list() });
  if (path === '/_sim/faults' && method === 'POST') {
    const fault = state.injectFault((parseJson(req.body) ?? {}) as FaultSpec);
    logger.info(
      { fault: { id: fault.id, type: fault.type, operation: fault.operation } },
      'simulator fault injected',
    );
    return json(201, fault);
  }
  if (path === '/_sim/faults' && method === 'DELETE') return json(200, { cleared: state.clearFaults() });
  if (path === '/_sim/oauth/code' && method === 'POST') {
    const { sellerId, redirectUri } = body(oauthCodeSchema, req);
    return json(201, { code: state.issueAuthorizationCode(sellerId, redirectUri), sellerId, expiresIn: 300 });
  }
  if (path === '/_sim/reset' && method === 'POST') {
    state.reset();
    logger.info('simulator reset');
    return json(200, { now: state.now().toISOString() });
  }
  return json(404, { error: `No control route ${method} ${path}` });
}
