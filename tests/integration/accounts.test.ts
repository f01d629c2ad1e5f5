import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildApp } from '@good-standing/server/app.ts';
import { injectAsAdmin } from '../helpers/auth.ts';
import { loadConfig } from '@good-standing/server/config.ts';
import {
  buildPollingApp,
  connectDemoAccount,
  connectNewSeller,
  demoApp,
  demoSeller,
  startTestSimulator,
} from '../helpers/poller.ts';

// Connecting and reconnecting seller accounts: a token is never attached to another seller's account, a seller
// id has Amazon's shape, and a reconnect keeps the history only for the same seller: the same marketplaces and
// the same registered business name.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let healthy: string;

async function storedToken(id: string) {
  const row = await t.db
    .selectFrom('seller_accounts')
    .select(['refresh_token_encrypted', 'connection_state', 'business_name', 'authorized_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row;
}

/** A seller added to the simulator through its control API, as a test in another process would. */
async function addSimSeller(body: Record<string, unknown>) {
  const res = await fetch(`${sim.url}/_sim/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ region: 'na', scenario: 'healthy', ...body }),
  });
  if (res.status !== 201)
    throw new Error(`adding a simulator seller failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { sellerId: string; refreshToken: string; businessName: string | null };
}

/** SP-API calls the simulator has seen for the seller, by operation. */
const callsOf = (sellerId: string) => ({ ...sim.state.counters().bySeller[sellerId] });

/** A new refresh token for the seller, as Amazon's consent flow would hand out. */
function newTokenFor(scenario: string): string {
  const sellerId = demoSeller(scenario).sellerId;
  const grant = sim.state.grantFromAuthorizationCode(sim.state.issueAuthorizationCode(sellerId));
  if (!grant.ok || !grant.refreshToken) throw new Error('the simulator refused the code');
  return grant.refreshToken;
}

beforeAll(async () => {
  t = await createTestDatabase('postgres');
  sim = await startTestSimulator({ rateScale: 50 });
  app = await buildPollingApp(t, sim);
  healthy = await connectDemoAccount(app, 'healthy');
});
afterAll(async () => {
  await app?.close();
  await sim?.close();
  await t?.destroy();
});

describe('POST /api/accounts', () => {
  it('records the business name Amazon gives for the token, and shows it', async () => {
    const expected = demoSeller('healthy').businessName;
    expect(expected).toBeTruthy();
    expect((await storedToken(healthy)).business_name).toBe(expected);
    const res = await app.inject({ method: 'GET', url: `/api/accounts/${healthy}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ businessName: expected });
    expect(callsOf(demoSeller('healthy').sellerId).getAccount).toBeGreaterThanOrEqual(1);
  });

  it('never replaces the token of a seller already connected, and says how to reconnect', async () => {
    const before = await storedToken(healthy);
    const other = demoSeller('odr-drift');
    const res = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      payload: {
        sellerId: demoSeller('healthy').sellerId,
        name: 'Hijack',
        region: 'na',
        refreshToken: other.refreshToken,
      },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain(`POST /api/accounts/${healthy}/reconnect`);
    expect(await storedToken(healthy)).toEqual(before);
    const accounts = (await app.inject({ method: 'GET', url: '/api/accounts' })).json() as Array<{
      name: string;
    }>;
    expect(accounts.map((a) => a.name)).not.toContain('Hijack');
  });

  it.each([["A1' OR '1'='1"], ['a2x7k9qwerty12'], ['A12'], ['A2X7K9QWERTY12345678901']])(
    'refuses %j as a seller id',
    async (sellerId) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/accounts',
        payload: { sellerId, name: 'x', region: 'na', refreshToken: 'Atzr|x' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/seller id is A followed by/);
    },
  );
});

describe('POST /api/accounts/:id/reconnect', () => {
  it('takes a new token of the same seller after Amazon revoked the old one, keeping the history', async () => {
    const [first] = await app.poller.pollNow([healthy]);
    expect(first).toMatchObject({ status: 'succeeded' });
    sim.state.revoke(demoSeller('healthy').sellerId);
    const [revoked] = await app.poller.pollNow([healthy]);
    expect(revoked).toMatchObject({ status: 'failed', outcome: 'needs_reauthorization' });
    const before = await storedToken(healthy);
    expect(before.connection_state).toBe('needs_reauthorization');

    const reconnectedFrom = Date.now();
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${healthy}/reconnect`,
      payload: { refreshToken: newTokenFor('healthy') },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: healthy,
      connectionState: 'connected',
      businessName: demoSeller('healthy').businessName,
    });
    // The yearly renewal counts from the new authorization.
    const after = await storedToken(healthy);
    expect(after.authorized_at.getTime()).toBeGreaterThanOrEqual(reconnectedFrom);
    expect(after.authorized_at.getTime()).toBeGreaterThan(before.authorized_at.getTime());
    const [again] = await app.poller.pollNow([healthy]);
    expect(again).toMatchObject({ status: 'succeeded' });
    const runs = (await app.inject({ method: 'GET', url: `/api/accounts/${healthy}/poll-runs` })).json();
    expect(runs).toHaveLength(3);
  });

  it("refuses another seller's token and changes nothing", async () => {
    const before = await storedToken(healthy);
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${healthy}/reconnect`,
      payload: { refreshToken: newTokenFor('odr-drift') },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/does not look like seller .*'s: it does not sell in/);
    expect(await storedToken(healthy)).toEqual(before);
  });

  it("refuses another business's token that sells in the same marketplaces, and the next poll is still the first seller's", async () => {
    const first = await connectNewSeller(app, sim, 'Harbor');
    const recorded = (await storedToken(first.id)).business_name;
    expect(recorded).toMatch(/\S/);
    const other = await addSimSeller({
      marketplaceIds: ['ATVPDKIKX0DER'],
      businessName: 'Cascade Home Goods Inc.',
    });
    const before = await storedToken(first.id);

    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${first.id}/reconnect`,
      payload: { refreshToken: other.refreshToken },
    });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'CONFLICT',
      details: { recordedBusinessName: recorded, tokenBusinessName: 'Cascade Home Goods Inc.' },
    });
    expect(res.json().error.message).toContain(`was connected as the business "${recorded}"`);
    expect(res.json().error.message).toContain('it belongs to "Cascade Home Goods Inc."');
    expect(await storedToken(first.id)).toEqual(before);

    const otherBefore = callsOf(other.sellerId);
    const firstBefore = callsOf(first.sellerId);
    const [poll] = await app.poller.pollNow([first.id]);
    expect(poll).toMatchObject({ status: 'succeeded' });
    expect(callsOf(other.sellerId)).toEqual(otherBefore);
    expect(callsOf(first.sellerId).getReports ?? 0).toBeGreaterThan(firstBefore.getReports ?? 0);
  });

  it('refuses the token of a seller Amazon gives no business name for, against a recorded one', async () => {
    const first = await connectNewSeller(app, sim, 'Named');
    const individual = await addSimSeller({ marketplaceIds: ['ATVPDKIKX0DER'], businessName: null });
    const before = await storedToken(first.id);
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${first.id}/reconnect`,
      payload: { refreshToken: individual.refreshToken },
    });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.message).toContain('Amazon gives no business name for it');
    expect(await storedToken(first.id)).toEqual(before);
  });

  it('records the business name on the first reconnect of an account connected before names were', async () => {
    const seller = await connectNewSeller(app, sim, 'Older');
    const { business_name: name } = await storedToken(seller.id);
    await t.db
      .updateTable('seller_accounts')
      .set({ business_name: null })
      .where('id', '=', seller.id)
      .execute();
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${seller.id}/reconnect`,
      payload: { refreshToken: seller.refreshToken },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ businessName: name });
    expect((await storedToken(seller.id)).business_name).toBe(name);
  });

  it('takes the same business name in another case or spacing, and keeps Amazon’s spelling', async () => {
    const seller = await connectNewSeller(app, sim, 'Spelled');
    const { business_name: name } = await storedToken(seller.id);
    await t.db
      .updateTable('seller_accounts')
      .set({ business_name: `  ${name!.toUpperCase().replaceAll(' ', '   ')} ` })
      .where('id', '=', seller.id)
      .execute();
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${seller.id}/reconnect`,
      payload: { refreshToken: seller.refreshToken },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await storedToken(seller.id)).business_name).toBe(name);
  });

  it('refuses a token Amazon does not accept', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${healthy}/reconnect`,
      payload: { refreshToken: 'Atzr|not-a-real-token' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/Amazon refused the authorization/);
  });
});

