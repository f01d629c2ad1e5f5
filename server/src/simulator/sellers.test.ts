import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, startSimulator, USAGE_PLANS } from './index.ts';
import type { DemoAccount, RunningSimulator } from './index.ts';
import { accessTokenFor, call, spApi } from './test-client.ts';

// The Sellers API getAccount the simulator serves (docs/sellers-api.md §1): each seller's registered business
// name, beside the same marketplace list getMarketplaceParticipations gives.

const ACCOUNT = '/sellers/v1/account';
const PARTICIPATIONS = '/sellers/v1/marketplaceParticipations';
const healthy = DEMO_ACCOUNTS.find((a) => a.scenario === 'healthy')!;

interface AccountBody {
  payload: {
    businessType: string;
    sellingPlan: string;
    marketplaceParticipationList: unknown[];
    business?: { name: string; registeredBusinessAddress: { addressLine1: string; countryCode: string } };
    primaryContact?: unknown;
  };
}

describe('Sellers API getAccount', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ accounts: 'demo' });
  });
  afterEach(async () => {
    await sim.close();
  });

  const accountOf = async (seller: Pick<DemoAccount, 'refreshToken' | 'region'>) => {
    const token = await accessTokenFor(sim, seller.refreshToken);
    const res = await spApi(sim, token, { path: ACCOUNT, region: seller.region });
    expect(res.status, res.text).toBe(200);
    return { res, body: res.json<AccountBody>(), token };
  };

  it("answers with the seller's business, its marketplaces and the usage plan, as Amazon's model has it", async () => {
    const { res, body, token } = await accountOf(healthy);
    expect(body.payload).toMatchObject({
      businessType: 'PRIVATE_LIMITED',
      sellingPlan: 'PROFESSIONAL',
      business: { name: healthy.businessName, registeredBusinessAddress: { countryCode: 'US' } },
    });
    expect(body.payload.business?.registeredBusinessAddress.addressLine1).toMatch(/\S/);
    expect(body.payload).not.toHaveProperty('primaryContact');
    const participations = await spApi(sim, token, { path: PARTICIPATIONS });
    expect(body.payload.marketplaceParticipationList).toEqual(
      participations.json<{ payload: unknown[] }>().payload,
    );
    expect(res.headers['x-amzn-ratelimit-limit']).toBe(String(USAGE_PLANS.getAccount.rate));
    expect(sim.state.counters().bySeller[healthy.sellerId]?.getAccount).toBe(1);
    expect((await spApi(sim, token, { method: 'POST', path: ACCOUNT, body: {} })).status).toBe(405);
  });

  it('gives every demo seller a business name of its own', () => {
    const names = DEMO_ACCOUNTS.map((a) => a.businessName);
    expect(names.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
    expect(new Set(names).size).toBe(DEMO_ACCOUNTS.length);
  });

  it('takes a business name for sellers added through the control API, or makes up a distinct one', async () => {
    const add = async (extra: Record<string, unknown>) => {
      const res = await call(sim, {
        method: 'POST',
        path: '/_sim/accounts',
        body: { region: 'na', marketplaceIds: ['ATVPDKIKX0DER'], scenario: 'healthy', ...extra },
      });
      expect(res.status, res.text).toBe(201);
      return res.json<DemoAccount>();
    };
    const named = await add({ businessName: 'Harbor Freight Traders LLC' });
    expect(named.businessName).toBe('Harbor Freight Traders LLC');
    expect((await accountOf(named)).body.payload.business?.name).toBe('Harbor Freight Traders LLC');

    const first = await add({});
    const second = await add({});
    expect(first.businessName).toMatch(/\S/);
    expect(first.businessName).not.toBe(second.businessName);
    expect((await accountOf(second)).body.payload.business?.name).toBe(second.businessName);

    const individual = await add({ businessName: null });
    const { body } = await accountOf(individual);
    expect(body.payload.businessType).toBe('INDIVIDUAL');
    expect(body.payload).not.toHaveProperty('business');

    const blank = await call(sim, {
      method: 'POST',
      path: '/_sim/accounts',
      body: { region: 'na', marketplaceIds: ['ATVPDKIKX0DER'], scenario: 'healthy', businessName: '' },
    });
    expect(blank.status).toBe(400);
  });
});
