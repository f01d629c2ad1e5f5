import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '@good-standing/server/simulator/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildPollingApp, connectDemoAccount, demoSeller, startTestSimulator } from '../helpers/poller.ts';

// Connecting and reconnecting seller accounts: a token is never attached to another seller's account, a seller
// id has Amazon's shape, and a reconnect keeps the history only for the same seller.

let t: TestDatabase;
let sim: RunningSimulator;
let app: FastifyInstance;
let healthy: string;

async function storedToken(id: string) {
  const row = await t.db
    .selectFrom('seller_accounts')
    .select(['refresh_token_encrypted', 'connection_state'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row;
}

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
    expect((await storedToken(healthy)).connection_state).toBe('needs_reauthorization');

    const res = await app.inject({
      method: 'POST',
      url: `/api/accounts/${healthy}/reconnect`,
      payload: { refreshToken: newTokenFor('healthy') },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: healthy, connectionState: 'connected' });
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
