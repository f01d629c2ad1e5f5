import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSellerPerformanceReport } from '@good-standing/server/reports/parse-seller-performance.ts';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import type { PollSummary } from '@good-standing/server/poller/run-poll.ts';
import { readDocumentBody } from '@good-standing/server/documents/documents.repository.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { countStored, type Stored } from '../helpers/counts.ts';
import {
  buildPollingApp,
  connectDemoAccount,
  connectNewSeller,
  demoSeller,
  startTestSimulator,
} from '../helpers/poller.ts';

// The poller against the simulator over HTTP and the real Postgres: what lands in the tables, idempotence,
// and how each failure Amazon can throw at it is recorded without stopping the other accounts.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
const ids: Record<string, string> = {};

/** A run in one of these has no verdict yet; `waiting` means Amazon is still making its report. */
const OPEN = ['queued', 'running', 'waiting'];

const count = (what: Stored, accountId: string) => countStored(t.db, what, accountId);

async function account(id: string) {
  return t.db.selectFrom('seller_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  app = await buildPollingApp(t, sim);
  for (const scenario of ['healthy', 'odr-drift', 'suspension', 'new-seller', 'revoked']) {
    if (scenario === 'revoked') continue;
    ids[scenario] = await connectDemoAccount(app, scenario);
  }
});

afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

afterEach(() => {
  sim.state.clearFaults();
});