describe('checking a token with Amazon', () => {
  let paced: FastifyInstance;
  let pacedDb: TestDatabase;
  beforeAll(async () => {
    pacedDb = await createTestDatabase('postgres');
    paced = await buildApp(
      loadConfig({
        DATA_DIR: pacedDb.dataDir,
        LOG_LEVEL: 'silent',
        APP_SECRET: 'test-secret-'.padEnd(40, 'x'),
        SPAPI_CLIENT_ID: demoApp.clientId,
        SPAPI_CLIENT_SECRET: demoApp.clientSecret,
        SPAPI_ENDPOINT: sim.url,
      }),
      { database: pacedDb, web: false, schedule: false, tokenCheckDeadlineMs: 2_000 },
    );
    await injectAsAdmin(paced);
  });
  afterAll(async () => {
    await paced?.close();
    await pacedDb?.destroy();
  });

  it.each(['getMarketplaceParticipations', 'getAccount'])(
    'answers 503 within its deadline when Amazon hangs on %s, and stores nothing',
    async (operation) => {
      sim.state.injectFault({ type: 'timeout', operation, count: 5 });
      const started = Date.now();
      const res = await paced.inject({
        method: 'POST',
        url: '/api/accounts',
        payload: {
          sellerId: demoSeller('odr-drift').sellerId,
          name: 'Hung',
          region: 'na',
          refreshToken: newTokenFor('odr-drift'),
        },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.message).toMatch(/did not confirm the token within 2 s/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await paced.inject({ method: 'GET', url: '/api/accounts' })).json()).toEqual([]);
      sim.state.clearFaults();
    },
  );

  it('paces many checks of one seller under its usage plan: every one answered in time, none throttled', async () => {
    const seller = await connectNewSeller(paced, sim, 'Busy');
    const id = seller.id;
    const throttled = () => {
      const { getMarketplaceParticipations = 0, getAccount = 0 } = sim.state.counters().throttledByOperation;
      return getMarketplaceParticipations + getAccount;
    };
    const throttledBefore = throttled();
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        paced.inject({
          method: 'POST',
          url: `/api/accounts/${id}/reconnect`,
          payload: { refreshToken: seller.refreshToken },
        }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(8_000);
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(throttled()).toBe(throttledBefore);
    // Amazon saw no more checks than the plans' bursts allow.
    const seen = callsOf(seller.sellerId);
    expect(seen.getMarketplaceParticipations ?? 0).toBeLessThanOrEqual(15);
    expect(seen.getAccount ?? 0).toBeLessThanOrEqual(15);
  });
});