describe('connecting an account', () => {
  it('lists the marketplaces Amazon says the seller participates in, and stores the token sealed', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/accounts/${ids.healthy}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.marketplaces.map((m: { marketplaceId: string }) => m.marketplaceId).sort()).toEqual(
      [...demoSeller('healthy').marketplaceIds].sort(),
    );
    expect(res.body).not.toContain(demoSeller('healthy').refreshToken);
    const row = await account(ids.healthy!);
    expect(row.refresh_token_encrypted).toMatch(/^v1:/);
    expect(row.refresh_token_encrypted).not.toContain(demoSeller('healthy').refreshToken);
  });

  it('refuses a token Amazon does not accept, and stores nothing', async () => {
    const before = (await app.inject({ method: 'GET', url: '/api/accounts' })).json().length;
    const res = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      payload: {
        sellerId: 'A0NOPE12345678',
        name: 'Nope',
        region: 'na',
        refreshToken: 'Atzr|not-a-real-token',
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/Amazon refused the authorization/);
    expect((await app.inject({ method: 'GET', url: '/api/accounts' })).json()).toHaveLength(before);
  });

  it('validates the request body with a clear error', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      payload: { sellerId: '', region: 'xx' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('a poll', () => {
  it('fills the tables with the figures Amazon served', async () => {
    const [summary] = await app.poller.pollNow([ids['odr-drift']!]);
    expect(summary).toMatchObject({ status: 'succeeded', outcome: 'ingested' });

    // What the simulator serves for this seller today, through the same parser, is what must be stored.
    const seller = demoSeller('odr-drift');
    const served = parseSellerPerformanceReport(sim.state.currentDocument(seller.sellerId));
    const mfn = served.marketplaces[0]!.rates.find(
      (r) => r.metric === 'order_defect_rate' && r.channel === 'mfn',
    )!;
    const stored = await t.db
      .selectFrom('metric_snapshots as m')
      .innerJoin('health_snapshots as h', 'h.id', 'm.snapshot_id')
      .selectAll('m')
      .where('h.account_id', '=', ids['odr-drift']!)
      .where('m.metric', '=', 'order_defect_rate')
      .where('m.channel', '=', 'mfn')
      .executeTakeFirstOrThrow();
    expect(stored.rate).toBe(mfn.rate);
    expect(stored.numerator).toBe(mfn.numerator);
    expect(stored.denominator).toBe(mfn.denominator);
    expect(stored.status).toBe(mfn.status);
    expect(stored.target_value).toBe(0.01);
    expect(stored.target_condition).toBe('LESS_THAN');
    // 60 days ending 14 days ago (whole days, inclusive).
    expect(stored.window_days).toBe(60);
    expect(stored.parts!.claims?.count).toBe(mfn.parts.claims?.count);
    expect(stored.parts!.chargebacks?.count).toBe(mfn.parts.chargebacks?.count);
    expect(stored.parts!.negativeFeedback?.count).toBe(mfn.parts.negativeFeedback?.count);
    expect(await count('figures', ids['odr-drift']!)).toBe(served.marketplaces[0]!.rates.length);
    expect(await count('policies', ids['odr-drift']!)).toBe(served.marketplaces[0]!.policies.length);

    const mkt = await t.db
      .selectFrom('account_marketplaces')
      .selectAll()
      .where('account_id', '=', ids['odr-drift']!)
      .executeTakeFirstOrThrow();
    expect(mkt.account_status).toBe(served.marketplaces[0]!.accountStatus);
    expect(mkt.ahr_score).toBe(served.marketplaces[0]!.ahrScore);

    const doc = await t.db
      .selectFrom('report_documents')
      .selectAll()
      .where('account_id', '=', ids['odr-drift']!)
      .executeTakeFirstOrThrow();
    expect(doc.parse_status).toBe('parsed');
    expect(doc.evaluation_pending).toBe(true);
    expect(JSON.parse((await readDocumentBody(t.db, doc.id))!.toString('utf8'))).toEqual(
      JSON.parse(JSON.stringify(sim.state.currentDocument(seller.sellerId))),
    );

    const acct = await account(ids['odr-drift']!);
    expect(acct.connection_state).toBe('connected');
    expect(acct.last_success_at).not.toBeNull();
    expect(acct.lease_owner).toBeNull();
    expect(acct.next_poll_at.getTime()).toBeGreaterThan(Date.now());

    const runs = await app.inject({ method: 'GET', url: `/api/accounts/${ids['odr-drift']}/poll-runs` });
    const [run] = runs.json();
    expect(run).toMatchObject({ status: 'succeeded', outcome: 'ingested', trigger: 'cli', throttles: 0 });
    expect(run.spapiCalls).toBeGreaterThanOrEqual(3);
    expect(run.bytes).toBeGreaterThan(1000);
    expect(run.snapshotsWritten).toBeGreaterThan(0);
  });

  it('polled twice adds no duplicates', async () => {
    const id = ids.healthy!;
    await app.poller.pollNow([id]);
    const before = {
      metrics: await count('figures', id),
      policies: await count('policies', id),
      documents: await count('report_documents', id),
    };
    expect(before.metrics).toBeGreaterThan(0);
    const [second] = await app.poller.pollNow([id]);
    expect(second).toMatchObject({ status: 'succeeded', outcome: 'unchanged', reportReused: true });
    expect({
      metrics: await count('figures', id),
      policies: await count('policies', id),
      documents: await count('report_documents', id),
    }).toEqual(before);
    const history = await t.db
      .selectFrom('account_status_history')
      .selectAll()
      .where('account_id', '=', id)
      .execute();
    expect(history).toHaveLength(3);
  });

  it('records a new status in the history when the account changes', async () => {
    const id = ids.suspension!;
    await app.poller.pollNow([id]);
    sim.state.advanceClock({ days: 30 });
    // Thirty days later the recent report is no longer reusable: a new one is made, with the new status.
    await t.db
      .updateTable('seller_accounts')
      .set({ next_poll_at: new Date() })
      .where('id', '=', id)
      .execute();
    const [summary] = await app.poller.pollNow([id]);
    expect(summary).toMatchObject({ status: 'succeeded' });
    const history = await t.db
      .selectFrom('account_status_history')
      .select(['previous_status', 'status'])
      .where('account_id', '=', id)
      .orderBy('changed_at')
      .execute();
    expect(history.at(-1)).toMatchObject({ status: 'DEACTIVATED' });
    const warnings = await t.db
      .selectFrom('warning_states')
      .selectAll()
      .where('account_id', '=', id)
      .execute();
    expect(warnings.map((w) => w.warning_type)).toContain('spammingSellerMessaging');
  });
});

describe('failures', () => {
  it('rides out throttling and 503s and polls every account', async () => {
    sim.state.injectFault({ type: 'throttle', count: 6 });
    sim.state.injectFault({ type: 'error', status: 503, count: 3 });
    await t.db
      .updateTable('seller_accounts')
      .set({ next_poll_at: new Date() })
      .where('connection_state', '=', 'connected')
      .execute();
    const accounts = [ids.healthy!, ids['new-seller']!, ids['odr-drift']!];
    const results = await app.poller.pollNow(accounts);
    for (const r of results) expect(r, JSON.stringify(r)).toMatchObject({ status: 'succeeded' });
    const throttles = results.reduce((n, r) => n + ('counters' in r ? r.counters.throttles : 0), 0);
    expect(throttles).toBeGreaterThanOrEqual(1);
    expect(sim.state.counters().throttled).toBeGreaterThanOrEqual(6);
  });

  it('marks only the revoked account as needing reauthorization', async () => {
    // Another seller connects, then Amazon revokes it.
    const { id: revoked, sellerId: revokedSeller } = await connectNewSeller(app, sim, 'Soon Revoked');
    sim.state.revoke(revokedSeller);
    const results = await app.poller.pollNow([revoked, ids['new-seller']!]);
    expect(results[0]).toMatchObject({ status: 'failed', outcome: 'needs_reauthorization' });
    expect(results[1]).toMatchObject({ status: 'succeeded' });
    expect((await account(revoked)).connection_state).toBe('needs_reauthorization');
    expect((await account(ids['new-seller']!)).connection_state).toBe('connected');
    // It is not polled again until reconnected.
    const again = await app.poller.pollNow([revoked]);
    expect(again[0]).toEqual({ accountId: revoked, skipped: 'needs reauthorization' });
    const refresh = await app.inject({
      method: 'POST',
      url: `/api/accounts/${revoked}/refresh`,
      payload: {},
    });
    expect(refresh.statusCode).toBe(409);
  });

  it('records FATAL and malformed documents and still polls the others', async () => {
    const fatalSeller = demoSeller('new-seller').sellerId;
    const malformedSeller = demoSeller('healthy').sellerId;
    await sql`update seller_accounts set next_poll_at = now()`.execute(t.db);
    sim.state.injectFault({ type: 'fatal', sellerId: fatalSeller, count: 1 });
    sim.state.injectFault({ type: 'malformed', sellerId: malformedSeller, count: 1 });
    // Fresh reports, so the faults apply to new ones rather than to a reused DONE report.
    sim.state.advanceClock({ hours: 2 });
    const results = await app.poller.pollNow([ids['new-seller']!, ids.healthy!, ids['odr-drift']!]);

    expect(results[0]).toMatchObject({ status: 'failed', errorCode: expect.stringMatching(/FATAL/) });
    expect(results[1]).toMatchObject({ status: 'failed', errorCode: 'REPORT_MALFORMED' });
    expect(results[2]).toMatchObject({ status: 'succeeded' });

    const malformed = await t.db
      .selectFrom('report_documents')
      .selectAll()
      .where('account_id', '=', ids.healthy!)
      .where('parse_status', '=', 'malformed')
      .executeTakeFirstOrThrow();
    expect(malformed.byte_size).toBeGreaterThan(0);
    expect(malformed.parse_error).toMatch(/JSON/);
    expect(malformed.evaluation_pending).toBe(false);
    const failedRun = await t.db
      .selectFrom('poll_runs')
      .selectAll()
      .where('account_id', '=', ids['new-seller']!)
      .where('status', '=', 'failed')
      .executeTakeFirstOrThrow();
    expect(failedRun.error_message).toBeTruthy();
    expect((await account(ids['new-seller']!)).consecutive_failures).toBe(1);
  });

  it('abandons a report stuck in Amazon\u2019s queue and retries it later', async () => {
    const id = ids['odr-drift']!;
    await t.db
      .updateTable('seller_accounts')
      .set({ next_poll_at: new Date() })
      .where('id', '=', id)
      .execute();
    sim.state.injectFault({ type: 'stuck', sellerId: demoSeller('odr-drift').sellerId, count: 1 });
    sim.state.advanceClock({ hours: 4 });
    const start = Date.now();
    const [result] = await app.poller.pollNow([id]);
    expect(result).toMatchObject({ status: 'abandoned', errorCode: expect.stringMatching(/TIMEOUT/) });
    expect(Date.now() - start).toBeLessThan(30_000);
    const acct = await account(id);
    expect(acct.next_poll_at.getTime()).toBeGreaterThan(Date.now());
    expect(acct.lease_owner).toBeNull();
    // The run says which report it waited on, and the account says its data is late and why.
    const run = await t.db
      .selectFrom('poll_runs')
      .select('amazon_report_id')
      .where('id', '=', (result as PollSummary).runId)
      .executeTakeFirstOrThrow();
    expect(run.amazon_report_id).toMatch(/\d+/);
    expect(acct.connection_state).toBe('connected');
    expect(acct.connection_error).toContain(`Amazon has not finished report ${run.amazon_report_id}`);
    const listed = (await app.inject({ method: 'GET', url: `/api/accounts/${id}` })).json();
    expect(listed.connectionError).toContain('asking again from');
  });
});

describe('refresh on demand', () => {
  it('answers at once with a run id whose progress can be read until it is done', async () => {
    app.poller.start();
    try {
      const res = await app.inject({
        method: 'POST',
        url: `/api/accounts/${ids['new-seller']}/refresh`,
        payload: {},
      });
      expect(res.statusCode, res.body).toBe(202);
      const { runId } = res.json();
      const seen = new Set<string>();
      let run;
      for (let i = 0; i < 200; i++) {
        run = (await app.inject({ method: 'GET', url: `/api/poll-runs/${runId}` })).json();
        seen.add(run.status);
        if (!OPEN.includes(run.status)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(run.status).toBe('succeeded');
      expect(run.trigger).toBe('manual');
      expect(run.id).toBe(runId);
    } finally {
      await app.poller.stop();
    }
  });

  it('answers 404 for an unknown account', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/accounts/00000000-0000-4000-8000-000000000000/refresh',
      payload: {},
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});

describe('marketplaces Amazon will not put in one report', () => {
  async function connect(reportMarketplaces: 'first' | 'one-at-a-time') {
    const seller = sim.state.addAccount({
      region: 'na',
      marketplaceIds: ['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2', 'A1AM78C64UM0Y8'],
      scenario: 'healthy',
      reportMarketplaces,
    });
    const res = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      payload: {
        sellerId: seller.sellerId,
        name: `Split ${reportMarketplaces}`,
        region: 'na',
        refreshToken: seller.refreshToken,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id as string, sellerId: seller.sellerId };
  }

  async function reportedMarketplaces(id: string) {
    const rows = await t.db
      .selectFrom('account_marketplaces')
      .select(['marketplace_id', 'last_report_at'])
      .where('account_id', '=', id)
      .execute();
    return rows
      .filter((r) => r.last_report_at !== null)
      .map((r) => r.marketplace_id)
      .sort();
  }

  it('asks again for each marketplace a report left out', async () => {
    const { id, sellerId } = await connect('first');
    const [result] = await app.poller.pollNow([id]);
    expect(result).toMatchObject({ status: 'succeeded', outcome: 'ingested' });
    expect(await reportedMarketplaces(id)).toEqual(['A1AM78C64UM0Y8', 'A2EUQ1WTGCTBG2', 'ATVPDKIKX0DER']);
    expect(sim.state.counters().bySeller[sellerId]?.createReport).toBe(3);
  });

  it('asks one marketplace at a time when Amazon refuses several', async () => {
    const { id, sellerId } = await connect('one-at-a-time');
    const [result] = await app.poller.pollNow([id]);
    expect(result).toMatchObject({ status: 'succeeded', outcome: 'ingested' });
    expect(await reportedMarketplaces(id)).toEqual(['A1AM78C64UM0Y8', 'A2EUQ1WTGCTBG2', 'ATVPDKIKX0DER']);
    // The refused request, then one per marketplace.
    expect(sim.state.counters().bySeller[sellerId]?.createReport).toBe(4);
  });
});

describe('outcomes that are not failures', () => {
  it('records a CANCELLED report as no data, without counting it against the account', async () => {
    const id = ids['new-seller']!;
    const before = await account(id);
    sim.state.injectFault({ type: 'cancelled', sellerId: demoSeller('new-seller').sellerId, count: 1 });
    sim.state.advanceClock({ hours: 3 });
    const [result] = await app.poller.pollNow([id]);
    expect(result).toMatchObject({ status: 'succeeded', outcome: 'no_data', errorCode: 'REPORT_CANCELLED' });
    const after = await account(id);
    expect(after.consecutive_failures).toBe(0);
    expect(after.connection_state).toBe('connected');
    expect(after.last_success_at).toEqual(before.last_success_at);
  });
});

describe('refresh requests', () => {
  it('gives two clicks the same queued run', async () => {
    const id = ids['odr-drift']!;
    const first = await app.inject({ method: 'POST', url: `/api/accounts/${id}/refresh`, payload: {} });
    const second = await app.inject({ method: 'POST', url: `/api/accounts/${id}/refresh`, payload: {} });
    expect(first.statusCode).toBe(202);
    expect(second.json().runId).toBe(first.json().runId);
    const [result] = await app.poller.pollNow([id]);
    expect(result).toMatchObject({ runId: first.json().runId });
    const queued = await t.db
      .selectFrom('poll_runs')
      .select('id')
      .where('account_id', '=', id)
      .where('status', '=', 'queued')
      .execute();
    expect(queued).toEqual([]);
  });

  // Sellers of their own: the others have spent their createReport burst in the tests above, and the app paces
  // createReport at Amazon's real rate (one a minute once the burst is gone).
  it('polls again at once when a refresh was asked while a step was talking to Amazon', async () => {
    const { id } = await connectNewSeller(app, sim, 'Refreshed Mid-step');
    sim.state.injectFault({ type: 'latency', operation: 'downloadDocument', ms: 1_000 });
    const polling = app.poller.pollNow([id]);
    await waitForPhase(id, 'downloading');
    const res = await app.inject({ method: 'POST', url: `/api/accounts/${id}/refresh`, payload: {} });
    const [result] = await polling;
    expect(result).not.toMatchObject({ runId: res.json().runId });
    expect((await account(id)).next_poll_at.getTime()).toBeLessThanOrEqual(Date.now());
    await app.poller.pollNow([id]);
  });

  it('joins the run waiting for Amazon’s report rather than asking for another', async () => {
    const { id, sellerId } = await connectNewSeller(app, sim, 'Refreshed While Waiting');
    const createdBefore = sim.state.counters().bySeller[sellerId]?.createReport ?? 0;
    const polling = app.poller.pollNow([id], undefined, 'schedule');
    const waiting = await waitForPhase(id, 'waiting_for_amazon');
    const res = await app.inject({ method: 'POST', url: `/api/accounts/${id}/refresh`, payload: {} });
    expect(res.json().runId).toBe(waiting.id);
    const [result] = await polling;
    expect(result).toMatchObject({ runId: waiting.id, status: 'succeeded' });
    expect(sim.state.counters().bySeller[sellerId]?.createReport).toBe(createdBefore + 1);
    const queued = await t.db
      .selectFrom('poll_runs')
      .select('id')
      .where('account_id', '=', id)
      .where('status', '=', 'queued')
      .execute();
    expect(queued).toEqual([]);
  });

  it('refuses a refresh for an account whose polling is off', async () => {
    const id = ids['new-seller']!;
    await t.db.updateTable('seller_accounts').set({ poll_enabled: false }).where('id', '=', id).execute();
    try {
      const res = await app.inject({ method: 'POST', url: `/api/accounts/${id}/refresh`, payload: {} });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toMatch(/polling is turned off/);
    } finally {
      await t.db.updateTable('seller_accounts').set({ poll_enabled: true }).where('id', '=', id).execute();
    }
  });
});

describe('a refresh right after a scheduled poll', () => {
  it('reuses the report Amazon just made instead of asking for another', async () => {
    const id = ids.healthy!;
    sim.state.advanceClock({ hours: 3 });
    const [scheduled] = await app.poller.pollNow([id], undefined, 'schedule');
    expect(scheduled).toMatchObject({ status: 'succeeded' });
    const createdBefore = sim.state.counters().bySeller[demoSeller('healthy').sellerId]?.createReport ?? 0;
    app.poller.start();
    try {
      const { runId } = (
        await app.inject({ method: 'POST', url: `/api/accounts/${id}/refresh`, payload: {} })
      ).json();
      const run = await waitForRun(runId);
      expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', reportReused: true });
    } finally {
      await app.poller.stop();
    }
    expect(sim.state.counters().bySeller[demoSeller('healthy').sellerId]?.createReport ?? 0).toBe(
      createdBefore,
    );
  });
});

/** The account's open run, once it reaches the phase (a request may first wait for the seller's createReport quota). */
async function waitForPhase(accountId: string, phase: string) {
  for (let i = 0; i < 3_000; i++) {
    const run = await t.db
      .selectFrom('poll_runs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('status', 'in', ['running', 'waiting'])
      .executeTakeFirst();
    if (run?.phase === phase) return run;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no run of ${accountId} reached ${phase}`);
}

async function waitForRun(runId: string) {
  for (let i = 0; i < 300; i++) {
    const run = (await app.inject({ method: 'GET', url: `/api/poll-runs/${runId}` })).json();
    if (!OPEN.includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe('a report that failed the account', () => {
  const newSeller = (name: string) => connectNewSeller(app, sim, name);
  const created = (sellerId: string) => sim.state.counters().bySeller[sellerId]?.createReport ?? 0;
  const runOf = (runId: string) =>
    t.db.selectFrom('poll_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();

  it('is kept with its report id when its document is truncated, and the retry asks for a new report', async () => {
    const { sellerId, id } = await newSeller('Truncated Once');
    sim.state.injectFault({ type: 'truncated', sellerId, count: 1 });
    const [failed] = (await app.poller.pollNow([id])) as PollSummary[];
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'REPORT_MALFORMED' });
    const bad = await runOf(failed!.runId);
    expect(bad.amazon_report_id).toBeTruthy();
    const stored = await t.db
      .selectFrom('report_documents')
      .selectAll()
      .where('account_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      parse_status: 'malformed',
      amazon_report_id: bad.amazon_report_id,
      marketplace_ids: ['ATVPDKIKX0DER'],
    });

    const [retried] = (await app.poller.pollNow([id])) as PollSummary[];
    expect(retried).toMatchObject({ status: 'succeeded', outcome: 'ingested', reportReused: false });
    expect(created(sellerId)).toBe(2);
    expect((await runOf(retried!.runId)).amazon_report_id).not.toBe(bad.amazon_report_id);
  });

  it('is not waited on again when it stayed stuck in Amazon’s queue', async () => {
    const { sellerId, id } = await newSeller('Stuck Once');
    sim.state.injectFault({ type: 'stuck', sellerId, count: 1 });
    const [stuck] = (await app.poller.pollNow([id])) as PollSummary[];
    expect(stuck).toMatchObject({ status: 'abandoned', outcome: 'retry_later' });
    await t.db
      .updateTable('seller_accounts')
      .set({ next_poll_at: new Date() })
      .where('id', '=', id)
      .execute();
    const [retried] = (await app.poller.pollNow([id])) as PollSummary[];
    expect(retried).toMatchObject({ status: 'succeeded', reportReused: false });
    expect(created(sellerId)).toBe(2);
  });
});
